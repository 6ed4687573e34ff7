"""Deleting safely in the window: Delete in a list, the Trash (across a restart), Redo, the counter."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from desktop_app.core.library import Library
from desktop_app.gui.sidebar_model import TRASH, Scope
from desktop_app.gui.trash_view import TrashModel, rows_of
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


@pytest.fixture
def loaded(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    window.transfers.show_reports = False
    import_daily_page(qtbot, window, DAILY_PAGE)
    return window


def focus_table(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=WAIT_MS)


def press(qtbot, window: MainWindow, key: Qt.Key, modifiers=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    focus_table(qtbot, window)
    qtbot.keyClick(window.table, key, modifiers)
    wait_idle(qtbot, window)


def test_delete_in_a_list_removes_from_the_list_not_the_library(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:3]
    window.edits.create_list("Week 1", ids)
    wait_idle(qtbot, window)
    assert window.sidebar.select_scope(Scope("list", "Week 1"))
    wait_idle(qtbot, window)
    window.select_ids([ids[1]])
    assert window.commands.delete.text() == "&Remove from This List"
    press(qtbot, window, Qt.Key.Key_Delete)
    assert window.library.list_ids("Week 1") == [ids[0], ids[2]]
    assert window.table_model.ids == [ids[0], ids[2]]
    assert window.library.count() == 108 and window.library.trash_count() == 0
    assert "still in the library" in window.statusBar().currentMessage()
    window.select_ids([ids[0]])  # the context menu still offers the library-wide delete
    menu = window.commands.table_menu()
    assert window.commands.trash in menu.actions() and window.commands.trash.isVisible()
    window.commands.trash.trigger()
    wait_idle(qtbot, window)
    assert window.library.count() == 107 and window.library.trash_count() == 1


def test_delete_in_the_library_goes_to_the_trash_and_the_counter_follows(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    assert window.search_bar.count.text() == "108 papers"
    ids = window.table_model.ids[:2]
    window.select_ids(ids)
    assert window.commands.delete.text() == "Move to &Trash"
    press(qtbot, window, Qt.Key.Key_Delete)
    assert window.library.count() == 106 and window.table_model.rowCount() == 106
    assert window.search_bar.count.text() == "106 papers"
    qtbot.waitUntil(lambda: window.sidebar_model.snapshot.trash == 2, timeout=WAIT_MS)
    trash_index = window.sidebar_model.index_of(TRASH)
    assert trash_index.data() == "Trash" and trash_index.data(Qt.ItemDataRole.UserRole + 11) == "2"
    assert window.sidebar.select_scope(TRASH)
    wait_idle(qtbot, window)
    page = window.trash_page
    assert window.centre.currentWidget() is page
    assert sorted(r.item_id for r in page.model.rows) == sorted(ids)
    assert window.table_model.rowCount() == 0 and window.selected_ids() == []
    page.table.selectRow(0)
    restored = page.model.rows[0].item_id
    page.restore_button.click()
    wait_idle(qtbot, window)
    assert window.library.count() == 107 and restored not in [r.item_id for r in page.model.rows]
    assert len(page.model.rows) == 1


def test_trash_survives_a_restart_and_restores(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    first.transfers.show_reports = False
    import_daily_page(qtbot, first, DAILY_PAGE)
    pid = first.table_model.ids[5]
    title = first.library.paper(pid).title
    first.select_ids([pid])
    first.delete_selected()
    wait_idle(qtbot, first)
    first.close()
    directory = library.directory
    library.close()
    reopened = Library.open(directory)
    try:
        second = make_window(reopened)
        assert pid not in second.table_model.ids
        second.show_scope(TRASH)
        wait_idle(qtbot, second)
        assert [(r.item_id, r.title) for r in second.trash_page.model.rows] == [(pid, title)]
        second.trash_page.table.selectAll()
        second.trash_page.restore_selected()
        wait_idle(qtbot, second)
        assert second.library.paper(pid).title == title and second.library.trash_count() == 0
        second.show_scope(Scope("library"))
        wait_idle(qtbot, second)
        assert pid in second.table_model.ids
        second.close()
    finally:
        reopened.close()


def test_empty_trash_asks_first(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    window.select_ids(window.table_model.ids[:3])
    window.delete_selected()
    wait_idle(qtbot, window)
    window.show_scope(TRASH)
    wait_idle(qtbot, window)
    page = window.trash_page
    asked: list[str] = []
    page.confirm = lambda text, button: asked.append(text) or False  # the user says Cancel
    page.empty_button.click()
    wait_idle(qtbot, window)
    assert asked == ["Empty the Trash? Its 3 items will be deleted for good."]
    assert window.library.trash_count() == 3
    page.confirm = lambda text, button: True
    page.empty_button.click()
    wait_idle(qtbot, window)
    assert window.library.trash_count() == 0 and page.model.rows == []
    assert window.library.count() == 105
    qtbot.waitUntil(lambda: window.sidebar_model.snapshot.trash == 0, timeout=WAIT_MS)
    assert not page.empty_button.isEnabled()


def test_redo_with_both_shortcuts(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.ids[0]
    window.select_ids([pid])
    press(qtbot, window, Qt.Key.Key_Delete)
    assert window.library.count() == 107
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.count() == 108
    assert window.commands.redo.isEnabled() and window.commands.redo.text() == "&Redo delete 1 paper"
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert window.library.count() == 107 and pid not in window.table_model.ids
    press(qtbot, window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.count() == 108
    press(qtbot, window, Qt.Key.Key_Y, Qt.KeyboardModifier.ControlModifier)
    assert window.library.count() == 107
    assert not window.commands.redo.isEnabled()


def test_no_two_actions_share_a_shortcut(window: MainWindow) -> None:
    seen: dict[str, str] = {}
    for action in window.commands.all():
        for sequence in action.shortcuts():
            key = sequence.toString(QKeySequence.SequenceFormat.PortableText)
            assert key not in seen, f"{key} is both {seen[key]!r} and {action.text()!r}"
            seen[key] = action.text()
    assert {"Ctrl+Shift+Z", "Ctrl+Y", "Ctrl+Z", "Del"} <= set(seen)


def test_trash_model_passes_modeltester(qtmodeltester, library: Library) -> None:  # type: ignore[no-untyped-def]
    from tests.unit.conftest import sample_papers

    ids = library.import_papers(sample_papers()).imported
    library.create_list("Old")
    library.delete_list("Old")
    library.delete_papers(ids[:2])
    model = TrashModel()
    model.set_rows(rows_of(library.trash()))
    assert model.rowCount() == 3
    qtmodeltester.check(model)
