"""Back and Forward across views and selections, like a browser's history.

A ``Place`` is what the window shows: the sidebar scope, the search, the
selected papers and a paper shown in the detail pane from outside the view
(a related paper).  The window records the place it leaves whenever the user
goes somewhere new: another scope, another search, a related paper.  Moving
within a view (arrow keys, clicks) does not make history; the selection is
saved with the place when it is left.  A burst of typing in the search box is
one step.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.gui.sidebar_model import Scope

LIMIT = 100
TYPING_PAUSE_S = 1.5  # search edits closer together than this are one step


@dataclass(frozen=True)
class Place:
    scope: Scope
    query: str = ""
    selected: tuple[int, ...] = ()
    outside: int | None = None  # a paper shown in the detail pane although the view does not list it


class History:
    """Two stacks of places; the current place is the window's (it is passed in, never stored)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._back: list[Place] = []
        self._forward: list[Place] = []
        self._clock = clock
        self._typing_since: float | None = None

    @property
    def can_go_back(self) -> bool:
        return bool(self._back)

    @property
    def can_go_forward(self) -> bool:
        return bool(self._forward)

    def leave(self, current: Place, *, typing: bool = False) -> None:
        """The user goes somewhere new from ``current``: remember it, and forget the forward places."""
        now = self._clock()
        if typing and self._typing_since is not None and now - self._typing_since < TYPING_PAUSE_S:
            self._typing_since = now  # still the same search being typed
            return
        self._typing_since = now if typing else None
        if self._back and self._back[-1] == current:
            self._forward.clear()
            return
        self._back.append(current)
        del self._back[:-LIMIT]
        self._forward.clear()

    def back(self, current: Place) -> Place | None:
        if not self._back:
            return None
        self._typing_since = None
        self._forward.append(current)
        return self._back.pop()

    def forward(self, current: Place) -> Place | None:
        if not self._forward:
            return None
        self._typing_since = None
        self._back.append(current)
        return self._forward.pop()
