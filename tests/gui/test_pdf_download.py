"""Download PDF in the window against a local stand-in for arxiv.org, and double-click / Enter opening a PDF."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt, QUrl
from PySide6.QtWidgets import QMessageBox

from desktop_app.domain.models import Paper
from desktop_app.gui.table_model import COLUMN
from desktop_app.gui.window import MainWindow
from tests.conftest import SHARED
from tests.fakeapi import server
from tests.gui.conftest import WAIT_MS, fake_pdf_viewer, shoot, wait_idle
from tests.pdfs import paper_pdf


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> Iterator[server.FakeApis]:
    with server.running(server.FakeApis(SHARED / "fixtures" / "metadata-apis", [])) as running:
        for name, value in running.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("LECTERN_RATE_SCALE", "0")
        yield running


def _papers(qtbot: Any, window: MainWindow, *papers: Paper) -> list[int]:
    window.library.fetch_arxiv = None
    ids = window.library.import_papers(list(papers)).imported
    window.reload()
    wait_idle(qtbot, window)
    return ids


def _row_centre(window: MainWindow, pid: int) -> QPoint:
    row = window.table_model.row_of(pid)
    assert row is not None
    return window.table.visualRect(window.table_model.index(row, COLUMN["title"])).center()


def _double_click(qtbot: Any, window: MainWindow, pid: int) -> None:
    """A real double-click on the paper's title cell (Qt 6's mouseDClick needs the press before it)."""
    window.select_ids([pid])
    qtbot.waitUntil(lambda: window.detail.pid == pid, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    viewport, centre = window.table.viewport(), _row_centre(window, pid)
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=centre)


def test_download_pdf_fetches_attaches_and_lists_the_file(qtbot: Any, window: MainWindow, apis: server.FakeApis,
                                                          tmp_path: Path) -> None:
    apis.pdfs["2501.00001"] = paper_pdf(tmp_path / "src.pdf", "Sparse Mixtures Revisited",
                                        ["router", "negative results"]).read_bytes()
    with_id, without = _papers(qtbot, window, Paper(title="Sparse Mixtures Revisited", arxiv_id="2501.00001"),
                               Paper(title="No Preprint Here"))
    ui = window.pdf_download
    assert ui.action in window.commands.papers_menu.actions()
    window.select_ids([without])
    ui.update()
    assert not ui.action.isEnabled()  # no arXiv id: nothing to download
    window.select_ids([with_id])
    qtbot.waitUntil(lambda: window.detail.pid == with_id, timeout=WAIT_MS)
    window.commands.papers_menu.aboutToShow.emit()  # the menu re-checks the action as it opens
    assert ui.action.isEnabled()
    with qtbot.waitSignal(ui.finished, timeout=WAIT_MS) as finished:
        ui.action.trigger()
        assert ui.strip.isVisible()  # progress with Cancel while the request runs off the GUI thread
    report = finished.args[0]
    assert [o.status for o in report.outcomes] == ["downloaded"] and not ui.strip.isVisible()
    panel = window.attachments.panel
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1, timeout=WAIT_MS)  # the Files tab refreshed
    assert str(panel.model.data(panel.model.index(0, 0))).startswith("arXiv-2501.00001.pdf · ")
    assert "Download PDF: 1 downloaded" in window.statusBar().currentMessage()
    window.commands.papers_menu.aboutToShow.emit()
    assert not ui.action.isEnabled()  # it has a PDF now
    window.detail.tabs.setCurrentWidget(panel)
    shoot(window, "download-pdf-files-tab.png", (1400, 860))


def test_several_papers_report_each_failure_in_one_message(qtbot: Any, window: MainWindow, apis: server.FakeApis,
                                                           tmp_path: Path) -> None:
    apis.pdfs["2501.00001"] = paper_pdf(tmp_path / "src.pdf", "Found", ["body"]).read_bytes()
    ids = _papers(qtbot, window, Paper(title="Found", arxiv_id="2501.00001"),
                  Paper(title="Gone", arxiv_id="2501.99999"), Paper(title="Plain"))
    window.select_ids(ids)
    with qtbot.waitSignal(window.pdf_download.finished, timeout=WAIT_MS) as finished:
        window.pdf_download.download_selected()
    assert [o.status for o in finished.args[0].outcomes] == ["downloaded", "error"]  # Plain was never asked
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and box.isVisible()
    assert "1 downloaded, 1 failed" in box.text() and "arXiv has no PDF for 2501.99999 (HTTP 404)" in box.text()
    assert "Traceback" not in box.text()
    shoot(window, "download-pdf-report.png", (1400, 860))
    shoot(box, "download-pdf-report-box.png")
    box.close()
    assert len(window.library.attached_files(ids[0])) == 1 and window.library.attached_files(ids[1]) == []


def test_cancel_stops_the_download_in_flight_and_the_rest(qtbot: Any, window: MainWindow,
                                                                   apis: server.FakeApis, tmp_path: Path) -> None:
    apis.pdfs["2501.00001"] = paper_pdf(tmp_path / "src.pdf", "Slow", ["body"]).read_bytes()
    apis.faults.append(server.Fault("/arxiv-pdf/pdf/2501.00001", status=200, body=apis.pdfs["2501.00001"],
                                    headers={"Content-Type": "application/pdf"}, delay=1.0))
    ids = _papers(qtbot, window, Paper(title="Slow", arxiv_id="2501.00001"), Paper(title="Next", arxiv_id="2501.00002"))
    ui = window.pdf_download
    with qtbot.waitSignal(ui.finished, timeout=WAIT_MS) as finished:
        ui.download(ids)
        qtbot.waitUntil(lambda: apis.count("/arxiv-pdf") == 1, timeout=WAIT_MS)
        ui.strip.cancel_button.click()  # while the first answer is on its way
        assert ui.strip.label.text() == "Cancelling…"
    report = finished.args[0]
    assert [o.status for o in report.outcomes] == ["cancelled", "cancelled"] and report.cancelled
    assert apis.count("/arxiv-pdf") == 1  # the next paper was never asked
    assert window.library.attached_files(ids[0]) == []  # the body arriving after Cancel was dropped, not half kept
    assert not any((window.library.directory / "cache" / "downloads").rglob("*.pdf"))
    assert window.findChild(QMessageBox, "errorBox") is None  # a cancel is not an error
    assert "(cancelled)" in window.statusBar().currentMessage()


def test_a_read_only_window_offers_no_download(qtbot: Any, make_window: Any, library: Any, tmp_path: Path) -> None:
    library.fetch_arxiv = None
    [pid] = library.import_papers([Paper(title="One", arxiv_id="2501.00001")]).imported
    from desktop_app.core.library import Library

    readonly = Library.open(library.directory, readonly=True)
    try:
        window = make_window(readonly)
        window.select_ids([pid])
        window.pdf_download.update()
        assert not window.pdf_download.action.isEnabled()
        assert window.pdf_download.download([pid]) is None
    finally:
        window.close()
        readonly.close()


def test_the_context_menu_offers_download_pdf(qtbot: Any, window: MainWindow) -> None:
    [pid] = _papers(qtbot, window, Paper(title="One", arxiv_id="2501.00001"))
    window.select_ids([pid])
    menus: list[Any] = []
    original = window.commands.table_menu

    def capture() -> Any:
        menus.append(original())
        return menus[-1]

    window.commands.table_menu = capture  # type: ignore[method-assign]
    window._table_menu(_row_centre(window, pid))
    texts = [a.text() for a in menus[0].actions()]
    assert "&Download PDF" in texts and "&Open PDF" in texts
    assert window.pdf_download.action.isEnabled() and not window.attachments.open_action.isEnabled()
    shoot(menus[0], "download-pdf-context-menu.png")
    menus[0].close()


def test_double_click_and_enter_open_the_pdf_or_keep_todays_behaviour(qtbot: Any, window: MainWindow,
                                                                       tmp_path: Path, opened_urls: list[str],
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LECTERN_PDF_VIEWER", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # no xdg-mime: the desktop opens the file
    with_pdf, without = _papers(qtbot, window, Paper(title="Has a PDF"), Paper(title="Has only a note"))
    window.library.attach(with_pdf, [paper_pdf(tmp_path / "p.pdf", "Has a PDF", ["one", "two"])])
    stored = window.library.files.attachments.path_of(window.library.attached_files(with_pdf)[0])
    _double_click(qtbot, window, without)
    assert window.detail.tabs.currentWidget() is window.detail.note and opened_urls == []  # today's behaviour
    _double_click(qtbot, window, with_pdf)
    assert opened_urls == [QUrl.fromLocalFile(str(stored)).toString()]
    window.table.setFocus()
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    assert len(opened_urls) == 2  # Enter opens it too instead of Edit Paper


def test_double_click_opens_the_pdf_at_the_full_text_hit(qtbot: Any, window: MainWindow, tmp_path: Path,
                                                         opened_urls: list[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    [pid] = _papers(qtbot, window, Paper(title="Scaling"))
    window.library.attach(pid, [paper_pdf(tmp_path / "s.pdf", "Scaling", ["intro", "filler", "negative results"])])
    window.library.files.wait_idle()
    qtbot.waitUntil(lambda: window.library.files.pending() == 0, timeout=WAIT_MS)
    record = fake_pdf_viewer(tmp_path, monkeypatch)
    window.search('fulltext:"negative results"')
    qtbot.waitUntil(lambda: window.table_model.ids == [pid], timeout=WAIT_MS)
    wait_idle(qtbot, window)
    _double_click(qtbot, window, pid)
    deadline = time.monotonic() + 10
    while not (record.exists() and record.read_text()) and time.monotonic() < deadline:
        time.sleep(0.05)
    stored = window.library.files.attachments.path_of(window.library.attached_files(pid)[0])
    assert record.read_text().split() == ["-i", "3", str(stored)] and opened_urls == []
