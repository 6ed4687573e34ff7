"""The first start as a new user meets it: help with a library given, and no display at all."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "desktop_app", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def _headless_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["LECTERN_LIBRARY"] = str(tmp_path / "library")
    env["HOME"] = str(tmp_path)
    return env


def test_help_with_a_library_prints_help_instead_of_opening_the_window(tmp_path: Path) -> None:
    env = _headless_env(tmp_path)
    for flag in ("--help", "-h"):
        result = _run(["--library", str(tmp_path / "lib"), flag], env)
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith("usage: lectern")
        assert "import" in result.stdout and "export" in result.stdout
        assert "no display" not in result.stderr


def test_no_display_says_so_in_one_line_and_exits_cleanly(tmp_path: Path) -> None:
    env = _headless_env(tmp_path)
    for args in ([], ["--library", str(tmp_path / "lib")], ["gui"]):
        result = _run(args, env)
        assert result.returncode in (1, 2), (args, result.returncode, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        assert "no display" in lines[0]
        assert "lectern --help" in lines[0] and "xvfb-run" in lines[0]
        assert "qt.qpa" not in result.stderr and "plugin" not in result.stderr
        assert not (tmp_path / "lib" / "library.sqlite").exists()  # checked before opening anything


def test_cli_commands_work_without_a_display(tmp_path: Path) -> None:
    result = _run(["stats"], _headless_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "papers: 0" in result.stdout
