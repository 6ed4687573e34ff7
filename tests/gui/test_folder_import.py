"""Import Folder…: one action imports a folder recursively, and the folder is remembered per library."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.library import Library
from desktop_app.gui.library_settings import LibrarySettings
from desktop_app.gui.transfers import IMPORT_FOLDER_KEY
from desktop_app.gui.window import MainWindow
from tests.end2end.test_cli import BIB
from tests.end2end.test_cli_trash import RIS
from tests.gui.conftest import WAIT_MS, wait_idle


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "refs"
    (root / "2016" / "vision").mkdir(parents=True)
    (root / ".cache").mkdir()
    (root / "thesis.bib").write_text(BIB, encoding="utf-8")
    (root / "2016" / "vision" / "resnet.ris").write_text(RIS, encoding="utf-8")
    (root / ".cache" / "old.bib").write_text(BIB.replace("vaswani", "hidden"), encoding="utf-8")
    (root / "figure.png").write_bytes(b"\x89PNG")
    return root


def test_import_folder_is_recursive_and_remembered(qtbot, monkeypatch, make_window, folder: Path,  # type: ignore[no-untyped-def]
                                                   library: Library) -> None:
    starts: list[str] = []

    def pick(_parent, _title, start):  # type: ignore[no-untyped-def]
        starts.append(start)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(pick))
    window: MainWindow = make_window()
    assert window.commands.import_folder.shortcut().toString() == "Ctrl+Shift+I"
    assert window.commands.import_folder in window.menuBar().actions()[0].menu().actions()
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.commands.import_folder.trigger()
    outcome = signal.args[0]
    assert len(outcome.imported) == 3  # two from thesis.bib, one from the subfolder's .ris; nothing hidden
    assert outcome.problems and all(Path(p.source).name == "thesis.bib" for p in outcome.problems)
    wait_idle(qtbot, window)
    titles = {window.library.paper(pid).title for pid in outcome.imported}
    assert "Deep Residual Learning for Image Recognition" in titles
    assert starts == [str(Path.home())]
    assert LibrarySettings(library.directory).get(IMPORT_FOLDER_KEY) == str(folder)
    window.close()
    again: MainWindow = make_window()  # a new window (a restart) starts where the last import was
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *_a: starts.append(_a[2]) or ""))
    again.transfers.choose_import_folder()
    assert starts[-1] == str(folder)


def test_another_library_has_its_own_folder(tmp_path: Path, folder: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    LibrarySettings(tmp_path / "one").set(IMPORT_FOLDER_KEY, str(folder))
    assert LibrarySettings(tmp_path / "two").folder(IMPORT_FOLDER_KEY) == str(Path.home())
    assert LibrarySettings(tmp_path / "one").folder(IMPORT_FOLDER_KEY) == str(folder)


def test_a_folder_without_bibliographies_says_so(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    empty = tmp_path / "photos"
    empty.mkdir()
    (empty / "a.jpg").write_bytes(b"\xff\xd8")
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS) as signal:
        window.import_files([empty])
    outcome = signal.args[0]
    assert outcome.imported == [] and "no files Lectern reads" in outcome.problems[0].reason
    assert window.transfers.summary.text().startswith("Nothing was imported")
