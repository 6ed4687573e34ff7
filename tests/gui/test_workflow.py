"""The researcher's path through the real window: import, search, list, tag, note, read, export."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from desktop_app.gui.sidebar_model import Scope
from desktop_app.gui.window import MainWindow
from tests.conftest import CHECK_BIB, DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


def review_flow(qtbot, window: MainWindow, tmp_path: Path) -> tuple[Path, list[int]]:  # type: ignore[no-untyped-def]
    """Drive the window like a user would; returns the exported file and the two papers used."""
    library = window.library
    import_daily_page(qtbot, window, DAILY_PAGE)
    assert library.count() == 108
    assert window.centre.currentWidget() is window.table_page

    # search "pruning" by typing into the box
    qtbot.keyClicks(window.search_bar.field, "pruning")
    qtbot.waitUntil(lambda: window.query == "pruning" and window.result is not None, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    hits = window.table_model.ids
    assert len(hits) >= 2
    assert window.search_bar.count.text() == f"{len(hits)} results"
    assert window.search_bar.error.isHidden()
    two = hits[:2]

    # add two hits to a new reading list, through the sidebar drop path
    window.edits.create_list("Pruning review")
    wait_idle(qtbot, window)
    list_index = window.sidebar_model.index_of(Scope("list", "Pruning review"))
    assert list_index.isValid()
    window.table.select_ids(two)
    data = window.table_model.mimeData([window.table_model.index(window.table_model.row_of(p) or 0, 0) for p in two])
    assert window.sidebar_model.dropMimeData(data, window.sidebar_model.supportedDropActions(), -1, 0, list_index)
    wait_idle(qtbot, window)
    assert library.list_ids("Pruning review") == two

    # tag them both at once
    window.select_ids(two)
    window.edits.add_tags(window.selected_ids(), ["pruning", "to-read"])
    wait_idle(qtbot, window)
    assert all({"pruning", "to-read"} <= set(library.paper(p).tags) for p in two)
    assert window.sidebar_model.index_of(Scope("tag", "to-read")).isValid()

    # write a note on the first through the editor (autosaved)
    window.select_ids([two[0]])
    wait_idle(qtbot, window)
    window.show_note_tab()
    window.detail.note.set_text("Key idea: **prune early**. See arXiv:2310.01234.")
    qtbot.waitUntil(lambda: library.note(two[0]).startswith("Key idea"), timeout=WAIT_MS)
    assert "<strong>prune early</strong>" in window.detail.note.preview.toHtml() or \
        "prune early" in window.detail.note.preview.toPlainText()

    # mark it read from the table's status checkbox
    model = window.table_model
    status_col = 5
    assert model.setData(model.index(model.row_of(two[0]) or 0, status_col), 2, 10)  # CheckStateRole
    qtbot.waitUntil(lambda: library.paper(two[0]).status.value == "read", timeout=WAIT_MS)
    wait_idle(qtbot, window)
    lists = {rl.name: rl for rl in window.sidebar_model.snapshot.lists}
    assert lists["Pruning review"].progress_text == "1 of 2 read"

    # the note is searchable
    window.search("note:prune")
    wait_idle(qtbot, window)
    assert two[0] in window.table_model.ids

    # export the list to BibTeX through the export path
    out = tmp_path / "pruning-review.bib"
    scopes = {s.label: s.ids for s in window.transfers.export_scopes()[0]}
    ids = scopes["Reading list: Pruning review"]
    assert ids == two
    with qtbot.waitSignal(window.exportFinished, timeout=WAIT_MS):
        window.export_to(out, "bibtex", ids)
    text = out.read_text(encoding="utf-8")
    assert text.count("@") == 2
    return out, two


def test_review_flow(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, two = review_flow(qtbot, window, tmp_path)
    keys = [window.library.paper(p).citekey for p in two]
    assert all(key in out.read_text(encoding="utf-8") for key in keys)


@pytest.mark.clients
def test_exported_list_loads_in_bibtex_clients(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out, _ = review_flow(qtbot, window, tmp_path)
    if not CHECK_BIB.exists():
        pytest.fail(f"{CHECK_BIB} is missing")
    for client in ("bibtex", "biber", "pandoc", "bibtool"):
        if shutil.which(client) is None:
            pytest.fail(f"{client} is not installed (run ../shared/tools/install-bib-clients --minimal)")
    run = subprocess.run([str(CHECK_BIB), "--only", "bibtex,biber,pandoc,bibtool", str(out)],
                         capture_output=True, text=True, timeout=600, check=False)
    report = run.stdout + run.stderr
    assert run.returncode == 0, report
    assert "skipped" not in report.lower(), report
    for line in run.stdout.splitlines():
        if "errors=" in line:
            assert "errors=0" in line, report
