"""GUI test fixtures: offscreen Qt, a temporary library and QSettings per test, the real window."""

from __future__ import annotations

import os
import stat

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QUrl

from desktop_app.core.library import Library
from desktop_app.gui import desktop
from desktop_app.gui.ops import running_ops
from desktop_app.gui.window import MainWindow

WAIT_MS = 20_000


@pytest.fixture(autouse=True)
def temporary_settings(tmp_path: Path) -> Iterator[Path]:
    """QSettings go to an INI file under tmp_path: tests never read or write the user's config."""
    folder = tmp_path / "settings"
    folder.mkdir()
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def opened_urls() -> Iterator[list[str]]:
    """Links the app hands to the desktop are recorded, never opened."""
    seen: list[str] = []

    def record(url: QUrl) -> bool:
        seen.append(url.toString())
        return True

    desktop.set_url_opener(record)
    yield seen
    desktop.set_url_opener(None)


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library.open(tmp_path / "library")
    yield lib
    lib.close()


@pytest.fixture
def make_window(qtbot, library: Library):  # type: ignore[no-untyped-def]
    windows: list[MainWindow] = []

    def make(lib: Library | None = None) -> MainWindow:
        window = MainWindow(lib or library)
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        wait_idle(qtbot, window)
        return window

    yield make
    for window in windows:
        window.close()
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)


@pytest.fixture
def window(make_window) -> MainWindow:  # type: ignore[no-untyped-def]
    return make_window()


def wait_idle(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(window.is_idle, timeout=WAIT_MS)


def wait_indexed(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.library.pending_index() == 0, timeout=WAIT_MS)
    wait_idle(qtbot, window)


def import_daily_page(qtbot, window: MainWindow, path: Path) -> None:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.importFinished, timeout=WAIT_MS):
        assert window.import_files([path]) is not None
    wait_indexed(qtbot, window)


SHOTS = os.environ.get("LECTERN_SHOTS")  # a folder: tests that call ``shoot`` also save what they show there


def shoot(widget: Any, name: str, size: tuple[int, int] | None = None) -> None:
    """Save a picture of ``widget`` (at ``size``, if given) under $LECTERN_SHOTS; nothing without it."""
    if SHOTS:
        if size:
            widget.resize(*size)
            widget.grab()  # lay out at the new size first
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / name))


def fake_pdf_viewer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put a fake ``evince`` first on PATH and choose it as the PDF viewer; returns the file
    where it writes the arguments it was started with."""
    record = tmp_path / "viewer-args.txt"
    fake = tmp_path / "bin" / "evince"
    fake.parent.mkdir()
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {record}\n")
    fake.chmod(fake.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("LECTERN_PDF_VIEWER", "evince")
    monkeypatch.setenv("PATH", f"{fake.parent}{os.pathsep}{os.environ['PATH']}")
    return record
