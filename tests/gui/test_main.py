"""``run_gui``: the screenshot mode, a locked library, the self-test stub, the exception hook."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtGui import QImage
from PySide6.QtWidgets import QMessageBox, QWidget

from desktop_app.core.library import Library
from desktop_app.gui import errors
from desktop_app.gui.main import parse_args, run_gui


def test_parse_args_accepts_the_documented_flags() -> None:
    args = parse_args(["gui", "--library", "/x", "--screenshot", "o.png", "--query", "q", "--import", "f.txt", "-v"])
    assert (args.library, args.screenshot, args.query, args.import_path) == ("/x", "o.png", "q", "f.txt")


def test_screenshot_of_an_empty_library_shows_the_welcome_page(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "welcome.png"
    assert run_gui(["--library", str(tmp_path / "lib"), "--screenshot", str(out)]) == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1400, 900)
    assert not (tmp_path / "settings" / "Lectern" / "Lectern.ini").exists()  # screenshots leave no trace


def test_screenshot_of_the_new_review_dialog(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "review-editor.png"
    assert run_gui(["--library", str(tmp_path / "lib"), "--screenshot", str(out), "--review-editor"]) == 0
    image = QImage(str(out))
    assert not image.isNull() and image.width() < 1400  # the dialog alone, not the window


def test_a_locked_library_exits_with_1(qapp, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with Library.open(tmp_path / "lib"):
        code = run_gui(["--library", str(tmp_path / "lib"), "--screenshot", str(tmp_path / "x.png")])
    assert code == 1
    assert "in use by another Lectern process" in capsys.readouterr().err


def test_self_test_stub_without_the_module(capsys) -> None:  # type: ignore[no-untyped-def]
    import importlib.util

    if importlib.util.find_spec("desktop_app.gui.selftest") is None:
        assert run_gui(["--self-test"]) == 2
        assert "self-test" in capsys.readouterr().err


def test_uncaught_exceptions_are_logged_and_shown(qtbot, caplog) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    previous = errors.install_excepthook(lambda: parent)
    try:
        try:
            raise RuntimeError("boom")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = previous
    boxes = parent.findChildren(QMessageBox)
    assert boxes and "boom" in boxes[0].text() and "Traceback" in boxes[0].detailedText()
    assert any("uncaught exception" in r.message for r in caplog.records)
    boxes[0].close()


def test_expected_errors_are_shown_plainly(qtbot) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.domain.errors import LecternError

    parent = QWidget()
    qtbot.addWidget(parent)
    box = errors.show_error(parent, LecternError("the file is empty"), action="import")
    assert box.text() == "Could not import: the file is empty"
    assert box.detailedText() == ""
    box.close()
