"""A second start on the same library brings the running window forward; when nobody answers,
the dialog says so in plain words with a command-line hint."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from desktop_app.gui import instance
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS

ROOT = Path(__file__).resolve().parents[2]


def _start(args: list[str]) -> subprocess.Popen[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, *args], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_server_names_differ_per_library(tmp_path: Path) -> None:
    assert instance.server_name(tmp_path / "a") != instance.server_name(tmp_path / "b")
    assert instance.server_name(tmp_path / "a") == instance.server_name(tmp_path / "x" / ".." / "a")


def test_a_second_lectern_brings_the_window_forward(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    asked: list[bool] = []

    def activate() -> None:
        asked.append(True)
        instance.bring_forward(window)

    server = instance.InstanceServer(window.library.directory, activate, window)
    assert server.listen()
    window.showMinimized()
    second = _start(["-m", "desktop_app", "--library", str(window.library.directory)])
    qtbot.waitUntil(lambda: second.poll() is not None, timeout=WAIT_MS)
    _out, err = second.communicate()
    assert second.returncode == 0, err
    assert asked == [True]
    assert not window.isMinimized() and window.isVisible()
    assert "brought it forward" in err and "Traceback" not in err
    server.close()


def test_nobody_listening_means_no_activation(qapp, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert not instance.activate_running(tmp_path / "nobody", timeout_ms=200)


def test_the_in_use_dialog_reads_well(qapp, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    shown: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box) or 0)
    reason = f"the library {tmp_path} is in use by another Lectern process (pid 42); close it"
    assert instance.ask_read_only(tmp_path, reason) is False  # closed without a choice: quit
    (box,) = shown
    assert box.windowTitle() == "Lectern — Library in Use"
    assert box.text().startswith("The library at ")
    assert "or quit" in box.informativeText()
    assert f"lectern --library {tmp_path} search" in box.informativeText()
    assert box.detailedText().startswith("The library ")
    labels = sorted(b.text() for b in box.buttons() if isinstance(b, QPushButton) and b.text())
    assert "Open Read-Only" in labels and "Quit" in labels and "Close" not in labels
