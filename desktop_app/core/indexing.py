"""Keeping the search index caught up with SQLite: batched, one writer, foreground or background.

``Indexer.catch_up`` drains the queues a batch at a time (one Whoosh commit
per batch), in the caller's thread (the CLI) or in ``BackgroundIndexer``'s
child process (the window); progress arrives through a plain callback, so
the CLI prints it and the GUI forwards it to a signal.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

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


class BackgroundIndexer:
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
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._child_conn = child_conn
        self._process = context.Process(target=_child_main, args=(str(directory), child_conn),
                                        name="lectern-indexer", daemon=True)
        self.on_progress = on_progress
        self.on_error = on_error
        self._send_lock = threading.Lock()
        self._wakes = 0
        self._idle = threading.Event()
        self._listener = threading.Thread(target=self._listen, name="lectern-indexer-listener", daemon=True)

    def start(self) -> None:
        self._process.start()
        self._child_conn.close()
        self._listener.start()
        self.wake()

    def _send(self, message: tuple[str, int]) -> None:
        with self._send_lock:
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the child is gone; the queue keeps the work
                log.warning("the indexer process is not running")

    def wake(self) -> None:
        with self._send_lock:
            self._wakes += 1
            number = self._wakes
        self._idle.clear()
        self._send(("wake", number))

    def stop(self, timeout: float = 15.0) -> None:
        self._send(("stop", 0))
        self._process.join(timeout)
        if self._process.is_alive():  # mid-commit on a huge batch: the index copes with a kill
            log.warning("the indexer process did not stop in %.0f s; terminating it", timeout)
            self._process.terminate()
            self._process.join(5)
        self._conn.close()
        self._listener.join(5)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the child has drained the queues after the last wake (tests, shutdown)."""
        return self._idle.wait(timeout)

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def _listen(self) -> None:
        while True:
            try:
                kind, *values = self._conn.recv()
            except (EOFError, OSError):
                return
            if kind == "progress" and self.on_progress:
                self.on_progress(IndexProgress(*values))
            elif kind == "idle" and values[0] >= self._wakes:
                self._idle.set()
            elif kind == "error":
                log.error("background indexing failed: %s", values[0])
                if self.on_error:
                    self.on_error(IndexerError(values[0]))


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
    state = {"stop": False, "latest": 0}

    def take(message: tuple[str, int]) -> None:
        kind, number = message
        if kind == "stop":
            state["stop"] = True
        else:
            state["latest"] = max(state["latest"], number)

    def stopping() -> bool:
        while conn.poll():
            take(conn.recv())
        return bool(state["stop"])

    try:
        while not state["stop"]:
            take(conn.recv())
            if stopping():
                break
            try:
                indexer.catch_up(lambda p: conn.send(("progress", p.done, p.pending)), cancel=stopping,
                                 notes=False)
                if not stopping():
                    indexer.tidy()
            except Exception as exc:  # report and keep serving: the queue still holds the work
                log.exception("indexing failed")
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            conn.send(("idle", state["latest"]))
    except (EOFError, OSError, BrokenPipeError):
        pass  # the parent went away
    finally:
        index.close()
        db.close()
