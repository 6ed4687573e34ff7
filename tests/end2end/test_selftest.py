"""``lectern --self-test`` from source, offscreen: every check passes and says so."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from desktop_app.gui.selftest import Checks

ROOT = Path(__file__).resolve().parents[2]
EXPECTED_CHECKS = (
    "resources found",
    "temporary library opens",
    "sample imports",
    "search",
    "BibTeX export",
    "background indexer process",
    "PDF extraction",
    "child processes get the user's library path",
    "app icon and image plugins",
    "a real font is found",
    "main window shows the sample",
)


def test_self_test_passes_offscreen(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               XDG_STATE_HOME=str(tmp_path / "state"))
    result = subprocess.run([sys.executable, "-m", "desktop_app", "--self-test"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr
    assert not [line for line in lines if line.startswith("FAIL")], result.stdout
    passed = [line.removeprefix("ok: ") for line in lines if line.startswith("ok: ")]
    for name in EXPECTED_CHECKS:
        assert any(line == name or line.startswith(name + " (") for line in passed), (name, result.stdout)
    assert any("platform plugin 'offscreen'" in line for line in lines), result.stdout
    assert lines[-1].startswith(f"self-test passed: {len(EXPECTED_CHECKS)} checks"), result.stdout


def test_a_failing_check_is_reported_and_the_others_still_run() -> None:
    out = io.StringIO()
    checks = Checks(out)

    def broken() -> str:
        raise AssertionError("expected 8 papers, got 7")

    assert not checks.run("sample imports", broken)
    assert checks.run("search", lambda: "found")
    checks.skip("export", "no sample")
    assert out.getvalue().splitlines() == [
        "FAIL: sample imports: expected 8 papers, got 7",
        "ok: search (found)",
        "FAIL: export: not run (no sample)",
    ]
    assert checks.failed == ["sample imports", "export"] and checks.passed == 1
