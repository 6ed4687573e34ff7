"""The SQLite connection: WAL, foreign keys, one connection per thread, serialised writes.

Every user action is one transaction (``with db.write() as conn``).  Reads use
the calling thread's own connection, so the GUI thread, the search thread and
the indexer never share a ``sqlite3.Connection``.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from desktop_app.storage.schema import MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)


class DatabaseError(RuntimeError):
    """The library database cannot be opened or is newer than this Lectern."""


class Database:
    """A SQLite file with per-thread connections and a single write lock."""

    def __init__(
        self,
        path: Path,
        *,
        readonly: bool = False,
        before_migration: Callable[[int, int], None] | None = None,
    ) -> None:
        self.path = path
        self.readonly = readonly
        self._local = threading.local()
        self._write_lock = threading.RLock()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        self._closed = False
        try:
            if not readonly:
                self._migrate(before_migration)
            else:
                self._check_version()
        except BaseException:
            self.close()
            raise

    # -- connections -------------------------------------------------------

    def _connect(self) -> sqlite3.Connection:
        if self._closed:
            raise DatabaseError("the library is closed")
        if self.readonly:
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        else:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("PRAGMA busy_timeout = 10000")
        if not self.readonly:
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA cache_size = -32000")
        conn.execute("PRAGMA temp_store = MEMORY")
        with self._all_lock:
            self._all.append(conn)
        return conn

    @property
    def conn(self) -> sqlite3.Connection:
        """The calling thread's connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        with self._all_lock:
            for conn in self._all:
                try:
                    conn.close()
                except sqlite3.ProgrammingError:
                    log.debug("connection already closed", exc_info=True)
            self._all.clear()
        self._closed = True
        self._local = threading.local()

    # -- transactions ------------------------------------------------------

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction; rolled back on any exception."""
        if self.readonly:
            raise DatabaseError("the library is open read-only")
        with self._write_lock:
            conn = self.conn
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            else:
                conn.execute("COMMIT")

    @contextmanager
    def read(self) -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several reads."""
        conn = self.conn
        if conn.in_transaction:
            yield conn
            return
        conn.execute("BEGIN")
        try:
            yield conn
        finally:
            conn.execute("COMMIT")

    # -- schema ------------------------------------------------------------

    def user_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def _check_version(self) -> None:
        version = self.user_version()
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{self.path} was written by a newer Lectern (schema {version}, "
                f"this one knows {SCHEMA_VERSION})"
            )

    def _migrate(self, before_migration: Callable[[int, int], None] | None) -> None:
        try:
            version = self.user_version()
        except sqlite3.DatabaseError as exc:
            raise DatabaseError(f"{self.path} is not a Lectern library: {exc}") from exc
        self._check_version()
        if version == SCHEMA_VERSION:
            return
        if version == 0:
            tables = [r[0] for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
            if tables:
                raise DatabaseError(f"{self.path} is not a Lectern library (it holds tables Lectern did not "
                                    f"create: {', '.join(sorted(tables)[:5])}); they were not touched")
        elif before_migration is not None:
            before_migration(version, SCHEMA_VERSION)
        for number in range(version, SCHEMA_VERSION):
            log.info("migrating %s to schema %d", self.path, number + 1)
            try:
                with self.write() as conn:
                    for statement in _statements(MIGRATIONS[number]):
                        conn.execute(statement)
                    conn.execute(f"PRAGMA user_version = {number + 1}")
            except sqlite3.Error as exc:
                raise DatabaseError(f"cannot upgrade {self.path} to schema {number + 1}: {exc} (it stays at "
                                    f"schema {number}; the backup taken before upgrading is in its backups "
                                    "folder)") from exc


def _statements(script: str) -> Iterator[str]:
    """Split a migration script into statements (``executescript`` would commit on its own)."""
    buffer = ""
    for line in script.splitlines(keepends=True):
        if line.strip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                yield buffer.strip()
            buffer = ""
    if buffer.strip():
        yield buffer.strip()
