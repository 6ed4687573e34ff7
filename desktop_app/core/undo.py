"""Undo and redo: a stack of inverse operations, and the operations to run again.

Each undoable write pushes an ``UndoStep`` with its inverse (``revert``).  Writes that
``make_redoable`` wraps also record how to run them again (``redo``): Undo moves such a
step to the redo stack, and Redo runs the write again (which pushes a fresh undo step
with an inverse computed from the state it then finds).  Any other new write empties the
redo stack, as in every editor.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from desktop_app.core.changes import Changes

MAX_STEPS = 100


@dataclass(frozen=True)
class UndoStep:
    label: str
    revert: Callable[[], Changes]
    redo: Callable[[], Changes] | None = None


class UndoStack:
    def __init__(self) -> None:
        self._steps: list[UndoStep] = []
        self._redo: list[UndoStep] = []
        self._lock = threading.RLock()
        self._forward: list[Callable[[], Changes]] = []  # the outermost redoable write running
        self._replaying = False

    def push(self, label: str, revert: Callable[[], Changes]) -> None:
        with self._lock:
            redo = self._forward[0] if self._forward else None
            self._steps.append(UndoStep(label, revert, redo))
            del self._steps[:-MAX_STEPS]
            if not self._replaying:
                self._redo.clear()

    def pop(self) -> UndoStep | None:
        with self._lock:
            return self._steps.pop() if self._steps else None

    def undone(self, step: UndoStep) -> None:
        """``step`` was reverted: keep it for Redo (when it knows how to run again)."""
        with self._lock:
            if step.redo is not None:
                self._redo.append(step)
                del self._redo[:-MAX_STEPS]

    def pop_redo(self) -> UndoStep | None:
        with self._lock:
            return self._redo.pop() if self._redo else None

    @contextmanager
    def recording(self, forward: Callable[[], Changes]) -> Iterator[None]:
        """Undo steps pushed inside get ``forward`` as their redo (the outermost call wins)."""
        with self._lock:
            self._forward.append(forward)
        try:
            yield
        finally:
            with self._lock:
                self._forward.pop()

    @contextmanager
    def replaying(self) -> Iterator[None]:
        """A redo runs: its undo step must not empty the redo stack."""
        with self._lock:
            self._replaying = True
        try:
            yield
        finally:
            with self._lock:
                self._replaying = False

    @property
    def next_label(self) -> str | None:
        with self._lock:
            return self._steps[-1].label if self._steps else None

    @property
    def next_redo_label(self) -> str | None:
        with self._lock:
            return self._redo[-1].label if self._redo else None

    def clear(self) -> None:
        with self._lock:
            self._steps.clear()
            self._redo.clear()


def make_redoable(cls: type, names: Iterable[str]) -> None:
    """Wrap the named undoable writes of ``cls`` so their undo steps can be redone.

    The wrapper records the call itself (same arguments, through the wrapper again, so a
    redone step can be undone and redone once more); ``cls`` instances have an ``undo_stack``.
    """
    for name in names:
        setattr(cls, name, _redoable(getattr(cls, name)))


def _redoable(method: Callable[..., Changes]) -> Callable[..., Changes]:
    @functools.wraps(method)
    def wrapper(self: Any, *args: Any, **kwargs: Any) -> Changes:
        stack: UndoStack = self.undo_stack
        with stack.recording(lambda: wrapper(self, *args, **kwargs)):
            return method(self, *args, **kwargs)

    return wrapper
