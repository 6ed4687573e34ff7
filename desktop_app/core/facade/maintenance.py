"""Keeping the library healthy: the index catch-up, checks, statistics and restores."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.changes import Changes
from desktop_app.core.facade.base import LibraryBase
from desktop_app.core.fulltext_check import check_fulltext
from desktop_app.core.indexing import BackgroundIndexer, Indexer, ProgressCallback
from desktop_app.core.library_files import LibraryFiles
from desktop_app.core.paths import DATABASE, INDEX_DIR
from desktop_app.domain.errors import InvalidInputError
from desktop_app.storage import backup as backups
from desktop_app.storage import organise, queue
from desktop_app.storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class CheckReport:
    papers: int = 0
    indexed: int = 0
    pending: int = 0
    pending_notes: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


@dataclass
class Stats:
    papers: int
    indexed: int
    pending_index: int
    tags: int
    lists: int
    notes: int
    unread: int
    reading: int
    read: int
    database_bytes: int
    index_bytes: int
    directory: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)



class Maintenance(LibraryBase):
    """Keeping the library healthy: the index catch-up, checks, statistics and restores."""

    def pending_index(self) -> int:
        return queue.pending(self.db.conn, queue.PAPER_QUEUE)

    def pending_notes(self) -> int:
        return queue.pending(self.db.conn, queue.NOTE_QUEUE)

    def catch_up_index(self, progress: ProgressCallback | None = None,
                       cancel: Callable[[], bool] | None = None) -> int:
        """Index everything queued, in the calling thread (or let the background process do it)."""
        self._require_writable()
        background = self._background
        if background is not None:  # one writer: the child process
            background.wake()
            background.wait_idle(timeout=3600)
            return 0
        return self.indexer.catch_up(progress, cancel)

    def rebuild_index(self, progress: ProgressCallback | None = None,
                      cancel: Callable[[], bool] | None = None) -> int:
        """Throw the index away and rebuild it from SQLite (in the background process if one runs)."""
        self._require_writable()
        background = self._background
        if background is None:
            self._reset_index()
            return self.indexer.catch_up(progress, cancel)
        callbacks = (background.on_progress, background.on_error)
        self.stop_background_indexing()
        self._reset_index()
        pending = self.indexer.pending()
        self.start_background_indexing(*callbacks)
        return pending

    def start_background_indexing(self, on_progress: ProgressCallback | None = None,
                                  on_error: Callable[[BaseException], None] | None = None) -> None:
        """Index in a child process from now on, woken after every write."""
        self._require_writable()
        if self._background is None:
            self.index.papers.external_writers = True  # the child commits papers; notes stay here
            background = BackgroundIndexer(self.directory, on_progress, on_error)
            background.start()
            self._background = background


    def wait_for_index(self, timeout: float = 120.0) -> bool:
        background = self._background
        if background is None:
            self.catch_up_index()
            return True
        return background.wait_idle(timeout)

    def check(self, *, repair: bool = True) -> CheckReport:
        """Compare SQLite with the indexes (papers, notes, PDF pages); repair (re-queue or rebuild) what disagrees."""
        report = CheckReport()
        conn = self.db.conn
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
        if integrity != "ok":
            report.problems.append(f"database integrity check failed: {integrity}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            report.problems.append(f"{len(fk)} rows break foreign keys")
        report.papers = self.count()
        report.pending = self.pending_index()
        fulltext = check_fulltext(self.files, repair=repair and not self.readonly)
        report.problems += fulltext.problems
        report.repaired += fulltext.repaired
        if self.index_problem or not self.index.is_open():
            report.problems.append(self.index_problem or "the search index is not open")
            if repair and not self.readonly:
                self._reset_index()
                self.index_problem = None
                report.repaired.append("rebuilt the search index from SQLite")
            return report
        try:
            indexed = self.index.indexed_pids()
        except Exception as exc:  # a damaged segment shows up here
            report.problems.append(f"the search index cannot be read ({type(exc).__name__})")
            if repair and not self.readonly:
                self._reset_index()
                report.repaired.append("rebuilt the search index from SQLite")
            return report
        report.indexed = len(indexed)
        stored = {r[0] for r in conn.execute("SELECT id FROM papers")}
        queued = {r[0] for r in conn.execute("SELECT paper_id FROM index_queue")}
        missing = stored - indexed - queued
        stale = indexed - stored - queued
        if missing:
            report.problems.append(f"{len(missing)} papers are missing from the search index")
        if stale:
            report.problems.append(f"{len(stale)} deleted papers are still in the search index")
        noted = {r[0] for r in conn.execute("SELECT paper_id FROM notes")}
        notes_queued = {r[0] for r in conn.execute("SELECT paper_id FROM note_queue")}
        notes_indexed = self.index.indexed_note_pids()
        notes_off = (noted ^ notes_indexed) - notes_queued
        if notes_off:
            report.problems.append(f"{len(notes_off)} notes disagree with the notes index")
        report.pending_notes = len(notes_queued)
        if (missing or stale or notes_off) and repair and not self.readonly:
            with self.db.write() as wconn:
                self._touch(wconn, missing | stale)
                queue.enqueue(wconn, queue.NOTE_QUEUE, notes_off, self.clock.next())
            report.repaired.append(f"queued {len(missing | stale)} papers and {len(notes_off)} notes for indexing")
            self._after_write()
        return report

    def stats(self) -> Stats:
        conn = self.db.conn
        by_status = dict(conn.execute("SELECT status, count(*) FROM papers GROUP BY status").fetchall())
        index_dir = self.directory / INDEX_DIR
        index_bytes = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) if index_dir.exists() else 0
        db_bytes = sum(
            (self.directory / name).stat().st_size
            for name in (DATABASE, DATABASE + "-wal") if (self.directory / name).exists()
        )
        pending = self.pending_index()
        total = self.count()
        return Stats(
            papers=total,
            indexed=total - len({r[0] for r in conn.execute("SELECT paper_id FROM index_queue WHERE paper_id IN (SELECT id FROM papers)")}),
            pending_index=pending,
            tags=int(conn.execute("SELECT count(*) FROM tags").fetchone()[0]),
            lists=int(conn.execute("SELECT count(*) FROM lists").fetchone()[0]),
            notes=int(conn.execute("SELECT count(*) FROM notes").fetchone()[0]),
            unread=int(by_status.get("unread", 0)),
            reading=int(by_status.get("reading", 0)),
            read=int(by_status.get("read", 0)),
            database_bytes=db_bytes,
            index_bytes=index_bytes,
            directory=str(self.directory),
        )


    def restore(self, backup_file: Path) -> Changes:
        """Replace the library's contents with a backup (the current state is backed up first)."""
        self._require_writable()
        problem = backups.verify_database(backup_file)
        if problem:
            raise InvalidInputError(f"{backup_file} cannot be restored: {problem}")
        self.backup("before-restore")
        self.stop_background_indexing()
        self.index.close()
        self.index.invalidate()
        self.db.close()
        backups.restore_database(backup_file, self.directory / DATABASE)
        self.db = Database(self.directory / DATABASE, before_migration=self._backup_before_migration)
        with self.db.write() as conn:
            organise.set_setting(conn, "library_id", self.library_id)
        self.clock = queue.QueueClock(self.db.conn)
        self.indexer = Indexer(self.db, self.index)
        self.files.close()
        self.files = LibraryFiles(self.directory, self.db, readonly=False)
        self._reset_index()
        self.undo_stack.clear()
        return Changes(index=True, tags=True, lists=True, searches=True, label="restore")
