"""Smaller promises: Ctrl+V on the welcome page imports, recent searches per library and only ones
that ran, the window title, the New List dialog's title, settings saved when they change."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from desktop_app.core.library import Library
from desktop_app.gui import settings
from desktop_app.gui.prompt import text_dialog
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle

BIB = "@article{doe2024, title = {Pasted Paper}, author = {Doe, Jane}, year = {2024}}\n"


def test_ctrl_v_on_the_welcome_page_imports(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.centre.currentWidget() is window.welcome
    window.activateWindow()
    window.sidebar.setFocus()  # the focus anywhere but a text field
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.sidebar)
    QGuiApplication.clipboard().setText(BIB)
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        qtbot.keyClick(window.sidebar, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    wait_idle(qtbot, window)
    assert [row.title for row in window.library.rows(window.library.all_ids()).values()] == ["Pasted Paper"]
    assert window.centre.currentWidget() is window.table_page


def test_ctrl_v_in_the_search_box_pastes_text(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    window.search_bar.field.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.search_bar.field)
    QGuiApplication.clipboard().setText("pruning")
    qtbot.keyClick(window.search_bar.field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert window.search_bar.field.text() == "pruning"
    wait_idle(qtbot, window)
    assert window.library.all_ids() == []


def test_window_title_names_the_library_once(window: MainWindow) -> None:
    assert window.windowTitle() == f"Lectern — {window.library.directory}"


def test_new_list_dialog_is_wide_enough_for_its_title(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = text_dialog(None, "New Reading List", "Name of the reading list for 12 papers:")
    qtbot.addWidget(dialog)
    dialog.show()
    title_width = dialog.fontMetrics().horizontalAdvance("New Reading List")
    assert dialog.width() >= title_width + 120


def _recent(window: MainWindow) -> list[str]:
    return window.search_bar.recent.stringList()


def test_recent_searches_keep_only_queries_that_ran(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.search("year:abc")  # an error: never remembered
    wait_idle(qtbot, window)
    assert window.search_bar.error.isVisible()
    window._remember_timer.start(0)
    qtbot.wait(20)
    assert _recent(window) == []
    window.search("pruning")
    wait_idle(qtbot, window)
    qtbot.waitUntil(lambda: _recent(window) == ["pruning"], timeout=WAIT_MS)


def test_recent_searches_are_per_library(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    import_daily_page(qtbot, first, DAILY_PAGE)
    first.search("pruning")
    qtbot.waitUntil(lambda: _recent(first) == ["pruning"], timeout=WAIT_MS)
    first.save_settings()
    first.close()
    with Library.open(tmp_path / "other") as other_library:
        other = MainWindow(other_library)
        qtbot.addWidget(other)
        assert _recent(other) == []
        other.close()
    again = make_window()
    assert _recent(again) == ["pruning"]


def test_settings_are_saved_when_they_change(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    store = settings.ui_settings()
    assert store.value("splitter/main") is None
    sizes = window.splitter.sizes()
    window.splitter.moveSplitter(sizes[0] + 40, 1)  # as a drag does: splitterMoved
    qtbot.waitUntil(lambda: QSettings(store.fileName(), QSettings.Format.IniFormat).value("splitter/main")
                    is not None, timeout=WAIT_MS)
    assert not window.closed
