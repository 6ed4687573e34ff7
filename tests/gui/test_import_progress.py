"""Import progress in the status bar: the papers of a big file, a batch at a time, and several files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.gui.import_progress import FILE_STEPS, ImportProgress
from desktop_app.gui.status import ProgressStrip
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS, wait_idle

Shown = list[tuple[str, int, int]]


def records_file(path: Path, count: int, prefix: str = "Paper") -> Path:
    """A JSON records file (the Paper Copilot shape) of ``count`` distinct papers."""
    records = [{
        "title": f"{prefix} number {i} on sparse attention and pruning",
        "author": f"Ada Lovelace{i % 7};Alan Turing{i % 5}",
        "abstract": f"We study case {i} of something worth reading.",
        "bibtex": f"@inproceedings{{{prefix.lower()}{i},\n title = {{{prefix} number {i}}},\n year = {{2018}},\n"
                  " booktitle = {NeurIPS}\n}",
    } for i in range(count)]
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


@pytest.fixture
def shown(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> Shown:
    """Every (label, value, maximum) the task strip shows."""
    seen: Shown = []
    strip = window.task_strip
    real = ProgressStrip.show_progress

    def record(text: str, value: int, maximum: int, **kwargs: object) -> None:
        seen.append((text, value, maximum))
        real(strip, text, value, maximum, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(strip, "show_progress", record)
    return seen


def test_one_big_file_shows_its_papers_batch_by_batch(qtbot, window: MainWindow, shown: Shown,  # type: ignore[no-untyped-def]
                                                      tmp_path: Path) -> None:
    path = records_file(tmp_path / "nips2018.json", 1200)
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.import_files([path])
    assert len(signal.args[0].imported) == 1200
    busy = ("Importing nips2018.json…", 0, 0)  # reading and parsing the file
    assert shown == [
        busy, busy,
        ("Importing nips2018.json… 500 of 1,200 papers", 500, 1200),  # batches are 500 papers
        ("Importing nips2018.json… 1,000 of 1,200 papers", 1000, 1200),
        ("Importing nips2018.json… 1,200 of 1,200 papers", 1200, 1200),
        ("Importing nips2018.json… 1,200 of 1,200 papers", 1200, 1200),  # every file read
    ]
    wait_idle(qtbot, window)
    assert not window.task_strip.isVisible()


def test_several_files_share_the_bar(qtbot, window: MainWindow, shown: Shown, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    big = records_file(tmp_path / "big.json", 1200, "Big")
    small = records_file(tmp_path / "small.json", 3, "Small")
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        window.import_files([big, small])
    maximum = 2 * FILE_STEPS
    assert all(entry[2] == maximum for entry in shown)
    values = [entry[1] for entry in shown]
    assert values == sorted(values) and values[-1] == maximum
    assert ("Importing big.json (file 1 of 2)… 500 of 1,200 papers", FILE_STEPS * 500 // 1200, maximum) in shown
    assert ("Importing small.json (file 2 of 2)… 3 of 3 papers", 2 * FILE_STEPS, maximum) in shown
    wait_idle(qtbot, window)


def test_import_progress_text_and_bar() -> None:
    start = ImportProgress("a.bib", 0, 1)
    assert (start.text(), start.bar()) == ("Importing a.bib…", (0, 0))
    step = start.with_papers(500, 1009)
    assert (step.text(), step.bar()) == ("Importing a.bib… 500 of 1,009 papers", (500, 1009))
    done = step.with_papers(1009, 1009).next_file("", 1, 1)
    assert (done.text(), done.bar()) == ("Importing a.bib… 1,009 of 1,009 papers", (1009, 1009))

    two = ImportProgress("a.bib", 0, 2).with_papers(250, 1000)
    assert two.text() == "Importing a.bib (file 1 of 2)… 250 of 1,000 papers"
    assert two.bar() == (250, 2000)
    second = two.next_file("b.ris", 1, 2)
    assert (second.text(), second.bar()) == ("Importing b.ris (file 2 of 2)…", (1000, 2000))
    end = second.with_papers(10, 10).next_file("", 2, 2)
    assert (end.text(), end.bar()) == ("Importing b.ris (file 2 of 2)…", (2000, 2000))
