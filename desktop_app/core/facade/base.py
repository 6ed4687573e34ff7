"""The library's shared state: opening, closing, locking, identity, undo and write hooks."""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Self

from desktop_app.core.arxiv_fetch import Fetch, fetch_atom
from desktop_app.core.changes import Changes
from desktop_app.core.indexing import BackgroundIndexer, Indexer
from desktop_app.core.lock import LibraryLock
from desktop_app.core.paths import BACKUP_DIR, DATABASE, INDEX_DIR, LOCK_FILE
from desktop_app.core.undo import UndoStack
from desktop_app.domain.errors import LecternError, NotFoundError
from desktop_app.domain.models import (
    utc_now,
)
from desktop_app.search.engine import SearchEngine
from desktop_app.search.index import SearchIndex
from desktop_app.storage import backup as backups
from desktop_app.storage import organise, queue
from desktop_app.storage import papers as store
from desktop_app.storage.db import Database, DatabaseError

log = logging.getLogger(__name__)


class LibraryBase:
    """The library's shared state: opening, closing, locking, identity, undo and write hooks."""

    def __init__(self, directory: Path, *, readonly: bool = False) -> None:
        self.directory = directory
        self.readonly = readonly
        self._lock = LibraryLock(directory / LOCK_FILE)
        self.undo_stack = UndoStack()
        self._background: BackgroundIndexer | None = None
        self._last_daily_backup: datetime | None = None
        self.index_problem: str | None = None
        self.rebuild_reason: str | None = None
        self.fetch_arxiv: Fetch | None = fetch_atom

    # -- opening and closing ---------------------------------------------------

    @classmethod
    def open(cls, directory: Path | str, *, readonly: bool = False) -> Self:
        library = cls(Path(directory), readonly=readonly)
        library._open()
        return library

    def _open(self) -> None:
        db_path = self.directory / DATABASE
        if self.readonly:
            if not db_path.exists():
                raise LecternError(f"no Lectern library at {self.directory}")
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        try:
            self.db = Database(db_path, readonly=self.readonly, before_migration=self._backup_before_migration)
            self.library_id = self._library_id()
            self.clock = queue.QueueClock(self.db.conn)
            self.index = SearchIndex(self.directory / INDEX_DIR, self.library_id)
            self.index.papers.external_writers = self.index.notes.external_writers = self.readonly
            self.engine = SearchEngine(self.index)
            self.indexer = Indexer(self.db, self.index)
            self._open_index()
        except DatabaseError as exc:
            self._lock.release()
            raise LecternError(str(exc)) from exc
        except BaseException:
            self._lock.release()
            raise

    def _library_id(self) -> str:
        existing = organise.get_setting(self.db.conn, "library_id")
        if existing or self.readonly:
            return existing
        new = uuid.uuid4().hex
        with self.db.write() as conn:
            organise.set_setting(conn, "library_id", new)
        return new

    def _open_index(self) -> None:
        reason = self.index.open()
        if reason is None:
            self.index_problem = None
            return
        if self.readonly:
            self.index_problem = reason
            return
        if self.count():
            log.warning("rebuilding the search index: %s", reason)
        self._reset_index()
        self.index_problem = None
        self.rebuild_reason = reason

    def _reset_index(self) -> None:
        with self.indexer.write_lock:
            self.index.close()
            self.index.create()
            with self.db.write() as conn:
                queue.enqueue_all(conn, self.clock.next())
        self._catch_up_notes()

    def _backup_before_migration(self, old: int, new: int) -> None:
        backups.backup_database(self.directory / DATABASE, self.directory / BACKUP_DIR,
                                reason=f"schema{old}to{new}")

    def close(self) -> None:
        self.stop_background_indexing()
        if hasattr(self, "index"):
            self.index.close()
        if hasattr(self, "db"):
            self.db.close()
        self._lock.release()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_writable(self) -> None:
        if self.readonly:
            raise LecternError("the library is open read-only (another Lectern process is writing it)")

    # -- identity --------------------------------------------------------------

    def resolve(self, ref: int | str) -> int:
        """A paper id from an id or a citation key."""
        conn = self.db.conn
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            pid = int(ref)
            if store.existing_ids(conn, [pid]):
                return pid
            by_key = store.id_for_citekey(conn, str(ref))
            if by_key is not None:
                return by_key
            raise NotFoundError(f"no paper with id {pid}")
        pid_for_key = store.id_for_citekey(conn, ref)
        if pid_for_key is None:
            raise NotFoundError(f"no paper with id or citation key {ref!r}")
        return pid_for_key

    def resolve_many(self, refs: Iterable[int | str]) -> list[int]:
        return [self.resolve(r) for r in refs]


    def count(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0])


    def _list_id(self, name: str) -> int:
        row = organise.list_row(self.db.conn, name)
        if row is None:
            raise NotFoundError(f"no reading list named {name!r}")
        return row[0]


    def _now(self) -> datetime:
        return utc_now()

    def _touch(self, conn: sqlite3.Connection, ids: Iterable[int]) -> None:
        queue.enqueue(conn, queue.PAPER_QUEUE, ids, self.clock.next())


    @property
    def background_indexing(self) -> bool:
        """Whether a background process indexes this library's papers."""
        return self._background is not None


    # -- undo ------------------------------------------------------------------------------

    @property
    def undo_label(self) -> str | None:
        return self.undo_stack.next_label

    def undo(self) -> Changes | None:
        """Revert the last undoable change; None when there is nothing to undo."""
        self._require_writable()
        step = self.undo_stack.pop()
        if step is None:
            return None
        changes = step.revert()
        self.undo_stack.undone(step)
        self._after_write()
        return Changes(**{**changes.__dict__, "label": "undo " + step.label})

    @property
    def redo_label(self) -> str | None:
        return self.undo_stack.next_redo_label

    def redo(self) -> Changes | None:
        """Run the last undone change again; None when there is nothing to redo."""
        self._require_writable()
        step = self.undo_stack.pop_redo()
        if step is None or step.redo is None:
            return None
        with self.undo_stack.replaying():
            changes = step.redo()
        return Changes(**{**changes.__dict__, "label": "redo " + step.label})

    # -- index ------------------------------------------------------------------------------

    def _after_write(self, *, notes_now: bool = False) -> None:
        # Notes are few: this process indexes them at once (the background process only
        # indexes papers), so a saved note is searchable even while an import indexes.
        if notes_now:
            self._catch_up_notes()
        background = self._background
        if background is not None:
            background.wake()
        self._maybe_daily_backup()

    def _catch_up_notes(self) -> None:
        try:
            self.indexer.catch_up_notes()
        except Exception:  # the queue keeps the note; a later catch-up retries
            log.exception("indexing a note failed")


    def stop_background_indexing(self) -> None:
        background, self._background = self._background, None
        if background is not None:
            background.stop()
            self.index.papers.external_writers = self.readonly


    # -- backups --------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> Path:
        return backups.backup_database(self.directory / DATABASE, self.directory / BACKUP_DIR, reason=reason)

    def backups(self) -> list[Path]:
        return backups.list_backups(self.directory / BACKUP_DIR)

    def _maybe_daily_backup(self) -> None:
        now = datetime.now(UTC)
        if self._last_daily_backup and now - self._last_daily_backup < timedelta(hours=1):
            return
        self._last_daily_backup = now
        latest = backups.latest_backup_time(self.directory / BACKUP_DIR)
        if latest is None or now - latest > timedelta(days=1):
            try:
                self.backup("daily")
            except (OSError, sqlite3.Error):
                log.exception("daily backup failed")
