"""A library's PDFs in one place: attachments, the full-text index and its indexers, PDF search.

``Library`` holds one ``LibraryFiles`` (``library.files``) and keeps only thin
methods of its own; the CLI and the window call through either.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from desktop_app.core.attachments import Attachments, AttachOutcome, file_hash
from desktop_app.core.changes import Changes
from desktop_app.core.fulltext import (
    FULLTEXT_DIR,
    BackgroundFulltext,
    FulltextIndexer,
    open_fulltext_index,
)
from desktop_app.core.fulltext_search import FulltextSearch
from desktop_app.core.indexing import ProgressCallback
from desktop_app.domain.errors import NotFoundError
from desktop_app.storage import files as store
from desktop_app.storage.db import Database
from desktop_app.storage.files import FileRow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OpenTarget:
    """What to hand the desktop's viewer: a file and (when known) the page to show."""

    path: Path
    page: int | None = None


class LibraryFiles:
    """Attach, list, detach, purge and search the files of one library."""

    def __init__(self, directory: Path, db: Database, *, readonly: bool) -> None:
        self.directory = directory
        self.db = db
        self.readonly = readonly
        self.attachments = Attachments(directory, db)
        self.index = open_fulltext_index(directory, db, readonly=readonly)
        self.indexer = FulltextIndexer(directory, db, self.index)
        self.search = FulltextSearch(db, self.index, self.indexer.cache)
        self._background: BackgroundFulltext | None = None
        self._wanted: tuple[ProgressCallback | None, Callable[[str], None] | None] | None = None

    def close(self) -> None:
        self.stop_background()
        self.indexer.close()
        self.index.close()

    # -- files ------------------------------------------------------------------------

    def attach(self, paper_id: int, paths: Sequence[Path | str], *, link: bool = False,
               kind: str = "paper") -> AttachOutcome:
        outcome = self.attachments.attach(paper_id, paths, link=link, kind=kind)
        self.wake()
        return outcome

    def detach(self, file_ids: Sequence[int]) -> Changes:
        changes = self.attachments.detach(file_ids)
        self.wake()
        return changes

    def refresh(self, file_id: int) -> Changes:
        changes = self.attachments.refresh(file_id)
        self.wake()
        return changes

    def recheck(self) -> list[str]:
        """Find files changed or gone since they were read; changed ones are read again.

        Returns one line per file that changed or is missing (linked files live outside the library).
        """
        notes: list[str] = []
        conn = self.db.conn
        for (file_id,) in conn.execute("SELECT id FROM files ORDER BY id").fetchall():
            row = self.attachments.file(file_id)
            path = self.attachments.path_of(row)
            if not row.path:
                notes.append(f"{row.name}: not on this computer (attached to paper {row.paper_id})")
                continue
            if not path.is_file():
                notes.append(f"{path}: missing (attached to paper {row.paper_id})")
                continue
            if path.stat().st_size != row.size or file_hash(path)[0] != row.sha256:
                self.refresh(row.id)
                notes.append(f"{path}: changed; its text is read again")
        return notes

    def purge_deleted(self, paper_ids: Sequence[int] | None = None) -> int:
        gone = self.attachments.purge_deleted(paper_ids)
        if gone:
            self.wake()
        return gone

    def files(self, paper_id: int) -> list[FileRow]:
        return self.attachments.files(paper_id)

    def paper_ids_with_pdf(self, paper_ids: Sequence[int]) -> set[int]:
        """Those of ``paper_ids`` with at least one attached ``.pdf`` file on this computer."""
        return store.papers_with_pdf(self.db.conn, list(paper_ids))

    def open_target(self, paper_id: int, file_id: int | None = None, page: int | None = None) -> OpenTarget:
        """The file to open for a paper (its first PDF unless ``file_id`` says which)."""
        rows = self.files(paper_id)
        if file_id is not None:
            rows = [r for r in rows if r.id == file_id]
        if not rows:
            raise NotFoundError(f"paper {paper_id} has no attached file" if file_id is None
                                else f"paper {paper_id} has no file {file_id}")
        pdfs = [r for r in rows if r.name.lower().endswith(".pdf")] or rows
        row = pdfs[0]
        path = self.attachments.path_of(row)
        if not row.path:
            raise NotFoundError(f"{row.name} is not on this computer (another member of the shared library "
                                "attached it; attach your copy to open it here)")
        if not path.exists():
            raise NotFoundError(f"the file {path} is missing (moved or deleted outside Lectern)")
        if page is not None and row.pages is not None:
            page = max(1, min(page, row.pages))
        return OpenTarget(path, page)

    # -- the full-text index ------------------------------------------------------------

    def pending(self) -> int:
        return self.indexer.pending()

    def catch_up(self, progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None) -> int:
        """Index queued files in this thread, or let the background process do it."""
        if self.readonly:
            return 0
        if self._background is not None:
            self._background.wake()
            self._background.wait_idle(timeout=3600)
            return 0
        return self.indexer.catch_up(progress, cancel)

    def rebuild(self) -> None:
        """Throw the full-text index away and queue every file (text comes back from the cache)."""
        callbacks = self._wanted
        self.stop_background()
        self.index.close()
        self.index.create()
        with self.db.write() as conn:
            store.enqueue_all_text(conn)
        if callbacks is not None:
            self.start_background(*callbacks)

    def wake(self) -> None:
        if self._background is not None:
            self._background.wake()
        elif self._wanted is not None and self.pending():
            self._launch(*self._wanted)

    def start_background(self, on_progress: ProgressCallback | None = None,
                         on_error: Callable[[str], None] | None = None) -> None:
        """Read and index files in a child process from now on; it starts with the first file to read."""
        if self.readonly or self._background is not None:
            return
        self._wanted = (on_progress, on_error)
        if self.pending():
            self._launch(on_progress, on_error)

    def _launch(self, on_progress: ProgressCallback | None, on_error: Callable[[str], None] | None) -> None:
        self.index.pages.external_writers = True
        background = BackgroundFulltext(self.directory, on_progress, on_error)
        background.start()
        self._background = background

    def stop_background(self) -> None:
        self._wanted = None
        background, self._background = self._background, None
        if background is not None:
            background.stop()
            self.index.pages.external_writers = False

    def wait_idle(self, timeout: float = 120.0) -> bool:
        if self._background is None:
            self.catch_up()
            return True
        return self._background.wait_idle(timeout)

    def index_bytes(self) -> int:
        root = self.directory / FULLTEXT_DIR / "index"
        return sum(f.stat().st_size for f in root.rglob("*") if f.is_file()) if root.exists() else 0
