"""Rolling backups of the library database through SQLite's online backup API."""

from __future__ import annotations

import sqlite3
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from pathlib import Path

BACKUP_GLOB = "library-*.sqlite"
PARTIAL_GLOB = "library-*.partial"
STALE_PARTIAL = timedelta(hours=1)
DEFAULT_KEEP = 10


def backup_database(source: Path, directory: Path, *, reason: str = "manual", keep: int = DEFAULT_KEEP) -> Path:
    """Copy the live database (consistent even while it is written) and prune old copies."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    target = directory / f"library-{stamp}-{reason}.sqlite"
    partial = target.with_suffix(".partial")
    _copy_database(source, partial)
    partial.replace(target)
    prune_backups(directory, keep)
    return target


def list_backups(directory: Path) -> list[Path]:
    """Newest first."""
    return sorted(directory.glob(BACKUP_GLOB), reverse=True) if directory.is_dir() else []


def prune_backups(directory: Path, keep: int) -> None:
    """Keep the newest ``keep`` backups; drop copies a killed process left half-written."""
    for old in list_backups(directory)[keep:]:
        old.unlink(missing_ok=True)
    abandoned = datetime.now(UTC) - STALE_PARTIAL
    for partial in directory.glob(PARTIAL_GLOB):
        with suppress(OSError):
            if datetime.fromtimestamp(partial.stat().st_mtime, UTC) < abandoned:
                partial.unlink()


def latest_backup_time(directory: Path) -> datetime | None:
    backups = list_backups(directory)
    if not backups:
        return None
    return datetime.fromtimestamp(backups[0].stat().st_mtime, UTC)


def verify_database(path: Path) -> str | None:
    """None when ``path`` is a sound SQLite file, else the reason it is not."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return str(exc)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            return f"integrity check failed: {result}"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "papers" not in tables:
            return "not a Lectern library (no papers table)"
    except sqlite3.Error as exc:
        return str(exc)
    finally:
        conn.close()
    return None


def restore_database(backup: Path, target: Path) -> None:
    """Replace the database at ``target`` with ``backup`` (the caller holds the library lock)."""
    problem = verify_database(backup)
    if problem:
        raise ValueError(f"{backup} cannot be restored: {problem}")
    _copy_database(backup, target)


def _copy_database(source: Path, target: Path) -> None:
    """Copy ``source`` onto ``target`` page by page (consistent even while ``source`` is written)."""
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    try:
        dst = sqlite3.connect(target)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
