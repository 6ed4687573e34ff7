"""``--screenshot``: load the library (import a file, search), let the UI settle, save a PNG, exit.

With ``--edit-dialog`` the picture is of the Edit Paper dialog of the first paper shown,
with ``--review-editor`` of the New Review dialog (offering the search shown as records).

Each step waits for a signal from the window (or a short poll of the index
queue through a QTimer), never a sleep, so the picture shows the real state.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from desktop_app.gui.window import MainWindow

log = logging.getLogger(__name__)

SETTLE_MS = 250
TIMEOUT_MS = 180_000


class ScreenshotDriver(QObject):
    """Steps: import → wait for the index → search → select the first hit → grab."""

    def __init__(self, window: MainWindow, out: Path, *, import_path: str | None = None,
                 query: str | None = None, size: tuple[int, int] = (1400, 900),
                 edit_dialog: bool = False, review_editor: bool = False) -> None:
        super().__init__(window)
        self.edit_dialog = edit_dialog
        self.review_editor = review_editor
        self.window = window
        self.out = out
        self.import_path = import_path
        self.query = query
        self.size = size
        self.exit_code = 1
        self._poll = QTimer(self)
        self._poll.setInterval(50)
        self._poll_check: Callable[[], bool] | None = None
        self._poll_next: Callable[[], None] | None = None
        self._poll.timeout.connect(self._polled)
        self._deadline = QTimer(self)
        self._deadline.setSingleShot(True)
        self._deadline.timeout.connect(self._timed_out)

    def start(self) -> None:
        window = self.window
        window.persist = False
        window.transfers.show_reports = False
        window.resize(*self.size)
        window.show()
        self._deadline.start(TIMEOUT_MS)
        self._wait_until(window.is_idle, self._import)

    def _wait_until(self, check: Callable[[], bool], then: Callable[[], None]) -> None:
        self._poll_check, self._poll_next = check, then
        self._poll.start()

    def _polled(self) -> None:
        if self._poll_check is not None and self._poll_check():
            self._poll.stop()
            follow = self._poll_next
            self._poll_check = self._poll_next = None
            if follow is not None:
                follow()

    def _import(self) -> None:
        if not self.import_path:
            self._wait_for_index()
            return
        self.window.importFinished.connect(lambda _outcome: self._wait_for_index())
        if self.window.import_files([self.import_path]) is None:
            self._fail("the import could not start")

    def _wait_for_index(self) -> None:
        library = self.window.library
        self._wait_until(lambda: library.readonly or library.pending_index() == 0, self._search)

    def _search(self) -> None:
        if self.query:
            self.window.search(self.query)
        self._wait_until(self.window.is_idle, self._select)

    def _select(self) -> None:
        model = self.window.table_model
        if model.rowCount() and (self.query or self.edit_dialog):
            self.window.select_ids([model.id_at(0)])
        then = self._open_dialog if self.edit_dialog or self.review_editor else self._grab
        self._wait_until(self.window.is_idle, lambda: QTimer.singleShot(SETTLE_MS, then))

    def _open_dialog(self) -> None:
        if self.review_editor:
            if self.window.review_menu.new_review() is None:
                self._fail("the New Review dialog did not open")
                return
            QTimer.singleShot(SETTLE_MS, self._grab)
            return
        ids = self.window.selected_ids()
        dialog = self.window.edits.ask_edit_paper(ids[0]) if ids else None
        if dialog is None:
            self._fail("no paper to edit")
            return
        QTimer.singleShot(SETTLE_MS, self._grab)

    def _grab(self) -> None:
        self.out.parent.mkdir(parents=True, exist_ok=True)
        dialog: QWidget | None = self.window.edits.paper_dialog if self.edit_dialog else None
        if self.review_editor:
            dialog = self.window.review_menu.editor
        if not (dialog or self.window).grab().save(str(self.out)):
            self._fail(f"could not write {self.out}")
            return
        print(f"lectern: saved a screenshot to {self.out}")
        self.exit_code = 0
        self._finish()

    def _timed_out(self) -> None:
        self._fail("the window did not settle in time")

    def _fail(self, why: str) -> None:
        print(f"lectern: screenshot failed: {why}", file=sys.stderr)
        self.exit_code = 1
        self._finish()

    def _finish(self) -> None:
        self._poll.stop()
        self._deadline.stop()
        app = QApplication.instance()
        if app is not None:
            app.exit(self.exit_code)
