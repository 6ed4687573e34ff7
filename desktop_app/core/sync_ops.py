"""Sync a local library with its shared copy on PostgreSQL: share, join, push, pull, conflicts.

The local SQLite library stays the desktop's source of truth.  Edits reach
the outbox through triggers (``storage/outbox.py``); ``sync_once`` pushes them,
keeps the server's answer for conflicts, then pulls what others changed and
applies it with capture muted, queueing the index work like any other write.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import psycopg

from desktop_app.core.sync_apply import COLUMNS, Applier, Group
from desktop_app.domain.errors import InvalidInputError, LecternError, NotFoundError
from desktop_app.storage import outbox as box
from desktop_app.storage import queue
from desktop_app.sync import schema, server
from desktop_app.sync.conninfo import OfflineError, connect, describe, without_password
from desktop_app.sync.server import DELETED, Change

if TYPE_CHECKING:
    from desktop_app.core.library import Library

log = logging.getLogger(__name__)

PUSH_BATCH = 2000
APPLY_BATCH = 1000


class SyncError(LecternError):
    """A shared-library operation cannot be done (the message says why)."""


@dataclass
class SyncReport:
    pushed: int = 0
    pulled: int = 0
    revision: int = 0
    new_conflicts: int = 0
    waiting: int = 0
    open_conflicts: int = 0
    touched: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "touched"}


@dataclass(frozen=True)
class SyncStatus:
    shared: bool
    server: str = ""
    waiting: int = 0
    conflicts: int = 0
    last_sync: str | None = None
    last_error: str | None = None

    @property
    def state(self) -> str:
        if not self.shared:
            return "local"
        if self.last_error:
            return "offline"
        if self.conflicts:
            return "conflicts"
        return "waiting" if self.waiting else "synced"


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _new_uid() -> str:
    return str(uuid.uuid4())


def _writable(library: Library) -> None:
    if library.readonly:
        raise SyncError("the library is open read-only (another Lectern has it open)")


def status(library: Library) -> SyncStatus:
    conn = library.db.conn
    link = box.link(conn)
    if link is None:
        return SyncStatus(shared=False)
    conflicts = int(conn.execute("SELECT count(*) FROM sync_conflicts WHERE resolution IS NULL").fetchone()[0])
    return SyncStatus(True, describe(link.conninfo), box.waiting(conn), conflicts, link.last_sync, link.last_error)


def _clean_conninfo(conninfo: str, warn: Callable[[str], None]) -> str:
    clean, had_password = without_password(conninfo)
    if had_password:
        warn("the password in the connection string is used now but not saved; put it in ~/.pgpass "
             "(or a service file, or PGPASSWORD) for later syncs")
    return clean


# -- share, join, unshare -------------------------------------------------------------------


def share(library: Library, conninfo: str, warn: Callable[[str], None] = log.warning) -> int:
    """Publish this library to an empty PostgreSQL database; returns the papers sent."""
    _writable(library)
    clean = _clean_conninfo(conninfo, warn)
    if box.link(library.db.conn) is not None:
        raise SyncError("this library is already shared (`lectern unshare` first)")
    client = _new_uid()
    with _server_errors(), connect(conninfo) as conn:
        schema.migrate(conn)
        if conn.execute("SELECT EXISTS (SELECT 1 FROM fields)").fetchone()[0]:  # type: ignore[index]
            raise SyncError(f"{describe(clean)} already holds a shared library; use `lectern join`")
        with library.db.write() as lconn:
            box.assign_missing_keys(lconn, _new_uid)
            rev = server.upload(conn, client, _library_values(lconn), _library_decisions(lconn))
            box.create_link(lconn, clean, client, rev)
    return library.count()


def join(library: Library, conninfo: str, warn: Callable[[str], None] = log.warning) -> SyncReport:
    """Make this (empty) library a replica of the shared one and pull everything."""
    _writable(library)
    clean = _clean_conninfo(conninfo, warn)
    conn = library.db.conn
    if box.link(conn) is not None:
        raise SyncError("this library is already shared (`lectern unshare` first)")
    if library.count() or library.reading_lists() or library.saved_searches():
        raise SyncError(f"{library.directory} is not empty; join into a new library folder (--library DIR)")
    with _server_errors(), connect(conninfo) as server_conn:
        schema.check_version(server_conn)
        with library.db.write() as lconn:
            box.create_link(lconn, clean, _new_uid(), 0)
        try:
            return _sync(library, server_conn)
        except BaseException:
            with library.db.write() as lconn:  # nothing was applied: stay a plain library
                box.drop_link(lconn)
            raise


def unshare(library: Library) -> int:
    """Detach: the library stays as a plain local one; returns unsent changes dropped."""
    _writable(library)
    with library.db.write() as lconn:
        if box.link(lconn) is None:
            raise SyncError("this library is not shared")
        return box.drop_link(lconn)


def _library_values(conn: sqlite3.Connection) -> Iterator[tuple[str, str, str, Any]]:
    keys = {(k, int(i)): u for k, i, u in conn.execute("SELECT kind, local_id, uid FROM sync_keys")}
    for kind, table in box.ENTITY_TABLES.items():
        columns = COLUMNS[kind]
        selected = ["paper_id" if c == "paper" else c for c in columns]
        for row in conn.execute(f"SELECT id, {', '.join(selected)} FROM {table}"):
            if kind == "file":  # a file names its paper by shared id; files of trashed papers stay here
                paper = keys.get(("paper", int(row[1])))
                if paper is None:
                    continue
                row = (row[0], paper, *row[2:])
            uid = keys[(kind, int(row[0]))]
            yield kind, uid, DELETED, False
            for name, value in zip(columns, row[1:], strict=True):
                yield kind, uid, name, value
    for pid, body in conn.execute("SELECT paper_id, body FROM notes"):
        yield "paper", keys[("paper", int(pid))], "note", body
    for pid, name in conn.execute("SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id"):
        yield "paper", keys[("paper", int(pid))], "tag:" + name, True
    for lid, pid, position in conn.execute("SELECT list_id, paper_id, position FROM list_items"):
        yield "list", keys[("list", int(lid))], "item:" + keys[("paper", int(pid))], position
    for rid, pid in conn.execute("SELECT review_id, paper_id FROM review_records"):
        if ("paper", int(pid)) in keys:  # records of papers in the Trash stay here
            yield "review", keys[("review", int(rid))], "record:" + keys[("paper", int(pid))], True


    for rid, kind, label, records, duplicates, added in conn.execute(
            "SELECT review_id, kind, label, records, duplicates, added FROM review_sources"):
        yield "review", keys[("review", int(rid))], "source:" + uuid.uuid4().hex[:16], {
            "kind": kind, "label": label, "records": records, "duplicates": duplicates, "added": added}


def _library_decisions(conn: sqlite3.Connection) -> Iterator[tuple[str, dict[str, Any]]]:
    keys = {(k, int(i)): u for k, i, u in conn.execute("SELECT kind, local_id, uid FROM sync_keys")}
    names = ("stage", "reviewer", "verdict", "reason", "note", "decided", "final", "withdrawn")
    for did, rid, pid, *rest in conn.execute(f"SELECT id, review_id, paper_id, {', '.join(names)} "
                                             "FROM review_decisions"):
        row = dict(zip(names, rest, strict=True))
        row["final"], row["withdrawn"] = bool(row["final"]), bool(row["withdrawn"])
        paper = keys.get(("paper", int(pid)))
        if paper is not None:
            yield keys[("decision", int(did))], {"review": keys[("review", int(rid))], "paper": paper, **row}


_LATER_KINDS = {"review": "reviews", "file": "files", "decision": "review_decisions"}


def _without_key(conn: sqlite3.Connection, kind: str, table: str) -> list[int]:
    return [int(r[0]) for r in conn.execute(
        f"SELECT id FROM {table} WHERE id NOT IN (SELECT local_id FROM sync_keys WHERE kind = ?)", (kind,))]


def _queue_unshared(conn: sqlite3.Connection) -> int:
    """Queue whole the reviews, files and decisions a library shared by an older Lectern holds
    without a shared id (they were not shared then); returns how many."""
    missing = {kind: _without_key(conn, kind, table) for kind, table in _LATER_KINDS.items()}
    if not any(missing.values()):
        return 0
    for kind, ids in missing.items():
        conn.executemany("INSERT INTO sync_keys(kind, local_id, uid) VALUES (?, ?, ?)",
                         [(kind, i, _new_uid()) for i in ids])
    wanted = {box.uid_of(conn, kind, i): (kind, i) for kind, ids in missing.items() for i in ids}
    conn.execute("UPDATE sync_link SET next_seq = next_seq + 1")
    base, seq = conn.execute("SELECT pulled_rev, next_seq FROM sync_link").fetchone()
    rows = [(*wanted[uid], name, value) for kind, uid, name, value in _library_values(conn) if uid in wanted]
    rows += [(*wanted[uid], "row", row) for uid, row in _library_decisions(conn) if uid in wanted]
    conn.executemany("INSERT OR IGNORE INTO sync_outbox(kind, local_id, field, value, base, seq) "
                     "VALUES (?, ?, ?, ?, ?, ?)",
                     [(kind, local, name, json.dumps(value, ensure_ascii=False), base, seq)
                      for kind, local, name, value in rows])
    return sum(len(ids) for ids in missing.values())


# -- sync ----------------------------------------------------------------------------------------


def sync_once(library: Library) -> SyncReport:
    """Push the outbox, then pull; raises ``OfflineError`` when the server is out of reach."""
    _writable(library)
    link = box.link(library.db.conn)
    if link is None:
        raise SyncError("this library is not shared (`lectern share` or `lectern join` first)")
    try:
        with _server_errors(), connect(link.conninfo) as conn:
            schema.check_version(conn)
            return _sync(library, conn)
    except OfflineError as exc:
        with library.db.write() as lconn:
            box.record_sync(lconn, _now(), str(exc))
        raise


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


@contextmanager
def _server_errors() -> Iterator[None]:
    """Database errors as Lectern errors with one line of reason (details in the log)."""
    try:
        yield
    except OfflineError:
        raise
    except psycopg.OperationalError as exc:
        raise OfflineError(f"lost the shared library during sync: {_first_line(exc)}") from exc
    except psycopg.errors.InsufficientPrivilege as exc:
        raise SyncError(f"the server refused: {_first_line(exc)} (is your role a member of "
                        f"{schema.MEMBER_ROLE}?)") from exc
    except psycopg.Error as exc:
        log.exception("shared library error")
        raise SyncError(f"the shared library refused the sync: {_first_line(exc)}") from exc
    except sqlite3.Error as exc:
        log.exception("applying the shared library's changes failed")
        raise SyncError(f"could not apply the shared library's changes here: {exc}") from exc


def _sync(library: Library, conn: psycopg.Connection) -> SyncReport:
    report = SyncReport()
    if any(_without_key(library.db.conn, kind, table) for kind, table in _LATER_KINDS.items()):
        with library.db.write() as lconn:
            _queue_unshared(lconn)
    _push_all(library, conn, report)
    _pull(library, conn, report)
    with library.db.write() as lconn:
        box.record_sync(lconn, _now(), None)
    state = status(library)
    report.waiting, report.open_conflicts = state.waiting, state.conflicts
    return report


def _push_all(library: Library, conn: psycopg.Connection, report: SyncReport) -> None:
    link = box.link(library.db.conn)
    assert link is not None
    after = 0
    resolved = box.resolutions(library.db.conn)
    while True:
        batch = box.queued(library.db.conn, PUSH_BATCH, after=after)
        if not batch and not resolved:
            return
        after = max((q.seq for q in batch), default=after)  # rows left unacknowledged wait for the next sync
        changes = [Change(q.seq, q.kind, q.uid, q.field, q.value, q.base) for q in batch]
        result = server.push(conn, link.client, changes, resolved)
        with library.db.write() as wconn:
            dropped = box.acknowledge(wconn, [q for q in batch if q.seq <= result.applied_seq])
            box.forget_resolutions(wconn, resolved)
            fixes: list[Group] = [(c.kind, c.key, {c.field: c.value}) for c in result.corrections
                                  if (c.kind, box.local_id(wconn, c.kind, c.key), c.field) in dropped]
            with box.muted(wconn):
                report.touched |= _apply(library, wconn, fixes, set(), None)
            for conflict in result.conflicts:
                box.store_conflict(wconn, conflict.id, conflict.kind, conflict.key, conflict.field,
                                   conflict.server_value, conflict.client_value, conflict.member, None)
        report.pushed += len(batch)
        report.new_conflicts += len(result.conflicts)
        resolved = []


def _pull(library: Library, conn: psycopg.Connection, report: SyncReport) -> None:
    link = box.link(library.db.conn)
    assert link is not None
    since = link.pulled_rev
    with server.pull(conn, since) as change:
        if change.until <= since and not change.conflicts:
            report.revision = since
            return
        with library.db.write() as lconn:
            pending = box.pending_fields(lconn)
            with box.muted(lconn):
                for batch in _batches(change.entities, APPLY_BATCH):
                    report.touched |= _apply(library, lconn, batch, pending, conn)
                    report.pulled += sum(len(fields) for _kind, _key, fields in batch)
                report.pulled += Applier(lconn, pending, None).decisions(change.decisions)
            for c in change.conflicts:
                box.store_conflict(lconn, c.id, c.kind, c.key, c.field, c.server_value, c.client_value,
                                   c.member, c.resolution)
            # Our own edits that lost a race: take the server's value (the push's answer may have been lost).
            lost = {(c.kind, c.key, c.field) for c in change.conflicts
                    if c.client == link.client and c.resolution is None and c.field != DELETED}
            if lost:
                current = server.values(conn, lost)
                with box.muted(lconn):
                    fixes: list[Group] = [(k, key, {f: v}) for (k, key, f), v in current.items()]
                    report.touched |= _apply(library, lconn, fixes, box.pending_fields(lconn), None)
            box.set_pulled(lconn, change.until)
        report.revision = change.until


def _batches(entities: Iterable[tuple[str, str, int, dict[str, Any]]], size: int) -> Iterator[list[Group]]:
    batch: list[Group] = []
    for kind, key, _rev, fields in entities:
        batch.append((kind, key, fields))
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


# -- applying server values locally ------------------------------------------------------------


def _apply(library: Library, conn: sqlite3.Connection, groups: list[Group],
           pending: set[tuple[str, int, str]], server_conn: psycopg.Connection | None) -> set[int]:
    """Write server values into SQLite (the caller mutes capture); returns papers touched."""
    fetch = (lambda kind, key: server.entity(server_conn, kind, key)) if server_conn is not None else None
    places = (lambda uid: server.places(server_conn, uid)) if server_conn is not None else None
    applier = Applier(conn, pending, fetch, places)
    applier.apply(groups)
    applier.finish()
    seq = library.clock.next()
    queue.enqueue(conn, queue.PAPER_QUEUE, applier.touched, seq)
    queue.enqueue(conn, queue.NOTE_QUEUE, applier.notes, seq)
    return applier.touched


# -- conflicts ------------------------------------------------------------------------------------


def conflicts(library: Library, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Conflicts kept for this library, newest first, with the paper's citation key (or the list's,
    saved search's, review's or file's name) when known."""
    conn = library.db.conn
    where = "" if include_resolved else "WHERE c.resolution IS NULL"
    rows = conn.execute(
        "SELECT c.id, c.kind, c.uid, c.field, c.server_value, c.client_value, c.member, c.resolution, "
        "coalesce(p.citekey, dp.citekey), l.name, coalesce(s.name, r.name, f.name) FROM sync_conflicts c "
        "LEFT JOIN sync_keys k ON k.kind = c.kind AND k.uid = c.uid "
        "LEFT JOIN papers p ON c.kind = 'paper' AND p.id = k.local_id "
        "LEFT JOIN lists l ON c.kind = 'list' AND l.id = k.local_id "
        "LEFT JOIN saved_searches s ON c.kind = 'search' AND s.id = k.local_id "
        "LEFT JOIN reviews r ON c.kind = 'review' AND r.id = k.local_id "
        "LEFT JOIN files f ON c.kind = 'file' AND f.id = k.local_id "
        "LEFT JOIN review_decisions d ON c.kind = 'decision' AND d.id = k.local_id "
        "LEFT JOIN papers dp ON dp.id = d.paper_id "
        f"{where} ORDER BY c.id DESC").fetchall()
    return [{"id": cid, "kind": kind, "uid": uid, "field": name, "kept": json.loads(sv) if sv else None,
             "other": json.loads(cv) if cv else None, "by": member, "resolution": resolution,
             "entity": citekey or list_name or search_name
             or ("(a screening decision not shown here)" if kind == "decision" else "(deleted)")}
            for cid, kind, uid, name, sv, cv, member, resolution, citekey, list_name, search_name in rows]


def resolve(library: Library, conflict_id: int, take: str) -> None:
    """Settle a conflict: ``kept`` leaves the shared value, ``other`` makes the other value win."""
    _writable(library)
    if take not in ("kept", "other"):
        raise InvalidInputError("resolve with --take kept or --take other")
    match = [c for c in conflicts(library) if c["id"] == conflict_id]
    if not match:
        raise NotFoundError(f"no open conflict {conflict_id}")
    conflict = match[0]
    if conflict["kind"] == "decision" and take == "other":
        raise SyncError("only a member of the arbiter role can rule on a shared review; take kept")
    with library.db.write() as conn:
        if take == "other":
            local = box.local_id(conn, conflict["kind"], conflict["uid"])
            value = conflict["other"]
            if local is None or value is None:
                raise SyncError("the other side of this conflict is a deletion or a deleted item; "
                                "take kept, or restore it by hand")
            applier = Applier(conn, set(), None)
            applier.update(conflict["kind"], local, {conflict["field"]: value})
            applier.finish()
            seq = library.clock.next()
            queue.enqueue(conn, queue.PAPER_QUEUE, applier.touched, seq)
            queue.enqueue(conn, queue.NOTE_QUEUE, applier.notes, seq)
        conn.execute("INSERT OR REPLACE INTO sync_resolutions(conflict_id, resolution) VALUES (?, ?)",
                     (conflict_id, take))
        conn.execute("UPDATE sync_conflicts SET resolution = ? WHERE id = ?", (take, conflict_id))


# -- continuous sync -----------------------------------------------------------------------------


class SyncLoop:
    """Continuous sync on its own thread: after ``wake()`` (a local edit), on a NOTIFY from
    another client, or every ``interval`` seconds; ``on_state`` hears the state after each round."""

    def __init__(self, library: Library, on_state: Callable[[SyncStatus, SyncReport | None], None],
                 *, interval: float = 30.0, retry: float = 5.0) -> None:
        self.library = library
        self.on_state = on_state
        self.interval = interval
        self.retry = retry
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="lectern-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            link = box.link(self.library.db.conn)
            if link is None:
                return
            try:
                with connect(link.conninfo) as listener:
                    server.listen(listener)
                    while not self._stop.is_set():
                        self._wake.clear()
                        report = sync_once(self.library)
                        self.on_state(status(self.library), report)
                        self._wait(listener)
            except (LecternError, psycopg.Error) as exc:
                log.info("sync paused: %s", exc)
                with self.library.db.write() as lconn:
                    box.record_sync(lconn, _now(), _first_line(exc))
                self.on_state(status(self.library), None)
                self._wake.wait(self.retry)
                self._wake.clear()

    def _wait(self, listener: psycopg.Connection) -> None:
        deadline = time.monotonic() + self.interval
        while not self._stop.is_set() and not self._wake.is_set() and time.monotonic() < deadline:
            if server.wait_for_change(listener, timeout=0.2):
                return
