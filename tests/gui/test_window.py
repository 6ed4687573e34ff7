"""The main window's behaviour, driven offscreen through the same code paths as the menus."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QMessageBox

from desktop_app.core.library import Library
from desktop_app.gui.sidebar_model import LIBRARY, Scope
from desktop_app.gui.table_model import COLUMN
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle

BAD_BIB = """@article{good2020,
  title = {A Good Entry},
  author = {Doe, Jane},
  year = {2020},
  journal = {Journal of Tests}
}

@article{broken,
  title = {Missing the closing brace,
  year = 2021

@misc{fine2021, title = {Another Fine Entry}, author = {Roe, Rick}, year = {2021}}
"""


@pytest.fixture
def loaded(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    return window


def search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    window.search(text)
    wait_idle(qtbot, window)


def focus_table(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    """Shortcuts only fire in the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    window.table.setFocus()
    qtbot.waitUntil(window.table.hasFocus, timeout=WAIT_MS)


def test_empty_library_shows_the_welcome_page(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    assert window.centre.currentWidget() is window.welcome
    assert window.welcome.import_button.isVisible()
    QGuiApplication.clipboard().setText(DAILY_PAGE.read_text(encoding="utf-8"))
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.welcome.paste_button.click()
    assert len(signal.args[0].imported) == 108
    wait_idle(qtbot, window)
    assert window.centre.currentWidget() is window.table_page
    assert window.table_model.rowCount() == 108
    assert window.sidebar_model.snapshot.total == 108


def test_typing_searches_with_the_latest_query_winning(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    field = window.search_bar.field
    qtbot.keyClicks(field, "transformer")
    qtbot.waitUntil(lambda: window.query == "transformer", timeout=WAIT_MS)
    wait_idle(qtbot, window)
    expected = window.library.search("transformer").ids
    assert window.table_model.ids == expected
    assert window.search_bar.count.text() == f"{len(expected)} results"
    assert window.table_model.marks_active
    field.clear()
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 108
    assert window.search_bar.count.text() == "108 papers"


def test_bad_query_is_explained_inline_and_keeps_results(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "pruning")
    shown = window.table_model.ids
    search(qtbot, window, "year:abc")
    error = window.search_bar.error
    assert error.isVisible() and "year" in error.text()
    assert error.palette().color(error.foregroundRole()).red() > 150
    assert window.table_model.ids == shown
    assert not window.findChildren(QMessageBox)
    search(qtbot, window, "pruning")
    assert not window.search_bar.error.isVisible()


def test_search_reports_the_index_catching_up(qtbot, window: MainWindow, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    window.library.stop_background_indexing()
    monkeypatch.setattr(window.monitor, "start", lambda: None)  # keep the indexer from catching up
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.import_files([DAILY_PAGE])
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 108  # browsable before searchable
    search(qtbot, window, "pruning")
    assert window.search_bar.lag.isVisible()
    assert "108 papers not yet searchable" in window.search_bar.lag.text()
    window.library.catch_up_index()
    window.reload()
    wait_idle(qtbot, window)
    assert not window.search_bar.lag.isVisible()
    assert window.table_model.rowCount() > 0


def test_detail_pane_highlights_hits_and_links(qtbot, loaded: MainWindow, opened_urls: list[str]) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "pruning")
    window.select_ids([window.table_model.id_at(0)])
    html = window.detail.abstract.toHtml()
    assert "background-color" in html
    paper = window.library.paper(window.table_model.id_at(0))
    window.library.update_paper(paper.id or 0, arxiv_id="2310.01234", doi="10.1000/xyz")
    window.select_ids([window.table_model.id_at(1)])
    window.select_ids([paper.id or 0])
    assert "arxiv.org/abs/2310.01234" in window.detail.links.text()
    window.detail.links.linkActivated.emit("https://arxiv.org/abs/2310.01234")
    assert opened_urls == ["https://arxiv.org/abs/2310.01234"]


def test_saved_search_is_a_live_smart_list(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "tag:later")
    assert window.table_model.rowCount() == 0
    window.edits.save_search("Later", "tag:later")
    window.search_bar.field.clear()
    wait_idle(qtbot, window)
    assert window.sidebar.select_scope(Scope("search", "Later", "tag:later"))
    wait_idle(qtbot, window)
    assert window.scope.kind == "search" and window.table_model.rowCount() == 0
    ids = window.library.all_ids()[:2]
    window.edits.add_tags(ids, ["later"])
    wait_idle(qtbot, window)
    assert sorted(window.table_model.ids) == sorted(ids)


def test_delete_and_undo(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:2]
    window.select_ids(ids)
    focus_table(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Delete)
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 106
    assert window.library.count() == 106
    assert window.commands.undo.isEnabled() and "delete 2 papers" in window.commands.undo.text()
    window.commands.undo.trigger()
    wait_idle(qtbot, window)
    assert window.library.count() == 108
    assert set(ids) <= set(window.table_model.ids)


def test_tags_rename_merge_and_filter_from_the_sidebar(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids
    window.edits.add_tags(ids[:3], ["llm"])
    window.edits.add_tags(ids[2:5], ["LLMs"])
    wait_idle(qtbot, window)
    model = window.sidebar_model
    assert window.sidebar.select_scope(Scope("tag", "llm"))
    wait_idle(qtbot, window)
    assert sorted(window.table_model.ids) == sorted(ids[:3])
    assert model.setData(model.index_of(Scope("tag", "llm")), "large models")
    wait_idle(qtbot, window)
    assert window.scope == Scope("tag", "large models")
    assert sorted(window.table_model.ids) == sorted(ids[:3])
    window.edits.rename_tag("large models", "LLMs")  # onto an existing tag: a merge
    wait_idle(qtbot, window)
    assert [t.name for t in window.library.tags()] == ["LLMs"]
    assert window.library.tags()[0].count == 5
    assert model.index_of(Scope("tag", "LLMs")).data(Qt.ItemDataRole.ToolTipRole) == "5 papers tagged LLMs"


def test_reading_list_progress_reorder_and_remove(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:4]
    window.edits.create_list("Week 1", ids)
    wait_idle(qtbot, window)
    assert window.sidebar.select_scope(Scope("list", "Week 1"))
    wait_idle(qtbot, window)
    assert window.table_model.ids == ids and window.table_model.reorderable
    window.table.select_ids([ids[3]])
    window.table.reorderDropped.emit([ids[3]], 0)  # what a drop above the first row sends
    wait_idle(qtbot, window)
    assert window.library.list_ids("Week 1") == [ids[3], *ids[:3]]
    assert window.table_model.ids == [ids[3], *ids[:3]]
    window.edits.set_status([ids[0], ids[1]], "read")
    wait_idle(qtbot, window)
    index = window.sidebar_model.index_of(Scope("list", "Week 1"))
    assert index.data(Qt.ItemDataRole.ToolTipRole) == "Week 1: 2 of 4 read"
    window.table.select_ids([ids[1]])
    window.commands.remove_from_list.trigger()
    wait_idle(qtbot, window)
    assert window.table_model.ids == [ids[3], ids[0], ids[2]]
    window.edits.rename_list("Week 1", "Week one")
    wait_idle(qtbot, window)
    assert window.scope == Scope("list", "Week one")
    window.edits.delete_list("Week one")
    wait_idle(qtbot, window)
    assert window.scope == LIBRARY and window.library.reading_lists() == []


def test_toggle_read_shortcut_and_sorting(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    first = window.table_model.id_at(0)
    window.select_ids([first])
    focus_table(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.library.paper(first).status.value == "read", timeout=WAIT_MS)
    wait_idle(qtbot, window)
    index = window.table_model.index(window.table_model.row_of(first) or 0, COLUMN["status"])
    assert index.data() == "Read"
    window.table.sortByColumn(COLUMN["title"], Qt.SortOrder.AscendingOrder)
    titles = [window.table_model.index(r, 0).data() for r in range(window.table_model.rowCount())]
    assert titles == sorted(titles, key=str.casefold)
    assert window.selected_ids() == [first]


def test_import_report_lists_imports_and_problems(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    bib = tmp_path / "mixed.bib"
    bib.write_text(BAD_BIB, encoding="utf-8")
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.import_files([bib])
    outcome = signal.args[0]
    summary = window.transfers.last_report
    assert summary is not None and summary.isVisible()
    assert "Import finished: 2 imported" in summary.text()
    dialog = summary.show_details()  # the full report, on demand
    assert dialog is not None and dialog.isVisible()
    text = dialog.body.toPlainText()
    assert "A Good Entry" in text
    assert len(outcome.imported) >= 1
    assert outcome.problems, "the broken entry must be reported"
    for problem in outcome.problems:
        assert f"{bib.name}:{problem.line}: {problem.reason}" in text
    assert str(bib) in text  # the full path, once


def test_files_dropped_on_the_window_are_imported(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(DAILY_PAGE))])
    event = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.dropEvent(event)
    assert window.library.count() == 108


def test_related_papers_open_on_click(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "pruning")
    window.select_ids([window.table_model.id_at(0)])
    window.show_related_tab()
    panel = window.detail.related
    qtbot.waitUntil(lambda: panel.model.rowCount() > 0, timeout=WAIT_MS)
    target = panel.model.items[-1].pid
    rect = panel.view.visualRect(panel.model.index(panel.model.rowCount() - 1, 0))
    panel.view.scrollTo(panel.model.index(panel.model.rowCount() - 1, 0))
    rect = panel.view.visualRect(panel.model.index(panel.model.rowCount() - 1, 0))
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    wait_idle(qtbot, window)
    assert window.selected_ids() == [target]
    assert window.detail.pid == target


def test_export_dialog_writes_the_chosen_scope(qtbot, loaded: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    window.select_ids(window.table_model.ids[:3])
    dialog = window.transfers.choose_export()
    labels = [s.label for s in dialog.scopes]
    assert labels[0] == "Selected papers" and "Whole library" in labels
    dialog.format.setCurrentIndex(dialog.format.findData("ris"))
    assert dialog.path.text().endswith(".ris")
    target = tmp_path / "three.ris"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS):
        dialog.export_button.click()
    assert target.read_text(encoding="utf-8").count("ER  -") == 3


def test_copy_bibtex_and_cite(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:2]
    window.select_ids(ids)
    window.transfers.copy_cite()
    keys = [window.library.paper(p).citekey for p in ids]
    assert QGuiApplication.clipboard().text() == "\\cite{" + ",".join(keys) + "}"
    window.transfers.copy_bibtex()
    qtbot.waitUntil(lambda: QGuiApplication.clipboard().text().startswith("@"), timeout=WAIT_MS)
    assert all(k in QGuiApplication.clipboard().text() for k in keys)


def test_window_layout_persists(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    first.resize(760, 540)
    first.splitter.setSizes([250, 600, 384])
    first.table.horizontalHeader().resizeSection(COLUMN["authors"], 222)
    first.search_bar.remember("pruning")
    sizes = first.splitter.sizes()
    first.close()
    second = make_window()
    assert second.size().width() == 760 and second.size().height() == 540
    assert second.splitter.sizes() == sizes
    assert second.table.horizontalHeader().sectionSize(COLUMN["authors"]) == 222
    assert second.search_bar.recent.stringList() == ["pruning"]


def test_read_only_library_disables_writes(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ro"
    with Library.open(folder) as lib:
        lib.import_files([DAILY_PAGE])
        lib.catch_up_index()
    readonly = Library.open(folder, readonly=True)
    try:
        window = make_window(readonly)
        assert "read-only" in window.windowTitle()
        window.select_ids(window.table_model.ids[:1])
        for action in (window.commands.import_, window.commands.delete, window.commands.toggle_read, window.commands.add_tags,
                       window.commands.new_list, window.commands.undo):
            assert not action.isEnabled(), action.text()
        assert window.detail.note.editor.isReadOnly()
        status = window.table_model.index(0, COLUMN["status"])
        assert not window.table_model.flags(status) & Qt.ItemFlag.ItemIsUserCheckable
        search(qtbot, window, "pruning")
        assert window.table_model.rowCount() > 0
        window.close()
    finally:
        readonly.close()


def test_keyboard_shortcuts_are_in_menus(window: MainWindow) -> None:
    shortcuts = {a.shortcut().toString() for menu in window.menuBar().findChildren(type(window.commands.papers_menu))
                 for a in menu.actions()}
    for wanted in ("Ctrl+F", "Ctrl+I", "Ctrl+E", "Del", "Ctrl+Z", "Ctrl+V", "Ctrl+R", "Ctrl+T"):
        assert wanted in shortcuts, wanted
    window.commands.find.trigger()
    assert window.search_bar.field.hasFocus() or QGuiApplication.focusWindow() is None


def test_table_context_menu_offers_add_to_list(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    window.edits.create_list("Queue")
    wait_idle(qtbot, window)
    window.select_ids(window.table_model.ids[:2])
    window._table_menu(QPoint(5, 5))
    menus = [m for m in window.findChildren(type(window.commands.papers_menu)) if m.title() == "Add to List"]
    assert menus and "Queue" in [a.text() for a in menus[-1].actions()]
    next(a for a in menus[-1].actions() if a.text() == "Queue").trigger()
    wait_idle(qtbot, window)
    assert window.library.list_ids("Queue") == window.table_model.ids[:2]
    for menu in window.findChildren(type(window.commands.papers_menu)):
        menu.close()


def test_ctrl_v_on_the_table_pastes_papers(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    QGuiApplication.clipboard().setText("@misc{pasted2024, title = {A Pasted Paper About Lanterns}, year = {2024}}")
    focus_table(qtbot, window)
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        qtbot.keyClick(window.table, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert len(signal.args[0].imported) == 1
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == 109


def test_an_import_can_be_cancelled(qtbot, window: MainWindow, corpus: Path) -> None:  # type: ignore[no-untyped-def]
    files = sorted((corpus / "paperlists").rglob("*.json"))
    window.transfers.show_reports = False
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.import_files(files)
        assert window.task_strip.isVisible() and window.task_strip.cancel_button.isVisible()
        window.task_strip.cancel_button.click()
    outcome = signal.args[0]
    assert outcome.cancelled
    assert window.library.count() < 12_000
    assert not window.task_strip.isVisible()
    wait_idle(qtbot, window)


def test_tag_editor_completes_the_tag_being_typed(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.id_at(0)
    window.edits.add_tags(window.table_model.ids[1:3], ["pruning", "llm"])
    wait_idle(qtbot, window)
    window.select_ids([pid])
    editor = window.detail.tags
    completer = editor.completer()
    assert completer.splitPath("llm, pru") == ["pru"]
    completer.setCompletionPrefix("pru")
    assert completer.currentIndex().data() == "pruning"
    editor.setText("llm, pru")
    assert completer.pathFromIndex(completer.currentIndex()) == "llm, pruning, "
    with qtbot.waitSignal(editor.tagsEdited) as signal:
        editor.setText("llm, pruning")
        editor.editingFinished.emit()
    assert signal.args == [["llm", "pruning"], []]
    wait_idle(qtbot, window)
    assert window.library.paper(pid).tags == ["llm", "pruning"]


def test_the_window_follows_a_dark_palette(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QColor, QPalette

    window = loaded
    search(qtbot, window, "pruning")
    window.select_ids([window.table_model.id_at(0)])
    light_html = window.detail.abstract.toHtml()
    dark = QPalette(window.palette())
    for role, color in ((QPalette.ColorRole.Window, "#2b2b2b"), (QPalette.ColorRole.Base, "#1e1e1e"),
                        (QPalette.ColorRole.Text, "#e6e6e6"), (QPalette.ColorRole.WindowText, "#e6e6e6"),
                        (QPalette.ColorRole.PlaceholderText, "#8a8a8a")):
        dark.setColor(role, QColor(color))
    window.setPalette(dark)
    wait_idle(qtbot, window)
    assert window.detail.abstract.toHtml() != light_html  # hits re-marked in colours from the new palette
    text = window.sidebar_model._palette.color(QPalette.ColorRole.Text)
    assert text.name() == "#e6e6e6"


def test_the_sort_survives_a_restart(qtbot, make_window, library: Library) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    import_daily_page(qtbot, first, DAILY_PAGE)
    first.table.sortByColumn(COLUMN["title"], Qt.SortOrder.DescendingOrder)
    titles = [first.table_model.index(r, 0).data() for r in range(first.table_model.rowCount())]
    assert titles == sorted(titles, key=str.casefold, reverse=True)
    first.close()

    second = make_window(library)
    assert second.table_model.sort_column == COLUMN["title"]
    assert second.table_model.sort_order == Qt.SortOrder.DescendingOrder
    header = second.table.horizontalHeader()
    assert (header.sortIndicatorSection(), header.sortIndicatorOrder()) == (COLUMN["title"],
                                                                           Qt.SortOrder.DescendingOrder)
    assert [second.table_model.index(r, 0).data() for r in range(second.table_model.rowCount())] == titles
    second.original_order()  # back to newest first, and a restart keeps that too
    assert second.table_model.sort_column == -1
    second.close()

    third = make_window(library)
    assert third.table_model.sort_column == -1
    assert third.table.horizontalHeader().sortIndicatorSection() == -1
