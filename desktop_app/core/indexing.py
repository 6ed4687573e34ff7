"""Keeping the search index caught up with SQLite: batched, one writer, foreground or background.

``Indexer.catch_up`` drains the queues a batch at a time (one Whoosh commit
per batch), in the caller's thread (the CLI) or in ``BackgroundIndexer``'s
child process (the window); progress arrives through a plain callback, so
the CLI prints it and the GUI forwards it to a signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from desktop_app.core.child_worker import ChildWorker, serve
from desktop_app.search.documents import note_document, paper_document
from desktop_app.search.index import IndexDoc, SearchIndex
from desktop_app.storage import organise, papers, queue
from desktop_app.storage.db import Database

log = logging.getLogger(__name__)

FIRST_BATCH = 1000
MAX_BATCH = 50_000  # at 100k papers: two segments, ~460 MB peak; 20k batches left five (rare words 1.5x slower)
PROGRESS_EVERY = 500
NOTE_BATCH = 500
MAX_SEGMENTS = 10
UNMERGED_BATCH = 5000  # a batch this large takes in only the small segments (tidy() merges when idle)


class _Cancelled(Exception):
    """Raised inside a batch's document stream to abandon its commit."""


@dataclass(frozen=True)
class IndexProgress:
    done: int
    pending: int

    @property
    def total(self) -> int:
        return self.done + self.pending


ProgressCallback = Callable[[IndexProgress], None]
CancelCheck = Callable[[], bool]


class Indexer:
    """Moves queued papers and notes into the index; holds the only index writer."""

    def __init__(self, db: Database, index: SearchIndex) -> None:
        self.db = db
        self.index = index
        self.write_lock = threading.Lock()

    def pending(self) -> int:
        return queue.pending(self.db.conn, queue.PAPER_QUEUE) + queue.pending(self.db.conn, queue.NOTE_QUEUE)

    def catch_up(
        self,
        progress: ProgressCallback | None = None,
        cancel: CancelCheck | None = None,
        *,
        notes: bool = True,
    ) -> int:
        """Index everything queued; returns how many papers and notes were written.

        The first batch is small, so an import becomes searchable soon; the
        rest go in large batches: each commit costs a segment, and fewer,
        larger segments index and search faster.
        """
        done = 0
        size = FIRST_BATCH
        with self.write_lock:
            while not (cancel and cancel()):
                if notes:
                    done += self._drain_notes()
                pending = queue.pending(self.db.conn, queue.PAPER_QUEUE)
                if not pending:
                    break

                def report(written: int, pending: int = pending, done: int = done) -> None:
                    if progress:
                        progress(IndexProgress(done + written, pending - written))

                written = self._paper_batch(size, report, cancel)
                if not written:
                    break
                done += written
                size = min(MAX_BATCH, max(FIRST_BATCH, pending - written))
        return done

    def catch_up_notes(self) -> int:
        """Index queued notes only (small and quick: done right after a note is saved)."""
        with self.write_lock:
            return self._drain_notes()

    def _drain_notes(self) -> int:
        done = 0
        while written := self._note_batch(NOTE_BATCH):
            done += written
        return done

    def tidy(self, max_segments: int = MAX_SEGMENTS) -> bool:
        """Merge the paper index into one segment when commits have left too many."""
        with self.write_lock:
            return self.index.papers.merge_if_fragmented(max_segments)

    def _paper_batch(self, size: int, report: Callable[[int], None],
                     cancel: CancelCheck | None) -> int:
        conn = self.db.conn
        rows = queue.peek(conn, queue.PAPER_QUEUE, size)
        if not rows:
            return 0
        ids = [pid for pid, _ in rows]
        present = papers.existing_ids(conn, ids)
        deletes = [pid for pid in ids if pid not in present]

        wanted = [pid for pid in ids if pid in present]

        def documents() -> Iterator[IndexDoc]:
            for start in range(0, len(wanted), PROGRESS_EVERY):
                if cancel and cancel():
                    raise _Cancelled
                for paper in papers.get_papers(conn, wanted[start:start + PROGRESS_EVERY]):
                    yield paper_document(paper)
                report(min(start + PROGRESS_EVERY, len(wanted)))

        try:
            self.index.write_papers(documents(), deletes, merge=len(rows) < UNMERGED_BATCH, pids=wanted)
        except _Cancelled:
            return 0
        with self.db.write() as wconn:
            queue.forget(wconn, queue.PAPER_QUEUE, rows)
        report(len(rows))
        return len(rows)

    def _note_batch(self, size: int) -> int:
        conn = self.db.conn
        rows = queue.peek(conn, queue.NOTE_QUEUE, size)
        if not rows:
            return 0
        bodies = organise.notes_of(conn, [pid for pid, _ in rows])
        docs = [note_document(pid, body) for pid, body in bodies.items()]
        deletes = [pid for pid, _ in rows if pid not in bodies]
        self.index.write_notes(docs, deletes)
        with self.db.write() as wconn:
            queue.forget(wconn, queue.NOTE_QUEUE, rows)
        return len(rows)


class IndexerError(RuntimeError):
    """The background indexer failed; the message comes from its process."""


class BackgroundIndexer(ChildWorker):
    """Catches the index up in a child process, woken after every write.

    Whoosh indexing is pure Python: in a thread of the window's process it
    holds the GIL for up to a few hundred milliseconds per commit (sorting a
    batch's postings), which froze the window.  A child process has its own
    GIL and, on a two-core machine, its own core.  It reads the queues from
    SQLite itself; the parent only sends ``wake`` and ``stop`` and receives
    progress.  Being derived data, the index survives the child being killed.
    """

    def __init__(self, directory: Path, on_progress: ProgressCallback | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        super().__init__(_child_main, str(directory), name="lectern-indexer", daemon=True,
                         on_progress=on_progress, on_error=on_error, progress_type=IndexProgress,
                         error_type=IndexerError, stop_timeout=15.0, kill_on_timeout=False)


def _child_main(directory: str, conn: Connection) -> None:
    """The indexer process: catch up whenever woken, until told to stop or orphaned."""
    from desktop_app.core.paths import DATABASE, INDEX_DIR
    from desktop_app.logs import setup_logging

    setup_logging()
    root = Path(directory)
    db = Database(root / DATABASE)
    index = SearchIndex(root / INDEX_DIR, organise.get_setting(db.conn, "library_id"))
    reason = index.open()
    if reason:
        conn.send(("error", f"cannot open the search index: {reason}"))
        return
    indexer = Indexer(db, index)
    try:
        serve(conn, lambda report, cancel: indexer.catch_up(report, cancel=cancel, notes=False),
              after=indexer.tidy, label="indexing")
    finally:
        index.close()
        db.close()
