"""One team member's desktop in its own process: random edits, syncs, and a journal of acknowledged edits.

    python -m tests.sync.client_proc LIBDIR JOURNAL INDEX EDITS SEED [--no-sync] [--hold push|pull]
        [--barrier FILE]

An edit is journalled (fsync'd) only after the library call returned, i.e. after
its SQLite transaction committed: the journal is the model the test checks.
Some edits are screening decisions in the review ``REVIEW`` when the library
has one.  Failed syncs (server unreachable) are noted in ``JOURNAL.offline``.
``--hold`` stops the process forever at a chosen point (for ``kill -9``), after
writing ``JOURNAL.held``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from pathlib import Path
from typing import Any

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from desktop_app.sync import server
from desktop_app.sync.conninfo import OfflineError

OWN_FIELDS = ("venue", "pages", "volume", "number", "publisher")
PAPERS = 10
CONTESTED = 4
REVIEW = "screen"
"""An open (not blind) review of every paper, made before sharing (see test_clients)."""
VERDICTS = ("include", "exclude", "maybe")


class Journal:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, entry: dict[str, Any]) -> None:
        os.write(self.fd, (json.dumps(entry) + "\n").encode())
        os.fsync(self.fd)


def _hold(marker: Path) -> None:
    marker.write_text("held")
    time.sleep(3600)


def _install_hold(point: str, marker: Path) -> None:
    if point == "push":
        real_push = server.push

        def push_and_hold(*args: Any, **kwargs: Any) -> server.PushResult:
            real_push(*args, **kwargs)  # committed on the server; the answer never arrives
            _hold(marker)
            raise AssertionError("unreachable")

        server.push = push_and_hold  # type: ignore[assignment]
    elif point == "pull":
        real_apply = sync_ops._apply

        def apply_and_hold(*args: Any, **kwargs: Any) -> set[int]:
            touched = real_apply(*args, **kwargs)
            if args[4] is not None:  # pulling (not a push's corrections)
                _hold(marker)
            return touched

        sync_ops._apply = apply_and_hold  # type: ignore[assignment]


def _sync(library: Library, offline_log: Path) -> bool:
    try:
        sync_ops.sync_once(library)
        return True
    except OfflineError as exc:
        with offline_log.open("a") as log:
            log.write(f"{exc}\n")
        return False


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("library")
    parser.add_argument("journal")
    parser.add_argument("index", type=int)
    parser.add_argument("edits", type=int)
    parser.add_argument("seed", type=int)
    parser.add_argument("--no-sync", action="store_true")
    parser.add_argument("--hold", choices=("push", "pull"))
    parser.add_argument("--barrier", help="after the note edits, wait for this file before syncing")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    journal = Journal(Path(args.journal))
    if args.hold:
        _install_hold(args.hold, Path(args.journal + ".held"))
    me = args.index
    offline_log = Path(args.journal + ".offline")
    with Library.open(args.library) as library:
        for k in range(args.edits):
            paper = f"key{rng.randrange(PAPERS)}"
            roll = rng.random()
            if roll > 0.85 and library.reviews.all():  # an append-only screening decision
                verdict = rng.choice(VERDICTS)
                library.reviews.decide(REVIEW, paper, verdict, reviewer=f"c{me}")
                journal.write({"op": "decision", "paper": paper, "reviewer": f"c{me}", "verdict": verdict})
            elif roll < 0.6:
                field, value = OWN_FIELDS[me], f"c{me}-{k}"
                library.update_paper(paper, **{field: value})
                journal.write({"op": "field", "paper": paper, "field": field, "value": value})
            else:
                tag = f"c{me}"
                on = tag not in library.paper(paper).tags
                (library.add_tags if on else library.remove_tags)([paper], [tag])
                journal.write({"op": "tag", "paper": paper, "tag": tag, "on": on})
            if not args.no_sync and k % 5 == 4:
                _sync(library, offline_log)
        if args.edits:
            for round_ in range(2):  # the contested part: notes edited without syncing in between
                for p in range(CONTESTED):
                    body = f"note by c{me} round {round_}"
                    library.set_note(f"key{p}", body)
                    journal.write({"op": "note", "paper": f"key{p}", "value": body})
        if args.barrier:  # every client's note edits are made before any of them is sent
            Path(args.journal + ".ready").write_text("ready")
            deadline = time.monotonic() + 60
            while not Path(args.barrier).exists():
                if time.monotonic() > deadline:
                    return 4
                time.sleep(0.05)
        deadline = time.monotonic() + 30
        while not _sync(library, offline_log):
            if time.monotonic() > deadline:
                return 3
            time.sleep(0.3)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
