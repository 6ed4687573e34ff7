"""Crash safety: CLI commands killed with SIGKILL lose nothing that was acknowledged.

The harness lives in ``killharness.py`` (``python -m tests.end2end.killharness
--trials 50`` runs it on demand).  CI runs ``LECTERN_KILL_TRIALS`` trials
(default 8) with ``LECTERN_KILL_SEED`` (default 1).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.end2end.killharness import (
    Generator,
    _env,
    _phase,
    queued_index_work,
    run_cli,
    run_harness,
)

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="SIGKILL and /proc/locks are Linux facts")


def test_killed_commands_lose_nothing_acknowledged(tmp_path: Path, ci_report: Callable[[str, str], None]) -> None:
    trials = int(os.environ.get("LECTERN_KILL_TRIALS", "8"))
    seed = int(os.environ.get("LECTERN_KILL_SEED", "1"))
    summary = run_harness(trials, seed, per_session=4, workdir=tmp_path, log=lambda _line: None)
    report = summary.report()
    ci_report(f"kill harness (seed {seed})", report)
    assert summary.trials == trials
    assert summary.losses == 0, report
    assert summary.unexpected == 0, report
    assert summary.failures == [], report


def test_import_after_a_writer_killed_inside_whoosh_is_not_locked_out(tmp_path: Path) -> None:
    """A Whoosh write lock left by a killed import does not block the next import."""
    library = tmp_path / "library"
    generator = Generator(random.Random(3), tmp_path, "w")
    first = generator.import_command(3)
    first.write_files()
    assert run_cli(library, first.args, tmp_path).returncode == 0
    big = generator.import_command(250)
    big.write_files()
    with subprocess.Popen([sys.executable, "-m", "desktop_app", "--library", str(library), *big.args],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env(tmp_path)) as proc:
        deadline = time.monotonic() + 60
        while proc.poll() is None and time.monotonic() < deadline:
            if _phase(proc.pid, library) == "whoosh-writer":
                break
            time.sleep(0.002)
        assert proc.poll() is None, "the import finished before it could be killed inside Whoosh"
        os.kill(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    assert (library / "index" / "papers" / "MAIN_WRITELOCK").exists()
    assert queued_index_work(library) > 0

    small = generator.import_command(3)
    small.write_files()
    after = run_cli(library, small.args, tmp_path)
    assert after.returncode == 0, after.stderr
    assert "LockError" not in after.stderr
    assert queued_index_work(library) == 0
    checked = run_cli(library, ["check"], tmp_path)
    assert checked.returncode == 0 and "library is consistent: 256 papers, 256 indexed" in checked.stdout
