"""One writer: CLI processes racing to write one library.

Each round starts several ``lectern`` processes that wait (imports done) for one go signal, so
they reach the library at the same moment.  Every writer either succeeds or gets the one-line
"in use" error; exactly the successful writes are in the library afterwards; readers never
fail; ``lectern check`` finds the library consistent.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from desktop_app.core.library import Library
from tests.end2end.killharness import Generator, _env, run_cli

RUNNER = """
import os, sys, time
go, ready = sys.argv[1], sys.argv[2]
from desktop_app import app, cli  # the imports are done before the race starts
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.0005)
sys.exit(app.main(sys.argv[3:]))
"""
ROUNDS = 6
WRITERS = 4


def test_racing_writers_one_wins_at_a_time_and_nothing_is_corrupted(
        tmp_path: Path, ci_report: Callable[[str, str], None]) -> None:
    library = tmp_path / "library"
    generator = Generator(random.Random(11), tmp_path, "r")
    seed = generator.import_command(8)
    seed.write_files()
    assert run_cli(library, seed.args, tmp_path).returncode == 0
    keys = [p.key for p in generator.imported_files[0][1]]

    expected_tags: set[tuple[str, str]] = set()
    refused = won = 0
    for round_number in range(ROUNDS):
        go = tmp_path / f"go-{round_number}"
        commands: list[tuple[list[str], tuple[str, str] | None]] = []
        for writer in range(WRITERS):
            tag, key = f"race{round_number}w{writer}", keys[(round_number + writer) % len(keys)]
            commands.append((["tag", "add", tag, key], (key, tag)))
        commands.append((["search", "title:" + generator.imported_files[0][1][0].token, "--json"], None))
        ready = [tmp_path / f"ready-{round_number}-{n}" for n in range(len(commands))]
        procs = [subprocess.Popen([sys.executable, "-c", RUNNER, str(go), str(flag), "--library", str(library),
                                   *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=_env(tmp_path))
                 for flag, (args, _) in zip(ready, commands, strict=True)]
        deadline = time.monotonic() + 120
        while not all(flag.exists() for flag in ready) and time.monotonic() < deadline:
            time.sleep(0.01)
        go.touch()
        for proc, (_args, fact) in zip(procs, commands, strict=True):
            out, err = proc.communicate(timeout=120)
            if fact is None:
                assert proc.returncode == 0, err
                assert json.loads(out)[0]["citekey"] == keys[0]
            elif proc.returncode == 0:
                won += 1
                expected_tags.add(fact)
            else:
                refused += 1
                assert proc.returncode == 1, err
                lines = err.strip().splitlines()
                assert len(lines) == 1 and lines[0].startswith("lectern: error: the library "), err
                assert "is in use by another Lectern process" in lines[0]

    checked = run_cli(library, ["check"], tmp_path)
    assert checked.returncode == 0 and "library is consistent: 8 papers, 8 indexed" in checked.stdout
    tags = json.loads(run_cli(library, ["tag", "list", "--json"], tmp_path).stdout)
    assert {t["name"] for t in tags} == {tag for _, tag in expected_tags}
    with Library.open(library) as opened:
        stored = {(p.citekey, tag) for p in opened.papers(opened.all_ids()) for tag in p.tags}
    assert stored == expected_tags
    assert won >= 1 and won + refused == ROUNDS * WRITERS
    ci_report("one writer", f"{ROUNDS} rounds of {WRITERS} racing writers and a reader: {won} writes won, "
                            f"{refused} refused with the one-line error, every reader answered, check consistent")
