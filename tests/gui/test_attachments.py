"""PDFs in the window: drop on a paper, the Files tab, full-text hits with their page, Open PDF, PDFs as papers."""

from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent

from desktop_app.domain.models import Paper
from desktop_app.gui.attachments import FilesModel
from desktop_app.gui.table_model import MarksRole
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS, fake_pdf_viewer, wait_idle
from tests.pdfs import paper_pdf

PAGES = ["we introduce a method", "two", "three", "four", "five", "six",
         "we report negative results on ImageNet", "conclusion"]


def _drop(window: MainWindow, files: list[Path], point: QPointF) -> None:
    data = QMimeData()
    data.setUrls([QUrl.fromLocalFile(str(f)) for f in files])
    event = QDropEvent(point, Qt.DropAction.CopyAction, data, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()


def _row_point(window: MainWindow, pid: int) -> QPointF:
    table = window.table
    row = window.table_model.row_of(pid)
    assert row is not None
    centre = table.visualRect(window.table_model.index(row, 0)).center()
    return QPointF(table.viewport().mapTo(window, centre))


def _setup(qtbot, window: MainWindow, tmp_path: Path) -> tuple[int, Path]:  # type: ignore[no-untyped-def]
    library = window.library
    library.fetch_arxiv = None
    library.import_papers([Paper(title="Pruning Vision Models", year=2021),
                           Paper(title="Scaling Language Models", year=2023)])
    window.reload()
    wait_idle(qtbot, window)
    pid = next(p for p in window.table_model.ids if library.paper(p).title == "Scaling Language Models")
    return pid, paper_pdf(tmp_path / "scaling.pdf", "Scaling Language Models", PAGES)


def test_drop_a_pdf_on_a_paper_lists_it_and_full_text_finds_its_page(
        qtbot, qtmodeltester, window: MainWindow, tmp_path: Path, opened_urls: list[str],  # type: ignore[no-untyped-def]
        monkeypatch) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    pid, pdf = _setup(qtbot, window, tmp_path)
    _drop(window, [pdf], _row_point(window, pid))
    qtbot.waitUntil(lambda: len(library.attached_files(pid)) == 1, timeout=WAIT_MS)
    assert library.count() == 2  # attached, not imported as a paper of its own
    window.select_ids([pid])
    panel = window.attachments.panel
    qtbot.waitUntil(lambda: library.files.pending() == 0, timeout=WAIT_MS)  # the child process read it
    qtbot.waitUntil(lambda: "8 pages" in str(panel.model.data(panel.model.index(0, 0))), timeout=WAIT_MS)
    assert str(panel.model.data(panel.model.index(0, 0))) .startswith("scaling.pdf · ")
    assert window.detail.tabs.tabText(window.detail.tabs.indexOf(panel)) == "Files (1)"
    qtmodeltester.check(panel.model, force_py=True)

    window.search('fulltext:"negative results"')
    qtbot.waitUntil(lambda: window.table_model.ids == [pid], timeout=WAIT_MS)
    wait_idle(qtbot, window)
    index = window.table_model.index(0, window.table_model.columnCount() - 1)
    qtbot.waitUntil(lambda: window.table_model.data(window.table_model.index(0, 0), MarksRole) is not None,
                    timeout=WAIT_MS)
    marks = window.table_model.data(window.table_model.index(0, 0), MarksRole)
    assert marks.excerpt.text.startswith("p. 7: …") and "negative results" in marks.excerpt.text
    assert index.isValid()

    # Open PDF with a viewer known to take a page: it gets the hit's page
    record = fake_pdf_viewer(tmp_path, monkeypatch)
    window.select_ids([pid])
    assert window.attachments.open_pdf()
    deadline = time.monotonic() + 10
    while not (record.exists() and record.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    stored = library.files.attachments.path_of(library.attached_files(pid)[0])
    assert record.read_text().split() == ["-i", "7", str(stored)]
    assert opened_urls == []


def test_open_pdf_hands_the_file_to_the_desktop(qtbot, window: MainWindow, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                opened_urls: list[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("LECTERN_PDF_VIEWER", raising=False)
    library = window.library
    pid, pdf = _setup(qtbot, window, tmp_path)
    window.select_ids([pid])
    assert not window.attachments.open_action.isEnabled()  # nothing to open yet
    assert not window.attachments.open_pdf()
    window.attachments.attach(pid, [pdf])
    qtbot.waitUntil(lambda: window.attachments.open_action.isEnabled(), timeout=WAIT_MS)
    assert window.attachments.open_action.shortcut().toString() == "Ctrl+O"
    clashes = [a.text() for a in window.findChildren(type(window.attachments.open_action))
               if a.shortcut().toString() == "Ctrl+O"]
    assert clashes == ["&Open PDF"]
    window.attachments.open_action.trigger()
    stored = library.files.attachments.path_of(library.attached_files(pid)[0])
    assert opened_urls == [QUrl.fromLocalFile(str(stored)).toString()]
    # double-click in the Files tab opens the same way
    panel = window.attachments.panel
    panel.view.doubleClicked.emit(panel.model.index(0, 0))
    assert len(opened_urls) == 2


def test_a_pdf_dropped_on_the_window_with_a_doi_becomes_a_paper(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                                tmp_path: Path) -> None:
    window.library.fetch_arxiv = None
    pdf = paper_pdf(tmp_path / "moe.pdf", "Sparse Mixtures of Experts", ["body about experts"],
                    doi="10.5555/moe.2024")
    _drop(window, [pdf], QPointF(5, 5))  # not on a paper row
    qtbot.waitUntil(lambda: window.library.count() == 1, timeout=WAIT_MS)
    wait_idle(qtbot, window)  # the import op attaches the file after storing the paper
    [paper] = window.library.papers(window.library.all_ids())
    assert paper.doi == "10.5555/moe.2024" and paper.title == "Sparse Mixtures of Experts"
    assert [r.name for r in window.library.attached_files(paper.id or 0)] == ["moe.pdf"]


def test_files_model_is_a_sound_qt_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = FilesModel()
    qtmodeltester.check(model, force_py=True)


def test_the_import_report_lists_guessed_titles(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    pdf = paper_pdf(tmp_path / "guess.pdf", "Learning Without Labels", ["body text about labels"])
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as finished:
        window.import_files([pdf])
    summary = window.transfers.show_import_report(finished.args[0])
    assert "1 title guessed from PDFs (check them in Details)" in summary.text()
    details = summary.show_details()
    assert details is not None
    text = details.body.toPlainText()
    details.close()
    assert "Titles guessed from PDFs (check them)" in text
    assert "title guessed from the first page: 'Learning Without Labels'" in text
