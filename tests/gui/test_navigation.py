"""Back/Forward across views and selections, opening related papers in place, and moving papers
in a reading list from the keyboard."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop_app.gui.history import History, Place
from desktop_app.gui.sidebar_model import LIBRARY, Scope
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


def test_history_steps_and_typing_bursts() -> None:
    now = [0.0]
    history = History(clock=lambda: now[0])
    library, queue = Place(LIBRARY), Place(Scope("list", "Queue"), selected=(3,))
    history.leave(library)
    assert history.back(queue) == library
    assert history.forward(library) == queue
    assert not history.can_go_forward
    history.leave(Place(LIBRARY, "p"), typing=True)
    now[0] += 0.3
    history.leave(Place(LIBRARY, "pr"), typing=True)  # same burst: no new step
    now[0] += 5
    history.leave(Place(LIBRARY, "pruning"), typing=True)
    assert history.back(Place(LIBRARY, "pruning dense")) == Place(LIBRARY, "pruning")
    assert history.back(Place(LIBRARY, "pruning")) == Place(LIBRARY, "p")


def test_back_and_forward_across_views_and_a_related_paper(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    ids = window.table_model.ids
    window.edits.create_list("Queue", ids[:3])
    wait_idle(qtbot, window)
    window.select_ids([ids[10]])
    window.show_scope(Scope("list", "Queue"))  # as a click in the sidebar does
    wait_idle(qtbot, window)
    window.select_ids([ids[1]])
    assert window.commands.back.isEnabled() and not window.commands.forward.isEnabled()

    window.open_paper(ids[20])  # a related paper the list does not hold: the view stays
    wait_idle(qtbot, window)
    assert window.scope == Scope("list", "Queue")
    assert window.detail.pid == ids[20] and window.selected_ids() == []

    window.commands.back.trigger()  # back to the list with its paper selected
    wait_idle(qtbot, window)
    assert window.scope == Scope("list", "Queue") and window.selected_ids() == [ids[1]]
    assert window.detail.pid == ids[1]

    window.commands.back.trigger()  # back to the library with the paper selected there
    wait_idle(qtbot, window)
    assert window.scope == LIBRARY and window.selected_ids() == [ids[10]]
    assert window.sidebar.scope == LIBRARY
    assert not window.commands.back.isEnabled()

    window.commands.forward.trigger()
    wait_idle(qtbot, window)
    assert window.scope == Scope("list", "Queue") and window.selected_ids() == [ids[1]]
    window.commands.forward.trigger()
    wait_idle(qtbot, window)
    assert window.detail.pid == ids[20]


def test_back_restores_a_search(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.search("pruning")
    wait_idle(qtbot, window)
    hits = window.table_model.ids
    window.select_ids([hits[0]])
    window.show_scope(Scope("unread"))
    window.search("")
    wait_idle(qtbot, window)
    window.go_back()
    wait_idle(qtbot, window)
    window.go_back()
    wait_idle(qtbot, window)
    assert window.query == "pruning" and window.search_bar.field.text() == "pruning"
    assert window.scope == LIBRARY and window.table_model.ids == hits
    assert window.selected_ids() == [hits[0]]


def test_alt_left_is_back(window: MainWindow) -> None:
    assert window.commands.back.shortcut().toString() == "Alt+Left"
    assert window.commands.forward.shortcut().toString() == "Alt+Right"


def test_alt_up_and_down_move_papers_in_a_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    ids = window.table_model.ids
    window.edits.create_list("Queue", ids[:4])
    wait_idle(qtbot, window)
    window.show_scope(Scope("list", "Queue"))
    wait_idle(qtbot, window)
    window.activateWindow()
    window.select_ids([ids[2]])
    window.table.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is window.table)
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert window.table_model.ids == [ids[0], ids[2], ids[1], ids[3]]
    qtbot.waitUntil(lambda: window.library.list_ids("Queue") == [ids[0], ids[2], ids[1], ids[3]], timeout=WAIT_MS)
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    qtbot.keyClick(window.table, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)  # at the top: stays
    window.select_ids([ids[0], ids[1]])
    qtbot.keyClick(window.table, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)
    expected = [ids[2], ids[3], ids[0], ids[1]]
    assert window.table_model.ids == expected and window.selected_ids() == [ids[0], ids[1]]
    qtbot.waitUntil(lambda: window.library.list_ids("Queue") == expected, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    window.commands.undo.trigger()
    qtbot.waitUntil(lambda: window.library.list_ids("Queue") == [ids[2], ids[0], ids[1], ids[3]], timeout=WAIT_MS)


def test_moving_outside_a_list_says_why(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.select_ids([window.table_model.ids[1]])
    before = window.table_model.ids
    window.move_in_list(-1)
    assert window.table_model.ids == before
    assert "reading list" in window.statusBar().currentMessage()


def test_related_papers_say_why_and_open_in_place(qtbot, qtmodeltester, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    pid = window.table_model.ids[0]
    window.select_ids([pid])
    window.show_related_tab()
    model = window.detail.related.model
    qtbot.waitUntil(lambda: model.rowCount() > 0, timeout=WAIT_MS)
    qtmodeltester.check(model)
    items = model.items
    assert any(item.shared for item in items)
    source = window.library.paper(pid)
    source_text = f"{source.title} {source.abstract}".lower()
    for row, item in enumerate(items):
        other = window.library.paper(item.pid)
        other_text = f"{other.title} {other.abstract}".lower()
        for word in item.shared:  # each reason is a word of the paper, and the related one has its stem
            assert word in source_text
            assert word[:4] in other_text
        if item.shared:
            shown = str(model.index(row, 0).data())
            assert shown.endswith("shares: " + ", ".join(item.shared))
    window.detail.related.paperActivated.emit(items[0].pid)  # a click
    wait_idle(qtbot, window)
    assert window.scope == LIBRARY and window.selected_ids() == [items[0].pid]
    window.go_back()
    wait_idle(qtbot, window)
    assert window.selected_ids() == [pid]
