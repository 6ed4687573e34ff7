"""Running slow work off the GUI thread: one small helper, results back through signals.

``run_op(parent, fn, on_done, on_error, on_progress)`` runs ``fn(ctx)`` on a
``QThreadPool`` (like Anki's ``QueryOp``/``CollectionOp``).  ``ctx`` lets the
function report progress (throttled) and see whether it was cancelled.  The
result, the exception or the progress values arrive in the GUI thread through
queued signals of an ``Op`` object that lives there.  Nothing here knows about
the library: callers pass closures.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal

log = logging.getLogger(__name__)

T = TypeVar("T")
PROGRESS_INTERVAL = 0.05  # seconds between progress signals (the last one always goes)

_live: set[Op] = set()  # ops whose results have not been delivered yet (keeps them alive)


class Cancelled(Exception):
    """Raised inside an op to stop early; delivered to nobody."""


class OpContext:
    """What an op function gets: progress reporting and a cancellation flag."""

    def __init__(self, emit_progress: Callable[[object], None]) -> None:
        self._emit = emit_progress
        self._cancel = threading.Event()
        self._last = 0.0

    @property
    def cancelled(self) -> bool:
        return self._cancel.is_set()

    def is_cancelled(self) -> bool:
        """A callable form of ``cancelled`` for core APIs that take ``cancel=``."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def progress(self, value: object, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last >= PROGRESS_INTERVAL:
            self._last = now
            self._emit(value)


class Op(QObject, Generic[T]):
    """One running operation; its signals are delivered in the GUI thread."""

    done = Signal(object)
    failed = Signal(object)
    progressed = Signal(object)
    finished = Signal()

    def __init__(self, parent: QObject | None, label: str = "") -> None:
        super().__init__(parent)
        self.label = label
        self.context = OpContext(self._emit_progress)
        self.is_finished = False

    def cancel(self) -> None:
        self.context.cancel()

    def _emit_progress(self, value: object) -> None:
        try:
            self.progressed.emit(value)
        except RuntimeError:  # the receiver (a closed window) is gone
            self.context.cancel()


class _Runner(QRunnable):
    def __init__(self, op: Op[Any], fn: Callable[[OpContext], Any]) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._op = op
        self._fn = fn

    def run(self) -> None:
        op = self._op
        try:
            result = self._fn(op.context)
        except BaseException as exc:  # delivered to the GUI thread, never lost
            try:
                op.failed.emit(exc)
            except RuntimeError:
                log.debug("op %s failed after its owner closed", op.label, exc_info=True)
        else:
            try:
                op.done.emit(result)
            except RuntimeError:
                log.debug("op %s finished after its owner closed", op.label)
        finally:
            self._op = None  # type: ignore[assignment]
            self._fn = None  # type: ignore[assignment]


def _default_error(exc: BaseException) -> None:
    log.error("background operation failed", exc_info=(type(exc), exc, exc.__traceback__))


def run_op(
    parent: QObject | None,
    fn: Callable[[OpContext], T],
    on_done: Callable[[T], None] | None = None,
    on_error: Callable[[BaseException], None] | None = None,
    on_progress: Callable[[Any], None] | None = None,
    *,
    pool: QThreadPool | None = None,
    label: str = "",
) -> Op[T]:
    """Run ``fn(ctx)`` off the GUI thread; the callbacks run in the GUI thread afterwards."""
    op: Op[T] = Op(parent, label)
    queued = Qt.ConnectionType.QueuedConnection

    def finish() -> None:
        op.is_finished = True
        _live.discard(op)
        op.finished.emit()
        op.deleteLater()

    def delivered(result: object) -> None:
        try:
            if on_done is not None:
                on_done(result)  # type: ignore[arg-type]
        finally:
            finish()

    def failed(exc: object) -> None:
        try:
            if isinstance(exc, Cancelled):
                return
            assert isinstance(exc, BaseException)
            (on_error or _default_error)(exc)
        finally:
            finish()

    op.done.connect(delivered, queued)
    op.failed.connect(failed, queued)
    if on_progress is not None:
        op.progressed.connect(on_progress, queued)
    _live.add(op)
    (pool or QThreadPool.globalInstance()).start(_Runner(op, fn))
    return op


def running_ops() -> int:
    """How many ops have not delivered their result yet (tests wait for 0)."""
    return len(_live)


def serial_pool(parent: QObject, name: str) -> QThreadPool:
    """A pool with one thread: work on it runs in order (searches, writes)."""
    pool = QThreadPool(parent)
    pool.setObjectName(name)
    pool.setMaxThreadCount(1)
    pool.setExpiryTimeout(-1)
    return pool
