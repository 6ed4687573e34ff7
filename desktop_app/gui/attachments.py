"""A paper's files in the window: the Files tab, Attach File…, Open PDF (Ctrl+O), drops on rows,
and the full-text indexer's progress.

``FilesController`` gets narrow interfaces (the library, a way to apply
``Changes``, the selection, the current search result, a reload), never the
main window.  Opening goes to the desktop (``QDesktopServices``) or, to show
a search hit's page, to a viewer known to take a page (``core/viewer.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QListView,
    QMenu,
    QPushButton,
    QStatusBar,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.attachments import AttachOutcome, FileRow
from desktop_app.core.changes import Changes
from desktop_app.core.indexing import IndexProgress
from desktop_app.core.library import Library, SearchResult
from desktop_app.core.viewer import launch, viewer_command
from desktop_app.domain.errors import LecternError
from desktop_app.gui import desktop
from desktop_app.gui.ops import OpContext, run_op
from desktop_app.gui.status import ProgressStrip
from desktop_app.gui.table_model import PaperIdRole

log = logging.getLogger(__name__)

FILE_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


def _size(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024:
            return f"{value:.0f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


class FilesModel(QAbstractListModel):
    """One paper's attached files, one row each."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[FileRow] = []
        self.paths: dict[int, str] = {}

    def set_rows(self, rows: Sequence[FileRow], paths: dict[int, str]) -> None:
        self.beginResetModel()
        self.rows = list(rows)
        self.paths = dict(paths)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 (Qt's signature)
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            pages = f" · {row.pages} pages" if row.pages else ""
            status = "" if row.text_status == "ok" else f" · {row.text_status}"
            kind = "" if row.kind == "paper" else f"{row.kind}: "
            return f"{kind}{row.name} · {_size(row.size)}{pages}{status}"
        if role == Qt.ItemDataRole.ToolTipRole:
            how = "linked, not copied" if row.linked else "stored in the library"
            return f"{self.paths.get(row.id, row.path)}\n({how}; double-click to open)"
        if role == FILE_ID_ROLE:
            return row.id
        return None


class FilesPanel(QWidget):
    """The Files tab of the detail pane: the list and its three buttons."""

    attachRequested = Signal()
    openRequested = Signal(int)  # file id
    detachRequested = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("detailFiles")
        self.model = FilesModel(self)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.doubleClicked.connect(lambda index: self.openRequested.emit(int(index.data(FILE_ID_ROLE))))
        self.attach_button = QPushButton("Attach File…", self)
        self.open_button = QPushButton("Open", self)
        self.detach_button = QPushButton("Detach", self)
        self.attach_button.clicked.connect(self.attachRequested)
        self.open_button.clicked.connect(lambda: self._emit_current(self.openRequested))
        self.detach_button.clicked.connect(lambda: self._emit_current(self.detachRequested))
        buttons = QHBoxLayout()
        buttons.addWidget(self.attach_button)
        buttons.addStretch(1)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.detach_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._enable())
        self.readonly = False
        self._enable()

    def _current_id(self) -> int | None:
        index = self.view.currentIndex()
        if not index.isValid() and self.model.rows:
            return self.model.rows[0].id
        return int(index.data(FILE_ID_ROLE)) if index.isValid() else None

    def _emit_current(self, signal: Any) -> None:
        file_id = self._current_id()
        if file_id is not None:
            signal.emit(file_id)

    def _enable(self) -> None:
        has = bool(self.model.rows)
        self.attach_button.setEnabled(not self.readonly)
        self.open_button.setEnabled(has)
        self.detach_button.setEnabled(has and not self.readonly)

    def show_files(self, rows: Sequence[FileRow], paths: dict[int, str]) -> None:
        self.model.set_rows(rows, paths)
        self._enable()


class FilesController(QObject):
    """Attaching, listing, opening and indexing a library's files for the window."""

    filesChanged = Signal(int)  # paper id
    opened = Signal(str, int)  # path, page (0: none)

    def __init__(self, library: Library, *, apply_changes: Callable[[Changes], None],
                 selected_ids: Callable[[], list[int]], current_result: Callable[[], SearchResult | None],
                 reload: Callable[[], None], tabs: QTabWidget, status_bar: QStatusBar,
                 dialog_parent: QWidget) -> None:
        super().__init__(dialog_parent)
        self.library = library
        self._apply = apply_changes
        self._selected = selected_ids
        self._result = current_result
        self._reload = reload
        self._parent = dialog_parent
        self.pid: int | None = None
        self.panel = FilesPanel(tabs)
        self.panel.readonly = library.readonly
        self._tab = tabs.addTab(self.panel, "Files")
        self._tabs = tabs
        self.panel.attachRequested.connect(self.choose_attach)
        self.panel.openRequested.connect(lambda fid: self.open_pdf(file_id=fid))
        self.panel.detachRequested.connect(self.detach)
        self.strip = ProgressStrip("pdfProgress", cancellable=False, parent=status_bar)
        status_bar.addPermanentWidget(self.strip)
        self._status = status_bar
        self.attach_action = QAction("Attach &File…", dialog_parent)
        self.attach_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.attach_action.setStatusTip("Attach a PDF, supplement or slides to the selected paper")
        self.attach_action.triggered.connect(lambda _checked=False: self.choose_attach())
        self.open_action = QAction("&Open PDF", dialog_parent)
        self.open_action.setShortcut(QKeySequence("Ctrl+O"))
        self.open_action.setStatusTip("Open the paper's PDF in the desktop's viewer (at the search hit's page)")
        self.open_action.triggered.connect(lambda _checked=False: self.open_pdf())
        self.plain_action = QAction("Search PDF &Text Too", dialog_parent)
        self.plain_action.setCheckable(True)
        self.plain_action.setChecked(library.files.search.plain_enabled())
        self.plain_action.setStatusTip("Plain searches also find papers by their PDFs' text (ranked last)")
        self.plain_action.toggled.connect(self._set_plain)
        self._progress = _ProgressRelay(self)
        self._progress.arrived.connect(self._show_progress, Qt.ConnectionType.QueuedConnection)
        if not library.readonly:
            self.attach_action.setEnabled(True)
            library.files.start_background(self._progress.relay)
        else:
            self.attach_action.setEnabled(False)
            self.plain_action.setEnabled(False)

    def add_actions(self, menu: QMenu) -> None:
        menu.addSeparator()
        menu.addActions([self.attach_action, self.open_action, self.plain_action])

    # -- the Files tab -------------------------------------------------------------------------

    def show_paper(self, pid: int | None) -> None:
        self.pid = pid
        rows = self.library.files.files(pid) if pid is not None else []
        paths = {r.id: str(self.library.files.attachments.path_of(r)) for r in rows}
        self.panel.show_files(rows, paths)
        self._tabs.setTabText(self._tab, f"Files ({len(rows)})" if rows else "Files")
        self.open_action.setEnabled(bool(rows))

    def _refresh(self, pid: int) -> None:
        if pid == self.pid:
            self.show_paper(pid)
        self.filesChanged.emit(pid)

    # -- attaching ----------------------------------------------------------------------------------

    def _target(self) -> int | None:
        ids = self._selected()
        return ids[0] if len(ids) == 1 else self.pid

    def choose_attach(self) -> None:
        pid = self._target()
        if pid is None or self.library.readonly:
            self._status.showMessage("Select one paper to attach files to it", 5000)
            return
        paths, _ = QFileDialog.getOpenFileNames(self._parent, "Attach Files", "",
                                                "PDF files (*.pdf);;All files (*)")
        if paths:
            self.attach(pid, paths)

    def attach(self, pid: int, paths: Sequence[str | Path]) -> None:
        library = self.library

        def work(_ctx: OpContext) -> AttachOutcome:
            return library.attach(pid, [str(p) for p in paths])

        def done(outcome: AttachOutcome) -> None:
            message = outcome.summary()
            if outcome.problems:
                message += ": " + "; ".join(str(p) for p in outcome.problems[:3])
            self._status.showMessage(message, 10000)
            self._apply(outcome.changes)
            self._refresh(pid)

        run_op(self, work, done, self._failed, label="attach files")

    def detach(self, file_id: int) -> None:
        pid = self.pid
        try:
            changes = self.library.detach([file_id])
        except LecternError as exc:
            self._status.showMessage(str(exc), 10000)
            return
        self._apply(changes)
        if pid is not None:
            self._refresh(pid)

    def drop_on_table(self, table: QTableView, files: Sequence[str], window_pos: QPoint, window: QWidget) -> bool:
        """Files dropped on a paper's row attach to it; returns False for drops elsewhere."""
        if self.library.readonly:
            return False
        viewport = table.viewport()
        point = viewport.mapFrom(window, window_pos)
        if not viewport.rect().contains(point):
            return False
        index = table.indexAt(point)
        if not index.isValid():
            return False
        pid = table.model().data(index, PaperIdRole)
        if not isinstance(pid, int):
            return False
        self.attach(pid, files)
        return True

    # -- opening ------------------------------------------------------------------------------------

    def add_context_actions(self, menu: QMenu, *more: QAction) -> None:
        """The paper context menu's file actions: Open PDF (enabled when the paper has a file), ``more``.

        They go in a group of their own above the menu's last group (Move to Trash).
        """
        pid = self._target()
        self.open_action.setEnabled(pid is not None and bool(self.library.files.files(pid)))
        separators = [a for a in menu.actions() if a.isSeparator()]
        last_group = separators[-1] if separators else None
        if last_group is None:
            menu.addSeparator()
        else:
            menu.insertSeparator(last_group)
        menu.insertActions(last_group, [self.open_action, *more])  # type: ignore[arg-type]

    def open_pdf_or(self, pid: object, otherwise: Callable[[], None]) -> None:
        """Double-click or Enter on a paper: its PDF (at the search hit's page) if it has one, else ``otherwise``."""
        if isinstance(pid, int) and pid in self.library.files.paper_ids_with_pdf([pid]):
            self.open_pdf(pid)
        else:
            otherwise()

    def page_for(self, pid: int) -> tuple[int | None, int | None]:
        """(file id, page) of the current search's best page in this paper's PDFs, if any."""
        result = self._result()
        if result is None:
            return None, None
        found = self.library.files.search.page_snippets(result.compiled, [pid]).get(pid)
        return (found.file_id, found.page) if found else (None, None)

    def open_pdf(self, pid: int | None = None, file_id: int | None = None) -> bool:
        pid = pid if pid is not None else self._target()
        if pid is None:
            return False
        hit_file, page = self.page_for(pid)
        if file_id is not None and hit_file != file_id:
            page = None
        try:
            target = self.library.files.open_target(pid, file_id if file_id is not None else hit_file, page)
        except LecternError as exc:
            self._status.showMessage(str(exc), 10000)
            return False
        command = viewer_command(target.path, target.page)
        if command is not None and launch(command):
            self.opened.emit(str(target.path), target.page or 0)
            return True
        opened = desktop.open_file(str(target.path))
        if not opened:
            self._status.showMessage(f"No application opens {target.path.name}", 10000)
        else:
            self.opened.emit(str(target.path), 0)
        return bool(opened)

    # -- settings and progress ------------------------------------------------------------------------

    def _set_plain(self, enabled: bool) -> None:
        self.library.files.search.set_plain(enabled)
        self._reload()

    def _show_progress(self, done: int, pending: int) -> None:
        if self.library.db.closed:  # a report from the reader process after the window closed
            return
        if pending > 0:
            self.strip.show_progress(f"Reading PDFs {done:,} of {done + pending:,}", done, done + pending)
            return
        self.strip.finish()
        if self.pid is not None:
            self._refresh(self.pid)
        if self._result() is not None:
            self._reload()

    def _failed(self, exc: BaseException) -> None:
        log.error("file operation failed", exc_info=exc)
        self._status.showMessage(f"Could not attach: {exc}", 10000)


class _ProgressRelay(QObject):
    """Carries the full-text indexer's progress from its listener thread to the GUI thread."""

    arrived = Signal(int, int)

    def relay(self, progress: IndexProgress) -> None:
        try:
            self.arrived.emit(progress.done, progress.pending)
        except RuntimeError:  # the window is gone
            log.debug("PDF progress after the window closed")
