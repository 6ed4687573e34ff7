"""Completion bookkeeping in SQLite: pinned citation keys, field provenance, completion state."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from desktop_app.storage.papers import chunks


@dataclass(frozen=True)
class KeyState:
    pinned: bool = False
    exported: bool = False


@dataclass(frozen=True)
class CompletionRow:
    state: str
    attempts: int
    last_attempt: str
    message: str
    proposal: str


def _marks(part: Sequence[int]) -> str:
    return ",".join("?" * len(part))


def key_states(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, KeyState]:
    found: dict[int, KeyState] = {}
    for part in chunks(list(ids)):
        for pid, pinned, exported in conn.execute(
                f"SELECT paper_id, pinned, exported FROM citekey_state WHERE paper_id IN ({_marks(part)})",
                tuple(part)):
            found[pid] = KeyState(bool(pinned), bool(exported))
    return found


def pin_keys(conn: sqlite3.Connection, ids: Iterable[int], *, exported: bool = False) -> None:
    """Pin keys (a hand edit, an import, a copy); ``exported`` also records that they left Lectern."""
    conn.executemany(
        "INSERT INTO citekey_state(paper_id, pinned, exported) VALUES (?, 1, ?) ON CONFLICT(paper_id) "
        "DO UPDATE SET pinned = 1, exported = max(exported, excluded.exported)",
        [(pid, int(exported)) for pid in ids])


def put_key_states(conn: sqlite3.Connection, states: dict[int, KeyState | None]) -> None:
    """Write states back exactly (``None`` = no row): what undo needs."""
    for pid, state in states.items():
        conn.execute("DELETE FROM citekey_state WHERE paper_id = ?", (pid,))
        if state is not None:
            conn.execute("INSERT INTO citekey_state(paper_id, pinned, exported) VALUES (?, ?, ?)",
                         (pid, int(state.pinned), int(state.exported)))


def sources(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[tuple[str, str, str]]]:
    """``{pid: [(source, fields, at), ...]}`` in the order they were recorded."""
    found: dict[int, list[tuple[str, str, str]]] = {}
    for part in chunks(list(ids)):
        for pid, source, fields, at in conn.execute(
                f"SELECT paper_id, source, fields, at FROM metadata_sources WHERE paper_id IN ({_marks(part)}) "
                "ORDER BY at, source LIKE 'Crossref%' OR source LIKE 'Semantic%', source", tuple(part)):
            found.setdefault(pid, []).append((source, fields, at))
    return found


def put_sources(conn: sqlite3.Connection, pid: int, rows: Sequence[tuple[str, str, str]], *,
                replace: bool) -> None:
    if replace:
        conn.execute("DELETE FROM metadata_sources WHERE paper_id = ?", (pid,))
    conn.executemany(
        "INSERT INTO metadata_sources(paper_id, source, fields, at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT(paper_id, source) DO UPDATE SET fields = excluded.fields, at = excluded.at",
        [(pid, source, fields, at) for source, fields, at in rows])


def completion_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, CompletionRow]:
    found: dict[int, CompletionRow] = {}
    for part in chunks(list(ids)):
        for pid, *values in conn.execute(
                "SELECT paper_id, state, attempts, last_attempt, message, proposal FROM completion_state "
                f"WHERE paper_id IN ({_marks(part)})", tuple(part)):
            found[pid] = CompletionRow(*values)
    return found


def put_completion_rows(conn: sqlite3.Connection, rows: dict[int, CompletionRow | None]) -> None:
    for pid, row in rows.items():
        conn.execute("DELETE FROM completion_state WHERE paper_id = ?", (pid,))
        if row is not None:
            conn.execute(
                "INSERT INTO completion_state(paper_id, state, attempts, last_attempt, message, proposal) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (pid, row.state, row.attempts, row.last_attempt, row.message, row.proposal))


def ids_in_state(conn: sqlite3.Connection, state: str) -> list[int]:
    """Papers (not trashed ones) in a completion state."""
    return [r[0] for r in conn.execute(
        "SELECT paper_id FROM completion_state WHERE state = ? AND paper_id IN (SELECT id FROM papers) "
        "ORDER BY paper_id", (state,))]


def drop_orphans(conn: sqlite3.Connection) -> None:
    """Forget the rows of papers that are gone for good (neither in the library nor in the Trash)."""
    for table in ("citekey_state", "metadata_sources", "completion_state"):
        conn.execute(f"DELETE FROM {table} WHERE paper_id NOT IN (SELECT id FROM papers) "
                     "AND paper_id NOT IN (SELECT paper_id FROM trash_papers)")
