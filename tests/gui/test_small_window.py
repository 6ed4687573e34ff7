"""A small window (1024x700) keeps the table's Year and Status columns in view: the detail pane
moves under the table; a wide window has the three panes side by side."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.table_model import COLUMN
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import import_daily_page, wait_idle


def _fully_visible(window: MainWindow, key: str) -> bool:
    header = window.table.horizontalHeader()
    section = COLUMN[key]
    left = header.sectionViewportPosition(section)
    return not header.isSectionHidden(section) and left >= 0 \
        and left + header.sectionSize(section) <= window.table.viewport().width()


def test_1024x700_keeps_year_and_status_visible(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    window.resize(1024, 700)
    qtbot.waitUntil(lambda: window.size().toTuple() == (1024, 700))
    wait_idle(qtbot, window)
    assert window.panes.work.orientation() == Qt.Orientation.Vertical
    for key in ("title", "year", "status", "priority"):
        assert _fully_visible(window, key), key
    assert window.detail.height() >= 150  # under the table, not squeezed away
    assert window.detail.page_scroll.verticalScrollBar().maximum() >= 0
    window.resize(1400, 900)
    qtbot.waitUntil(lambda: window.panes.work.orientation() == Qt.Orientation.Horizontal)
    assert window.detail.width() >= window.detail.page_scroll.minimumWidth()


def test_layout_sizes_survive_a_restart_per_orientation(qtbot, make_window) -> None:  # type: ignore[no-untyped-def]
    first = make_window()
    first.resize(1400, 900)
    qtbot.waitUntil(lambda: first.panes.work.orientation() == Qt.Orientation.Horizontal)
    first.panes.work.setSizes([700, 500])
    wide = first.panes.work.sizes()
    first.close()
    second = make_window()
    second.resize(1400, 900)
    qtbot.waitUntil(lambda: second.panes.work.orientation() == Qt.Orientation.Horizontal)
    assert second.panes.work.sizes() == wide
