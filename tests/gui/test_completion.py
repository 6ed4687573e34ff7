"""Complete Metadata in the window, against the fake services: the offer after a thin import,
the run off the GUI thread with Cancel, the proposals dialog and the provenance in the detail pane."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE, SHARED
from tests.fakeapi import seed, server
from tests.fakeapi.server import Fault
from tests.gui.conftest import WAIT_MS, shoot, wait_idle

NO_MATCH = (SHARED / "fixtures" / "metadata-apis" / "semanticscholar"
            / "2025-08_search-match-no-match-404.json").read_bytes()


@pytest.fixture
def apis(monkeypatch: pytest.MonkeyPatch) -> Iterator[server.FakeApis]:
    seeds = seed.build(DAILY_PAGE.read_text(encoding="utf-8"))
    with server.running(server.FakeApis(SHARED / "fixtures" / "metadata-apis", seeds)) as running:
        for name, value in running.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("LECTERN_RATE_SCALE", "0")
        yield running


def run_completion(qtbot: Any, window: MainWindow, start: Any) -> Any:
    with qtbot.waitSignal(window.completion.finished, timeout=WAIT_MS) as blocker:
        start()
    return blocker.args[0]


def test_thin_import_offers_completion_and_the_run_completes(qtbot: Any, window: MainWindow,
                                                            apis: server.FakeApis) -> None:
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.import_files([DAILY_PAGE])
    bar = window.completion.bar
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)  # once the table replaces the welcome page
    wait_idle(qtbot, window)
    assert "108 imported papers have no authors or year" in bar.label.text()
    shoot(window, "thin-import-bar.png", (1400, 860))
    report = run_completion(qtbot, window, bar.complete_button.click)
    assert report.count("completed") == 108 and not bar.isVisible()
    assert window.library.incomplete_ids() == []
    wait_idle(qtbot, window)
    pid = window.library.resolve(report.outcomes[0].citekey)
    window.select_ids([pid])
    qtbot.waitUntil(lambda: window.detail.pid == pid, timeout=WAIT_MS)
    sources = window.detail.sources.text()
    assert sources.startswith("Authors") and "from arXiv 25" in sources and window.detail.sources.isVisible()
    shoot(window, "detail-provenance.png", (1400, 860))
    window.undo()
    qtbot.waitUntil(lambda: len(window.library.incomplete_ids()) == 108, timeout=WAIT_MS)


def test_a_proposal_is_reviewed_field_by_field(qtbot: Any, window: MainWindow, apis: server.FakeApis) -> None:
    apis.faults.append(Fault("/s2/graph/v1/paper/search/match", status=404, body=NO_MATCH, times=0))
    library = window.library
    library.import_text("@misc{attention,\n  title = {Attention is All you Need},\n}\n")
    pid = library.resolve("attention")
    report = run_completion(qtbot, window, lambda: window.completion.complete([pid]))
    assert report.count("proposed") == 1
    dialog = window.completion.dialog
    assert dialog is not None and dialog.isVisible()
    fields = {dialog.fields.item(r, 0).text(): dialog.fields.item(r, 2) for r in range(dialog.fields.rowCount())}
    assert fields["title"].text() == "Self-Attention with Relative Position Representations"
    assert fields["title"].checkState() == Qt.CheckState.Unchecked  # a title already there is never ticked
    assert all(item.checkState() == Qt.CheckState.Unchecked for item in fields.values())  # 41% similar
    shoot(dialog, "proposals-dialog.png")
    for name, item in fields.items():
        item.setCheckState(Qt.CheckState.Checked if name == "year" else Qt.CheckState.Unchecked)
    dialog.accept_button.click()
    qtbot.waitUntil(lambda: library.paper(pid).year == 2018, timeout=WAIT_MS)
    paper = library.paper(pid)
    assert paper.title == "Attention is All you Need" and not paper.authors
    qtbot.waitUntil(lambda: dialog.papers.count() == 0, timeout=WAIT_MS)


def test_cancel_stops_a_run_without_changes(qtbot: Any, window: MainWindow, apis: server.FakeApis) -> None:
    library = window.library
    library.import_files([DAILY_PAGE])
    apis.faults.append(Fault("/hf/", delay=0.3, times=0))
    with qtbot.waitSignal(window.completion.finished, timeout=WAIT_MS) as blocker:
        window.completion.complete(library.incomplete_ids())
        qtbot.waitUntil(lambda: apis.count("/hf/") >= 1, timeout=WAIT_MS)
        window.task_strip.cancel_button.click()
    report = blocker.args[0]
    assert report.cancelled and report.count("completed") == 0
    assert len(library.incomplete_ids()) == 108 and apis.count("/hf/") < 10


def test_an_offline_pasted_id_shows_as_waiting_for_metadata(qtbot: Any, window: MainWindow,
                                                            apis: server.FakeApis) -> None:
    def offline(_ids: object) -> str:
        raise OSError("offline: cannot reach arXiv")

    window.library.fetch_arxiv = offline
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.import_text("2501.10011\n")
    qtbot.waitUntil(lambda: window.table_model.rowCount() == 1, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    model = window.table_model
    assert model.data(model.index(0, 0)) == "(waiting for metadata: arXiv 2501.10011)"
    report = run_completion(qtbot, window, window.completion.bar.complete_button.click)
    assert report.count("completed") == 1
    qtbot.waitUntil(lambda: str(model.data(model.index(0, 0))).startswith("SentinelLMs"), timeout=WAIT_MS)


def test_settings_take_a_contact_and_a_formula_and_refuse_bad_ones(qtbot: Any, window: MainWindow) -> None:
    dialog = window.completion.edit_settings()
    dialog.contact.setText("not an address")
    dialog._save()
    assert "is not an e-mail address" in dialog.problem.text() and dialog.isVisible()
    dialog.contact.setText("reader@example.org")
    dialog.formula.setText("[nosuch]")
    dialog._save()
    assert "unknown key field" in dialog.problem.text()
    dialog.formula.setText("[auth:lower]_[year]")
    dialog.problem.clear()
    dialog.adjustSize()
    shoot(dialog, "metadata-settings.png")
    dialog._save()
    library = window.library
    assert library.citekey_formula == "[auth:lower]_[year]"
    with library.metadata_client() as client:
        assert client.config.user_agent.endswith("(mailto:reader@example.org)")


def test_regenerate_citation_key_from_the_menu(qtbot: Any, window: MainWindow,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    library = window.library
    library.import_text("@article{mine,\n  title = {Deep Nets},\n  author = {Kim, Ann},\n  year = {2020},\n}\n")
    window.reload()
    wait_idle(qtbot, window)
    pid = library.resolve("mine")
    window.select_ids([pid])
    answers: list[str] = []

    def yes(*args: Any) -> QMessageBox.StandardButton:
        answers.append(str(args[2]))
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    window.completion.regenerate.trigger()
    qtbot.waitUntil(lambda: library.paper(pid).citekey == "kim2020deep", timeout=WAIT_MS)
    assert "@mine is pinned" in answers[0]


def test_the_export_dialog_says_what_lacks_author_or_year_before_writing(qtbot: Any, window: MainWindow) -> None:
    window.library.import_files([DAILY_PAGE])
    window.library.import_text("@article{full,\n  title = {Deep Nets},\n  author = {Kim, Ann},\n"
                               "  journal = {J},\n  year = {2020},\n}\n")
    window.reload()
    wait_idle(qtbot, window)
    dialog = window.transfers.choose_export(prefer="Whole library")
    assert dialog.lacking.isVisible()
    assert dialog.lacking.text().startswith("⚠ 108 papers lack author or year")
    shoot(dialog, "export-dialog-lacking.png")
    dialog.close()


def test_papers_left_waiting_are_offered_again_when_the_window_opens(qtbot: Any, make_window: Any, library: Any,
                                                                     apis: server.FakeApis) -> None:
    def offline(_ids: object) -> str:
        raise OSError("offline: cannot reach arXiv")

    library.fetch_arxiv = offline
    library.import_text("2501.10011\n2502.10108\n")
    window = make_window(library)
    bar = window.completion.bar
    qtbot.waitUntil(bar.isVisible, timeout=WAIT_MS)
    assert bar.label.text().startswith("2 papers are still waiting for metadata")
    report = run_completion(qtbot, window, bar.complete_button.click)
    assert report.count("completed") == 2 and library.waiting_ids() == []
