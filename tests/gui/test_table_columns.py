"""The table's researcher columns: Priority, the note marker, # in a list, the citation key; sorting
by them; the heading saying the order shown; titles with TeX math shown readable."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt

from desktop_app.core.library import Library
from desktop_app.gui.sidebar_model import Scope
from desktop_app.gui.table_model import COLUMN, NOTE_MARK, PaperTableModel
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


def _column_texts(window: MainWindow, key: str) -> list[str]:
    model = window.table_model
    return [str(model.index(row, COLUMN[key]).data()) for row in range(model.rowCount())]


def _click_header(qtbot, window: MainWindow, key: str) -> None:  # type: ignore[no-untyped-def]
    header = window.table.horizontalHeader()
    section = COLUMN[key]
    assert not header.isSectionHidden(section)
    x = header.sectionViewportPosition(section) + header.sectionSize(section) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))


def test_new_columns_pass_the_model_tester(qtmodeltester, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = Library.open(tmp_path / "library")
    try:
        library.import_files([DAILY_PAGE])
        ids = library.all_ids()
        library.set_priority(ids[:2], 3)
        library.set_note(ids[1], "Read section 3.")
        library.create_list("Queue")
        library.add_to_list("Queue", [ids[4], ids[1], ids[7]])
        model = PaperTableModel(library)
        model.set_ids(library.list_ids("Queue"), positions=True, reorderable=True)
        qtmodeltester.check(model)
        assert [model.index(r, COLUMN["position"]).data() for r in range(3)] == ["1", "2", "3"]
        assert model.index(1, COLUMN["priority"]).data() == "High"
        assert model.index(1, COLUMN["note"]).data() == NOTE_MARK
        assert model.index(0, COLUMN["note"]).data() == ""
        assert model.index(0, COLUMN["citekey"]).data() == library.paper(ids[4]).citekey
        for key in ("priority", "note", "citekey", "position"):
            model.sort(COLUMN[key], Qt.SortOrder.DescendingOrder)
            qtmodeltester.check(model)
        assert model.ids == [ids[7], ids[1], ids[4]]  # # descending: the list reversed
        assert [model.index(r, COLUMN["position"]).data() for r in range(3)] == ["3", "2", "1"]
    finally:
        library.close()


def test_sorting_by_priority_by_the_header(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    ids = window.table_model.ids
    window.library.set_priority([ids[5]], 3)
    window.library.set_priority([ids[9], ids[2]], 2)
    window.library.set_priority([ids[0]], 1)
    window.reload()
    wait_idle(qtbot, window)
    assert window.view_hint.text() == "every paper, newest first"
    _click_header(qtbot, window, "priority")
    wait_idle(qtbot, window)
    assert window.table_model.sort_column == COLUMN["priority"]
    shown = _column_texts(window, "priority")
    if window.table_model.sort_order == Qt.SortOrder.AscendingOrder:
        _click_header(qtbot, window, "priority")
        shown = _column_texts(window, "priority")
    assert window.table_model.sort_order == Qt.SortOrder.DescendingOrder
    assert shown[:4] == ["High", "Medium", "Medium", "Low"]
    assert set(shown[4:]) == {""}
    assert window.table_model.ids[:4] == [ids[5], ids[2], ids[9], ids[0]]  # ties by id
    assert window.view_hint.text() == "every paper, by priority, highest first"
    window.original_order()
    assert window.table_model.ids == ids
    assert window.view_hint.text() == "every paper, newest first"


def test_position_column_only_in_a_list_and_sorting_stops_reordering(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    ids = window.table_model.ids
    window.edits.create_list("Queue", [ids[3], ids[1], ids[8]])
    wait_idle(qtbot, window)
    assert window.table.isColumnHidden(COLUMN["position"])
    window.show_scope(Scope("list", "Queue"))
    wait_idle(qtbot, window)
    assert not window.table.isColumnHidden(COLUMN["position"])
    assert _column_texts(window, "position") == ["1", "2", "3"]
    assert window.table_model.reorderable
    _click_header(qtbot, window, "title")
    wait_idle(qtbot, window)
    assert not window.table_model.reorderable
    assert "by title" in window.view_hint.text()
    window.show_scope(Scope("library"))
    wait_idle(qtbot, window)
    assert window.table.isColumnHidden(COLUMN["position"])


def test_note_marker_follows_the_note(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    pid = window.table_model.ids[0]
    assert _column_texts(window, "note")[0] == ""
    window.edits.save_note(pid, "Compare with the baseline.")
    qtbot.waitUntil(lambda: _column_texts(window, "note")[0] == NOTE_MARK, timeout=WAIT_MS)


def test_titles_with_tex_math_read_as_text(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "math.bib"
    bib.write_text("@misc{mu, title = {$\\mu$KE: Matryoshka Editing}}\n"
                   "@misc{ell, title = {Sparse $\\ell_1$ Recovery}}\n", encoding="utf-8")
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.import_files([bib])
    wait_idle(qtbot, window)
    titles = set(_column_texts(window, "title"))
    assert titles == {"μKE: Matryoshka Editing", "Sparse ℓ₁ Recovery"}
    stored = {window.library.paper(pid).title for pid in window.table_model.ids}
    assert stored == {"$\\mu$KE: Matryoshka Editing", "Sparse $\\ell_1$ Recovery"}
