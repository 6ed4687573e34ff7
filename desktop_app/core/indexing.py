"""Keeping the search index caught up with SQLite: batched, one writer, foreground or background.

``Indexer.catch_up`` drains the queues a batch at a time (one Whoosh commit
per batch).  ``BackgroundIndexer`` runs it on a daemon thread, woken after
every write; it reports progress through a plain callback, so the CLI prints
it and the GUI forwards it to a signal.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.search.documents import note_document, paper_document
from desktop_app.search.index import SearchIndex
from desktop_app.storage import organise, papers, queue
from desktop_app.storage.db import Database

log = logging.getLogger(__name__)

PAPER_BATCH = 1000
NOTE_BATCH = 500


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
        batch_size: int = PAPER_BATCH,
    ) -> int:
        """Index everything queued; returns how many papers and notes were written."""
        done = 0
        with self.write_lock:
            while not (cancel and cancel()):
                written = self._paper_batch(batch_size) or self._note_batch(NOTE_BATCH)
                if not written:
                    break
                done += written
                if progress:
                    progress(IndexProgress(done, self.pending()))
        return done

    def catch_up_notes(self) -> int:
        """Index queued notes only (small and quick: done right after a note is saved)."""
        done = 0
        with self.write_lock:
            while written := self._note_batch(NOTE_BATCH):
                done += written
        return done

    def _paper_batch(self, size: int) -> int:
        conn = self.db.conn
        rows = queue.peek(conn, queue.PAPER_QUEUE, size)
        if not rows:
            return 0
        found = papers.get_papers(conn, [pid for pid, _ in rows])
        present = {p.id for p in found}
        deletes = [pid for pid, _ in rows if pid not in present]
        self.index.write_papers((paper_document(p) for p in found), deletes)
        with self.db.write() as wconn:
            queue.forget(wconn, queue.PAPER_QUEUE, rows)
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


class BackgroundIndexer:
    """A daemon thread that catches the index up whenever ``wake()`` is called."""

    def __init__(self, indexer: Indexer, on_progress: ProgressCallback | None = None,
                 on_error: Callable[[BaseException], None] | None = None) -> None:
        self.indexer = indexer
        self.on_progress = on_progress
        self.on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread = threading.Thread(target=self._run, name="lectern-indexer", daemon=True)

    def start(self) -> None:
        self._wake.set()
        self._thread.start()

    def wake(self) -> None:
        self._idle.clear()
        self._wake.set()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the queues are drained (for tests and for clean shutdowns)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._idle.wait(0.05) and not self._wake.is_set():
                return True
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stop.is_set():
                break
            try:
                self.indexer.catch_up(self.on_progress, cancel=self._stop.is_set)
            except Exception as exc:  # keep the thread alive; the caller decides what to show
                log.exception("background indexing failed")
                if self.on_error:
                    self.on_error(exc)
            if not self._wake.is_set():
                self._idle.set()
