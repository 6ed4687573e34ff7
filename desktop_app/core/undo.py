"""An undo stack of inverse operations (delete, tag and list changes)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.core.changes import Changes

MAX_STEPS = 100


@dataclass(frozen=True)
class UndoStep:
    label: str
    revert: Callable[[], Changes]


class UndoStack:
    def __init__(self) -> None:
        self._steps: list[UndoStep] = []
        self._lock = threading.Lock()

    def push(self, label: str, revert: Callable[[], Changes]) -> None:
        with self._lock:
            self._steps.append(UndoStep(label, revert))
            del self._steps[:-MAX_STEPS]

    def pop(self) -> UndoStep | None:
        with self._lock:
            return self._steps.pop() if self._steps else None

    @property
    def next_label(self) -> str | None:
        with self._lock:
            return self._steps[-1].label if self._steps else None

    def clear(self) -> None:
        with self._lock:
            self._steps.clear()
