"""Entry point of the ``lectern`` command: the window without arguments, the CLI with them."""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections.abc import Mapping, Sequence

from desktop_app.logs import setup_logging

log = logging.getLogger(__name__)

GUI_FLAGS = ("--self-test", "--screenshot")
HELP_FLAGS = ("-h", "--help", "--version")
NO_DISPLAY = ("lectern: error: no display found (DISPLAY and WAYLAND_DISPLAY are unset); the command-line "
              "commands work without one (lectern --help); for the window, run it in a desktop session "
              "or under a virtual display: xvfb-run -a lectern")


def _wants_gui(argv: Sequence[str]) -> bool:
    words = [a for a in argv if not a.startswith("-")]
    if any(a == flag or a.startswith(flag + "=") for a in argv for flag in GUI_FLAGS):
        return True
    if any(a in HELP_FLAGS for a in argv):
        return False  # ``lectern --library DIR --help`` prints help; it does not open the window
    if not words:
        return True
    # ``lectern --library DIR`` opens the window on DIR
    if words == [argv[argv.index("--library") + 1]] if "--library" in argv[:-1] else False:
        return True
    return words[0] == "gui"


def _no_display(argv: Sequence[str], environ: Mapping[str, str]) -> bool:
    """Would Qt abort for want of a screen?  (Checked before any QApplication exists.)

    ``--self-test`` and ``--screenshot`` pick the offscreen platform themselves, and a set
    ``QT_QPA_PLATFORM`` (offscreen, vnc...) is the user's own choice.
    """
    if not sys.platform.startswith("linux") or environ.get("QT_QPA_PLATFORM"):
        return False
    if any(a == flag or a.startswith(flag + "=") for a in argv for flag in GUI_FLAGS):
        return False
    return not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))


def gui_main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if _no_display(argv, os.environ):
        print(NO_DISPLAY, file=sys.stderr)
        return 2
    from desktop_app.gui.main import run_gui  # Qt is imported only when a window is wanted

    return run_gui(argv)


def main(argv: Sequence[str] | None = None) -> int:
    # In the frozen app the background indexer's child process starts as this executable.
    multiprocessing.freeze_support()
    argv = list(sys.argv[1:] if argv is None else argv)
    log_path = setup_logging(verbose="-v" in argv or "--verbose" in argv)
    if _wants_gui(argv):
        return gui_main(argv)
    from desktop_app import cli

    try:
        return cli.run(argv)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else 2
    except Exception as exc:  # last resort: one line for the user, the traceback in the log
        log.exception("unexpected error")
        where = f" (details in {log_path})" if log_path else ""
        print(f"lectern: unexpected error: {type(exc).__name__}: {exc}{where}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
