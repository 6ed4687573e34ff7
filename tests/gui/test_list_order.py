"""Reading lists reordered by dragging them in the sidebar: the model's move, the view's drop, the write."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QMimeData, QModelIndex, QPersistentModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QDragMoveEvent, QDropEvent

from desktop_app.domain.models import ReadingList, TagCount
from desktop_app.gui.sidebar_model import MIME_LISTS, Scope, SidebarData, SidebarModel
from desktop_app.gui.table_model import MIME_IDS
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import wait_idle

NAMES = ["Alpha", "Beta", "Gamma", "Delta"]


def sidebar_data(names: list[str]) -> SidebarData:
    return SidebarData(total=4, lists=[ReadingList(id=n + 1, name=name, position=n, paper_count=2)
                                       for n, name in enumerate(names)],
                       tags=[TagCount(name="x", count=1)])


def list_drag(model: SidebarModel, name: str) -> QMimeData:
    return model.mimeData([model.index_of(Scope("list", name))])


@pytest.mark.qt_log_level_fail("WARNING")
def test_moving_a_list_passes_modeltester_and_reports_the_order(qtbot, qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = SidebarModel()
    model.set_data(sidebar_data(NAMES))
    qtmodeltester.check(model)  # Qt's own tester, watching every signal from here on
    section = model.section_index("Reading lists")
    gamma = QPersistentModelIndex(model.index_of(Scope("list", "Gamma")))
    move = Qt.DropAction.MoveAction

    assert model.flags(model.index_of(Scope("list", "Alpha"))) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.flags(model.index_of(Scope("tag", "x"))) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.flags(model.index_of(Scope("library"))) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.flags(section) & Qt.ItemFlag.ItemIsDropEnabled

    data = list_drag(model, "Delta")
    assert data.hasFormat(MIME_LISTS) and not data.hasFormat(MIME_IDS)
    assert not model.canDropMimeData(data, move, 0, 0, model.section_index("Tags"))
    assert not model.canDropMimeData(data, move, -1, 0, model.index_of(Scope("tag", "x")))
    assert not model.canDropMimeData(data, move, 0, 0, QModelIndex())
    with qtbot.waitSignal(model.listsReordered) as signal:
        assert model.dropMimeData(data, move, 1, 0, section)  # between Alpha and Beta
    assert signal.args == [["Alpha", "Delta", "Beta", "Gamma"]]
    assert model.list_names() == ["Alpha", "Delta", "Beta", "Gamma"]
    assert [rl.name for rl in model.snapshot.lists] == model.list_names()
    assert gamma.isValid() and gamma.data() == "Gamma" and gamma.row() == 3  # persistent indexes follow

    with qtbot.waitSignal(model.listsReordered) as signal:  # onto a list: it takes that list's place
        assert model.dropMimeData(list_drag(model, "Alpha"), move, -1, 0, model.index_of(Scope("list", "Beta")))
    assert signal.args == [["Delta", "Beta", "Alpha", "Gamma"]]
    with qtbot.waitSignal(model.listsReordered) as signal:  # and upwards
        assert model.dropMimeData(list_drag(model, "Gamma"), move, -1, 0, model.index_of(Scope("list", "Delta")))
    assert signal.args == [["Gamma", "Delta", "Beta", "Alpha"]]
    with qtbot.waitSignal(model.listsReordered) as signal:  # on the section's header: first
        assert model.dropMimeData(list_drag(model, "Alpha"), move, -1, 0, section)
    assert signal.args == [["Alpha", "Gamma", "Delta", "Beta"]]
    with qtbot.assertNotEmitted(model.listsReordered):  # where it already is
        assert model.dropMimeData(list_drag(model, "Gamma"), move, 2, 0, section)
    assert model.list_names() == ["Alpha", "Gamma", "Delta", "Beta"]
    assert not model.removeRows(0, 1, section)  # the view's "remove the moved rows" does nothing

    model.readonly = True
    assert not model.flags(model.index_of(Scope("list", "Alpha"))) & Qt.ItemFlag.ItemIsDragEnabled
    assert not model.canDropMimeData(list_drag(model, "Alpha"), move, 0, 0, section)
    model.readonly = False
    model.set_data(sidebar_data(NAMES))  # a refresh after the write: a reset, still consistent
    qtmodeltester.check(model, force_py=True)


def drop_on_sidebar(window: MainWindow, data: QMimeData, point: QPoint) -> None:
    """What the sidebar gets when a drag moves over ``point`` and drops there."""
    view = window.sidebar
    args = (point, Qt.DropAction.MoveAction, data, Qt.MouseButton.LeftButton,
            Qt.KeyboardModifier.NoModifier)
    move = QDragMoveEvent(*args)
    move.ignore()
    view.dragMoveEvent(move)
    assert move.isAccepted(), "the sidebar shows it can take the list there"
    drop = QDropEvent(QPointF(point), *args[1:])
    drop.ignore()
    view.dropEvent(drop)
    assert drop.isAccepted()


def test_dragging_a_list_in_the_sidebar_stores_the_order(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    for name in NAMES:
        library.create_list(name)
    window.refresh_sidebar()
    wait_idle(qtbot, window)
    window.show_scope(Scope("list", "Beta"))
    wait_idle(qtbot, window)
    model, view = window.sidebar_model, window.sidebar
    assert model.list_names() == NAMES

    # "Delta" dropped on the upper edge of "Alpha": it goes first
    alpha = view.visualRect(model.index_of(Scope("list", "Alpha")))
    drop_on_sidebar(window, list_drag(model, "Delta"), QPoint(alpha.center().x(), alpha.top() + 1))
    assert model.list_names() == ["Delta", *NAMES[:3]]  # shown at once
    wait_idle(qtbot, window)
    assert [rl.name for rl in library.reading_lists()] == ["Delta", *NAMES[:3]]  # stored
    assert model.list_names() == ["Delta", *NAMES[:3]]  # and still so after the sidebar's refresh
    assert window.scope == Scope("list", "Beta") and view.scope == Scope("list", "Beta")

    # not onto the fixed views
    beta = list_drag(model, "Beta")  # kept: an event does not own its mime data
    for scope in (Scope("library"), Scope("unread")):
        rect = view.visualRect(model.index_of(scope))
        move = QDragMoveEvent(rect.center(), Qt.DropAction.MoveAction, beta,
                              Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
        move.ignore()
        view.dragMoveEvent(move)
        assert not move.isAccepted()

    # "Alpha" dropped in the middle of "Gamma": it takes Gamma's place
    gamma = view.visualRect(model.index_of(Scope("list", "Gamma")))
    drop_on_sidebar(window, list_drag(model, "Alpha"), gamma.center())
    wait_idle(qtbot, window)
    assert [rl.name for rl in library.reading_lists()] == ["Delta", "Beta", "Gamma", "Alpha"]
    assert model.list_names() == ["Delta", "Beta", "Gamma", "Alpha"]
