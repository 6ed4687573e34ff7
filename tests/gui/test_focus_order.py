"""Tab moves between the panes (sidebar, search, table, the detail pane's fields), never cell to cell."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import import_daily_page, wait_idle


def _tab(qtbot, window: MainWindow, *, back: bool = False) -> QWidget | None:  # type: ignore[no-untyped-def]
    widget = QApplication.focusWidget()
    assert widget is not None
    key = Qt.Key.Key_Backtab if back else Qt.Key.Key_Tab
    qtbot.keyClick(widget, key, Qt.KeyboardModifier.ShiftModifier if back else Qt.KeyboardModifier.NoModifier)
    return QApplication.focusWidget()


def test_tab_walks_the_panes_in_order(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.activateWindow()
    first = window.table_model.ids[0]
    window.select_ids([first])
    wait_idle(qtbot, window)
    window.sidebar.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.sidebar)
    detail = window.detail
    expected = [window.search_bar.field, window.table, detail.status, detail.priority, detail.tags,
                detail.tabs.tabBar(), detail.abstract]
    seen = [_tab(qtbot, window) for _ in expected]
    assert seen == expected
    assert window.selected_ids() == [first]  # Tab through the table did not move the selection


def test_tab_reaches_the_note_when_its_tab_is_open(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.activateWindow()
    window.select_ids([window.table_model.ids[2]])
    window.detail.tabs.setCurrentWidget(window.detail.note)
    window.detail.tags.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.detail.tags)
    assert _tab(qtbot, window) is window.detail.tabs.tabBar()
    assert _tab(qtbot, window) is window.detail.note.editor
    assert _tab(qtbot, window, back=True) is window.detail.tabs.tabBar()


def test_the_table_does_not_trap_tab(window: MainWindow) -> None:
    assert not window.table.tabKeyNavigation()


def test_backtab_goes_back_from_the_table_to_the_search(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.activateWindow()
    window.select_ids([window.table_model.ids[0]])
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    assert _tab(qtbot, window, back=True) is window.search_bar.field
    assert _tab(qtbot, window, back=True) is window.sidebar
