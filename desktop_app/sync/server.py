"""Push, pull and conflicts against the shared library on PostgreSQL.

A push is one transaction: it locks the client's row (a re-sent push is
recognised by its sequence numbers and skipped, so nothing applies twice),
takes the next revision, and writes each field unless somebody else wrote
that field after the revision the client had seen (``base``) -- then the
server keeps its value and records a conflict holding both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.types.json import Jsonb

from desktop_app.sync.schema import CHANNEL

DELETED = "_deleted"
PULL_BATCH = 1000


@dataclass(frozen=True)
class Change:
    """One field write queued by a client: ``value`` replaces the field if nobody wrote it after ``base``."""

    seq: int
    kind: str
    key: str
    field: str
    value: Any
    base: int


@dataclass(frozen=True)
class FieldValue:
    kind: str
    key: str
    field: str
    value: Any
    rev: int


@dataclass(frozen=True)
class Conflict:
    """Two edits of the same field: the server kept ``server_value``; ``client_value`` is kept here."""

    id: int
    kind: str
    key: str
    field: str
    server_value: Any
    client_value: Any
    member: str
    resolution: str | None
    rev: int
    client: str = ""


@dataclass
class PushResult:
    rev: int | None
    applied_seq: int
    written: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    corrections: list[FieldValue] = field(default_factory=list)
    """The server's value of each conflicted field (the client's own value lost the race)."""


@dataclass(frozen=True)
class _Current:
    value: Any
    rev: int
    writer: str


def current_revision(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT value FROM revision").fetchone()
    return int(row[0]) if row else 0


def _lock_client(conn: psycopg.Connection, client: str) -> int:
    conn.execute("INSERT INTO clients(client) VALUES (%s) ON CONFLICT (client) DO NOTHING", (client,))
    row = conn.execute("SELECT applied_seq FROM clients WHERE client = %s FOR UPDATE", (client,)).fetchone()
    if row is None:
        raise psycopg.errors.InsufficientPrivilege("this client id belongs to another member")
    return int(row[0])


def _current(conn: psycopg.Connection, wanted: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], _Current]:
    if not wanted:
        return {}
    kinds, keys, names = zip(*sorted(wanted), strict=True)
    rows = conn.execute(
        "SELECT f.kind, f.key::text, f.field, f.value, f.rev, f.writer::text FROM fields f "
        "JOIN unnest(%s::text[], %s::uuid[], %s::text[]) AS w(kind, key, field) "
        "ON f.kind = w.kind AND f.key = w.key AND f.field = w.field",
        (list(kinds), list(keys), list(names)),
    ).fetchall()
    return {(k, key, f): _Current(value, int(rev), writer) for k, key, f, value, rev, writer in rows}


def _others_after(conn: psycopg.Connection, kind: str, key: str, base: int, client: str) -> list[FieldValue]:
    rows = conn.execute(
        "SELECT field, value, rev FROM fields WHERE kind = %s AND key = %s AND rev > %s AND writer <> %s "
        "AND field <> %s", (kind, key, base, client, DELETED)).fetchall()
    return [FieldValue(kind, key, f, v, int(r)) for f, v, r in rows]


def push(conn: psycopg.Connection, client: str, changes: Sequence[Change],
         resolutions: Sequence[tuple[int, str]] = ()) -> PushResult:
    """Send queued changes (in ``seq`` order) and conflict resolutions in one transaction."""
    with conn.transaction():
        applied = _lock_client(conn, client)
        fresh = [c for c in changes if c.seq > applied]
        if not fresh and not resolutions:
            return PushResult(rev=None, applied_seq=applied)
        rev = int(conn.execute("UPDATE revision SET value = value + 1 RETURNING value").fetchone()[0])  # type: ignore[index]
        wanted = {(c.kind, c.key, c.field) for c in fresh} | {(c.kind, c.key, DELETED) for c in fresh}
        current = _current(conn, wanted)
        result = PushResult(rev=rev, applied_seq=max((c.seq for c in fresh), default=applied))
        writes: list[tuple[Any, ...]] = []
        conflicts: list[tuple[Change, Any, int]] = []
        for change in fresh:
            mine = current.get((change.kind, change.key, change.field))
            tomb = current.get((change.kind, change.key, DELETED))
            unseen = mine is not None and mine.rev > change.base and mine.writer != client
            if mine is not None and mine.value == change.value:
                continue
            if unseen and mine is not None:
                conflicts.append((change, mine.value, mine.rev))
                result.corrections.append(FieldValue(change.kind, change.key, change.field, mine.value, mine.rev))
                continue
            if (change.field != DELETED and tomb is not None and tomb.value is True
                    and tomb.rev > change.base and tomb.writer != client):
                conflicts.append((change, None, tomb.rev))  # an edit of something deleted meanwhile
            if change.field == DELETED and change.value is True:
                for other in _others_after(conn, change.kind, change.key, change.base, client):
                    conflicts.append((Change(change.seq, change.kind, change.key, other.field, None,
                                             change.base), other.value, other.rev))
            writes.append((change.kind, change.key, change.field, Jsonb(change.value), rev, client))
            current[(change.kind, change.key, change.field)] = _Current(change.value, rev, client)
        if writes:
            with conn.cursor() as cur:
                cur.executemany(
                    "INSERT INTO fields(kind, key, field, value, rev, writer) VALUES (%s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (kind, key, field) DO UPDATE SET value = excluded.value, rev = excluded.rev, "
                    "writer = excluded.writer, member = current_user", writes)
        result.written = len(writes)
        for change, server_value, server_rev in conflicts:
            row = conn.execute(
                "INSERT INTO conflicts(kind, key, field, server_value, server_rev, client_value, client, rev) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) RETURNING id, member",
                (change.kind, change.key, change.field, Jsonb(server_value), server_rev,
                 Jsonb(change.value), client, rev)).fetchone()
            assert row is not None
            result.conflicts.append(Conflict(int(row[0]), change.kind, change.key, change.field,
                                             server_value, change.value, str(row[1]), None, rev, client))
        for conflict_id, resolution in resolutions:
            conn.execute("UPDATE conflicts SET resolution = %s, rev = %s WHERE id = %s",
                         (resolution, rev, conflict_id))
        conn.execute("UPDATE clients SET applied_seq = %s WHERE client = %s", (result.applied_seq, client))
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(rev)))
    return result


@dataclass
class Pull:
    """What changed after ``since``, up to ``until`` (a consistent snapshot)."""

    since: int
    until: int
    entities: Iterator[tuple[str, str, int, dict[str, Any]]]
    """(kind, key, revision, {field: value}) in revision order, papers before the lists naming them."""
    conflicts: list[Conflict]


@contextmanager
def pull(conn: psycopg.Connection, since: int) -> Iterator[Pull]:
    """A ``Pull`` read from a repeatable-read snapshot; consume ``entities`` inside the ``with``."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        until = current_revision(conn)
        conflicts = [_conflict(row) for row in conn.execute(
            "SELECT id, kind, key::text, field, server_value, client_value, member, resolution, rev, "
            "client::text FROM conflicts WHERE rev > %s AND rev <= %s ORDER BY id", (since, until))]
        with conn.cursor() as cur:
            rows = cur.stream("SELECT kind, key::text, rev, jsonb_object_agg(field, value) FROM fields "
                              "WHERE rev > %s AND rev <= %s GROUP BY rev, kind, key ORDER BY rev, kind DESC, key",
                              (since, until), size=PULL_BATCH)
            entities = ((k, key, int(rev), fields) for k, key, rev, fields in rows)
            yield Pull(since, until, entities, conflicts)


def entity(conn: psycopg.Connection, kind: str, key: str) -> dict[str, Any]:
    """Every field of one entity (for one that reappears on a client that had deleted it)."""
    return {f: v for f, v in conn.execute(
        "SELECT field, value FROM fields WHERE kind = %s AND key = %s", (kind, key))}


def _conflict(row: tuple[Any, ...]) -> Conflict:
    cid, kind, key, name, server_value, client_value, member, resolution, rev, client = row
    return Conflict(int(cid), kind, key, name, server_value, client_value, member, resolution, int(rev), client)


def values(conn: psycopg.Connection, wanted: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
    """The current value of some fields (those that exist)."""
    return {k: c.value for k, c in _current(conn, wanted).items()}


def upload(conn: psycopg.Connection, client: str, values: Iterator[tuple[str, str, str, Any]]) -> int:
    """Write a whole library as one revision (``lectern share``) with COPY; returns the revision."""
    with conn.transaction():
        rev = int(conn.execute("UPDATE revision SET value = value + 1 RETURNING value").fetchone()[0])  # type: ignore[index]
        with conn.cursor() as cur, cur.copy(
                "COPY fields(kind, key, field, value, rev, writer) FROM STDIN") as copy:
            for kind, key, name, value in values:
                copy.write_row((kind, key, name, json.dumps(value, ensure_ascii=False), rev, client))
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(rev)))
    return rev


def wait_for_change(conn: psycopg.Connection, timeout: float) -> bool:
    """Block until a NOTIFY arrives on ``conn`` (which must have run ``listen``) or ``timeout`` passes."""
    for _note in conn.notifies(timeout=timeout, stop_after=1):
        return True
    return False


def listen(conn: psycopg.Connection) -> None:
    conn.execute(f"LISTEN {CHANNEL}")
