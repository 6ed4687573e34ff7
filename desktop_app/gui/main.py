"""``run_gui(argv)``: parse the window's flags, open the library, show the window (or screenshot it)."""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger(__name__)


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="lectern", description="Lectern: the window.", add_help=False)
    parser.add_argument("command", nargs="?", default="gui")
    parser.add_argument("--library", metavar="DIR")
    parser.add_argument("--screenshot", metavar="OUT.png")
    parser.add_argument("--size", metavar="WxH", default="1400x900", help="with --screenshot: the window size")
    parser.add_argument("--query", metavar="Q")
    parser.add_argument("--import", dest="import_path", metavar="FILE")
    parser.add_argument("--edit-dialog", action="store_true",
                        help="with --screenshot: picture the Edit Paper dialog of the first paper")
    parser.add_argument("--review-editor", action="store_true",
                        help="with --screenshot: picture the New Review dialog (over the window's search)")
    parser.add_argument("--self-test", action="store_true")
    parser.add_argument("-v", "--verbose", action="store_true")
    args, _unknown = parser.parse_known_args(list(argv))
    return args


def _needs_offscreen() -> bool:
    return sys.platform.startswith("linux") and not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(argv: Sequence[str]) -> int:
    """The window's entry point; returns the process exit code."""
    args = parse_args(argv)
    if args.self_test:
        return _self_test()
    if args.screenshot and _needs_offscreen():
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtWidgets import QApplication, QMessageBox

    from desktop_app.core.library import Library
    from desktop_app.core.paths import resolve_library_dir
    from desktop_app.domain.errors import LecternError, LibraryLockedError
    from desktop_app.gui import errors, instance, runtime, settings, theme
    from desktop_app.gui.window import MainWindow


    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "lectern"])
    assert isinstance(app, QApplication)
    app.setOrganizationName(settings.ORGANIZATION)
    app.setApplicationName(settings.APPLICATION)
    # No application display name: Qt would append it to every title ("Lectern — DIR — Lectern").
    app.setDesktopFileName("lectern")
    app.setWindowIcon(theme.app_icon())

    directory = resolve_library_dir(args.library)
    readonly = False
    try:
        library = Library.open(directory)
    except LibraryLockedError as exc:
        if args.screenshot:
            print(f"lectern: {exc}", file=sys.stderr)
            return 1
        if instance.activate_running(directory):
            print(f"lectern: {directory} is open in a Lectern window: brought it forward", file=sys.stderr)
            return 0
        if not instance.ask_read_only(directory, str(exc)):
            return 1
        readonly = True
        try:
            library = Library.open(directory, readonly=True)
        except LecternError as inner:
            QMessageBox.critical(None, "Lectern", f"Could not open the library: {inner}")
            return 1
    except LecternError as exc:
        if args.screenshot:
            print(f"lectern: {exc}", file=sys.stderr)
        else:
            QMessageBox.critical(None, "Lectern", f"Could not open the library at {directory}:\n{exc}")
        return 1
    log.info("opened %s%s", directory, " read-only" if readonly else "")

    previous_interval = runtime.tune_for_gui()
    window = MainWindow(library)
    if not readonly and not args.screenshot:  # a later start on this library brings this window forward
        instance.InstanceServer(directory, lambda: instance.bring_forward(window), window).listen()
    runtime.settle_startup_objects()
    previous_hook = errors.install_excepthook(lambda: window)
    try:
        if args.screenshot:
            from desktop_app.gui.screenshot import ScreenshotDriver

            driver = ScreenshotDriver(window, Path(args.screenshot), import_path=args.import_path,
                                      query=args.query, edit_dialog=args.edit_dialog,
                                      review_editor=args.review_editor,
                                      size=_window_size(args.size))
            driver.start()
            code = app.exec()
        else:
            window.show()
            if args.import_path:
                window.import_files([args.import_path])
            if args.query:
                window.search(args.query)
            code = app.exec()
        window.close()
        return int(code)
    finally:
        sys.excepthook = previous_hook
        library.close()
        window.deleteLater()
        runtime.restore(previous_interval)


def _self_test() -> int:
    """Run ``desktop_app.gui.selftest.run_self_test()`` when that module exists."""
    if importlib.util.find_spec("desktop_app.gui.selftest") is None:
        print("lectern: the self-test is not available in this build", file=sys.stderr)
        return 2
    module = importlib.import_module("desktop_app.gui.selftest")
    return int(module.run_self_test())


def _window_size(text: str) -> tuple[int, int]:
    """``"1280x800"`` -> ``(1280, 800)``; a malformed size falls back to 1400x900."""
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        return 1400, 900
    return int(width), int(height)
