"""The import summary: a panel that never takes the keyboard, accounts per file, details on demand."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop_app.core.importing import FileAccount, ImportOutcome
from desktop_app.domain.models import Problem
from desktop_app.gui.import_summary import ImportSummary
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, wait_idle


def test_the_summary_does_not_steal_the_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    field = window.search_bar.field
    field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=WAIT_MS)
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.import_files([DAILY_PAGE])
        qtbot.keyClicks(field, "prun")  # typing on while the import runs
    wait_idle(qtbot, window)
    summary = window.transfers.summary
    assert summary.isVisible() and summary.window() is window  # a panel in the window, not a dialog
    assert QApplication.activeModalWidget() is None
    assert QApplication.activeWindow() is window and field.hasFocus()
    qtbot.keyClicks(field, "ing")
    assert field.text() == "pruning"
    imported = len(signal.args[0].imported)
    assert summary.text().startswith(f"Import finished: {imported} imported, 0 duplicates merged, 0 problems")
    first_title = window.library.paper(signal.args[0].imported[0]).title
    assert first_title not in summary.text()  # titles only in the details
    assert summary.details_dialog is None
    summary.close_button.click()
    assert not summary.isVisible()


def test_accounting_per_file_problems_and_details_on_demand(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    outcome = ImportOutcome(
        imported=list(range(1, 12_001)), merged=[1, 2], problems=[
            Problem(source="/data/refs/a.bib", line=12 + n, reason=f"entry {n} has no closing brace") for n in range(5)],
        files=[FileAccount("/data/refs/a.bib", entries=18, imported=15, merged=2, problems=1),
               *(FileAccount(f"/data/refs/conf{n}.json", entries=2000, imported=2000) for n in range(6))],
    )
    summary = window.transfers.show_import_report(outcome)
    text = summary.text().splitlines()
    assert text[0] == "Import finished: 12,000 imported, 2 duplicates merged, 5 problems"
    assert text[1] == "a.bib — 18 entries: 15 imported, 2 merged, 1 problem"
    assert text[2] == "conf0.json — 2000 entries: 2000 imported, 0 merged, 0 problems"
    assert "… and 3 more files" in text
    assert "a.bib:12: entry 0 has no closing brace" in text
    assert "… and 2 more problems (Details)" in text
    assert len(text) <= 12  # a summary, not 12k lines
    dialog = summary.details_button.click() or summary.details_dialog
    assert dialog is not None and dialog.isVisible()
    details = dialog.body.toPlainText()
    assert "conf5.json" in details and "a.bib:16: entry 4 has no closing brace" in details
    assert "… and 11,800 more" in details  # titles capped even in the details


def test_nothing_imported_and_unreadable_files_are_said(qtbot) -> None:  # type: ignore[no-untyped-def]
    summary = ImportSummary(lambda ids: {})
    qtbot.addWidget(summary)
    summary.show_outcome(ImportOutcome(unreadable=[str(Path("/tmp/x/broken.bib"))],
                                       problems=[Problem(source="/tmp/x/broken.bib", reason="cannot read file")]))
    assert summary.text().splitlines()[:3] == [
        "Nothing was imported: 0 imported, 0 duplicates merged, 1 problem",
        "Could not read 1 file: broken.bib",
        "broken.bib: cannot read file",
    ]
