"""The Lectern main window: sidebar, paper table (or welcome page) and detail pane.

The window wires views to the library.  Reads that a view needs at once
(a page of rows, one paper for the detail pane) happen in the GUI thread;
everything else runs through ``ops.run_op``: view loads and searches on a
one-thread pool where the latest request wins, writes on another one-thread
pool (so they apply in order), imports and exports on the global pool.
Every write returns a ``Changes`` value and ``apply_changes`` refreshes
exactly what it names.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QStringListModel, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QInputDialog,
    QMainWindow,
    QMenu,
    QSplitter,
    QStackedWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.importing import ImportOutcome
from desktop_app.core.library import Library, SearchResult
from desktop_app.gui import errors, settings, theme
from desktop_app.gui.detail import DetailPane
from desktop_app.gui.dialogs import ExportDialog, ExportScope, ImportReportDialog, TagsDialog
from desktop_app.gui.indexing import IndexingMonitor
from desktop_app.gui.loading import ViewContents, compute_marks, load_sidebar, load_view
from desktop_app.gui.ops import Op, OpContext, run_op, running_ops, serial_pool
from desktop_app.gui.related import RelatedPaper
from desktop_app.gui.search_bar import SearchBar
from desktop_app.gui.sidebar_model import LIBRARY, Scope, SidebarData, SidebarModel
from desktop_app.gui.status import ProgressStrip
from desktop_app.gui.table_model import PaperTableModel, RowMarks
from desktop_app.gui.views import PaperTableView, SidebarView
from desktop_app.gui.welcome import WelcomePage

log = logging.getLogger(__name__)

RELOAD_DELAY_MS = 250
INDEX_RELOAD_DELAY_MS = 1500


class MainWindow(QMainWindow):
    """One library in three panes."""

    viewLoaded = Signal()
    importFinished = Signal(object)  # ImportOutcome
    exportFinished = Signal(str)  # path
    changesApplied = Signal(object)  # Changes

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.readonly = library.readonly
        self.persist = True
        self.show_import_reports = True
        self._closed = False
        self.scope: Scope = LIBRARY
        self.query = ""
        self.result: SearchResult | None = None
        self._generation = 0
        self._sidebar_generation = 0
        self._loaded_generation = -1
        self._select_after_load: int | None = None
        self._import_op: Op[Any] | None = None
        self._task_op: Op[Any] | None = None
        self._last_report: ImportReportDialog | None = None

        self.setWindowTitle(f"Lectern — {library.directory}" + (" (read-only)" if self.readonly else ""))
        self.setWindowIcon(theme.app_icon())
        self.setAcceptDrops(True)
        self.search_pool = serial_pool(self, "lectern-search")
        self.write_pool = serial_pool(self, "lectern-write")

        # models
        self.tag_names = QStringListModel(self)
        self.table_model = PaperTableModel(library, self)
        self.sidebar_model = SidebarModel(self.palette(), self)

        # widgets
        self.search_bar = SearchBar(self)
        self.sidebar = SidebarView(self)
        self.sidebar.setModel(self.sidebar_model)
        self.table = PaperTableView(self)
        self.table.setModel(self.table_model)
        self.welcome = WelcomePage(self)
        self.centre = QStackedWidget(self)
        self.centre.setObjectName("centre")
        self.centre.addWidget(self.table)
        self.centre.addWidget(self.welcome)
        self.detail = DetailPane(self.tag_names, self)
        self.detail.set_read_only(self.readonly)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.sidebar)
        self.splitter.addWidget(self.centre)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setStretchFactor(2, 0)
        self.splitter.setSizes([210, 790, 400])
        self.splitter.setChildrenCollapsible(False)
        self.sidebar.setMinimumWidth(140)
        self.detail.setMinimumWidth(260)

        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 4, 6, 0)
        layout.setSpacing(4)
        layout.addWidget(self.splitter, 1)
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
        self.task_strip.cancelRequested.connect(self.cancel_task)

        self._reload_timer = self._timer(RELOAD_DELAY_MS, self.reload)
        self._index_reload_timer = self._timer(INDEX_RELOAD_DELAY_MS, self._index_reload)
        self._sidebar_timer = self._timer(100, self.refresh_sidebar)
        self._detail_timer = self._timer(0, self._update_detail)
        self._remember_timer = self._timer(2000, lambda: self.search_bar.remember(self.query))

        self._make_actions()
        self._make_menus()
        self._connect()
        self.monitor = IndexingMonitor(library, self)
        self.monitor.progressed.connect(self._index_progress)
        self.monitor.failed.connect(self._index_failed)
        self._restore_settings()
        self._update_actions()
        self.monitor.start()
        self.refresh_sidebar()
        self.refresh_tag_names()
        self.sidebar.select_scope(LIBRARY, notify=False)
        self.reload()

    def _timer(self, interval: int, slot: Callable[[], None]) -> QTimer:
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(interval)
        timer.timeout.connect(slot)
        return timer

    # -- actions and menus -------------------------------------------------------------------

    def _action(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | str | None = None,
                *, tip: str = "", writes: bool = False, context: Qt.ShortcutContext | None = None) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if context is not None:
            action.setShortcutContext(context)
        if tip:
            action.setStatusTip(tip)
        action.setProperty("writes", writes)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _make_actions(self) -> None:
        std = QKeySequence.StandardKey
        widget = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.act_import = self._action("&Import…", self.choose_import_files, "Ctrl+I",
                                       tip="Import BibTeX, RIS, CSL-JSON, arXiv or Daily Papers files", writes=True)
        self.act_paste = self._action("&Paste Papers", self.paste_papers, std.Paste, writes=True,
                                      tip="Import a Daily Papers page's text or arXiv ids from the clipboard",
                                      context=widget)
        self.act_export = self._action("&Export…", self.choose_export, "Ctrl+E",
                                       tip="Export the selection, a list, a tag or the results")
        self.act_reindex = self._action("Rebuild Search &Index", self.rebuild_index, writes=True,
                                        tip="Throw the search index away and rebuild it from the library")
        self.act_quit = self._action("&Quit", self.close, std.Quit)
        self.act_undo = self._action("&Undo", self.undo, std.Undo, writes=True)
        self.act_copy_bibtex = self._action("Copy &BibTeX", self.copy_bibtex, "Ctrl+Shift+C")
        self.act_copy_cite = self._action("Copy \\&cite{key}", self.copy_cite, "Ctrl+Shift+K")
        self.act_delete = self._action("&Delete Papers", self.delete_selected, std.Delete, writes=True,
                                       context=widget)
        self.act_select_all = self._action("Select &All", self.table.selectAll, std.SelectAll, context=widget)
        self.act_find = self._action("&Find", self.focus_search, std.Find)
        self.act_read = self._action("Mark &Read", lambda: self.set_status(self.selected_ids(), "read"),
                                     writes=True)
        self.act_reading = self._action("Mark Rea&ding", lambda: self.set_status(self.selected_ids(), "reading"),
                                        writes=True)
        self.act_unread = self._action("Mark &Unread", lambda: self.set_status(self.selected_ids(), "unread"),
                                       writes=True)
        self.act_toggle_read = self._action("&Toggle Read", self.toggle_read, "Ctrl+R", writes=True)
        self.act_add_tag = self._action("Add &Tags…", self.ask_add_tags, "Ctrl+T", writes=True)
        self.act_remove_tag = self._action("Remo&ve Tags…", self.ask_remove_tags, "Ctrl+Shift+T", writes=True)
        self.act_new_list = self._action("&New Reading List…", self.ask_new_list, "Ctrl+Shift+N", writes=True)
        self.act_list_from_selection = self._action("New List from &Selection…", self.ask_list_from_selection,
                                                    writes=True)
        self.act_remove_from_list = self._action("Remove from This &List", self.remove_selected_from_list,
                                                 writes=True)
        self.act_save_search = self._action("&Save Search as Smart List…", self.ask_save_search,
                                            "Ctrl+Shift+S", writes=True)
        self.act_related = self._action("Show &Related Papers", self.show_related_tab, "Ctrl+Shift+R")
        self.act_note = self._action("Edit &Note", self.show_note_tab, "Ctrl+Shift+E")
        self.act_original_order = self._action("&Original Order", self.original_order,
                                               tip="Search rank, reading-list order or newest first")
        self.act_focus_table = self._action("Go to &Papers", self.table.setFocus, "Ctrl+1")
        self.act_focus_sidebar = self._action("Go to &Sidebar", self.sidebar.setFocus, "Ctrl+2")
        self.act_about = self._action("&About Lectern", self.show_about)
        self.act_syntax = self._action("&Search Syntax", self.show_syntax, std.HelpContents)
        self.priority_actions = []
        for level, name in enumerate(("None", "Low", "Medium", "High")):
            action = self._action(f"{name}", lambda level=level: self.set_priority(self.selected_ids(), level),
                                  f"Ctrl+{level + 5}" if level else "Ctrl+0", writes=True)
            self.priority_actions.append(action)
        for action in (self.act_paste, self.act_delete, self.act_select_all):
            self.table.addAction(action)
        self.welcome.addAction(self.act_paste)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addActions([self.act_import, self.act_paste, self.act_export])
        file_menu.addSeparator()
        file_menu.addAction(self.act_reindex)
        file_menu.addSeparator()
        file_menu.addAction(self.act_quit)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.act_undo)
        edit.addSeparator()
        edit.addActions([self.act_copy_bibtex, self.act_copy_cite, self.act_paste])
        edit.addSeparator()
        edit.addActions([self.act_select_all, self.act_delete])
        edit.addSeparator()
        edit.addAction(self.act_find)
        self.papers_menu = bar.addMenu("&Papers")
        self.papers_menu.addActions([self.act_toggle_read, self.act_read, self.act_reading, self.act_unread])
        self.priority_menu = self.papers_menu.addMenu("&Priority")
        self.priority_menu.addActions(self.priority_actions)
        self.papers_menu.addSeparator()
        self.papers_menu.addActions([self.act_add_tag, self.act_remove_tag])
        self.add_to_list_menu = self.papers_menu.addMenu("Add to &List")
        self.add_to_list_menu.aboutToShow.connect(lambda: self._fill_list_menu(self.add_to_list_menu))
        self._fill_list_menu(self.add_to_list_menu)
        self.papers_menu.addAction(self.act_remove_from_list)
        self.papers_menu.addSeparator()
        self.papers_menu.addActions([self.act_note, self.act_related])
        lists = bar.addMenu("&Lists")
        lists.addActions([self.act_new_list, self.act_list_from_selection])
        lists.addSeparator()
        lists.addAction(self.act_save_search)
        view = bar.addMenu("&View")
        view.addActions([self.act_original_order, self.act_focus_table, self.act_focus_sidebar])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.act_syntax, self.act_about])

        self.toolbar.addAction(self.act_import)
        self.toolbar.addAction(self.act_export)
        self.toolbar.addSeparator()
        self.toolbar.addWidget(self.search_bar)

    def _fill_list_menu(self, menu: QMenu) -> None:
        menu.clear()
        ids_available = bool(self.selected_ids())
        for scope in self.sidebar_model.scopes("list"):
            action = menu.addAction(scope.name)
            action.setEnabled(ids_available and not self.readonly)
            action.triggered.connect(lambda _=False, name=scope.name: self.add_to_list(name, self.selected_ids()))
        if menu.actions():
            menu.addSeparator()
        menu.addAction(self.act_list_from_selection)

    def _connect(self) -> None:
        self.search_bar.queryChanged.connect(self.set_query)
        self.search_bar.saveRequested.connect(lambda _text: self.ask_save_search())
        self.sidebar.scopeSelected.connect(self.set_scope)
        self.sidebar.customContextMenuRequested.connect(self._sidebar_menu)
        self.sidebar_model.papersDropped.connect(self._papers_dropped)
        self.sidebar_model.renameRequested.connect(self._rename_requested)
        self.table.customContextMenuRequested.connect(self._table_menu)
        self.table.reorderDropped.connect(self._reorder_dropped)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._detail_timer.start())
        self.table.selectionModel().currentChanged.connect(lambda *_: self._detail_timer.start())
        self.table.doubleClicked.connect(lambda _index: self.show_note_tab())
        self.table_model.statusChangeRequested.connect(self.set_status)
        self.table_model.marksWanted.connect(self._fetch_marks)
        self.table_model.modelReset.connect(self._update_actions)
        self.welcome.importRequested.connect(self.choose_import_files)
        self.welcome.pasteRequested.connect(self.paste_papers)
        self.detail.statusChosen.connect(lambda pid, status: self.set_status([pid], status))
        self.detail.priorityChosen.connect(lambda pid, level: self.set_priority([pid], level))
        self.detail.tagsEdited.connect(self._detail_tags_edited)
        self.detail.relatedWanted.connect(self._fetch_related)
        self.detail.related.paperActivated.connect(self.open_paper)
        self.detail.note.saveRequested.connect(self.save_note)
        self.detail.abstract.linkRefused.connect(self._link_refused)
        self.detail.note.preview.linkRefused.connect(self._link_refused)

    # -- state queries (also the seams tests use) ------------------------------------------------

    def selected_ids(self) -> list[int]:
        return self.table.selected_ids()

    def select_ids(self, ids: Sequence[int]) -> None:
        self.table.select_ids(list(ids))
        self._update_detail()

    def is_idle(self) -> bool:
        """No op running and nothing scheduled (tests wait for this)."""
        timers = (self._reload_timer, self._sidebar_timer, self._detail_timer)
        return (running_ops() == 0 and not any(t.isActive() for t in timers)
                and not self.search_bar.pending and not self.detail.note.pending)

    # -- loading the view -------------------------------------------------------------------------

    def set_scope(self, scope: Scope) -> None:
        self.scope = scope
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.reload()

    def set_query(self, text: str) -> None:
        self.query = text.strip()
        self.reload()

    def search(self, text: str) -> None:
        """Put ``text`` in the search box and search at once."""
        self.search_bar.set_query(text)

    def reload(self) -> None:
        """Recompute what the table shows; the latest request wins."""
        self._reload_timer.stop()
        if self._closed:
            return
        self._generation += 1
        generation, scope, query, library = self._generation, self.scope, self.query, self.library
        run_op(self, lambda _ctx: load_view(library, generation, scope, query), self._view_loaded,
               self._view_failed, pool=self.search_pool, label="load view")

    def schedule_reload(self, delay: int = RELOAD_DELAY_MS) -> None:
        self._reload_timer.start(delay)

    def _view_loaded(self, contents: ViewContents) -> None:
        if self._closed or contents.generation != self._generation:
            return  # a newer query superseded this one
        self.search_bar.show_error(contents.error)
        if contents.error:
            self.viewLoaded.emit()
            return
        keep = self.selected_ids()
        current = self.table.current_id()
        if self._select_after_load is not None:
            keep, current = [self._select_after_load], self._select_after_load
            self._select_after_load = None
        scroll = self.table.verticalScrollBar().value()
        searching = contents.result is not None
        self.result = contents.result
        self._loaded_generation = contents.generation
        reorderable = (self.scope.kind == "list" and not self.query and not self.readonly
                       and self.table_model.sort_column < 0)
        self.table.set_two_line_rows(searching)
        self.table_model.set_ids(contents.ids, marks_active=searching, reorderable=reorderable,
                                 marks=contents.marks)
        present = [pid for pid in keep if self.table_model.row_of(pid) is not None]
        if present:
            self.table.select_ids(present, current if current in present else None, scroll=False)
        if contents.generation > 1 and not present:
            self.table.verticalScrollBar().setValue(0 if self.query else scroll)
        self.search_bar.show_count(len(contents.ids), self.query)
        if self.query and contents.ids:
            self._remember_timer.start()
        else:
            self._remember_timer.stop()
        self.search_bar.show_pending(contents.pending)
        empty_library = contents.total == 0 and self.scope.kind == "library" and not self.query
        self.centre.setCurrentWidget(self.welcome if empty_library else self.table)
        self._detail_timer.start()
        self._update_actions()
        self.viewLoaded.emit()

    def _view_failed(self, exc: BaseException) -> None:
        if not self._closed:
            errors.show_error(self, exc, action="load the papers")

    def _fetch_marks(self, ids: list[int]) -> None:
        result, generation, library = self.result, self._loaded_generation, self.library
        if result is None:
            return

        def done(marks: dict[int, RowMarks]) -> None:
            if generation == self._loaded_generation and not self._closed:
                self.table_model.add_marks(marks)

        run_op(self, lambda _ctx: compute_marks(library, result, ids), done, pool=self.search_pool,
               label="highlight rows")

    def original_order(self) -> None:
        self.table.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table_model.sort(-1)
        self.table_model.reorderable = self.scope.kind == "list" and not self.query and not self.readonly

    # -- sidebar ------------------------------------------------------------------------------------

    def refresh_sidebar(self) -> None:
        self._sidebar_timer.stop()
        if self._closed:
            return
        self._sidebar_generation += 1
        generation, library = self._sidebar_generation, self.library

        def done(data: SidebarData) -> None:
            if generation != self._sidebar_generation or self._closed:
                return
            scope = self.scope
            self.sidebar_model.set_data(data)
            if not self.sidebar.select_scope(scope, notify=False):
                self.sidebar.select_scope(LIBRARY, notify=False)
                if self.scope != LIBRARY:  # the list or tag shown is gone
                    self.set_scope(LIBRARY)
            self._fill_list_menu(self.add_to_list_menu)

        run_op(self, lambda _ctx: load_sidebar(library), done, pool=self.search_pool, label="sidebar")

    def refresh_tag_names(self) -> None:
        self.tag_names.setStringList([t.name for t in self.library.tags()])

    def _sidebar_menu(self, pos: Any) -> None:
        index = self.sidebar.indexAt(pos)
        scope = self.sidebar_model.scope_at(index)
        menu = QMenu(self)
        if scope is not None and scope.kind == "list":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Rename…", lambda: self.sidebar.edit(index)).setEnabled(not self.readonly)
            menu.addAction("Export List…", lambda: self.choose_export(prefer=f"Reading list: {scope.name}"))
            menu.addSeparator()
            menu.addAction("Delete List", lambda: self.delete_list(scope.name)).setEnabled(not self.readonly)
        elif scope is not None and scope.kind == "tag":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Rename or Merge…", lambda: self.sidebar.edit(index)).setEnabled(not self.readonly)
            merge = menu.addMenu("Merge Into")
            for other in self.sidebar_model.scopes("tag"):
                if other.name != scope.name:
                    merge.addAction(other.name, lambda target=other.name: self.rename_tag(scope.name, target))
            merge.setEnabled(not self.readonly and not merge.isEmpty())
            menu.addAction("Export Tag…", lambda: self.choose_export(prefer=f"Tag: {scope.name}"))
            menu.addSeparator()
            menu.addAction("Remove Tag from All Papers", lambda: self.delete_tag(scope.name)).setEnabled(
                not self.readonly)
        elif scope is not None and scope.kind == "search":
            menu.addAction("Show", lambda: self.sidebar.select_scope(scope))
            menu.addAction("Delete Smart List", lambda: self.delete_search(scope.name)).setEnabled(
                not self.readonly)
        menu.addSeparator()
        menu.addAction(self.act_new_list)
        menu.popup(self.sidebar.viewport().mapToGlobal(pos))

    def _papers_dropped(self, scope: Scope, ids: list[int]) -> None:
        if scope.kind == "list":
            self.add_to_list(scope.name, ids)
        elif scope.kind == "tag":
            self.add_tags(ids, [scope.name])

    def _rename_requested(self, scope: Scope, new: str) -> None:
        if scope.kind == "list":
            self.rename_list(scope.name, new)
        elif scope.kind == "tag":
            self.rename_tag(scope.name, new)

    # -- the table -------------------------------------------------------------------------------

    def _table_menu(self, pos: Any) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        menu = QMenu(self)
        menu.addActions([self.act_toggle_read, self.act_read, self.act_reading, self.act_unread])
        menu.addMenu(self.priority_menu)
        menu.addSeparator()
        menu.addActions([self.act_add_tag, self.act_remove_tag])
        lists = menu.addMenu("Add to List")
        self._fill_list_menu(lists)
        if self.scope.kind == "list":
            menu.addAction(self.act_remove_from_list)
        menu.addSeparator()
        menu.addActions([self.act_copy_bibtex, self.act_copy_cite, self.act_export])
        menu.addSeparator()
        menu.addActions([self.act_note, self.act_related])
        menu.addSeparator()
        menu.addAction(self.act_delete)
        menu.popup(self.table.viewport().mapToGlobal(pos))

    def _reorder_dropped(self, ids: list[int], row: int) -> None:
        if self.scope.kind != "list" or not self.table_model.reorderable:
            return
        order = self.table_model.order_after_move(ids, row)
        self.table_model.set_order(order)  # show it at once; the write follows
        self.table.select_ids(ids, scroll=False)
        name = self.scope.name
        self.write(lambda: self.library.set_list_order(name, order), "reorder the list")

    def open_paper(self, pid: int) -> None:
        """Select a paper (from the related list): in this view if it is here, else in the library."""
        if self.table_model.row_of(pid) is not None:
            self.select_ids([pid])
            return
        self._select_after_load = pid
        self.sidebar.select_scope(LIBRARY, notify=False)
        self.scope = LIBRARY
        self.search_bar.field.setText("")
        self.query = ""
        self.reload()

    # -- the detail pane ----------------------------------------------------------------------------

    def _update_detail(self) -> None:
        self._detail_timer.stop()
        if self._closed:
            return
        ids = self.selected_ids()
        self._update_actions()
        if not ids:
            self.detail.show_nothing()
            return
        if len(ids) > 1:
            self.detail.show_many(len(ids))
            return
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

    def _fetch_related(self, pid: int) -> None:
        library = self.library

        def work(_ctx: OpContext) -> list[RelatedPaper]:
            hits = library.related(pid, limit=12)
            rows = library.rows([h.pid for h in hits])
            return [RelatedPaper(h.pid, rows[h.pid].title, rows[h.pid].authors, rows[h.pid].year, h.score)
                    for h in hits if h.pid in rows]

        def done(items: list[RelatedPaper]) -> None:
            if self.detail.pid == pid and not self._closed:
                self.detail.related.show_items(items)

        def failed(exc: BaseException) -> None:
            if self.detail.pid == pid and not self._closed:
                self.detail.related.show_message(errors.describe(exc))

        run_op(self, work, done, failed, pool=self.search_pool, label="related")

    def show_related_tab(self) -> None:
        self.detail.tabs.setCurrentWidget(self.detail.related)

    def show_note_tab(self) -> None:
        if self.detail.pid is not None:
            self.detail.tabs.setCurrentWidget(self.detail.note)
            self.detail.note.editor.setFocus()

    def _detail_tags_edited(self, pid: int, added: list[str], removed: list[str]) -> None:
        if added:
            self.add_tags([pid], added)
        if removed:
            self.remove_tags([pid], removed)

    # -- writes ------------------------------------------------------------------------------------------

    def write(self, fn: Callable[[], Changes | None], action: str,
              on_done: Callable[[Changes], None] | None = None) -> Op[Any] | None:
        """Run a library write on the write thread; apply the ``Changes`` it returns."""
        if self.readonly:
            errors.show_message(self, "Lectern", "The library is open read-only; changes are disabled.")
            return None

        def done(changes: Changes | None) -> None:
            if self._closed:
                return
            if changes:
                self.apply_changes(changes)
            if on_done is not None:
                on_done(changes or Changes())
            self._update_actions()

        def failed(exc: BaseException) -> None:
            if not self._closed:
                errors.show_error(self, exc, action=action)
                self.schedule_reload()

        return run_op(self, lambda _ctx: fn(), done, failed, pool=self.write_pool, label=action)

    def apply_changes(self, changes: Changes) -> None:
        """Refresh exactly what a write touched."""
        if changes.removed:
            self.table_model.remove_ids(changes.removed)
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

    def set_status(self, ids: Sequence[int], status: str) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.set_status(ids, status), f"mark papers {status}")

    def toggle_read(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rows = self.library.rows(ids)
        all_read = all(row.status == "read" for row in rows.values())
        self.set_status(ids, "unread" if all_read else "read")

    def set_priority(self, ids: Sequence[int], level: int) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.set_priority(ids, level), "set the priority")

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        if ids and tags:
            ids, tags = list(ids), list(tags)
            self.write(lambda: self.library.add_tags(ids, tags), "add tags")

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        if ids and tags:
            ids, tags = list(ids), list(tags)
            self.write(lambda: self.library.remove_tags(ids, tags), "remove tags")

    def rename_tag(self, old: str, new: str) -> None:
        def done(_changes: Changes) -> None:
            if self.scope == Scope("tag", old):  # keep showing it under its new name
                self.scope = Scope("tag", new)
                self.sidebar.select_scope(self.scope, notify=False)

        self.write(lambda: self.library.rename_tag(old, new), "rename the tag", done)

    def delete_tag(self, name: str) -> None:
        library = self.library
        self.write(lambda: library.remove_tags(library.papers_with_tag(name), [name]), "remove the tag")

    def create_list(self, name: str, ids: Sequence[int] = ()) -> None:
        ids = list(ids)
        library = self.library

        def work() -> Changes:
            changes = library.create_list(name)
            if ids:
                changes = changes | library.add_to_list(name, ids)
            return changes

        self.write(work, "create the reading list")

    def add_to_list(self, name: str, ids: Sequence[int]) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.add_to_list(name, ids), "add papers to the list")
            self.statusBar().showMessage(f"Added {len(ids):,} paper{'s' if len(ids) != 1 else ''} to {name}", 4000)

    def remove_selected_from_list(self) -> None:
        ids = self.selected_ids()
        if self.scope.kind == "list" and ids:
            name = self.scope.name
            self.write(lambda: self.library.remove_from_list(name, ids), "remove papers from the list")

    def rename_list(self, old: str, new: str) -> None:
        def done(_changes: Changes) -> None:
            if self.scope == Scope("list", old):
                self.scope = Scope("list", new)
                self.sidebar.select_scope(self.scope, notify=False)

        self.write(lambda: self.library.rename_list(old, new), "rename the reading list", done)

    def delete_list(self, name: str) -> None:
        self.write(lambda: self.library.delete_list(name), "delete the reading list")
        self.statusBar().showMessage(f"Deleted the reading list {name} — Ctrl+Z brings it back", 6000)

    def save_search(self, name: str, query: str) -> None:
        def done(_changes: Changes) -> None:
            self.statusBar().showMessage(f"Saved the smart list {name}", 4000)

        self.write(lambda: self.library.save_search(name, query), "save the search", done)

    def delete_search(self, name: str) -> None:
        self.write(lambda: self.library.delete_search(name), "delete the smart list")

    def save_note(self, pid: int, body: str) -> None:
        if self.readonly:
            return
        self.write(lambda: self.library.set_note(pid, body), "save the note",
                   lambda _changes: self.detail.note.mark_saved() if self.detail.pid == pid else None)

    def delete_selected(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        count = len(ids)

        def done(_changes: Changes) -> None:
            self.statusBar().showMessage(
                f"Deleted {count:,} paper{'s' if count != 1 else ''} — Ctrl+Z undoes it", 8000)

        self.write(lambda: self.library.delete_papers(ids), "delete papers", done)

    def undo(self) -> None:
        label = self.library.undo_label
        if label is None:
            self.statusBar().showMessage("Nothing to undo", 3000)
            return

        def done(_changes: Changes) -> None:
            self.statusBar().showMessage(f"Undid: {label}", 4000)

        self.write(self.library.undo, "undo", done)

    # -- asking the user ------------------------------------------------------------------------------

    def ask_add_tags(self) -> None:
        ids = self.selected_ids()
        if ids:
            tags = TagsDialog.ask(self, self.tag_names, f"Add tags to {len(ids):,} paper(s)")
            if tags:
                self.add_tags(ids, tags)

    def ask_remove_tags(self) -> None:
        ids = self.selected_ids()
        if ids:
            tags = TagsDialog.ask(self, self.tag_names, f"Remove tags from {len(ids):,} paper(s)")
            if tags:
                self.remove_tags(ids, tags)

    def ask_new_list(self) -> None:
        name, ok = QInputDialog.getText(self, "New reading list", "Name of the reading list:")
        if ok and name.strip():
            self.create_list(name.strip())

    def ask_list_from_selection(self) -> None:
        ids = self.selected_ids()
        name, ok = QInputDialog.getText(self, "New reading list",
                                        f"Name of the reading list for {len(ids):,} paper(s):")
        if ok and name.strip():
            self.create_list(name.strip(), ids)

    def ask_save_search(self) -> None:
        query = self.query
        if not query:
            self.statusBar().showMessage("Type a search first, then save it as a smart list", 4000)
            return
        name, ok = QInputDialog.getText(self, "Save search", "Name of the smart list:", text=query)
        if ok and name.strip():
            self.save_search(name.strip(), query)

    def focus_search(self) -> None:
        self.search_bar.field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_bar.field.selectAll()

    # -- import -------------------------------------------------------------------------------------------

    def choose_import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(
            self, "Import papers", str(Path.home()),
            "Bibliographies (*.bib *.bibtex *.ris *.json *.atom *.xml *.txt);;All files (*)")
        if paths:
            self.import_files(paths)

    def paste_papers(self) -> None:
        data = QGuiApplication.clipboard().mimeData()
        if data is not None and data.hasUrls():
            files = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
            if files:
                self.import_files(files)
                return
        text = QGuiApplication.clipboard().text()
        if not text.strip():
            self.statusBar().showMessage("The clipboard holds no text to import", 4000)
            return
        self.import_text(text)

    def import_files(self, paths: Sequence[str | Path]) -> Op[Any] | None:
        """Import files off the GUI thread with progress and Cancel; a report follows."""
        files = [str(p) for p in paths]
        library = self.library
        label = Path(files[0]).name if len(files) == 1 else f"{len(files)} files"

        def work(ctx: OpContext) -> ImportOutcome:
            def progress(path: str, number: int, total: int) -> None:
                ctx.progress((Path(path).name if path else "", number, total), force=number == total)

            return library.import_files(files, cancel=ctx.is_cancelled, progress=progress)

        return self._start_import(work, label, maximum=len(files) if len(files) > 1 else 0)

    def import_text(self, text: str) -> Op[Any] | None:
        library = self.library
        return self._start_import(lambda _ctx: library.import_text(text), "pasted text", maximum=0)

    def _start_import(self, work: Callable[[OpContext], ImportOutcome], label: str, maximum: int) -> Op[Any] | None:
        if self.readonly:
            errors.show_message(self, "Lectern", "The library is open read-only; importing is disabled.")
            return None
        if self._import_op is not None:
            errors.show_message(self, "Lectern", "An import is running; wait for it or cancel it first.")
            return None
        self.task_strip.show_progress(f"Importing {label}…", 0, maximum)

        def progress(value: tuple[str, int, int]) -> None:
            name, number, total = value
            if maximum:
                self.task_strip.show_progress(f"Importing {name or label}… ({number} of {total})", number, total)
            if self.scope.kind in ("library", "unread", "recent") and not self._reload_timer.isActive():
                self.schedule_reload(400)  # papers are browsable as soon as they are stored

        def done(outcome: ImportOutcome) -> None:
            self._import_op = None
            self.task_strip.finish()
            if self._closed:
                return
            self.apply_changes(outcome.changes)
            self._update_actions()
            self.statusBar().showMessage(f"Import: {outcome.summary()}", 8000)
            if self.show_import_reports:
                self.show_import_report(outcome)
            self.importFinished.emit(outcome)

        def failed(exc: BaseException) -> None:
            self._import_op = None
            self.task_strip.finish()
            if not self._closed:
                errors.show_error(self, exc, action="import")
                self.schedule_reload()

        self._import_op = run_op(self, work, done, failed, progress, label="import")
        self._task_op = self._import_op
        return self._import_op

    def show_import_report(self, outcome: ImportOutcome) -> ImportReportDialog:
        shown = (outcome.imported[:200] + outcome.merged[:200])
        titles = {pid: row.title for pid, row in self.library.rows(shown).items()}
        dialog = ImportReportDialog(outcome, titles, self)
        self._last_report = dialog
        dialog.show()
        return dialog

    def cancel_task(self) -> None:
        if self._task_op is not None and not self._task_op.is_finished:
            self._task_op.cancel()
            self.task_strip.label.setText("Cancelling…")
            self.task_strip.cancel_button.setEnabled(False)

    # -- export and clipboard -----------------------------------------------------------------------------

    def export_scopes(self) -> list[ExportScope]:
        scopes = []
        selected = self.selected_ids()
        if selected:
            scopes.append(ExportScope("Selected papers", selected))
        view_label = f"Search results for “{self.query}”" if self.query else self._scope_label()
        scopes.append(ExportScope(view_label, self.table_model.ids))
        for scope in self.sidebar_model.scopes("list"):
            scopes.append(ExportScope(f"Reading list: {scope.name}", self.library.list_ids(scope.name)))
        for scope in self.sidebar_model.scopes("tag"):
            scopes.append(ExportScope(f"Tag: {scope.name}", self.library.papers_with_tag(scope.name)))
        scopes.append(ExportScope("Whole library", self.library.all_ids(order="added", descending=False)))
        return scopes

    def _scope_label(self) -> str:
        kind = self.scope.kind
        if kind == "list":
            return f"Reading list: {self.scope.name}"
        if kind == "tag":
            return f"Tag: {self.scope.name}"
        if kind == "search":
            return f"Smart list: {self.scope.name}"
        return {"library": "Papers shown", "unread": "Unread papers", "recent": "Recently added"}[kind]

    def choose_export(self, prefer: str = "") -> ExportDialog:
        scopes = self.export_scopes()
        dialog = ExportDialog(scopes, str(Path.home()), self)
        for number, scope in enumerate(scopes):
            if prefer and scope.label == prefer:
                dialog.scope.setCurrentIndex(number)
        dialog.exportRequested.connect(self.export_to)
        dialog.open()
        return dialog

    def export_to(self, path: str | Path, fmt: str, ids: Sequence[int]) -> Op[Any]:
        """Render ``ids`` in ``fmt`` and write ``path``, off the GUI thread."""
        target = Path(path)
        ids = list(ids)
        library = self.library

        def work(_ctx: OpContext) -> int:
            text = library.export(ids, fmt)
            target.write_text(text, encoding="utf-8")
            return len(ids)

        def done(count: int) -> None:
            self.task_strip.finish()
            self.statusBar().showMessage(f"Exported {count:,} paper{'s' if count != 1 else ''} to {target}", 8000)
            self.exportFinished.emit(str(target))

        def failed(exc: BaseException) -> None:
            self.task_strip.finish()
            errors.show_error(self, exc, action=f"export to {target}")

        self.task_strip.show_progress(f"Exporting {len(ids):,} papers…", 0, 0)
        self.task_strip.cancel_button.setVisible(False)
        op = run_op(self, work, done, failed, label="export")
        op.finished.connect(lambda: self.task_strip.cancel_button.setVisible(True))
        return op

    def copy_bibtex(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        library = self.library

        def done(text: str) -> None:
            QGuiApplication.clipboard().setText(text)
            self.statusBar().showMessage(f"Copied BibTeX for {len(ids):,} paper(s)", 4000)

        run_op(self, lambda _ctx: library.export(ids, "bibtex"), done,
               lambda exc: errors.show_error(self, exc, action="copy BibTeX"), label="copy bibtex")

    def copy_cite(self) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        rows = self.library.rows(ids)
        keys = [rows[pid].citekey for pid in ids if pid in rows]
        QGuiApplication.clipboard().setText("\\cite{" + ",".join(keys) + "}")
        self.statusBar().showMessage(f"Copied \\cite{{{','.join(keys)}}}", 4000)

    # -- index ------------------------------------------------------------------------------------------------

    def rebuild_index(self) -> None:
        if self.readonly:
            return
        library = self.library

        def work(ctx: OpContext) -> int:
            return library.rebuild_index(lambda p: ctx.progress((p.done, p.pending)), ctx.is_cancelled)

        def progress(value: tuple[int, int]) -> None:
            done, pending = value
            self.task_strip.show_progress(f"Rebuilding the index: {done:,} of {done + pending:,}",
                                          done, done + pending)

        def done(count: int) -> None:
            self.task_strip.finish()
            self.statusBar().showMessage(f"Rebuilt the search index ({count:,} entries)", 6000)
            self.schedule_reload()

        def failed(exc: BaseException) -> None:
            self.task_strip.finish()
            errors.show_error(self, exc, action="rebuild the index")

        self.task_strip.show_progress("Rebuilding the search index…", 0, 0)
        self._task_op = run_op(self, work, done, failed, progress, label="reindex")

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
        self.statusBar().showMessage(f"Indexing failed: {message} (File › Rebuild Search Index)", 10000)

    # -- misc ------------------------------------------------------------------------------------------------

    def _update_actions(self) -> None:
        has_selection = bool(self.selected_ids()) if self.table.selectionModel() else False
        for action in (self.act_copy_bibtex, self.act_copy_cite, self.act_delete, self.act_read,
                       self.act_reading, self.act_unread, self.act_toggle_read, self.act_add_tag,
                       self.act_remove_tag, self.act_related, self.act_note, *self.priority_actions):
            action.setEnabled(has_selection)
        self.act_remove_from_list.setEnabled(has_selection and self.scope.kind == "list")
        self.act_list_from_selection.setEnabled(has_selection)
        self.act_save_search.setEnabled(bool(self.query))
        label = self.library.undo_label
        self.act_undo.setText(f"&Undo {label}" if label else "&Undo")
        self.act_undo.setEnabled(label is not None)
        if self.readonly:
            for action in self.findChildren(QAction):
                if action.property("writes"):
                    action.setEnabled(False)

    def _link_refused(self, link: str) -> None:
        self.statusBar().showMessage(f"Not opening {link[:80]}: only web, DOI and arXiv links open", 6000)

    def show_about(self) -> None:
        errors.show_message(self, "About Lectern",
                            "Lectern — a desktop literature-review tool.\n\n"
                            f"Library: {self.library.directory}", icon=errors.QMessageBox.Icon.Information)

    def show_syntax(self) -> None:
        errors.show_message(
            self, "Search syntax",
            "Plain words search titles, abstracts, authors, tags and notes.\n\n"
            "title:  author:  abstract:  tag:  list:  note:  venue:\n"
            "year:2020..2024   status:read   \"a phrase\"   prefix*   fuzzy~\n"
            "AND  OR  NOT  and parentheses.", icon=errors.QMessageBox.Icon.Information)

    # -- drops on the window -------------------------------------------------------------------------------------

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()) \
                and not self.readonly:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.setDropAction(Qt.DropAction.CopyAction)
            event.accept()
            self.import_files(files)

    # -- settings and closing ---------------------------------------------------------------------------------------

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
        for key, splitter in (("splitter/main", self.splitter), ("splitter/note", self.detail.note.splitter)):
            value = settings.read_bytes(store, key)
            if value is not None:
                splitter.restoreState(value)
        header = settings.read_bytes(store, "table/header")
        if header is not None:
            self.table.restore_header(header)
        self.search_bar.set_recent(settings.read_list(store, "search/recent"))

    def save_settings(self) -> None:
        store = settings.ui_settings()
        store.setValue("window/geometry", self.saveGeometry())
        store.setValue("window/state", self.saveState())
        store.setValue("splitter/main", self.splitter.saveState())
        store.setValue("splitter/note", self.detail.note.splitter.saveState())
        store.setValue("table/header", self.table.horizontalHeader().saveState())
        store.setValue("search/recent", self.search_bar.recent.stringList())
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._closed:
            event.accept()
            return
        self.detail.note.flush()  # queues the last note save on the write thread
        if self.persist:
            self.save_settings()
        for op in (self._import_op, self._task_op):
            if op is not None and not op.is_finished:
                op.cancel()
        self.write_pool.waitForDone(30_000)
        self._closed = True
        self.search_pool.waitForDone(30_000)
        QThreadPool.globalInstance().waitForDone(30_000)
        if self._last_report is not None:
            try:
                self._last_report.close()
            except RuntimeError:  # already deleted
                pass
        event.accept()

