"""Attached files: copy (or link) PDFs into ``<library>/files/``, list, detach, purge.

A copied file lives at ``files/<paper id>/<name>`` (paper ids are never reused,
so two papers never collide); the same content attached again is found by
its SHA-256 and shares the stored copy.  File rows outlive a deleted paper
(undo and the Trash bring them back); ``purge_deleted`` removes the rows and
the stored copies of papers deleted for good.  Every change queues the file
for the full-text index in the same transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.core.changes import Changes
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import Problem, utc_now
from desktop_app.storage import files as store
from desktop_app.storage.db import Database
from desktop_app.storage.files import FILE_KINDS, FileRow

log = logging.getLogger(__name__)
__all__ = ["FILE_KINDS", "AttachOutcome", "Attachments", "FileRow", "file_hash", "safe_name"]

FILES_DIR = "files"
MAX_ATTACH_BYTES = 2 * 1024 * 1024 * 1024  # any file may be attached; only PDFs up to 200 MB are read
_UNSAFE = re.compile(r"[^\w.+-]+")


@dataclass
class AttachOutcome:
    attached: list[FileRow] = field(default_factory=list)
    already: list[FileRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)

    def summary(self) -> str:
        text = f"attached {len(self.attached)} file{'s' if len(self.attached) != 1 else ''}"
        if self.already:
            text += f", {len(self.already)} already attached"
        return text + (f", {len(self.problems)} problems" if self.problems else "")


def file_hash(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


def safe_name(name: str) -> str:
    """A file name that is safe on every file system, keeping the extension."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = _UNSAFE.sub("_", stem).strip("._")[:80] or "file"
    ext = _UNSAFE.sub("", ext)[:10].lower()
    return f"{stem}.{ext}" if ext else stem


class Attachments:
    """The files of one library (its ``files/`` folder and ``files`` table)."""

    def __init__(self, directory: Path, db: Database) -> None:
        self.directory = directory
        self.db = db
        self.root = directory / FILES_DIR

    # -- reads ------------------------------------------------------------------------

    def files(self, paper_id: int) -> list[FileRow]:
        return store.of_paper(self.db.conn, paper_id)

    def file(self, file_id: int) -> FileRow:
        row = store.get(self.db.conn, file_id)
        if row is None:
            raise NotFoundError(f"no attached file with id {file_id}")
        return row

    def path_of(self, row: FileRow) -> Path:
        return Path(row.path) if row.linked else self.root / row.path

    def counts(self, paper_ids: Sequence[int]) -> dict[int, int]:
        return store.counts(self.db.conn, list(paper_ids))

    # -- writes -----------------------------------------------------------------------

    def attach(self, paper_id: int, paths: Sequence[Path | str], *, link: bool = False,
               kind: str = "paper") -> AttachOutcome:
        """Copy (or link) ``paths`` to the paper; a file that cannot be read is a problem, not an error."""
        if kind not in FILE_KINDS:
            raise InvalidInputError(f"a file's kind is one of {', '.join(FILE_KINDS)}, not {kind!r}")
        if not store_has_paper(self.db, paper_id):
            raise NotFoundError(f"no paper with id {paper_id}")
        outcome = AttachOutcome()
        for raw in paths:
            source = Path(raw)
            try:
                self._attach_one(paper_id, source, link, kind, outcome)
            except OSError as exc:
                outcome.problems.append(Problem(source=str(source), reason=f"cannot attach: {exc.strerror or exc}"))
        if outcome.attached:
            outcome.changes = Changes(modified=frozenset({paper_id}), label="attach file")
        return outcome

    def _attach_one(self, paper_id: int, source: Path, link: bool, kind: str, outcome: AttachOutcome) -> None:
        if not source.is_file():
            outcome.problems.append(Problem(source=str(source), reason="no such file"))
            return
        if source.stat().st_size > MAX_ATTACH_BYTES:
            outcome.problems.append(Problem(source=str(source), reason="too large to attach (over 2 GB)"))
            return
        sha, size = file_hash(source)
        conn = self.db.conn
        same = store.with_hash(conn, sha)
        mine = next((r for r in same if r.paper_id == paper_id), None)
        if mine is not None and mine.path:
            outcome.already.append(mine)
            return
        stored_copy = next((r for r in same if not r.linked and (self.root / r.path).is_file()), None)
        if link:
            rel = str(source.resolve())
        elif stored_copy is not None:  # the same content is stored already: share it
            rel = stored_copy.path
        else:
            rel = self._copy_in(paper_id, source, sha)
        with self.db.write() as wconn:
            if mine is not None:  # a shared library's file that was not on this computer: now it is
                fid = mine.id
                store.fill_in(wconn, fid, rel, link)
            else:
                fid = store.insert(wconn, paper_id=paper_id, path=rel, name=source.name, kind=kind, sha256=sha,
                                   size=size, linked=link, added=utc_now().isoformat())
            store.enqueue_text(wconn, [fid])
        row = store.get(self.db.conn, fid)
        assert row is not None
        outcome.attached.append(row)

    def _copy_in(self, paper_id: int, source: Path, sha: str) -> str:
        folder = self.root / str(paper_id)
        folder.mkdir(parents=True, exist_ok=True)
        name = safe_name(source.name)
        target = folder / name
        number = 1
        while target.exists():
            if file_hash(target)[0] == sha:
                return str(target.relative_to(self.root))
            number += 1
            stem, dot, ext = name.rpartition(".")
            target = folder / (f"{stem}-{number}.{ext}" if dot else f"{name}-{number}")
        partial = target.with_name(target.name + ".partial")
        shutil.copyfile(source, partial)
        partial.replace(target)
        return str(target.relative_to(self.root))

    def detach(self, file_ids: Sequence[int], *, delete_stored: bool = True) -> Changes:
        """Remove files from their papers; a stored copy no other row uses is deleted from disk."""
        rows = [self.file(f) for f in file_ids]
        with self.db.write() as conn:
            store.delete(conn, [r.id for r in rows])
            store.enqueue_text(conn, [r.id for r in rows])
        if delete_stored:
            self._remove_unused(rows)
        return Changes(modified=frozenset(r.paper_id for r in rows), label="detach file")

    def set_kind(self, file_id: int, kind: str) -> Changes:
        if kind not in FILE_KINDS:
            raise InvalidInputError(f"a file's kind is one of {', '.join(FILE_KINDS)}, not {kind!r}")
        row = self.file(file_id)
        with self.db.write() as conn:
            store.set_kind(conn, file_id, kind)
        return Changes(modified=frozenset({row.paper_id}), label="change file kind")

    def refresh(self, file_id: int) -> Changes:
        """Re-read a file that changed on disk (a linked file edited elsewhere): new hash, new text."""
        row = self.file(file_id)
        sha, size = file_hash(self.path_of(row))
        with self.db.write() as conn:
            conn.execute("UPDATE files SET sha256 = ?, size = ?, pages = NULL, text_status = 'pending' "
                         "WHERE id = ?", (sha, size, file_id))
            store.enqueue_text(conn, [file_id])
        return Changes(modified=frozenset({row.paper_id}), label="refresh file")

    def purge_deleted(self, paper_ids: Sequence[int] | None = None) -> int:
        """Forget the files of papers deleted for good (those of ``paper_ids``, or all such).

        The Trash calls this when it is emptied; a paper still in SQLite keeps its files.
        Returns how many file rows went.
        """
        rows = store.orphaned(self.db.conn, paper_ids)
        if not rows:
            return 0
        with self.db.write() as conn:
            store.delete(conn, [r.id for r in rows])
            store.enqueue_text(conn, [r.id for r in rows])
        self._remove_unused(rows)
        return len(rows)

    def _remove_unused(self, rows: Sequence[FileRow]) -> None:
        conn = self.db.conn
        for row in rows:
            if row.linked or store.users_of_path(conn, row.path, False):
                continue  # a linked file is the user's; a shared copy is still used
            path = self.root / row.path
            try:
                path.unlink(missing_ok=True)
                if path.parent != self.root and not any(path.parent.iterdir()):
                    path.parent.rmdir()
            except OSError:
                log.warning("could not remove the stored file %s", path, exc_info=True)


def store_has_paper(db: Database, paper_id: int) -> bool:
    return db.conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is not None
