"""The Lectern main window: sidebar, paper table (or welcome page) and detail pane.

The window wires views to the library.  Reads a view needs at once (a page
of rows, one paper for the detail pane) happen in the GUI thread; the rest
runs through ``ops.run_op``: view loads, searches, highlights and related
papers on a one-thread pool where the latest request wins, writes on another
one-thread pool (``Edits``), imports and exports on the global pool
(``Transfers``).  Every write returns a ``Changes`` value and
``apply_changes`` refreshes exactly what it names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from itertools import pairwise
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QStringListModel, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QFont,
    QKeySequence,
    QMoveEvent,
    QPalette,
    QResizeEvent,
    QShortcut,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QSizePolicy,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library, SearchResult
from desktop_app.gui import errors, library_windows, settings, theme
from desktop_app.gui.actions import WindowActions
from desktop_app.gui.attachments import FilesController
from desktop_app.gui.completion import CompletionHooks, CompletionUi
from desktop_app.gui.detail import DetailPane
from desktop_app.gui.edits import Edits
from desktop_app.gui.heading import view_heading
from desktop_app.gui.history import History, Place
from desktop_app.gui.indexing import IndexingMonitor
from desktop_app.gui.layout import PaneLayout
from desktop_app.gui.loading import ViewContents, compute_marks, load_sidebar, load_view
from desktop_app.gui.ops import Cancelled, Op, OpContext, run_op, running_ops, serial_pool
from desktop_app.gui.parts import PartContext
from desktop_app.gui.pdf_download import PdfDownloadUi
from desktop_app.gui.readonly import MESSAGE as READ_ONLY_MESSAGE
from desktop_app.gui.readonly import ReadOnlyGuard
from desktop_app.gui.related import RelatedPaper
from desktop_app.gui.review_menu import ReviewMenu
from desktop_app.gui.search_bar import SearchBar
from desktop_app.gui.sidebar_model import LIBRARY, Scope, SidebarData, SidebarModel
from desktop_app.gui.status import ProgressStrip
from desktop_app.gui.sync_status import SyncStatusPanel
from desktop_app.gui.table_model import COLUMN, COLUMNS, PaperIdRole, PaperTableModel, RowMarks
from desktop_app.gui.team_library import TeamLibrary
from desktop_app.gui.transfers import Transfers
from desktop_app.gui.trash_view import TrashPage
from desktop_app.gui.views import PaperTableView, SidebarView
from desktop_app.gui.welcome import WelcomePage

log = logging.getLogger(__name__)

RELOAD_DELAY_MS = 250
INDEX_RELOAD_DELAY_MS = 1500
REMEMBER_QUERY_MS = 2000
SAVE_SETTINGS_MS = 1000
WELCOME_MIN_HEIGHT = 160
SCOPE_LABELS = {"library": "Papers shown", "unread": "Unread papers", "recent": "Recently added"}


class MainWindow(QMainWindow):
    """One library in three panes."""

    viewLoaded = Signal()
    changesApplied = Signal(object)  # Changes

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.readonly = library.readonly
        self.persist = True
        self.closed = False
        self.scope: Scope = LIBRARY
        self.query = ""
        self.result: SearchResult | None = None
        self._generation = 0
        self._sidebar_generation = 0
        self._loaded_generation = -1
        self._select_after_load: list[int] | None = None
        self._outside_pid: int | None = None  # a related paper shown although this view does not list it
        self.history = History()
        self._navigating = False
        self._saved_sort: tuple[int, Qt.SortOrder] | None = None  # applied after the first load

        self.setWindowTitle(f"Lectern — {library.directory}" + (" (read-only)" if self.readonly else ""))
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)
        self.search_pool = serial_pool(self, "lectern-search")
        self.write_pool = serial_pool(self, "lectern-write")
        self._build_widgets()
        self.monitor = IndexingMonitor(library, self)
        context = PartContext(
            library=library, parent=self, write_pool=self.write_pool, apply=self._apply_write, view=self,
            message=self.show_message, schedule_reload=self.schedule_reload, schedule_sidebar=self.schedule_sidebar,
            reload_pending=lambda: self.reload_pending, is_closed=lambda: self.closed)
        self.edits = Edits(context, self.tag_names)
        self.trash_page = TrashPage(library, self.edits.write, self)
        self.centre.addWidget(self.trash_page)
        self.transfers = Transfers(context, self.task_strip, self.index_strip, self.monitor)
        self.body_layout.addWidget(self.transfers.summary)  # the import summary, under the panes
        self.importFinished = self.transfers.importFinished
        self.exportFinished = self.transfers.exportFinished
        self.commands = WindowActions(self, self)
        self.commands.build_menus(self.menuBar(), self.toolbar)
        for action in (self.commands.paste, self.commands.delete, self.commands.select_all,
                       self.commands.move_up, self.commands.move_down):
            self.table.addAction(action)
        self.attachments = FilesController(  # the Files tab, Attach File…, Open PDF, PDF text progress
            library, apply_changes=self.apply_changes, selected_ids=self.selected_ids,
            current_result=lambda: self.result, reload=self.reload, tabs=self.detail.tabs,
            status_bar=self.statusBar(), dialog_parent=self)
        self.attachments.add_actions(self.commands.papers_menu)
        self.pdf_download = PdfDownloadUi(library, selected_ids=self.selected_ids, apply_changes=self.apply_changes,
                                          status_bar=self.statusBar(), parent=self)
        self.pdf_download.add_to(self.commands.papers_menu, before=self.attachments.plain_action)
        self.review_menu = ReviewMenu(library, self, context)
        self.review_menu.install(self.menuBar())
        self.completion = CompletionUi(CompletionHooks(
            library, self.edits.write, self.apply_changes, self.selected_ids, lambda: list(self.table_model.ids),
            self.task_strip, self.show_message, self.write_pool), self)
        self.menuBar().insertMenu(self.menuBar().actions()[-1], self.completion.menu)
        page_layout = self.table_page.layout()
        assert isinstance(page_layout, QVBoxLayout)
        page_layout.insertWidget(0, self.completion.bar)
        self.importFinished.connect(self.completion.offer_after_import)
        self.toolbar.addWidget(self.search_bar)
        self._chain_focus()
        self._welcome_paste = QShortcut(QKeySequence(QKeySequence.StandardKey.Paste), self)
        self._welcome_paste.setEnabled(False)
        self._welcome_paste.activated.connect(self.transfers.paste_papers)
        self.readonly_guard: ReadOnlyGuard | None = None
        if self.readonly:
            self.readonly_guard = guard = ReadOnlyGuard(self, self.show_message)
            guard.watch_typing([self.detail.tags, self.detail.note.editor])
            guard.watch_check_column(self.table, COLUMN["status"])
            guard.cover_shortcuts(self.commands.all(), self.table)

        self._reload_timer = self._timer(RELOAD_DELAY_MS, self.reload)
        self._index_reload_timer = self._timer(INDEX_RELOAD_DELAY_MS, self._index_reload)
        self._sidebar_timer = self._timer(100, self.refresh_sidebar)
        self._detail_timer = self._timer(0, self._update_detail)
        self._remember_timer = self._timer(REMEMBER_QUERY_MS, self._remember_query)
        self._query_ran = ""  # the last query that ran without an error and found papers
        self._save_timer = self._timer(SAVE_SETTINGS_MS, self._autosave)
        self._connect()
        self.monitor.progressed.connect(self._index_progress)
        self.monitor.failed.connect(self._index_failed)
        self._restore_settings()
        self._watch_settings()
        self.commands.update()
        self.monitor.start()
        self.team = TeamLibrary(library, self.statusBar(), self.apply_changes, self.changesApplied,
                                lambda other: library_windows.open_window(other, type(self)), self.show_message, self)
        self.team.install_menu(self.commands.file_menu, self.commands.reindex)
        self.refresh_sidebar()
        self.refresh_tag_names()
        self.sidebar.select_scope(LIBRARY, notify=False)
        self.reload()

    def _build_widgets(self) -> None:
        self.tag_names = QStringListModel(self)
        self.table_model = PaperTableModel(self.library, self)
        self.table_model.readonly = self.readonly
        self.sidebar_model = SidebarModel(self.palette(), self)
        self.sidebar_model.readonly = self.readonly
        self.search_bar = SearchBar(self)
        self.sidebar = SidebarView(self)
        self.sidebar.setModel(self.sidebar_model)
        self.sidebar.setMinimumWidth(140)
        self.table = PaperTableView(self)
        self.table.setModel(self.table_model)
        self.welcome = WelcomePage(self)
        self.view_title = QLabel(self)
        self.view_title.setObjectName("viewTitle")
        title_font = QFont(self.view_title.font())
        title_font.setPointSizeF(title_font.pointSizeF() * 1.15)
        title_font.setWeight(QFont.Weight.DemiBold)
        self.view_title.setFont(title_font)
        self.view_hint = QLabel(self)
        self.view_hint.setObjectName("viewHint")
        muted = QPalette(self.view_hint.palette())
        muted.setColor(QPalette.ColorRole.WindowText, theme.muted_color(self.palette()))
        self.view_hint.setPalette(muted)
        self.view_title.setMinimumWidth(60)  # long queries must not widen the window
        self.view_hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        heading = QHBoxLayout()
        heading.setContentsMargins(4, 2, 4, 2)
        heading.setSpacing(10)
        heading.addWidget(self.view_title)
        heading.addWidget(self.view_hint, 1)
        self.table_page = QWidget(self)
        page = QVBoxLayout(self.table_page)
        page.setContentsMargins(0, 0, 0, 0)
        page.setSpacing(2)
        page.addLayout(heading)
        page.addWidget(self.table, 1)
        self.centre = QStackedWidget(self)
        self.centre.setObjectName("centre")
        self.centre.addWidget(self.table_page)
        self.centre.addWidget(self.welcome)
        self.welcome.setMinimumHeight(WELCOME_MIN_HEIGHT)  # its text may clip in a small window, never grow it
        self.detail = DetailPane(self.tag_names, self)
        self.detail.set_read_only(self.readonly)
        self.detail.setMinimumWidth(260)

        self.panes = PaneLayout(self, self.sidebar, self.centre, self.detail)
        self.splitter = self.panes.outer
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.addWidget(self.splitter, 1)
        self.body_layout = layout
        self.setCentralWidget(body)

        self.toolbar = QToolBar("Search", self)
        self.toolbar.setObjectName("searchToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setFloatable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(Qt.ToolBarArea.TopToolBarArea, self.toolbar)
        self.task_strip = ProgressStrip("taskProgress", cancellable=True, parent=self)
        self.index_strip = ProgressStrip("indexProgress", cancellable=False, parent=self)
        self.statusBar().addPermanentWidget(self.index_strip)
        self.statusBar().addPermanentWidget(self.task_strip)

    def _chain_focus(self) -> None:
        """Tab goes pane to pane: sidebar, search, table, then the detail pane's fields."""
        for extra in (self.search_bar.recent_button, self.search_bar.save_button):
            extra.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # reachable by mouse and shortcut, not a Tab stop
        stops = [self.sidebar, self.search_bar.field, self.table, self.welcome.import_button,
                 self.welcome.paste_button, *self.detail.focus_chain()]
        for before, after in pairwise(stops):
            QWidget.setTabOrder(before, after)

    def _timer(self, interval: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    def _connect(self) -> None:
        edits = self.edits
        self.search_bar.queryChanged.connect(self.set_query)
        self.search_bar.saveRequested.connect(lambda _text: self.ask_save_search())
        self.sidebar.scopeSelected.connect(self.set_scope)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)
        self.sidebar.activated.connect(lambda index: self.review_menu.activate(self.sidebar_model.scope_at(index)))
        self.sidebar_model.papersDropped.connect(self._papers_dropped)
        self.sidebar_model.listsReordered.connect(edits.reorder_lists)
        self.sidebar_model.renameRequested.connect(self._rename_requested)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.reorderDropped.connect(self._reorder_dropped)
        self.table.horizontalHeader().sortIndicatorChanged.connect(lambda *_: self._sorted_by_header())
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._detail_timer.start())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._detail_timer.start())
        # double-click / Enter: the paper's PDF if it has one, else its note / Edit Paper
        self.table.doubleClicked.connect(lambda index: self.attachments.open_pdf_or(
            index.data(PaperIdRole), self.show_note_tab))
        self.table.editRequested.connect(lambda: self.attachments.open_pdf_or(
            self.table.current_id(), self._edit_requested))
        self.detail.editRequested.connect(edits.ask_edit_paper)
        self.table_model.statusChangeRequested.connect(edits.set_status)
        self.table_model.marksWanted.connect(self._fetch_marks)
        self.table_model.modelReset.connect(self.commands.update)
        self.welcome.importRequested.connect(self.transfers.choose_import_files)
        self.welcome.pasteRequested.connect(self.transfers.paste_papers)
        self.detail.statusChosen.connect(lambda pid, status: edits.set_status([pid], status))
        self.detail.priorityChosen.connect(lambda pid, level: edits.set_priority([pid], level))
        self.detail.tagsEdited.connect(self._detail_tags_edited)
        self.detail.relatedWanted.connect(self._fetch_related)
        self.detail.related.paperActivated.connect(self.open_paper)
        note = self.detail.note
        note.saveRequested.connect(
            lambda pid, body: edits.save_note(pid, body, lambda: note.mark_saved() if note.pid == pid else None))
        self.detail.abstract.linkRefused.connect(self._link_refused)
        self.detail.note.preview.linkRefused.connect(self._link_refused)

    # -- state (also the seams tests use) -----------------------------------------------------------

    def selected_ids(self) -> list[int]:
        return self.table.selected_ids()

    def view_ids(self) -> list[int]:
        return list(self.table_model.ids)

    def sidebar_scopes(self, kind: str) -> list[Scope]:
        return self.sidebar_model.scopes(kind)

    @property
    def sync_panel(self) -> SyncStatusPanel | None:
        return self.team.panel

    def show_message(self, text: str, timeout: int = 4000) -> None:
        self.statusBar().showMessage(text, timeout)

    def select_ids(self, ids: Sequence[int]) -> None:
        self.table.select_ids(list(ids))
        self._update_detail()

    @property
    def reload_pending(self) -> bool:
        return self._reload_timer.isActive()

    def is_idle(self) -> bool:
        """No op running and nothing scheduled (tests and the screenshot driver wait for this)."""
        timers = (self._reload_timer, self._sidebar_timer, self._detail_timer)
        return (running_ops() == 0 and not any(t.isActive() for t in timers)
                and not self.search_bar.pending and not self.detail.note.pending)

    def import_files(self, paths: Sequence[Any]) -> Op[Any] | None:
        """File > Import without the file dialog."""
        return self.transfers.import_files(paths)

    def import_text(self, text: str) -> Op[Any] | None:
        return self.transfers.import_text(text)

    def export_to(self, path: Any, fmt: str, ids: Sequence[int]) -> Op[Any]:
        """File > Export without the dialog."""
        return self.transfers.export_to(path, fmt, ids)

    def scope_label(self) -> str:
        kind = self.scope.kind
        if kind == "list":
            return f"Reading list: {self.scope.name}"
        if kind == "tag":
            return f"Tag: {self.scope.name}"
        if kind == "search":
            return f"Smart list: {self.scope.name}"
        if kind == "review":
            return f"Review: {self.scope.name}"
        return SCOPE_LABELS[kind]

    # -- loading the view ------------------------------------------------------------------------------

    def set_scope(self, scope: Scope) -> None:
        if scope != self.scope and not self._navigating:
            self.history.leave(self.current_place())
            self._outside_pid = None
        self.scope = scope
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.reload()

    def show_scope(self, scope: Scope, *, reload: bool = True) -> None:
        """Select ``scope`` in the sidebar (once it is there) and show it."""
        if reload and scope != self.scope and not self._navigating:
            self.history.leave(self.current_place())
            self._outside_pid = None
        self.scope = scope
        self.sidebar.select_scope(scope, notify=False)
        if reload:
            self.set_scope(scope)

    def set_query(self, text: str) -> None:
        if text.strip() != self.query and not self._navigating:
            self.history.leave(self.current_place(), typing=True)
            self._outside_pid = None
        self.query = text.strip()
        self.reload()

    def search(self, text: str) -> None:
        """Put ``text`` in the search box and search at once."""
        self.search_bar.set_query(text)

    def reload(self) -> None:
        """Recompute what the table shows, off the GUI thread; the latest request wins."""
        self._reload_timer.stop()
        if self.closed:
            return
        if self.scope.kind == "trash":
            self._show_trash()
            return
        self._generation += 1
        generation, scope, query, library = self._generation, self.scope, self.query, self.library

        def work(_ctx: OpContext) -> ViewContents:
            if generation != self._generation:
                raise Cancelled  # typed past already: skip the search nobody will see
            return load_view(library, generation, scope, query)

        run_op(self, work, self._view_loaded, self._view_failed, pool=self.search_pool, label="load view")

    def _show_trash(self) -> None:
        """The Trash replaces the table (its papers are no longer in the library's views)."""
        self._generation += 1  # a view load still running is no longer wanted
        self.table_model.set_ids([], marks_active=False, reorderable=False, marks={})
        self.result = None
        self.trash_page.reload()
        self.centre.setCurrentWidget(self.trash_page)
        count = len(self.trash_page.model.rows)
        self.search_bar.count.setText(f"{count:,} in the Trash")
        self._detail_timer.start()
        self.commands.update()
        self.viewLoaded.emit()

    def schedule_reload(self, delay: int = RELOAD_DELAY_MS) -> None:
        self._reload_timer.start(delay)

    def schedule_sidebar(self) -> None:
        """Refresh the sidebar's counts soon (once for a burst of changes)."""
        if not self._sidebar_timer.isActive():
            self._sidebar_timer.start()

    def _view_loaded(self, contents: ViewContents) -> None:
        if self.closed or contents.generation != self._generation:
            return  # a newer request superseded this one
        self.search_bar.show_error(contents.error)
        if contents.error:  # a query that cannot run: say why, and show no stale results under its heading
            self._query_ran = ""
            self._remember_timer.stop()
            self._show_query_error(contents.error)
            return
        self.search_bar.show_notice(contents.notice)
        keep, current = self.selected_ids(), self.table.current_id()
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None:
            keep, current = wanted, (wanted[0] if wanted else None)
        scroll = self.table.verticalScrollBar().value()
        searching = contents.result is not None
        self.result = contents.result
        self._loaded_generation = contents.generation
        in_list = self.scope.kind == "list" and not self.query
        self.table.set_two_line_rows(searching)
        self.table_model.set_ids(contents.ids, marks_active=searching, reorderable=self._reorderable(),
                                 marks=contents.marks, positions=in_list)
        self.table.setColumnHidden(COLUMN["position"], not in_list)
        if self._saved_sort is not None:
            self._apply_saved_sort()
        present = [pid for pid in keep if self.table_model.row_of(pid) is not None]
        if present:
            self.table.select_ids(present, current if current in present else None, scroll=wanted is not None)
        elif contents.generation > 1:
            self.table.verticalScrollBar().setValue(0 if self.query else scroll)
        self.search_bar.show_count(len(contents.ids), self.query)
        self._query_ran = self.query if contents.ids else ""
        if self._query_ran:
            self._remember_timer.start()
        else:
            self._remember_timer.stop()
        self.search_bar.show_pending(contents.pending)
        empty = contents.total == 0 and self.scope.kind == "library" and not self.query
        self._show_welcome(empty)
        self._show_heading()
        self._detail_timer.start()
        self.commands.update()
        self.viewLoaded.emit()

    def _show_welcome(self, empty: bool) -> None:
        """The welcome page over an empty library; its Ctrl+V imports wherever the focus is (but a text field)."""
        was = self.centre.currentWidget() is self.welcome
        self.centre.setCurrentWidget(self.welcome if empty else self.table_page)
        self._welcome_paste.setEnabled(empty)
        focus = self.focusWidget()
        if empty and not was and (focus is None or not focus.isVisible() or focus is self.table):
            self.welcome.import_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_query_error(self, message: str) -> None:
        self.result = None
        self._loaded_generation = self._generation
        self.table_model.set_ids([], marks_active=False, reorderable=False, marks={})
        self.search_bar.show_count(0, self.query)
        self._show_welcome(False)
        self.view_title.setText(f"Cannot search for “{self.query}”")
        self.view_hint.setText("no results until the query can run")
        self._detail_timer.start()
        self.commands.update()
        self.viewLoaded.emit()

    def _apply_saved_sort(self) -> None:
        """Sort as when the window last closed: the model sorts, then the header shows it.

        Not through the header's saved state: a sort indicator restored inside
        ``restoreState`` re-sorts the model mid-restore, which crashes Qt 6.11.
        """
        assert self._saved_sort is not None
        column, order = self._saved_sort
        self._saved_sort = None
        if self.query or self.scope.kind != "library":
            return  # the first view is not the library's: its own order wins
        self.table_model.sort(column, order)
        self.table.horizontalHeader().setSortIndicator(column, order)

    def _show_heading(self) -> None:
        """The line above the table: what is shown, and how it is ordered (after a sort too)."""
        scope, model = self.scope, self.table_model
        progress = next((rl.progress_text for rl in self.sidebar_model.snapshot.lists
                         if rl.name == scope.name), "") if scope.kind == "list" else ""
        sort = (COLUMNS[model.sort_column].key, model.sort_order == Qt.SortOrder.DescendingOrder) \
            if 0 <= model.sort_column < len(COLUMNS) else None
        title, hint = view_heading(scope, self.query, sort, list_progress=progress, reorderable=model.reorderable)
        self.view_title.setText(title)
        self.view_hint.setText(hint)

    def _sorted_by_header(self) -> None:
        """A header click sorted the model: a list reorders only in its own order; say the new order."""
        self.table_model.reorderable = self._reorderable()
        self._show_heading()
        self.commands.update()

    def _reorderable(self) -> bool:
        return (self.scope.kind == "list" and not self.query and not self.readonly
                and self.table_model.sort_column < 0)

    def _view_failed(self, exc: BaseException) -> None:
        if not self.closed:
            errors.show_error(self, exc, action="load the papers")

    def _fetch_marks(self, ids: list[int]) -> None:
        result, generation, library = self.result, self._loaded_generation, self.library
        if result is None:
            return

        def done(marks: dict[int, RowMarks]) -> None:
            if generation == self._loaded_generation and not self.closed:
                self.table_model.add_marks(marks)

        run_op(self, lambda _ctx: compute_marks(library, result, ids), done, pool=self.search_pool,
               label="highlight rows")

    def original_order(self) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table_model.sort(-1)
        self.table_model.reorderable = self._reorderable()
        self._show_heading()

    # -- sidebar ---------------------------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        """Reload counts, lists, saved searches and tags off the GUI thread."""
        self._sidebar_timer.stop()
        if self.closed:
            return
        self._sidebar_generation += 1
        generation, library = self._sidebar_generation, self.library

        def done(data: SidebarData) -> None:
            if generation != self._sidebar_generation or self.closed:
                return
            self.sidebar_model.set_data(data)
            if not self.sidebar.select_scope(self.scope, notify=False):
                self.sidebar.select_scope(LIBRARY, notify=False)
                if self.scope != LIBRARY:  # the list or tag shown is gone
                    self.set_scope(LIBRARY)
            self.commands.fill_list_menu(self.commands.add_to_list_menu)
            self._show_heading()

        run_op(self, lambda _ctx: load_sidebar(library), done, pool=self.search_pool, label="sidebar")

    def refresh_tag_names(self) -> None:
        self.tag_names.setStringList([t.name for t in self.library.tags()])

    def _sidebar_menu(self, pos: QPoint) -> None:
        index = self.sidebar.indexAt(pos)
        scope = self.sidebar_model.scope_at(index)
        menu = QMenu(self)
        writable = not self.readonly
        edits, transfers = self.edits, self.transfers
        if scope is not None and scope.kind == "list":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Rename…", lambda: self.sidebar.edit(index)).setEnabled(writable)
            menu.addAction("Export List…", lambda: transfers.choose_export(prefer=f"Reading list: {scope.name}"))
            menu.addSeparator()
            menu.addAction("Move List to Trash", lambda: edits.delete_list(scope.name)).setEnabled(writable)
        elif scope is not None and scope.kind == "tag":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Rename…", lambda: self.sidebar.edit(index)).setEnabled(writable)
            merge = menu.addMenu("Merge Into")
            for other in self.sidebar_model.scopes("tag"):
                if other.name != scope.name:
                    merge.addAction(other.name, partial(edits.rename_tag, scope.name, other.name))
            merge.setEnabled(writable and not merge.isEmpty())
            menu.addAction("Export Tag…", lambda: transfers.choose_export(prefer=f"Tag: {scope.name}"))
            menu.addSeparator()
            menu.addAction("Remove Tag from All Papers", lambda: edits.delete_tag(scope.name)).setEnabled(writable)
        elif scope is not None and scope.kind == "trash":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Empty Trash…", self.trash_page.ask_empty).setEnabled(writable)
        elif scope is not None and scope.kind == "search":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Delete Smart List", lambda: edits.delete_search(scope.name)).setEnabled(writable)
        elif scope is not None and scope.kind == "review":
            self.review_menu.add_context_actions(menu, scope.name)
        menu.addSeparator()
        menu.addAction(self.commands.new_list)
        menu.popup(self.sidebar.viewport().mapToGlobal(pos))

    def _papers_dropped(self, scope: Scope, ids: list[int]) -> None:
        if scope.kind == "list":
            self.edits.add_to_list(scope.name, ids)
        elif scope.kind == "tag":
            self.edits.add_tags(ids, [scope.name])
        elif scope.kind == "trash":
            self.edits.delete(ids)

    def _rename_requested(self, scope: Scope, new: str) -> None:
        if scope.kind == "list":
            self.edits.rename_list(scope.name, new)
        elif scope.kind == "tag":
            self.edits.rename_tag(scope.name, new)

    # -- the table -----------------------------------------------------------------------------------------

    def _table_menu(self, pos: QPoint) -> None:
        if self.selected_ids():
            menu = self.commands.table_menu()
            self.attachments.add_context_actions(menu, self.pdf_download.action)
            self.pdf_download.update()
            menu.popup(self.table.viewport().mapToGlobal(pos))

    def _reorder_dropped(self, ids: list[int], row: int, *, scroll: bool = False) -> None:
        if self.scope.kind != "list" or not self.table_model.reorderable:
            return
        order = self.table_model.order_after_move(ids, row)
        self.table_model.set_order(order)  # show it at once; the write follows
        self.table.select_ids(ids, scroll=scroll)
        self.edits.set_list_order(self.scope.name, order)

    def move_in_list(self, step: int) -> None:
        """Papers > Move Up/Down in List: the selected papers one place up (-1) or down (+1)."""
        model = self.table_model
        ids = self.selected_ids()
        if self.scope.kind != "list" or self.query:
            self.show_message("Open a reading list to reorder its papers")
            return
        if self.readonly:
            self.show_message(READ_ONLY_MESSAGE, 6000)
            return
        if not model.reorderable:
            self.show_message("The list is sorted by a column: View > Original Order, then reorder it")
            return
        rows = sorted(r for r in (model.row_of(pid) for pid in ids) if r is not None)
        if not rows or (step < 0 and rows[0] == 0) or (step > 0 and rows[-1] == model.rowCount() - 1):
            return
        self._reorder_dropped(ids, rows[0] - 1 if step < 0 else rows[-1] + 2, scroll=True)

    def open_paper(self, pid: int) -> None:
        """Show a paper from the related list, keeping the view: selected if the view lists it,
        else in the detail pane alone.  Back (Alt+Left) returns to where it was opened from."""
        if pid in self.selected_ids() and len(self.selected_ids()) == 1:
            return
        self.history.leave(self.current_place())
        row = self.table_model.row_of(pid)
        if row is not None:
            self._outside_pid = None
            self.select_ids([pid])
            self.table.scrollTo(self.table_model.index(row, 0))
        else:
            self._show_outside(pid)
        self.commands.update()

    def _show_outside(self, pid: int) -> None:
        self._outside_pid = pid
        self.table.clearSelection()
        self._update_detail()
        self.show_message(f"{self.scope_label()} does not list this paper: it is shown on the right. "
                          "Alt+Left goes back.", 8000)

    # -- history ---------------------------------------------------------------------------------------

    def current_place(self) -> Place:
        return Place(self.scope, self.query, tuple(self.selected_ids()), self._outside_pid)

    def can_go_back(self) -> bool:
        return self.history.can_go_back

    def can_go_forward(self) -> bool:
        return self.history.can_go_forward

    def go_back(self) -> None:
        place = self.history.back(self.current_place())
        if place is not None:
            self._go(place)

    def go_forward(self) -> None:
        place = self.history.forward(self.current_place())
        if place is not None:
            self._go(place)

    def _go(self, place: Place) -> None:
        """Show a place from the history: its scope, its search, its selection."""
        self._navigating = True
        try:
            self.search_bar.show_query(place.query)
            self.query = place.query
            if place.scope != self.scope:
                self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
            self.scope = place.scope if self.sidebar.select_scope(place.scope, notify=False) else LIBRARY
            if self.scope != place.scope:
                self.sidebar.select_scope(LIBRARY, notify=False)
            self._outside_pid = place.outside
            self._select_after_load = list(place.selected)
            self.reload()
        finally:
            self._navigating = False
        self.commands.update()

    # -- commands the actions call ---------------------------------------------------------------------------

    def set_status(self, ids: Sequence[int], status: str) -> None:
        self.edits.set_status(ids, status)

    def set_priority(self, ids: Sequence[int], level: int) -> None:
        self.edits.set_priority(ids, level)

    def set_priority_of_selection(self, level: int) -> None:
        self.edits.set_priority(self.selected_ids(), level)

    def edit_selected(self) -> None:
        """Papers > Edit Paper… for the one selected paper."""
        ids = self.selected_ids()
        if len(ids) == 1:
            self.edits.ask_edit_paper(ids[0])

    def _edit_requested(self) -> None:
        """Enter on the table: the Edit Paper action, when it is enabled."""
        if self.commands.edit_paper.isEnabled():
            self.commands.edit_paper.trigger()
        elif self.readonly_guard is not None and self.selected_ids():
            self.readonly_guard.explain()

    def toggle_read(self) -> None:
        self.edits.toggle_read(self.selected_ids())

    def delete_selected(self) -> None:
        """Delete: in a reading list it takes the papers off the list; elsewhere to the Trash."""
        if self.scope.kind == "list":
            self.remove_selected_from_list()
        else:
            self.edits.delete(self.selected_ids())

    def trash_selected(self) -> None:
        self.edits.delete(self.selected_ids())

    def undo(self) -> None:
        self.edits.undo()

    def redo(self) -> None:
        self.edits.redo()

    def add_to_list(self, name: str, ids: Sequence[int]) -> None:
        self.edits.add_to_list(name, ids)

    def remove_selected_from_list(self) -> None:
        if self.scope.kind == "list":
            self.edits.remove_from_list(self.scope.name, self.selected_ids())

    def ask_add_tags(self) -> None:
        self.edits.ask_add_tags(self.selected_ids())

    def ask_remove_tags(self) -> None:
        self.edits.ask_remove_tags(self.selected_ids())

    def ask_new_list(self) -> None:
        self.edits.ask_new_list()

    def ask_list_from_selection(self) -> None:
        self.edits.ask_new_list(self.selected_ids())

    def ask_save_search(self) -> None:
        self.edits.ask_save_search(self.query)

    def select_all(self) -> None:
        self.table.selectAll()

    def focus_table(self) -> None:
        self.table.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_sidebar(self) -> None:
        self.sidebar.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def focus_search(self) -> None:
        self.search_bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.field.selectAll()

    def show_related_tab(self) -> None:
        self.detail.tabs.setCurrentWidget(self.detail.related)

    def show_note_tab(self) -> None:
        if self.detail.pid is not None:
            self.detail.tabs.setCurrentWidget(self.detail.note)
            self.detail.note.editor.setFocus()

    def show_about(self) -> None:
        errors.show_message(self, "About Lectern", "Lectern — a desktop literature-review tool.\n\n"
                            f"Library: {self.library.directory}", icon=QMessageBox.Icon.Information)

    def show_syntax(self) -> None:
        errors.show_message(
            self, "Search syntax",
            "Plain words search titles, abstracts, authors, tags and notes.\n\n"
            "title:  author:  abstract:  tag:  list:  note:  venue:\n"
            "year:2020..2024   status:read   \"a phrase\"   prefix*   fuzzy~\n"
            "AND  OR  NOT  and parentheses.", icon=QMessageBox.Icon.Information)

    # -- the detail pane ----------------------------------------------------------------------------------------

    def _update_detail(self) -> None:
        self._detail_timer.stop()
        if self.closed:
            return
        ids = self.selected_ids()
        self.commands.update()
        if ids:
            self._outside_pid = None
        if not ids and self._outside_pid is not None:
            self._show_detail(self._outside_pid)
        elif not ids:
            self.detail.show_nothing()
        elif len(ids) > 1:
            self.detail.show_many(len(ids))
        else:
            self._show_detail(ids[0])

    def _show_detail(self, pid: int) -> None:
        try:
            paper = self.library.paper(pid)
        except Exception:  # deleted meanwhile
            log.debug("paper %s vanished", pid, exc_info=True)
            self.detail.show_nothing()
            return
        title_marks = abstract_marks = None
        if self.result is not None:
            title_marks = self.library.highlight(self.result, "title", paper.title)
            abstract_marks = self.library.highlight(self.result, "abstract", paper.abstract)
        self.detail.show_paper(paper, lists=self.library.lists_of(pid), note=self.library.note(pid),
                               title_marks=title_marks, abstract_marks=abstract_marks)
        self.attachments.show_paper(pid)
        self.detail.show_sources(self.library.provenance(pid))

    def _fetch_related(self, pid: int) -> None:
        library = self.library

        def work(_ctx: OpContext) -> list[RelatedPaper]:
            hits = library.related(pid, limit=12)
            rows = library.rows([h.pid for h in hits])
            reasons = library.related_reasons(pid, [h.pid for h in hits])
            return [RelatedPaper(h.pid, rows[h.pid].title, rows[h.pid].authors, rows[h.pid].year, h.score,
                                 tuple(reasons.get(h.pid, ()))) for h in hits if h.pid in rows]

        def done(items: list[RelatedPaper]) -> None:
            if self.detail.pid == pid and not self.closed:
                self.detail.related.show_items(items)

        def failed(exc: BaseException) -> None:
            if self.detail.pid == pid and not self.closed:
                self.detail.related.show_message(errors.describe(exc))

        run_op(self, work, done, failed, pool=self.search_pool, label="related")

    def _detail_tags_edited(self, pid: int, added: list[str], removed: list[str]) -> None:
        self.edits.add_tags([pid], added)
        self.edits.remove_tags([pid], removed)

    def _link_refused(self, link: str) -> None:
        self.statusBar().showMessage(f"Not opening {link[:80]}: only web, DOI and arXiv links open", 6000)

    # -- changes ----------------------------------------------------------------------------------------------------

    def _apply_write(self, changes: Changes) -> None:
        """What the parts call after each write: refresh what it touched, and the actions."""
        if changes:
            self.apply_changes(changes)
        self.commands.update()

    def apply_changes(self, changes: Changes) -> None:
        """Refresh exactly what a write touched."""
        if changes.removed:
            self.table_model.remove_ids(changes.removed)
            if self.scope.kind != "trash":
                self.search_bar.show_count(self.table_model.rowCount(), self.query)
        if self.scope.kind == "trash":
            self.schedule_reload(0)
        touched = (changes.modified | changes.notes) - changes.removed
        if touched:
            self.table_model.invalidate(touched)
        if changes.tags:
            self.refresh_tag_names()
        if changes.added or changes.removed or changes.modified or changes.tags or changes.lists \
                or changes.searches:
            self._sidebar_timer.start()
        if self._view_depends_on(changes):
            self.schedule_reload()
        if self.detail.pid is not None and (self.detail.pid in touched or self.detail.pid in changes.removed):
            self._detail_timer.start()
        self.changesApplied.emit(changes)

    def _view_depends_on(self, changes: Changes) -> bool:
        """Could these changes alter which papers the current view lists, or their order?"""
        if changes.added or changes.index:
            return True
        kind = self.scope.kind
        if self.query or kind == "search":
            return bool(changes.modified or changes.notes or changes.tags or changes.lists)
        if kind == "list":
            return changes.lists
        if kind == "tag":
            return changes.tags
        if kind == "unread":
            return bool(changes.modified)
        return False

    # -- the index ----------------------------------------------------------------------------------------------------

    def _index_progress(self, done: int, pending: int) -> None:
        if pending > 0:
            self.index_strip.show_progress(f"Indexing {done:,} of {done + pending:,}", done, done + pending)
        else:
            self.index_strip.finish()
        if self.result is not None and self.result.pending > 0:
            if pending == 0:
                self.schedule_reload(0)
            elif not self._index_reload_timer.isActive():
                self._index_reload_timer.start()

    def _index_reload(self) -> None:
        if self.result is not None and self.result.pending > 0:
            self.reload()

    def _index_failed(self, message: str) -> None:
        self.statusBar().showMessage(f"Indexing failed: {message} (File > Rebuild Search Index)", 10000)

    # -- the system palette ----------------------------------------------------------------------------------------------

    def changeEvent(self, event: QEvent) -> None:
        """Follow a switch between the light and the dark palette while running."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and not self.closed and hasattr(self, "detail"):
            palette = self.palette()
            self.sidebar_model.set_palette(palette)
            muted = QPalette(self.view_hint.palette())
            muted.setColor(QPalette.ColorRole.WindowText, theme.muted_color(palette))
            self.view_hint.setPalette(muted)
            self.detail.apply_palette()
            self._detail_timer.start()  # re-mark the hits in the new colours

    # -- drops on the window ------------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        urls = event.mimeData().urls() if event.mimeData().hasUrls() else []
        if any(u.isLocalFile() for u in urls) and not self.readonly:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            if urls and self.readonly_guard is not None:
                self.readonly_guard.explain()
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            if not self.attachments.drop_on_table(self.table, files, event.position().toPoint(), self):
                self.import_files(files)  # PDFs that belong to no paper become papers

    # -- settings and closing ----------------------------------------------------------------------------------------

    def _restore_settings(self) -> None:
        store = settings.ui_settings()
        geometry = settings.read_bytes(store, "window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        else:
            screen = self.screen().availableGeometry()
            self.resize(min(1400, int(screen.width() * 0.95)), min(900, int(screen.height() * 0.9)))
        state = settings.read_bytes(store, "window/state")
        if state is not None:
            self.restoreState(state)
        self.panes.restore(store)
        self.panes.fit(self.width())
        note_sizes = settings.read_bytes(store, "splitter/note")
        if note_sizes is not None:
            self.detail.note.splitter.restoreState(note_sizes)
        header = settings.read_bytes(store, settings.HEADER_KEY)
        if header is not None:
            self.table.restore_header(header)
        self.search_bar.set_recent(settings.read_list(store, self._recent_key()))
        self._saved_sort = settings.read_sort(store)

    def _recent_key(self) -> str:
        return settings.library_key(self.library.directory, "search/recent")

    def _remember_query(self) -> None:
        """Keep a search that ran (no error, papers found) and is still the one shown."""
        if self._query_ran and self._query_ran == self.query:
            self.search_bar.remember(self._query_ran)
            self.schedule_save()

    def schedule_save(self) -> None:
        """Save the layout and recent searches soon after they change (a crash loses nothing)."""
        if not self.closed:
            self._save_timer.start()

    def _autosave(self) -> None:
        if self.persist and not self.closed:
            self.save_settings()

    def _watch_settings(self) -> None:
        header = self.table.horizontalHeader()
        for signal in (self.splitter.splitterMoved, self.panes.work.splitterMoved, self.detail.note.splitter.splitterMoved,
                       header.sectionResized, header.sectionMoved, header.sortIndicatorChanged):
            signal.connect(lambda *_: self.schedule_save())
        self.search_bar.field.returnPressed.connect(lambda: self._remember_timer.start(0))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.panes.fit(event.size().width())
        if hasattr(self, "_save_timer"):
            self.schedule_save()

    def moveEvent(self, event: QMoveEvent) -> None:
        super().moveEvent(event)
        if hasattr(self, "_save_timer"):
            self.schedule_save()

    def save_settings(self) -> None:
        store = settings.ui_settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        self.panes.save(store)
        store.setValue("splitter/note", self.detail.note.splitter.saveState())
        store.setValue(settings.HEADER_KEY, self.table.horizontalHeader().saveState())
        store.setValue(self._recent_key(), self.search_bar.recent.stringList())
        settings.write_sort(store, self.table_model.sort_column, self.table_model.sort_order)
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.closed:
            event.accept()
            return
        self.detail.note.flush()  # queues the last note save on the write thread
        if self.persist:
            self.save_settings()
        self.transfers.cancel_all()
        if self.sync_panel is not None:
            self.sync_panel.stop()
        self.write_pool.waitForDone(30_000)
        self.closed = True
        self.search_pool.waitForDone(30_000)
        QThreadPool.globalInstance().waitForDone(30_000)
        details = self.transfers.summary.details_dialog
        if details is not None:
            details.close()
        event.accept()
