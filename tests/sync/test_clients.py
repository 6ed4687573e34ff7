"""Several desktops in separate processes edit the same papers; kill -9 in the middle of a sync.

The clients' journals of acknowledged edits are the model: after a final sync
every replica holds the same state, every client's last edit of a field it
alone edits is there, its tags are as it left them, and its last text of a
contested note is the note or is kept in a conflict.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from tests.sync.client_proc import OWN_FIELDS, PAPERS, REVIEW
from tests.sync.helpers import seed, state, sync_all
from tests.sync.pgcluster import Cluster

REPO = Path(__file__).resolve().parents[2]
MEMBER_OF = ("alice", "bob", "carol", "alice", "bob")


def _team(tmp_path: Path, cluster: Cluster, database: str, size: int) -> list[Path]:
    dirs = [tmp_path / f"client{i}" for i in range(size)]
    with seed(dirs[0], PAPERS) as first:
        first.create_list("all")
        first.add_to_list("all", [f"key{i}" for i in range(PAPERS)])
        first.reviews.create(REVIEW, blind=False)
        first.reviews.add_from_list(REVIEW, "all")
        sync_ops.share(first, cluster.conninfo(database, MEMBER_OF[0]))
    for i, directory in enumerate(dirs[1:], start=1):
        with Library.open(directory) as library:
            sync_ops.join(library, cluster.conninfo(database, MEMBER_OF[i]))
    return dirs


def _spawn(directory: Path, journal: Path, index: int, edits: int, seed_: int, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.sync.client_proc", str(directory), str(journal), str(index), str(edits),
         str(seed_), *extra], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen, timeout: float = 60) -> None:
    _out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err[-2000:]


def _journal(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def _wait_for(marker: Path, process: subprocess.Popen, timeout: float = 30) -> None:
    _wait_until(marker.exists, [process], timeout)


def _wait_until(check: Callable[[], bool], processes: list[subprocess.Popen], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        for process in processes:
            assert process.poll() is None, process.communicate()[1][-2000:]
        assert time.monotonic() < deadline, "the clients never got there"
        time.sleep(0.05)


def _converge(dirs: list[Path]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    libraries = [Library.open(d) for d in dirs]
    try:
        sync_all(*libraries)
        states = [state(lib) for lib in libraries]
        conflicts = [sync_ops.conflicts(lib) for lib in libraries]
        for lib in libraries:
            assert sync_ops.status(lib).waiting == 0
    finally:
        for lib in libraries:
            lib.close()
    for other in states[1:]:
        assert other == states[0]
    for other in conflicts[1:]:
        assert other == conflicts[0]
    return states, conflicts[0]


def _check_model(final: dict[str, Any], conflicts: list[dict[str, Any]], journals: list[list[dict]]) -> int:
    """Every acknowledged edit is in the final state or kept in a conflict; returns the edits checked."""
    papers = final["papers"]
    all_notes = {e["value"] for j in journals for e in j if e["op"] == "note"}
    kept_notes = {c["kept"] for c in conflicts} | {c["other"] for c in conflicts}
    assert {c["field"] for c in conflicts} <= {"note"}, conflicts
    assert all(c["kept"] != c["other"] for c in conflicts)
    for journal in journals:
        last: dict[tuple[str, str, str], Any] = {}
        for entry in journal:
            if entry["op"] == "decision":
                continue
            name = entry.get("field") or entry.get("tag") or "note"
            last[(entry["op"], entry["paper"], name)] = entry.get("value", entry.get("on"))
        for (op, paper, name), value in last.items():
            if op == "field":
                assert papers[paper][name] == value, (paper, name)
            elif op == "tag":
                assert (name in papers[paper]["tags"]) == value, (paper, name)
            else:
                assert papers[paper]["note"] == value or value in kept_notes, (paper, value)
    for paper in papers.values():
        assert paper["note"] in all_notes | {""}
    # decisions are append-only: each acknowledged one is there exactly once
    made = Counter((e["paper"], e["reviewer"], e["verdict"]) for j in journals for e in j if e["op"] == "decision")
    reviewers = {reviewer for _paper, reviewer, _verdict in made}
    assert reviewers, "the clients made no screening decisions"
    assert Counter((paper, reviewer, verdict) for review, paper, reviewer, verdict, _withdrawn in final["decisions"]
                   if review == REVIEW and reviewer in reviewers) == made
    return sum(len(j) for j in journals)


@pytest.mark.parametrize("outage", [False, True], ids=["steady", "server-restarts"])
def test_concurrent_clients_agree_and_lose_nothing(tmp_path: Path, cluster: Cluster, database: str,
                                                   outage: bool) -> None:
    size, edits = (3, 30) if outage else (4, 40)
    dirs = _team(tmp_path, cluster, database, size)
    journals = [tmp_path / f"journal{i}.jsonl" for i in range(size)]
    go = tmp_path / "go"
    processes = [_spawn(d, j, i, edits, 1000 + i, "--barrier", str(go))
                 for i, (d, j) in enumerate(zip(dirs, journals, strict=True))]
    if outage:  # the server goes away while the clients edit and sync, then comes back
        _wait_until(lambda: all(len(_journal(j)) >= 5 for j in journals), processes)
        cluster.stop()
        try:
            _wait_until(lambda: all(Path(f"{j}.offline").exists() or Path(f"{j}.ready").exists()
                                    for j in journals), processes)
            assert any(Path(f"{j}.offline").exists() for j in journals)
        finally:
            cluster.start()
    _wait_until(lambda: all(Path(f"{j}.ready").exists() for j in journals), processes)
    go.write_text("go")
    for process in processes:
        _finish(process)
    states, conflicts = _converge(dirs)
    checked = _check_model(states[0], conflicts, [_journal(j) for j in journals])
    assert checked == size * (edits + 8)
    assert conflicts, "clients writing the same notes without syncing must leave conflicts"
    assert len(OWN_FIELDS) >= size


@pytest.mark.parametrize("point", ["push", "pull"])
def test_kill_9_during_sync_loses_nothing_and_applies_nothing_twice(
        tmp_path: Path, cluster: Cluster, database: str, point: str) -> None:
    dirs = _team(tmp_path, cluster, database, 2)
    journals = [tmp_path / "journal0.jsonl", tmp_path / "journal1.jsonl"]
    if point == "pull":  # give the victim something to pull
        _finish(_spawn(dirs[0], journals[0], 0, 30, 7))
    victim = _spawn(dirs[1], journals[1], 1, 30, 8, "--no-sync", "--hold", point)
    _wait_for(Path(str(journals[1]) + ".held"), victim)
    os.kill(victim.pid, signal.SIGKILL)
    victim.communicate(timeout=10)
    if point == "push":
        # The push committed on the server; client 0 builds on it before the victim comes back.
        with Library.open(dirs[0]) as other:
            sync_ops.sync_once(other)
            for entry in [e for e in _journal(journals[1]) if e["op"] == "field"][-3:]:
                other.update_paper(entry["paper"], **{entry["field"]: "overwritten after the kill"})
            sync_ops.sync_once(other)
    _finish(_spawn(dirs[1], journals[1], 1, 0, 9))  # restart: just sync
    states, conflicts = _converge(dirs)
    papers = states[0]["papers"]
    journal = _journal(journals[1])
    if point == "push":
        assert conflicts == []  # a re-sent push would have made conflicts (or undone client 0's edit)
        overwritten = {(e["paper"], e["field"]) for e in [e for e in journal if e["op"] == "field"][-3:]}
        assert overwritten
        for paper, field in overwritten:
            assert papers[paper][field] == "overwritten after the kill"
        journal = [e for e in journal if (e["paper"], e.get("field")) not in overwritten]
        assert _check_model(states[0], conflicts, [journal]) == len(journal)
    else:
        both = [_journal(journals[0]), journal]
        assert _check_model(states[0], conflicts, both) == 2 * (30 + 8)
