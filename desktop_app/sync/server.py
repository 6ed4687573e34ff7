"""Push, pull and conflicts against the shared library on PostgreSQL.

A push is one call of the server's ``lectern_push`` function (``SECURITY
DEFINER``, see ``schema.py``) in one transaction: it locks the client's row (a
re-sent push is recognised by its sequence numbers and skipped, so nothing
applies twice), takes the next revision, and writes each field unless somebody
else wrote that field after the revision the client had seen (``base``) --
then the server keeps its value and records a conflict holding both.
Screening decisions are append-only rows; a pull sees only those row-level
security lets this member see.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
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


def current_revision(conn: psycopg.Connection) -> int:
    row = conn.execute("SELECT value FROM revision").fetchone()
    return int(row[0]) if row else 0


def push(conn: psycopg.Connection, client: str, changes: Sequence[Change],
         resolutions: Sequence[tuple[int, str]] = ()) -> PushResult:
    """Send queued changes (in ``seq`` order) and conflict resolutions in one transaction.

    The server's ``lectern_push`` function (``SECURITY DEFINER``) does the writing: members
    have no direct write rights on the shared tables.
    """
    sent = [{"seq": c.seq, "kind": c.kind, "key": c.key, "field": c.field, "value": c.value, "base": c.base}
            for c in changes]
    settled = [{"id": i, "resolution": r} for i, r in resolutions]
    with conn.transaction():
        row = conn.execute("SELECT lectern_push(%s, %s, %s)", (client, Jsonb(sent), Jsonb(settled))).fetchone()
    assert row is not None
    answer: dict[str, Any] = row[0]
    result = PushResult(rev=answer["rev"], applied_seq=int(answer["applied_seq"]), written=int(answer["written"]))
    result.conflicts = [Conflict(int(c["id"]), c["kind"], c["key"], c["field"], c["server_value"],
                                 c["client_value"], c["member"], None, int(c["rev"]), c["client"])
                        for c in answer["conflicts"]]
    result.corrections = [FieldValue(c["kind"], c["key"], c["field"], c["value"], int(c["rev"]))
                          for c in answer["corrections"]]
    return result


KIND_ORDER = ("search", "paper", "list", "review", "file")
"""The order a revision's entities are pulled in: papers before the lists, reviews and files naming them."""
DECISION_COLUMNS = ("review", "paper", "stage", "reviewer", "verdict", "reason", "note", "decided", "final",
                    "withdrawn")


@dataclass
class Pull:
    """What changed after ``since``, up to ``until`` (a consistent snapshot)."""

    since: int
    until: int
    entities: Iterator[tuple[str, str, int, dict[str, Any]]]
    """(kind, key, revision, {field: value}) in revision order, then in ``KIND_ORDER``."""
    conflicts: list[Conflict]
    decisions: Iterable[tuple[str, dict[str, Any]]] = ()
    """(id, {column: value}) of the screening decisions this member may see (row-level security)."""


@contextmanager
def pull(conn: psycopg.Connection, since: int) -> Iterator[Pull]:
    """A ``Pull`` read from a repeatable-read snapshot; consume ``entities`` then ``decisions``
    inside the ``with``."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        until = current_revision(conn)
        conflicts = [_conflict(row) for row in conn.execute(
            "SELECT id, kind, key::text, field, server_value, client_value, member, resolution, rev, "
            "client::text FROM conflicts WHERE rev > %s AND rev <= %s ORDER BY id", (since, until))]
        with conn.cursor() as cur, conn.cursor() as decision_cur:
            rows = cur.stream("SELECT kind, key::text, rev, jsonb_object_agg(field, value) FROM fields "
                              "WHERE rev > %s AND rev <= %s GROUP BY rev, kind, key ORDER BY rev, "
                              "array_position(%s::text[], kind), key",
                              (since, until, list(KIND_ORDER)), size=PULL_BATCH)
            entities = ((k, key, int(rev), fields) for k, key, rev, fields in rows)
            decision_rows = decision_cur.stream(
                f"SELECT id::text, {', '.join(DECISION_COLUMNS)} FROM review_decisions "
                "WHERE rev > %s AND rev <= %s ORDER BY rev, id", (since, until), size=PULL_BATCH)
            decisions = ((str(r[0]), dict(zip(DECISION_COLUMNS, (str(v) if isinstance(v, uuid.UUID) else v
                                                                  for v in r[1:]), strict=True)))
                         for r in decision_rows)
            yield Pull(since, until, entities, conflicts, decisions)


def entity(conn: psycopg.Connection, kind: str, key: str) -> dict[str, Any]:
    """Every field of one entity (for one that reappears on a client that had deleted it)."""
    return {f: v for f, v in conn.execute(
        "SELECT field, value FROM fields WHERE kind = %s AND key = %s", (kind, key))}


def places(conn: psycopg.Connection, paper: str) -> dict[str, int]:
    """The reading lists holding a paper: list id -> position."""
    return {str(k): int(v) for k, v in conn.execute(
        "SELECT key, value FROM fields WHERE kind = 'list' AND field = %s AND value <> 'null'::jsonb",
        ("item:" + paper,))}


def _conflict(row: tuple[Any, ...]) -> Conflict:
    cid, kind, key, name, server_value, client_value, member, resolution, rev, client = row
    return Conflict(int(cid), kind, key, name, server_value, client_value, member, resolution, int(rev), client)


def values(conn: psycopg.Connection, wanted: set[tuple[str, str, str]]) -> dict[tuple[str, str, str], Any]:
    """The current value of some fields (those that exist)."""
    if not wanted:
        return {}
    kinds, keys, names = zip(*sorted(wanted), strict=True)
    rows = conn.execute(
        "SELECT f.kind, f.key::text, f.field, f.value FROM fields f "
        "JOIN unnest(%s::text[], %s::uuid[], %s::text[]) AS w(kind, key, field) "
        "ON f.kind = w.kind AND f.key = w.key AND f.field = w.field",
        (list(kinds), list(keys), list(names)),
    ).fetchall()
    return {(k, key, f): value for k, key, f, value in rows}


def upload(conn: psycopg.Connection, client: str, values: Iterator[tuple[str, str, str, Any]],
           decisions: Iterable[tuple[str, dict[str, Any]]] = ()) -> int:
    """Write a whole library as one revision (``lectern share``, by the library's owner) with COPY;
    returns the revision."""
    with conn.transaction():
        rev = int(conn.execute("UPDATE revision SET value = value + 1 RETURNING value").fetchone()[0])  # type: ignore[index]
        conn.execute("INSERT INTO clients(client, member) VALUES (%s, current_user)", (client,))
        with conn.cursor() as cur, cur.copy(
                "COPY fields(kind, key, field, value, rev, writer) FROM STDIN") as copy:
            for kind, key, name, value in values:
                copy.write_row((kind, key, name, json.dumps(value, ensure_ascii=False), rev, client))
        with conn.cursor() as cur, cur.copy(
                f"COPY review_decisions(id, {', '.join(DECISION_COLUMNS)}, member, rev, writer) FROM STDIN") as copy:
            for key, row in decisions:
                copy.write_row((key, *(row[c] for c in DECISION_COLUMNS), conn.info.user, rev, client))
        conn.execute("INSERT INTO unblinded_reviews(review, rev, member) SELECT key, rev, current_user FROM fields "
                     "WHERE kind = 'review' AND field = 'blind' AND value IN ('false', '0') "
                     "ON CONFLICT (review) DO NOTHING")  # reviews shared open stay open
        conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, str(rev)))
    return rev


def wait_for_change(conn: psycopg.Connection, timeout: float) -> bool:
    """Block until a NOTIFY arrives on ``conn`` (which must have run ``listen``) or ``timeout`` passes."""
    for _note in conn.notifies(timeout=timeout, stop_after=1):
        return True
    return False


def listen(conn: psycopg.Connection) -> None:
    conn.execute(f"LISTEN {CHANNEL}")
