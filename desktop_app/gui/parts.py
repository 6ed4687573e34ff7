"""The narrow interfaces through which the window's parts (edits, transfers, actions) reach the window.

The window composes its parts and hands each one a ``PartContext``: the
library, a way to apply the ``Changes`` a write returns, and a ``ViewProvider``
that says what is shown.  Nothing here, and nothing that uses it, imports the
window.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QWidget

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.gui.sidebar_model import Scope

ApplyChanges = Callable[[Changes], None]
"""Refresh what a write touched (table rows, sidebar counts, the view, the actions' state)."""


class ViewProvider(Protocol):
    """What the window shows now, for the parts that act on "the current view"."""

    @property
    def scope(self) -> Scope: ...

    @property
    def query(self) -> str: ...

    def selected_ids(self) -> list[int]: ...

    def view_ids(self) -> list[int]:
        """The papers of the current view, in the order shown."""
        ...

    def scope_label(self) -> str: ...

    def sidebar_scopes(self, kind: str) -> list[Scope]:
        """The sidebar's reading lists (``"list"``), tags or saved searches, in its order."""
        ...

    def show_scope(self, scope: Scope, *, reload: bool = True) -> None: ...


class ScheduleReload(Protocol):
    """Recompute the current view soon (after ``delay`` ms, or the window's usual delay)."""

    def __call__(self, delay: int = ...) -> None: ...


@dataclass(frozen=True)
class PartContext:
    """Everything a window part may use; the window builds one and composes its parts with it."""

    library: Library
    parent: QWidget  # owner of dialogs and ops
    write_pool: QThreadPool  # writes and imports run here, one after the other
    apply: ApplyChanges  # called after every write, with an empty ``Changes`` when nothing changed
    view: ViewProvider
    message: Callable[[str, int], None]  # a status-bar message for so many ms
    schedule_reload: ScheduleReload
    schedule_sidebar: Callable[[], None]
    reload_pending: Callable[[], bool]
    is_closed: Callable[[], bool]

    @property
    def readonly(self) -> bool:
        return self.library.readonly
