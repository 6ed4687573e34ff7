"""Every item model through pytest-qt's model tester, plus the table model's own promises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, QStringListModel, Qt

from desktop_app.core.library import Library
from desktop_app.gui.loading import compute_marks, load_sidebar
from desktop_app.gui.related import RelatedModel, RelatedPaper
from desktop_app.gui.sidebar_model import Scope, SidebarData, SidebarModel
from desktop_app.gui.table_model import COLUMN, MarksRole, PaperIdRole, PaperTableModel, decode_ids
from desktop_app.storage.papers import PaperRow
from tests.conftest import DAILY_PAGE


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """One library with the Daily Papers page, a list, tags and a saved search (read-only use)."""
    lib = Library.open(tmp_path_factory.mktemp("models") / "library")
    lib.import_files([DAILY_PAGE])
    lib.catch_up_index()
    ids = lib.all_ids()
    lib.create_list("Queue")
    lib.add_to_list("Queue", ids[:5])
    lib.add_tags(ids[:3], ["pruning", "llm"])
    lib.set_status(ids[:2], "read")
    lib.save_search("Pruning", "pruning")
    yield lib
    lib.close()


class FakeRows:
    """A row source without a database, for exact control over the model."""

    def __init__(self, count: int) -> None:
        self.fetches: list[int] = []
        self.data = {
            i: PaperRow(i, f"Paper {i:03d}", f"Author{i % 7}", 2000 + i % 20, "Venue", "unread", 0,
                        f"2024-01-{1 + i % 28:02d}T00:00:00", "tag" if i % 3 == 0 else "", f"key{i}")
            for i in range(1, count + 1)
        }

    def rows(self, ids: list[int]) -> dict[int, PaperRow]:
        self.fetches.append(len(ids))
        return {i: self.data[i] for i in ids if i in self.data}

    def sort_ids(self, ids: list[int], column: str, descending: bool = False) -> list[int]:
        key = {"title": lambda i: self.data[i].title, "year": lambda i: (self.data[i].year, i)}.get(
            column, lambda i: i)
        return sorted(ids, key=key, reverse=descending)


def test_table_model_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = PaperTableModel(filled)
    model.set_ids(filled.all_ids())
    qtmodeltester.check(model)
    model.sort(COLUMN["title"], Qt.SortOrder.DescendingOrder)
    qtmodeltester.check(model)


def test_table_model_with_search_marks_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    result = filled.search("pruning")
    model = PaperTableModel(filled)
    model.set_ids(result.ids, marks_active=True, marks=compute_marks(filled, result, result.ids[:3]))
    qtmodeltester.check(model)
    marks = model.index(0, 0).data(MarksRole)
    assert marks is not None and marks.excerpt.spans


def test_reading_list_model_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = PaperTableModel(filled)
    model.set_ids(filled.list_ids("Queue"), reorderable=True)
    qtmodeltester.check(model)
    assert model.flags(QModelIndex()) & Qt.ItemFlag.ItemIsDropEnabled


def test_sidebar_model_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = SidebarModel()
    qtmodeltester.check(model)
    model.set_data(load_sidebar(filled))
    qtmodeltester.check(model)
    lists = model.index_of(Scope("list", "Queue"))
    assert lists.isValid() and lists.data(Qt.ItemDataRole.ToolTipRole) == "Queue: 2 of 5 read"
    assert model.index_of(Scope("tag", "llm")).data() == "llm"
    assert model.index_of(Scope("search", "Pruning")).isValid()
    assert model.index(0, 0).data() == "LIBRARY"
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsSelectable


def test_related_model_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = RelatedModel()
    qtmodeltester.check(model)
    pid = filled.all_ids()[0]
    hits = filled.related(pid)
    rows = filled.rows([h.pid for h in hits])
    model.set_items([RelatedPaper(h.pid, rows[h.pid].title, rows[h.pid].authors, rows[h.pid].year, h.score)
                     for h in hits])
    qtmodeltester.check(model)
    assert model.rowCount() == len(hits) > 0


def test_tag_name_model_passes_modeltester(qtmodeltester, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = QStringListModel([t.name for t in filled.tags()])
    qtmodeltester.check(model)


def test_rows_are_fetched_lazily_in_chunks(qapp) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(5000)
    model = PaperTableModel(source)
    model.set_ids(list(source.data))
    assert source.fetches == []
    assert model.index(2500, 0).data() == "Paper 2501"
    assert source.fetches == [PaperTableModel.CHUNK]
    assert model.index(2510, 0).data() == "Paper 2511"
    assert len(source.fetches) == 1  # served from the cache


def test_sorting_keeps_the_selection_by_id(qapp) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(50)
    model = PaperTableModel(source)
    model.set_ids(list(source.data))
    from PySide6.QtCore import QPersistentModelIndex

    kept = QPersistentModelIndex(model.index(4, 0))
    assert kept.data(PaperIdRole) == 5
    model.sort(COLUMN["title"], Qt.SortOrder.DescendingOrder)
    assert model.ids[0] == 50
    assert kept.data(PaperIdRole) == 5 and kept.row() == 45
    model.sort(-1)
    assert model.ids == list(range(1, 51))


def test_sorting_by_tags_is_done_in_the_model(qapp) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(9)
    model = PaperTableModel(source)
    model.set_ids(list(source.data))
    model.sort(COLUMN["tags"], Qt.SortOrder.DescendingOrder)
    assert model.ids[:3] == [9, 6, 3]


def test_remove_and_invalidate(qtbot) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(100)
    model = PaperTableModel(source)
    model.set_ids(list(source.data))
    with qtbot.waitSignals([model.rowsRemoved, model.rowsRemoved]):
        model.remove_ids({3, 4, 5, 50})
    assert model.rowCount() == 96 and model.row_of(6) == 2
    source.data[10] = PaperRow(10, "Renamed", "", None, "", "read", 0, "2024-01-01", "", "k")
    model.index(7, 0).data()  # cached
    with qtbot.waitSignal(model.dataChanged):
        model.invalidate({10})
    assert model.index(model.row_of(10) or 0, 0).data() == "Renamed"


def test_status_checkbox_asks_for_a_write(qtbot) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(3)
    model = PaperTableModel(source)
    model.set_ids([1, 2, 3])
    index = model.index(1, COLUMN["status"])
    assert index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Unchecked
    with qtbot.waitSignal(model.statusChangeRequested) as signal:
        assert model.setData(index, Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)
    assert signal.args == [[2], "read"]


def test_drag_data_carries_ids_and_keys(qapp) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(5)
    model = PaperTableModel(source)
    model.set_ids([1, 2, 3, 4, 5])
    data = model.mimeData([model.index(3, 0), model.index(1, 2), model.index(1, 0)])
    assert decode_ids(data) == [2, 4]
    assert data.text() == "key2, key4"


def test_order_after_move(qapp) -> None:  # type: ignore[no-untyped-def]
    source = FakeRows(5)
    model = PaperTableModel(source)
    model.set_ids([1, 2, 3, 4, 5], reorderable=True)
    assert model.order_after_move([4], 0) == [4, 1, 2, 3, 5]
    assert model.order_after_move([1, 2], 5) == [3, 4, 5, 1, 2]
    assert model.order_after_move([2, 4], 3) == [1, 3, 2, 4, 5]
    model.set_order([5, 4, 3, 2, 1])
    assert model.ids == [5, 4, 3, 2, 1]


def test_sidebar_drop_reports_papers(qtbot, filled: Library) -> None:  # type: ignore[no-untyped-def]
    model = SidebarModel()
    model.set_data(load_sidebar(filled))
    table = PaperTableModel(filled)
    table.set_ids(filled.all_ids()[:4])
    data = table.mimeData([table.index(0, 0), table.index(2, 0)])
    target = model.index_of(Scope("tag", "llm"))
    library_entry = model.index_of(Scope("library"))
    action = Qt.DropAction.CopyAction
    assert not model.canDropMimeData(data, action, -1, 0, library_entry)
    with qtbot.waitSignal(model.papersDropped) as signal:
        assert model.dropMimeData(data, action, -1, 0, target)
    assert signal.args == [Scope("tag", "llm"), [table.id_at(0), table.id_at(2)]]


def test_sidebar_rename_goes_through_a_signal(qtbot) -> None:  # type: ignore[no-untyped-def]
    model = SidebarModel()
    from desktop_app.domain.models import ReadingList, TagCount

    model.set_data(SidebarData(total=3, lists=[ReadingList(id=1, name="A", paper_count=2, read_count=1)],
                               tags=[TagCount(name="x", count=2)]))
    with qtbot.waitSignal(model.renameRequested) as signal:
        assert model.setData(model.index_of(Scope("list", "A")), "  B  ")
    assert signal.args == [Scope("list", "A"), "B"]
    assert not model.setData(model.index_of(Scope("library")), "Other")


def test_sidebar_snapshot_path(tmp_path: Path) -> None:
    with Library.open(tmp_path / "empty") as lib:
        data = load_sidebar(lib)
    assert data.total == 0 and data.lists == [] and data.tags == []
