"""The three panes and how they share the window: side by side when it is wide, the detail pane
under the table when it is narrow, so a small window (1024x700) still shows the table's columns."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QSplitter, QWidget

from desktop_app.gui import settings

NARROW_BELOW = 1360  # window width (px) under which the detail pane moves under the table (at 1200 side by side, the title column got ~40 px)
WIDE_SIZES = [815, 385]  # table and detail pane, side by side
NARROW_SHARE = 0.55  # of the height, for the table when the detail pane is under it


class PaneLayout:
    """``outer``: sidebar | work; ``work``: table and detail pane, side by side or one above the other."""

    def __init__(self, parent: QWidget, sidebar: QWidget, centre: QWidget, detail: QWidget) -> None:
        self.work = QSplitter(Qt.Orientation.Horizontal, parent)
        self.work.setObjectName("workSplitter")
        self.work.addWidget(centre)
        self.work.addWidget(detail)
        self.work.setStretchFactor(0, 1)
        self.work.setStretchFactor(1, 0)
        self.work.setChildrenCollapsible(False)
        self.work.setSizes(WIDE_SIZES)
        self.outer = QSplitter(Qt.Orientation.Horizontal, parent)
        self.outer.setObjectName("mainSplitter")
        self.outer.addWidget(sidebar)
        self.outer.addWidget(self.work)
        self.outer.setStretchFactor(0, 0)
        self.outer.setStretchFactor(1, 1)
        self.outer.setChildrenCollapsible(False)
        self.outer.setSizes([200, 1200])
        self._sizes: dict[Qt.Orientation, list[int]] = {}

    @property
    def narrow(self) -> bool:
        return self.work.orientation() == Qt.Orientation.Vertical

    def fit(self, width: int) -> None:
        """Side by side from ``NARROW_BELOW`` px on, else the detail pane under the table."""
        wanted = Qt.Orientation.Vertical if width < NARROW_BELOW else Qt.Orientation.Horizontal
        current = self.work.orientation()
        if wanted == current:
            return
        if self.work.isVisible() and min(self.work.sizes(), default=0) > 0:
            self._sizes[current] = self.work.sizes()  # sizes before the first show mean nothing
        self.work.setOrientation(wanted)
        vertical = wanted == Qt.Orientation.Vertical
        self.work.setStretchFactor(1, 1 if vertical else 0)  # one above the other: both grow with the window
        sizes = self._sizes.get(wanted)
        if sizes is None:
            sizes = [int(1000 * NARROW_SHARE), 1000 - int(1000 * NARROW_SHARE)] if vertical else WIDE_SIZES
        self.work.setSizes(sizes)

    # -- settings ---------------------------------------------------------------------------------

    def save(self, store: QSettings) -> None:
        store.setValue("splitter/main", self.outer.saveState())
        if self.work.isVisible():
            self._sizes[self.work.orientation()] = self.work.sizes()
        for orientation, key in ((Qt.Orientation.Horizontal, "wide"), (Qt.Orientation.Vertical, "narrow")):
            if orientation in self._sizes:
                store.setValue(f"splitter/work-{key}", [str(n) for n in self._sizes[orientation]])

    def restore(self, store: QSettings) -> None:
        value = settings.read_bytes(store, "splitter/main")
        if value is not None:
            self.outer.restoreState(value)
        for orientation, key in ((Qt.Orientation.Horizontal, "wide"), (Qt.Orientation.Vertical, "narrow")):
            sizes = [int(n) for n in settings.read_list(store, f"splitter/work-{key}") if n.isdigit()]
            if len(sizes) == 2:
                self._sizes[orientation] = sizes
        sizes_now = self._sizes.get(self.work.orientation())
        if sizes_now is not None:
            self.work.setSizes(sizes_now)
