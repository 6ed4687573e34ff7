"""The index queues: which papers and notes the search index has not caught up with.

A row is written in the same transaction as the change it stands for, so a
crash can never leave SQLite changed and the index unaware of it.  ``seq``
tells a re-queued paper (changed again while being indexed) from one the
indexer may forget.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterable

PAPER_QUEUE = "index_queue"
NOTE_QUEUE = "note_queue"


class QueueClock:
    """Sequence numbers for queue rows, increasing across restarts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        row = conn.execute(
            "SELECT max(m) FROM (SELECT max(seq) AS m FROM index_queue UNION ALL "
            "SELECT max(seq) FROM note_queue)"
        ).fetchone()
        self._value = int(row[0] or 0)
        self._lock = threading.Lock()

    def next(self) -> int:
        with self._lock:
            self._value += 1
            return self._value


def enqueue(conn: sqlite3.Connection, table: str, ids: Iterable[int], seq: int) -> None:
    conn.executemany(
        f"INSERT INTO {table}(paper_id, seq) VALUES (?, ?) "
        "ON CONFLICT(paper_id) DO UPDATE SET seq = excluded.seq",
        [(pid, seq) for pid in ids],
    )


def enqueue_all(conn: sqlite3.Connection, seq: int) -> None:
    conn.execute(f"INSERT OR REPLACE INTO {PAPER_QUEUE}(paper_id, seq) SELECT id, ? FROM papers", (seq,))
    conn.execute(f"INSERT OR REPLACE INTO {NOTE_QUEUE}(paper_id, seq) SELECT paper_id, ? FROM notes", (seq,))


def peek(conn: sqlite3.Connection, table: str, limit: int) -> list[tuple[int, int]]:
    return [(int(p), int(s)) for p, s in conn.execute(
        f"SELECT paper_id, seq FROM {table} ORDER BY seq, paper_id LIMIT ?", (limit,)
    )]


def forget(conn: sqlite3.Connection, table: str, done: Iterable[tuple[int, int]]) -> None:
    conn.executemany(f"DELETE FROM {table} WHERE paper_id = ? AND seq = ?", list(done))


def pending(conn: sqlite3.Connection, table: str = PAPER_QUEUE) -> int:
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def removed_but_queued(conn: sqlite3.Connection) -> set[int]:
    """Papers deleted from SQLite whose index documents are not removed yet."""
    return {r[0] for r in conn.execute(
        f"SELECT paper_id FROM {PAPER_QUEUE} WHERE paper_id NOT IN (SELECT id FROM papers)"
    )}
