"""Full text of attached PDFs: extract in a time-limited child, cache the text, index the pages.

``FulltextIndexer.catch_up`` drains the ``fulltext_queue`` a few files per
commit: a queued file still attached is read (from the text cache, keyed by
content hash, else by the extraction child) and its pages replace the old
ones; a queued file no longer attached loses its pages.  It runs in the
caller's thread (CLI) or in ``BackgroundFulltext``'s child process (the
window), with progress.  The text cache ``fulltext/text/`` makes a rebuilt
index cheap and gives search results their page snippets.
"""

from __future__ import annotations

import gzip
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from desktop_app.core.attachments import FILES_DIR
from desktop_app.core.child_worker import ChildWorker, serve
from desktop_app.core.indexing import IndexProgress, ProgressCallback
from desktop_app.pdf.extract import PdfText
from desktop_app.pdf.worker import PdfWorker
from desktop_app.search.fulltext import FulltextIndex, PageDoc
from desktop_app.storage import files as store
from desktop_app.storage.db import Database
from desktop_app.storage.files import FileRow

log = logging.getLogger(__name__)

FULLTEXT_DIR = "fulltext"
FILES_PER_COMMIT = 25


class TextCache:
    """Extracted page texts by content hash (``fulltext/text/ab/abcdef....json.gz``)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, sha: str) -> Path:
        return self.root / sha[:2] / f"{sha}.json.gz"

    def load(self, sha: str) -> list[str] | None:
        try:
            with gzip.open(self._path(sha), "rt", encoding="utf-8") as handle:
                data = json.load(handle)
        except (OSError, ValueError, EOFError):
            return None
        pages = data.get("pages") if isinstance(data, dict) else None
        return [str(p) for p in pages] if isinstance(pages, list) else None

    def save(self, sha: str, pages: list[str]) -> None:
        path = self._path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6) as handle:
            json.dump({"pages": pages}, handle, ensure_ascii=False)
        tmp.replace(path)

    def page(self, sha: str, number: int) -> str:
        pages = self.load(sha)
        return pages[number - 1] if pages and 0 < number <= len(pages) else ""


@dataclass
class FileResult:
    """What reading one queued file gave: its pages, or a status saying why there are none."""

    pages: list[str]
    status: str


class FulltextIndexer:
    """Moves queued files' pages into the full-text index; owns the extraction child."""

    def __init__(self, directory: Path, db: Database, index: FulltextIndex, *, time_limit: float | None = None) -> None:
        self.directory = directory
        self.db = db
        self.index = index
        self.cache = TextCache(directory / FULLTEXT_DIR / "text")
        self.write_lock = threading.Lock()
        self._worker: PdfWorker | None = None
        self.time_limit = time_limit

    def pending(self) -> int:
        return store.pending_text(self.db.conn)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _read(self, row: FileRow) -> FileResult:
        cached = self.cache.load(row.sha256)
        if cached is not None:
            return FileResult(cached, PdfText(pages=cached).status)
        if not row.path:  # a shared library's file that is not on this computer
            return FileResult([], row.text_status)
        path = Path(row.path) if row.linked else self.directory / FILES_DIR / row.path
        if not path.name.lower().endswith(".pdf") and not _looks_like_pdf(path):
            return FileResult([], "not a PDF")
        if self._worker is None:
            self._worker = PdfWorker() if self.time_limit is None else PdfWorker(self.time_limit)
        extraction = self._worker.extract(path)
        if extraction.text is None:
            return FileResult([], "problem: " + extraction.problem)
        pages = extraction.text.pages
        self.cache.save(row.sha256, pages)
        return FileResult(pages, extraction.text.status)

    def catch_up(self, progress: ProgressCallback | None = None, cancel: Callable[[], bool] | None = None) -> int:
        """Index every queued file; returns how many files were handled."""
        done = 0
        with self.write_lock:
            while not (cancel and cancel()):
                batch = store.peek_text(self.db.conn, FILES_PER_COMMIT)
                if not batch:
                    break
                pending = store.pending_text(self.db.conn)
                docs: list[PageDoc] = []
                statuses: list[tuple[int, int | None, str]] = []
                for number, (file_id, _seq) in enumerate(batch):
                    if cancel and cancel():
                        return done
                    row = store.get(self.db.conn, file_id)
                    if row is not None:
                        result = self._read(row)
                        statuses.append((file_id, len(result.pages) or None, result.status))
                        docs.extend(PageDoc(row.paper_id, file_id, n, text)
                                    for n, text in enumerate(result.pages, start=1) if text.strip())
                    if progress:  # the batch counts as pending until its commit
                        progress(IndexProgress(done + number, pending - number))
                self.index.write(docs, [file_id for file_id, _ in batch])
                with self.db.write() as conn:
                    for file_id, pages, status in statuses:
                        store.set_text(conn, file_id, pages, status)
                    store.forget_text(conn, batch)
                done += len(batch)
                if progress:
                    progress(IndexProgress(done, store.pending_text(self.db.conn)))
            if done:
                self.index.merge_if_fragmented()
        return done


def _looks_like_pdf(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return handle.read(1024).lstrip().startswith(b"%PDF")
    except OSError:
        return False


def open_fulltext_index(directory: Path, db: Database, *, readonly: bool) -> FulltextIndex:
    """The library's full-text index, rebuilt (from the text cache) when missing or damaged."""
    index = FulltextIndex(directory / FULLTEXT_DIR / "index")
    reason = index.open()
    if reason is None or readonly:
        return index
    if store.papers_with_files(db.conn):
        log.warning("rebuilding the full-text index: %s", reason)
    index.create()
    with db.write() as conn:
        store.enqueue_all_text(conn)
    return index


class BackgroundFulltext(ChildWorker):
    """Catches the full-text index up in a child process (which runs its own extraction child).

    Not a daemon: a daemonic process may not start the extraction child.  It exits when told
    to, or when the pipe to this process closes.
    """

    def __init__(self, directory: Path, on_progress: ProgressCallback | None = None,
                 on_error: Callable[[str], None] | None = None) -> None:
        super().__init__(_child_main, str(directory), name="lectern-fulltext", daemon=False,
                         on_progress=on_progress, on_error=on_error, progress_type=IndexProgress,
                         error_type=str, stop_timeout=10.0, kill_on_timeout=True)


def _child_main(directory: str, conn: Connection) -> None:
    from desktop_app.core.paths import DATABASE
    from desktop_app.logs import setup_logging

    setup_logging()
    root = Path(directory)
    db = Database(root / DATABASE)
    index = open_fulltext_index(root, db, readonly=False)
    indexer = FulltextIndexer(root, db, index)
    try:
        serve(conn, lambda report, cancel: indexer.catch_up(report, cancel=cancel), label="full-text indexing")
    finally:
        indexer.close()
        index.close()
        db.close()
