"""The sync outbox: SQLite triggers record every edit of a shared library as field changes.

The triggers fire in the same transaction as the write, so an edit made through
any part of the library facade is queued or not made at all.  They only fire
while ``sync_link.capture`` is 1 (the library is shared and the change is not
one being pulled from the server).  A field edited again before it was pushed
keeps its first ``base`` (the server revision the edit was made on) and takes
the new value and a new ``seq``.  A screening decision is queued whole (its
``row``) and, when undone, as ``withdrawn``: decisions are append-only.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.storage.papers import FIELD_COLUMNS

DERIVED_COLUMNS = ("author_line", "title_key", "author_key")
PAPER_COLUMNS: tuple[str, ...] = ("added", *(c for c in FIELD_COLUMNS if c not in DERIVED_COLUMNS))
LIST_COLUMNS = ("name", "position", "created")
SEARCH_COLUMNS = ("name", "query", "position")
REVIEW_COLUMNS = ("name", "question", "inclusion_criteria", "exclusion_criteria", "include_keywords",
                  "exclude_keywords", "exclusion_reasons", "blind", "random_order", "stop_after_irrelevant",
                  "created")
FILE_COLUMNS = ("paper", "name", "kind", "sha256", "size", "added")
"""A file's metadata travels (``paper`` is the paper's shared id); its bytes and path stay local."""
ENTITY_TABLES = {"paper": "papers", "list": "lists", "search": "saved_searches", "review": "reviews",
                 "file": "files"}
ABSENT = "not on this computer"
"""``files.text_status`` of a file another member attached: its row is here, its bytes are not."""

_ON = "(SELECT capture FROM sync_link) = 1"
_NEW_UID = ("(SELECT lower(substr(h, 1, 8) || '-' || substr(h, 9, 4) || '-' || substr(h, 13, 4) || '-' || "
            "substr(h, 17, 4) || '-' || substr(h, 21)) FROM (SELECT hex(randomblob(16)) AS h))")


_EMPTY_NOTE = "SELECT 'note' AS f, '\"\"' AS v"


def _log(kind: str, local_id: str, pairs: str) -> str:
    """Statements queueing the (field, json value) rows that ``pairs`` selects."""
    return f"""
        UPDATE sync_link SET next_seq = next_seq + 1;
        INSERT INTO sync_outbox(kind, local_id, field, value, base, seq)
            SELECT '{kind}', {local_id}, f, v, (SELECT pulled_rev FROM sync_link), (SELECT next_seq FROM sync_link)
            FROM ({pairs}) WHERE f IS NOT NULL
            ON CONFLICT (kind, local_id, field) DO UPDATE SET value = excluded.value, seq = excluded.seq;"""


def _all_columns(columns: tuple[str, ...], extra: str = "") -> str:
    parts = [f"SELECT '{c}' AS f, json_quote(NEW.{c}) AS v" for c in columns]
    return " UNION ALL ".join(parts) + extra


def _changed_columns(columns: tuple[str, ...]) -> str:
    return " UNION ALL ".join(
        f"SELECT '{c}' AS f, json_quote(NEW.{c}) AS v WHERE OLD.{c} IS NOT NEW.{c}" for c in columns)


def _new_key(kind: str, local: str) -> str:
    return (f"INSERT INTO sync_keys(kind, local_id, uid) SELECT '{kind}', {local}, {_NEW_UID} "
            f"WHERE NOT EXISTS (SELECT 1 FROM sync_keys WHERE kind = '{kind}' AND local_id = {local});")


def _entity_triggers(kind: str, table: str, columns: tuple[str, ...]) -> str:
    alive = " UNION ALL SELECT '_deleted', 'false'"
    return f"""
    CREATE TRIGGER sync_{table}_insert AFTER INSERT ON {table} WHEN {_ON} BEGIN
        {_new_key(kind, 'NEW.id')}
        {_log(kind, 'NEW.id', _all_columns(columns, alive))}
    END;
    CREATE TRIGGER sync_{table}_update AFTER UPDATE ON {table} WHEN {_ON} BEGIN
        {_log(kind, 'NEW.id', _changed_columns(columns))}
    END;
    CREATE TRIGGER sync_{table}_delete AFTER DELETE ON {table} WHEN {_ON} BEGIN
        {_log(kind, 'OLD.id', "SELECT '_deleted' AS f, 'true' AS v")}
    END;"""


def _tag_field(tag_id: str) -> str:
    return f"(SELECT 'tag:' || name FROM tags WHERE id = {tag_id})"


def _paper_uid(paper_id: str) -> str:
    return f"(SELECT 'item:' || uid FROM sync_keys WHERE kind = 'paper' AND local_id = {paper_id})"


OUTBOX_MIGRATION = f"""
    CREATE TABLE sync_link (
        one INTEGER PRIMARY KEY CHECK (one = 1),
        conninfo TEXT NOT NULL,
        client TEXT NOT NULL,
        pulled_rev INTEGER NOT NULL DEFAULT 0,
        next_seq INTEGER NOT NULL DEFAULT 0,
        capture INTEGER NOT NULL DEFAULT 1,
        last_sync TEXT,
        last_error TEXT
    );
    CREATE TABLE sync_keys (
        kind TEXT NOT NULL,
        local_id INTEGER NOT NULL,
        uid TEXT NOT NULL,
        PRIMARY KEY (kind, local_id)
    ) WITHOUT ROWID;
    CREATE UNIQUE INDEX sync_keys_by_uid ON sync_keys(kind, uid);
    CREATE TABLE sync_outbox (
        kind TEXT NOT NULL,
        local_id INTEGER NOT NULL,
        field TEXT NOT NULL,
        value TEXT NOT NULL,
        base INTEGER NOT NULL,
        seq INTEGER NOT NULL,
        PRIMARY KEY (kind, local_id, field)
    ) WITHOUT ROWID;
    CREATE INDEX sync_outbox_by_seq ON sync_outbox(seq);
    CREATE TABLE sync_conflicts (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        uid TEXT NOT NULL,
        field TEXT NOT NULL,
        server_value TEXT,
        client_value TEXT,
        member TEXT NOT NULL,
        resolution TEXT
    );
    CREATE TABLE sync_resolutions (
        conflict_id INTEGER PRIMARY KEY,
        resolution TEXT NOT NULL
    );
    {_entity_triggers('paper', 'papers', PAPER_COLUMNS)}
    {_entity_triggers('list', 'lists', LIST_COLUMNS)}
    {_entity_triggers('search', 'saved_searches', SEARCH_COLUMNS)}
    CREATE TRIGGER sync_notes_write AFTER INSERT ON notes WHEN {_ON} BEGIN
        {_log('paper', 'NEW.paper_id', "SELECT 'note' AS f, json_quote(NEW.body) AS v")}
    END;
    CREATE TRIGGER sync_notes_update AFTER UPDATE ON notes WHEN {_ON} BEGIN
        {_log('paper', 'NEW.paper_id', "SELECT 'note' AS f, json_quote(NEW.body) AS v")}
    END;
    CREATE TRIGGER sync_notes_delete AFTER DELETE ON notes
    WHEN {_ON} AND EXISTS (SELECT 1 FROM papers WHERE id = OLD.paper_id) BEGIN
        {_log('paper', 'OLD.paper_id', _EMPTY_NOTE)}
    END;
    CREATE TRIGGER sync_paper_tags_insert AFTER INSERT ON paper_tags WHEN {_ON} BEGIN
        {_log('paper', 'NEW.paper_id', f"SELECT {_tag_field('NEW.tag_id')} AS f, 'true' AS v")}
    END;
    CREATE TRIGGER sync_paper_tags_delete AFTER DELETE ON paper_tags
    WHEN {_ON} AND EXISTS (SELECT 1 FROM papers WHERE id = OLD.paper_id) BEGIN
        {_log('paper', 'OLD.paper_id', f"SELECT {_tag_field('OLD.tag_id')} AS f, 'false' AS v")}
    END;
    CREATE TRIGGER sync_tags_rename AFTER UPDATE OF name ON tags WHEN {_ON} BEGIN
        UPDATE sync_link SET next_seq = next_seq + 1;
        INSERT INTO sync_outbox(kind, local_id, field, value, base, seq)
            SELECT 'paper', pt.paper_id, f.field, f.value, (SELECT pulled_rev FROM sync_link),
                   (SELECT next_seq FROM sync_link)
            FROM paper_tags pt, (SELECT 'tag:' || OLD.name AS field, 'false' AS value
                                 UNION ALL SELECT 'tag:' || NEW.name, 'true') f
            WHERE pt.tag_id = NEW.id AND OLD.name IS NOT NEW.name
            ON CONFLICT (kind, local_id, field) DO UPDATE SET value = excluded.value, seq = excluded.seq;
    END;
    CREATE TRIGGER sync_tags_delete BEFORE DELETE ON tags WHEN {_ON} BEGIN
        UPDATE sync_link SET next_seq = next_seq + 1;
        INSERT INTO sync_outbox(kind, local_id, field, value, base, seq)
            SELECT 'paper', paper_id, 'tag:' || OLD.name, 'false', (SELECT pulled_rev FROM sync_link),
                   (SELECT next_seq FROM sync_link)
            FROM paper_tags WHERE tag_id = OLD.id
            ON CONFLICT (kind, local_id, field) DO UPDATE SET value = excluded.value, seq = excluded.seq;
    END;
    CREATE TRIGGER sync_list_items_insert AFTER INSERT ON list_items WHEN {_ON} BEGIN
        {_log('list', 'NEW.list_id', f"SELECT {_paper_uid('NEW.paper_id')} AS f, json_quote(NEW.position) AS v")}
    END;
    CREATE TRIGGER sync_list_items_update AFTER UPDATE ON list_items WHEN {_ON} BEGIN
        {_log('list', 'NEW.list_id', f"SELECT {_paper_uid('NEW.paper_id')} AS f, json_quote(NEW.position) AS v")}
    END;
    CREATE TRIGGER sync_list_items_delete AFTER DELETE ON list_items
    WHEN {_ON} AND EXISTS (SELECT 1 FROM papers WHERE id = OLD.paper_id)
         AND EXISTS (SELECT 1 FROM lists WHERE id = OLD.list_id) BEGIN
        {_log('list', 'OLD.list_id', f"SELECT {_paper_uid('OLD.paper_id')} AS f, 'null' AS v")}
    END;
"""


def _uid(kind: str, local: str) -> str:
    return f"(SELECT uid FROM sync_keys WHERE kind = '{kind}' AND local_id = {local})"


_FILE_VALUES = (f"SELECT 'paper' AS f, json_quote({_uid('paper', 'NEW.paper_id')}) AS v "
                "UNION ALL SELECT 'name', json_quote(NEW.name) UNION ALL SELECT 'kind', json_quote(NEW.kind) "
                "UNION ALL SELECT 'sha256', json_quote(NEW.sha256) UNION ALL SELECT 'size', json_quote(NEW.size) "
                "UNION ALL SELECT 'added', json_quote(NEW.added) UNION ALL SELECT '_deleted', 'false'")
_DECISION_ROW = (f"SELECT 'row' AS f, json_object('review', {_uid('review', 'NEW.review_id')}, "
                 f"'paper', {_uid('paper', 'NEW.paper_id')}, 'stage', NEW.stage, 'reviewer', NEW.reviewer, "
                 "'verdict', NEW.verdict, 'reason', NEW.reason, 'note', NEW.note, 'decided', NEW.decided, "
                 "'final', NEW.final, 'withdrawn', NEW.withdrawn) AS v")

_REVIEW_SOURCE = ("SELECT 'source:' || lower(hex(randomblob(8))) AS f, json_object('kind', NEW.kind, "
                  "'label', NEW.label, 'records', NEW.records, 'duplicates', NEW.duplicates, 'added', NEW.added) AS v")
"""A review's record source (for PRISMA) is a field of its own: sources only ever get added."""

# reviews with their records and record sources, append-only screening decisions, and attached files' metadata
SHARED_REVIEWS_MIGRATION = f"""
    {_entity_triggers('review', 'reviews', REVIEW_COLUMNS)}
    CREATE TRIGGER sync_review_records_insert AFTER INSERT ON review_records WHEN {_ON} BEGIN
        {_log('review', 'NEW.review_id', f"SELECT 'record:' || {_uid('paper', 'NEW.paper_id')} AS f, 'true' AS v")}
    END;
    CREATE TRIGGER sync_review_records_delete AFTER DELETE ON review_records
    WHEN {_ON} AND EXISTS (SELECT 1 FROM reviews WHERE id = OLD.review_id) BEGIN
        {_log('review', 'OLD.review_id', f"SELECT 'record:' || {_uid('paper', 'OLD.paper_id')} AS f, 'null' AS v")}
    END;
    CREATE TRIGGER sync_review_sources_insert AFTER INSERT ON review_sources WHEN {_ON} BEGIN
        {_log('review', 'NEW.review_id', _REVIEW_SOURCE)}
    END;
    CREATE TRIGGER sync_review_decisions_insert AFTER INSERT ON review_decisions WHEN {_ON} BEGIN
        {_new_key('decision', 'NEW.id')}
        {_log('decision', 'NEW.id', _DECISION_ROW)}
    END;
    CREATE TRIGGER sync_review_decisions_withdraw AFTER UPDATE OF withdrawn ON review_decisions
    WHEN {_ON} AND NEW.withdrawn = 1 AND OLD.withdrawn = 0 BEGIN
        {_log('decision', 'NEW.id', "SELECT 'withdrawn' AS f, 'true' AS v")}
    END;
    CREATE TRIGGER sync_files_insert AFTER INSERT ON files WHEN {_ON} BEGIN
        {_new_key('file', 'NEW.id')}
        {_log('file', 'NEW.id', _FILE_VALUES)}
    END;
    CREATE TRIGGER sync_files_update AFTER UPDATE OF name, kind, sha256, size ON files WHEN {_ON} BEGIN
        {_log('file', 'NEW.id', _changed_columns(('name', 'kind', 'sha256', 'size')))}
    END;
    CREATE TRIGGER sync_files_delete AFTER DELETE ON files WHEN {_ON} BEGIN
        {_log('file', 'OLD.id', "SELECT '_deleted' AS f, 'true' AS v")}
    END;
"""


@dataclass(frozen=True)
class Link:
    conninfo: str
    client: str
    pulled_rev: int
    last_sync: str | None
    last_error: str | None


@dataclass(frozen=True)
class Queued:
    """One queued field change, with the entity's shared id."""

    seq: int
    kind: str
    local_id: int
    uid: str
    field: str
    value: Any
    base: int


def link(conn: sqlite3.Connection) -> Link | None:
    row = conn.execute("SELECT conninfo, client, pulled_rev, last_sync, last_error FROM sync_link").fetchone()
    return Link(row[0], row[1], int(row[2]), row[3], row[4]) if row else None


def create_link(conn: sqlite3.Connection, conninfo: str, client: str, pulled_rev: int) -> None:
    conn.execute("INSERT INTO sync_link(one, conninfo, client, pulled_rev, capture) VALUES (1, ?, ?, ?, 1)",
                 (conninfo, client, pulled_rev))


def drop_link(conn: sqlite3.Connection) -> int:
    """Forget the shared library (``lectern unshare``); returns the unsent changes dropped."""
    unsent = int(conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])
    for table in ("sync_link", "sync_outbox", "sync_keys", "sync_conflicts", "sync_resolutions"):
        conn.execute(f"DELETE FROM {table}")
    return unsent


def record_sync(conn: sqlite3.Connection, when: str, error: str | None) -> None:
    if error is None:
        conn.execute("UPDATE sync_link SET last_sync = ?, last_error = NULL", (when,))
    else:
        conn.execute("UPDATE sync_link SET last_error = ?", (error,))


def set_pulled(conn: sqlite3.Connection, rev: int) -> None:
    conn.execute("UPDATE sync_link SET pulled_rev = max(pulled_rev, ?)", (rev,))


@contextmanager
def muted(conn: sqlite3.Connection) -> Iterator[None]:
    """Inside a write transaction: changes made here (pulled from the server) are not queued."""
    conn.execute("UPDATE sync_link SET capture = 0")
    try:
        yield
    finally:
        conn.execute("UPDATE sync_link SET capture = 1")


def queued(conn: sqlite3.Connection, limit: int | None = None, *, after: int = 0) -> list[Queued]:
    """Changes waiting to be pushed with ``seq`` above ``after``, oldest first; about ``limit`` of them,
    never splitting the rows of one ``seq`` (one trigger firing)."""
    sql = ("SELECT o.seq, o.kind, o.local_id, k.uid, o.field, o.value, o.base FROM sync_outbox o "
           "JOIN sync_keys k ON k.kind = o.kind AND k.local_id = o.local_id WHERE o.seq > ?")
    params: list[int] = [after]
    if limit is not None:
        top = conn.execute("SELECT seq FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT 1 OFFSET ?",
                           (after, limit)).fetchone()
        if top is not None:
            first = int(conn.execute("SELECT min(seq) FROM sync_outbox WHERE seq > ?", (after,)).fetchone()[0])
            sql += " AND o.seq < ?"
            params.append(max(int(top[0]), first + 1))  # one seq bigger than ``limit`` goes whole
    rows = conn.execute(sql + " ORDER BY o.seq", params).fetchall()
    return [Queued(int(s), k, int(i), u, f, json.loads(v), int(b)) for s, k, i, u, f, v, b in rows]


def waiting(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM sync_outbox").fetchone()[0])


def acknowledge(conn: sqlite3.Connection, sent: list[Queued]) -> set[tuple[str, int, str]]:
    """Drop pushed rows not edited again meanwhile; returns the (kind, local_id, field) dropped."""
    dropped: set[tuple[str, int, str]] = set()
    for q in sent:
        cur = conn.execute("DELETE FROM sync_outbox WHERE kind = ? AND local_id = ? AND field = ? AND seq = ?",
                           (q.kind, q.local_id, q.field, q.seq))
        if cur.rowcount:
            dropped.add((q.kind, q.local_id, q.field))
    return dropped


def pending_fields(conn: sqlite3.Connection) -> set[tuple[str, int, str]]:
    return {(k, int(i), f) for k, i, f in conn.execute("SELECT kind, local_id, field FROM sync_outbox")}


def local_id(conn: sqlite3.Connection, kind: str, uid: str) -> int | None:
    row = conn.execute("SELECT local_id FROM sync_keys WHERE kind = ? AND uid = ?", (kind, uid)).fetchone()
    return int(row[0]) if row else None


def uid_of(conn: sqlite3.Connection, kind: str, local: int) -> str | None:
    row = conn.execute("SELECT uid FROM sync_keys WHERE kind = ? AND local_id = ?", (kind, local)).fetchone()
    return str(row[0]) if row else None


def set_key(conn: sqlite3.Connection, kind: str, local: int, uid: str) -> None:
    conn.execute("INSERT OR REPLACE INTO sync_keys(kind, local_id, uid) VALUES (?, ?, ?)", (kind, local, uid))


def assign_missing_keys(conn: sqlite3.Connection, new_uid: Any) -> None:
    """Give every paper, list, saved search, review, file and decision a shared id (before sharing)."""
    for kind, table in {**ENTITY_TABLES, "decision": "review_decisions"}.items():
        missing = [r[0] for r in conn.execute(
            f"SELECT id FROM {table} WHERE id NOT IN (SELECT local_id FROM sync_keys WHERE kind = ?)", (kind,))]
        conn.executemany("INSERT INTO sync_keys(kind, local_id, uid) VALUES (?, ?, ?)",
                         [(kind, i, new_uid()) for i in missing])


def store_conflict(conn: sqlite3.Connection, cid: int, kind: str, uid: str, field: str, server_value: Any,
                   client_value: Any, member: str, resolution: str | None) -> None:
    conn.execute(
        "INSERT INTO sync_conflicts(id, kind, uid, field, server_value, client_value, member, resolution) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET resolution = excluded.resolution",
        (cid, kind, uid, field, json.dumps(server_value, ensure_ascii=False),
         json.dumps(client_value, ensure_ascii=False), member, resolution))


def resolutions(conn: sqlite3.Connection) -> list[tuple[int, str]]:
    return [(int(i), r) for i, r in conn.execute("SELECT conflict_id, resolution FROM sync_resolutions")]


def forget_resolutions(conn: sqlite3.Connection, sent: list[tuple[int, str]]) -> None:
    conn.executemany("DELETE FROM sync_resolutions WHERE conflict_id = ? AND resolution = ?", sent)
