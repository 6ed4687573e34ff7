"""Download PDF in the window: fetch the arXiv PDFs of the selected papers off the GUI thread.

The action sits in the Papers menu and the paper context menu and is enabled only when a
selected paper has an arXiv id and no PDF yet.  The requests run on a worker thread
(``Library.download_pdfs``: the polite client, then the ordinary attach code) with
progress and Cancel in a status-bar strip; the result is one line per paper in the
status bar, or a message listing the papers that failed and why.  Gets narrow
interfaces only: the library, who is selected, a way to apply ``Changes``, the status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QStatusBar, QWidget

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.pdf_download import DownloadReport
from desktop_app.core.vocabulary import CancelToken
from desktop_app.gui import errors
from desktop_app.gui.ops import Op, OpContext, run_op
from desktop_app.gui.status import ProgressStrip

log = logging.getLogger(__name__)

EXACT_ENABLE_LIMIT = 2000  # above this many selected papers the action stays enabled; the run skips per paper
SHOWN_FAILURES = 12


class PdfDownloadUi(QObject):
    """The Download PDF action, its run and its report."""

    finished = Signal(object)  # DownloadReport

    def __init__(self, library: Library, *, selected_ids: Callable[[], list[int]],
                 apply_changes: Callable[[Changes], None], status_bar: QStatusBar, parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self._selected = selected_ids
        self._apply = apply_changes
        self._status = status_bar
        self._parent = parent
        self.token: CancelToken | None = None
        self.op: Op[Any] | None = None
        self.strip = ProgressStrip("pdfDownloadProgress", cancellable=True, parent=status_bar)
        self.strip.cancelRequested.connect(self.cancel)
        status_bar.addPermanentWidget(self.strip)
        self.action = QAction("&Download PDF", parent)
        self.action.setObjectName("downloadPdf")
        self.action.setStatusTip("Download the arXiv PDF of the selected papers that have an arXiv id and no PDF")
        self.action.triggered.connect(lambda _checked=False: self.download_selected())
        self.update()

    def add_to(self, menu: QMenu, before: QAction | None = None) -> None:
        """Put the action in ``menu`` (before ``before``); the menu re-checks it each time it opens."""
        if before is None:
            menu.addAction(self.action)
        else:
            menu.insertAction(before, self.action)
        menu.aboutToShow.connect(self.update)

    def update(self) -> None:
        self.action.setEnabled(bool(self._wanted(self._selected())) and not self.running)

    def _wanted(self, ids: Sequence[int]) -> list[int]:
        if self.library.readonly or not ids:
            return []
        if len(ids) > EXACT_ENABLE_LIMIT:
            return list(ids)
        return self.library.pdf_downloadable(ids)

    @property
    def running(self) -> bool:
        return self.op is not None and not self.op.is_finished

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.strip.label.setText("Cancelling…")

    # -- a run --------------------------------------------------------------------------------

    def download_selected(self) -> Op[Any] | None:
        return self.download(self._selected())

    def download(self, ids: Sequence[int]) -> Op[Any] | None:
        library = self.library
        if self.running:
            self._status.showMessage("PDFs are being downloaded already", 5000)
            return None
        wanted = self._wanted(list(dict.fromkeys(ids)))
        if not wanted:
            self._status.showMessage("No selected paper has an arXiv id without a PDF", 5000)
            return None
        token = self.token = CancelToken()
        self.action.setEnabled(False)
        self.strip.show_progress(f"Downloading {len(wanted):,} PDF{'s' if len(wanted) != 1 else ''}…",
                                 0, len(wanted), cancellable=True)

        def work(ctx: OpContext) -> DownloadReport:
            return library.download_pdfs(wanted, cancel=token, progress=lambda done, total, key:
                                         ctx.progress((done, total, key), force=True))

        def progress(value: tuple[int, int, str]) -> None:
            done, total, key = value
            if not token.cancelled and key:
                self.strip.show_progress(f"Downloading PDF {done + 1:,} of {total:,}: {key}", done, total)

        self.op = run_op(self, work, self._done, self._failed, progress, label="download PDF")
        return self.op

    def _done(self, report: DownloadReport) -> None:
        self.strip.finish()
        self.token = None
        self._apply(report.changes)  # the detail pane (its Files tab) and the rows refresh
        self._status.showMessage(f"Download PDF: {report.summary()}", 10000)
        failed = [o for o in report.outcomes if o.status == "error"]
        if failed:
            lines = [o.line() for o in failed[:SHOWN_FAILURES]]
            if len(failed) > SHOWN_FAILURES:
                lines.append(f"… and {len(failed) - SHOWN_FAILURES} more")
            heading = ("Could not download the PDF" if len(report.outcomes) == 1
                       else f"{report.summary().capitalize()}. These papers have no PDF yet")
            errors.show_message(self._parent, "Lectern", heading + ":\n\n" + "\n".join(lines))
        self.update()
        self.finished.emit(report)

    def _failed(self, exc: BaseException) -> None:
        self.strip.finish()
        self.token = None
        self.update()
        errors.show_error(self._parent, exc, action="download the PDF")
