"""A read-only window: the Tags field does not look editable, and attempted edits say why."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from desktop_app.core.library import Library
from desktop_app.gui.readonly import MESSAGE
from desktop_app.gui.table_model import COLUMN
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import wait_idle


@pytest.fixture
def readonly_window(make_window, tmp_path: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ro"
    with Library.open(folder) as lib:
        lib.import_files([DAILY_PAGE])
        lib.add_tags(lib.all_ids()[:1], ["pruning"])
        lib.catch_up_index()
    readonly = Library.open(folder, readonly=True)
    window = make_window(readonly)
    window.activateWindow()
    window.select_ids(window.table_model.ids[:1])
    yield window
    window.close()
    readonly.close()


def test_tags_field_does_not_look_editable(readonly_window: MainWindow) -> None:
    tags = readonly_window.detail.tags
    assert tags.isReadOnly() and not tags.hasFrame() and not tags.isClearButtonEnabled()
    palette = tags.palette()
    assert palette.color(QPalette.ColorRole.Base) == palette.color(QPalette.ColorRole.Window)
    assert tags.text() == "pruning"


def test_typing_in_tags_says_why(qtbot, readonly_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = readonly_window
    window.statusBar().clearMessage()
    window.detail.tags.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.detail.tags)
    qtbot.keyClicks(window.detail.tags, "x")
    assert window.statusBar().currentMessage() == MESSAGE
    assert window.detail.tags.text() == "pruning"


def test_a_write_shortcut_says_why(qtbot, readonly_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = readonly_window
    window.statusBar().clearMessage()
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)  # Toggle Read
    assert window.statusBar().currentMessage() == MESSAGE
    window.statusBar().clearMessage()
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    assert window.statusBar().currentMessage() == MESSAGE
    assert window.library.rows(window.table_model.ids[:1])[window.table_model.ids[0]].status == "unread"


def test_clicking_a_status_box_says_why(qtbot, readonly_window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = readonly_window
    window.statusBar().clearMessage()
    rect = window.table.visualRect(window.table_model.index(0, COLUMN["status"]))
    qtbot.mouseClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(rect.left() + 8, rect.center().y()))
    assert window.statusBar().currentMessage() == MESSAGE


def test_writable_window_has_no_guard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    wait_idle(qtbot, window)
    assert window.readonly_guard is None
    assert window.detail.tags.hasFrame()
