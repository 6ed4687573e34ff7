"""The export dialog: BibTeX by default, the last format and folder remembered per library, a file
name from the list, tag or search, each scope once (with the current search and smart lists), and
tags/notes as keywords/annote."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.gui.dialogs import file_stem
from desktop_app.gui.sidebar_model import Scope
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


@pytest.fixture
def loaded(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    window.transfers.show_reports = False
    import_daily_page(qtbot, window, DAILY_PAGE)
    return window


def test_defaults_to_bibtex_and_remembers_format_folder_and_options(qtbot, make_window, library: Library,  # type: ignore[no-untyped-def]
                                                                      tmp_path: Path) -> None:
    window: MainWindow = make_window()
    window.transfers.show_reports = False
    import_daily_page(qtbot, window, DAILY_PAGE)
    dialog = window.transfers.choose_export()
    assert dialog.format.currentData() == "bibtex"
    assert dialog.path.text() == str(Path.home() / "library.bib")  # the whole library, named after it
    assert not dialog.tags_as_keywords.isChecked()
    dialog.format.setCurrentIndex(dialog.format.findData("ris"))
    assert not dialog.notes_as_annote.isEnabled()  # annote is a BibTeX field
    out = tmp_path / "exports"
    out.mkdir()
    dialog.path.setText(str(out / "mine.ris"))
    dialog.tags_as_keywords.setChecked(True)
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS):
        dialog.export_button.click()
    assert (out / "mine.ris").read_text(encoding="utf-8").count("ER  -") == 108
    window.close()
    again: MainWindow = make_window()  # a restart: the same library remembers
    dialog = again.transfers.choose_export()
    assert dialog.format.currentData() == "ris"
    assert Path(dialog.path.text()).parent == out and dialog.tags_as_keywords.isChecked()
    dialog.reject()


def test_another_library_starts_from_the_defaults(qtbot, make_window, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    first: MainWindow = make_window()
    first.transfers.remembered.set("export/format", "csljson")
    other = Library.open(tmp_path / "other")
    try:
        window: MainWindow = make_window(other)
        dialog = window.transfers.choose_export()
        assert dialog.format.currentData() == "bibtex"
        dialog.reject()
        window.close()
    finally:
        other.close()


def test_file_name_follows_the_list_tag_or_search(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:4]
    window.edits.create_list("Thesis: week 1", ids)
    window.edits.add_tags(ids[:2], ["ml"])
    wait_idle(qtbot, window)
    window.show_scope(Scope("list", "Thesis: week 1"))
    wait_idle(qtbot, window)
    window.select_ids([ids[0]])
    dialog = window.transfers.choose_export()
    assert dialog.scope.currentText() == "Reading list: Thesis: week 1 (4 papers)"
    assert Path(dialog.path.text()).name == "Thesis-week-1.bib"
    dialog.scope.setCurrentIndex([s.label for s in dialog.scopes].index("Tag: ml"))
    assert Path(dialog.path.text()).name == "ml.bib"
    dialog.path.setText("/tmp/elsewhere/chosen.bib")
    dialog.path.textEdited.emit("/tmp/elsewhere/chosen.bib")  # typed by the user: it stays
    dialog.scope.setCurrentIndex(0)
    assert dialog.path.text() == "/tmp/elsewhere/chosen.bib"
    dialog.reject()
    window.search("pruning")
    wait_idle(qtbot, window)
    dialog = window.transfers.choose_export()
    assert dialog.scope.currentText().startswith("Current search: “pruning” in Thesis: week 1")
    assert Path(dialog.path.text()).name == "pruning.bib"
    dialog.reject()


def test_each_scope_once_with_search_and_smart_lists(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    window.edits.create_list("Reading", window.table_model.ids[:3])
    window.edits.save_search("Pruning papers", "pruning")
    wait_idle(qtbot, window)
    window.show_scope(Scope("list", "Reading"))
    wait_idle(qtbot, window)
    window.search("transformer")
    wait_idle(qtbot, window)
    scopes, preferred = window.transfers.export_scopes()
    labels = [s.label for s in scopes]
    assert len(labels) == len(set(labels))
    assert labels.count("Reading list: Reading") == 1
    assert labels[preferred].startswith("Current search: “transformer”")
    smart = scopes[labels.index("Smart list: Pruning papers")]
    assert smart.ids == window.library.search("pruning").ids and smart.ids
    window.search("")
    wait_idle(qtbot, window)
    scopes, preferred = window.transfers.export_scopes()
    labels = [s.label for s in scopes]
    assert labels[preferred] == "Reading list: Reading" and labels.count("Reading list: Reading") == 1
    assert not any(label.startswith("Current search") for label in labels)


def test_tags_and_notes_go_out_when_asked(qtbot, loaded: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.ids[0]
    window.edits.add_tags([pid], ["must-read"])
    window.edits.save_note(pid, "Compare with 100% of the baseline & cite it.")
    wait_idle(qtbot, window)
    window.select_ids([pid])
    dialog = window.transfers.choose_export()
    dialog.scope.setCurrentIndex(0)  # the selected paper
    dialog.tags_as_keywords.setChecked(True)
    dialog.notes_as_annote.setChecked(True)
    target = tmp_path / "one.bib"
    dialog.path.setText(str(target))
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS):
        dialog.export_button.click()
    text = target.read_text(encoding="utf-8")
    assert "must-read" in text and r"annote = {Compare with 100\% of the baseline \& cite it.}" in text


def test_file_stem() -> None:
    assert file_stem("Thesis: week 1") == "Thesis-week-1"
    assert file_stem("year:2020..2024 AND “pruning”") == "year-2020..2024-AND-pruning"
    assert file_stem("../../etc/passwd") == "etc-passwd"
    assert file_stem("???") == "lectern"
