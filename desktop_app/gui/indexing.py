"""Forwarding the background indexer's progress (reported in its own thread) to the GUI thread."""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Qt, Signal

from desktop_app.core.indexing import IndexProgress
from desktop_app.core.library import Library

log = logging.getLogger(__name__)


class IndexingMonitor(QObject):
    """Starts background indexing; ``progressed(done, pending)`` and ``failed(message)`` arrive queued."""

    progressed = Signal(int, int)
    failed = Signal(str)
    _from_thread = Signal(int, int)
    _error_from_thread = Signal(str)

    def __init__(self, library: Library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = library
        self.done = 0
        self.pending = 0
        self.history: list[tuple[int, int]] = []
        self.running = False  # a child process indexes (the library has no public flag for it)
        queued = Qt.ConnectionType.QueuedConnection
        self._from_thread.connect(self._deliver, queued)
        self._error_from_thread.connect(self.failed, queued)

    def start(self) -> None:
        if self._library.readonly:
            return
        self._library.start_background_indexing(self._on_progress, self._on_error)
        self.running = True

    # called in the indexer thread
    def _on_progress(self, progress: IndexProgress) -> None:
        try:
            self._from_thread.emit(progress.done, progress.pending)
        except RuntimeError:  # the window is gone; the library is closing
            log.debug("index progress after the monitor was deleted")

    def _on_error(self, exc: BaseException) -> None:
        try:
            self._error_from_thread.emit(f"{type(exc).__name__}: {exc}")
        except RuntimeError:
            log.debug("index error after the monitor was deleted")

    # in the GUI thread
    def _deliver(self, done: int, pending: int) -> None:
        self.done = done
        self.pending = pending
        if len(self.history) < 10_000:
            self.history.append((done, pending))
        self.progressed.emit(done, pending)
