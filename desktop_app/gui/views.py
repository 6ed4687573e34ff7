"""The two item views: the paper table (drag papers out, reorder a reading list by dragging,
Enter edits a paper) and the sidebar tree (drop papers on a list or a tag, drag the reading
lists into order)."""

from __future__ import annotations

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QMenu, QTableView, QTreeView, QWidget

from desktop_app.gui.delegates import SidebarDelegate, TitleDelegate, row_height
from desktop_app.gui.sidebar_model import Scope, ScopeRole, SidebarModel
from desktop_app.gui.table_model import COLUMN, COLUMNS, PaperTableModel

DEFAULT_WIDTHS = {"title": 320, "authors": 140, "year": 48, "venue": 120, "tags": 100,
                  "status": 86, "added": 86, "priority": 66, "note": 30, "position": 36, "citekey": 150}
HIDDEN_BY_DEFAULT = ("venue", "citekey")
MENU_NAMES = {"note": "Note marker", "citekey": "Citation key"}
# Where the columns appear by default, left to right (the model's order is only append-safe).
DEFAULT_ORDER = ("position", "title", "note", "authors", "year", "venue", "tags", "status", "priority",
                 "citekey", "added")


class PaperTableView(QTableView):
    """Rows of papers: multi-select, sortable by header, dragged to the sidebar or within a list."""

    reorderDropped = Signal(list, int)  # ids moved, row they go before
    editRequested = Signal()  # Enter on a row (the window opens the PDF, or Edit Paper without one)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("paperTable")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.setShowGrid(False)
        self.setWordWrap(False)
        self.setCornerButtonEnabled(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setTabKeyNavigation(False)  # Tab leaves the table for the next pane; arrows move in it
        self.setDragEnabled(True)
        self.setAcceptDrops(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDragDropOverwriteMode(False)
        self.setDropIndicatorShown(True)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.verticalHeader().setVisible(False)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header = self.horizontalHeader()
        header.setSectionsMovable(True)
        header.setHighlightSections(False)
        header.setSortIndicatorShown(True)
        header.setSortIndicatorClearable(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setMinimumSectionSize(40)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._header_menu)
        self.setItemDelegateForColumn(COLUMN["title"], TitleDelegate(self))
        self.set_two_line_rows(False)

    def setModel(self, model: object) -> None:
        super().setModel(model)  # type: ignore[arg-type]
        header = self.horizontalHeader()
        for key, width in DEFAULT_WIDTHS.items():
            header.resizeSection(COLUMN[key], width)
        header.setSectionResizeMode(COLUMN["title"], QHeaderView.ResizeMode.Stretch)
        for visual, key in enumerate(DEFAULT_ORDER):
            header.moveSection(header.visualIndex(COLUMN[key]), visual)
        for key in HIDDEN_BY_DEFAULT:
            self.setColumnHidden(COLUMN[key], True)
        self.setColumnHidden(COLUMN["position"], True)  # shown in a reading list only

    def restore_header(self, state: QByteArray) -> None:
        """Restore column order, widths and visibility; the sort starts afresh (source order).

        The header's signals are blocked meanwhile: a restored sort indicator would make the
        view re-sort the model in the middle of ``restoreState`` (which crashes Qt 6.11).
        """
        header = self.horizontalHeader()
        header.blockSignals(True)
        try:
            header.restoreState(state)
            header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        finally:
            header.blockSignals(False)
        self.updateGeometries()
        self.viewport().update()

    def column_menu(self) -> QMenu:
        """Checkable entries to show or hide each column (the header's context menu)."""
        menu = QMenu(self)
        model = self.paper_model()
        for number in range(model.columnCount()):
            if number == COLUMN["position"]:
                continue  # shown exactly when a reading list is
            title = MENU_NAMES.get(COLUMNS[number].key, COLUMNS[number].title)
            action = menu.addAction(title)
            action.setCheckable(True)
            action.setChecked(not self.isColumnHidden(number))
            action.setEnabled(number != COLUMN["title"])
            action.toggled.connect(lambda on, n=number: self.setColumnHidden(n, not on))
        return menu

    def _header_menu(self, pos: QPoint) -> None:
        self.column_menu().popup(self.horizontalHeader().mapToGlobal(pos))

    def paper_model(self) -> PaperTableModel:
        model = self.model()
        assert isinstance(model, PaperTableModel)
        return model

    def set_two_line_rows(self, two: bool) -> None:
        self.verticalHeader().setDefaultSectionSize(row_height(self, 2 if two else 1))

    # -- selection by id -------------------------------------------------------------

    def selected_ids(self) -> list[int]:
        model = self.paper_model()
        rows = sorted({i.row() for i in self.selectionModel().selectedRows()})
        return [model.id_at(r) for r in rows if r < model.rowCount()]

    def current_id(self) -> int | None:
        index = self.currentIndex()
        model = self.paper_model()
        if not index.isValid() or index.row() >= model.rowCount():
            return None
        return model.id_at(index.row())

    def select_ids(self, ids: list[int], current: int | None = None, *, scroll: bool = True) -> None:
        model = self.paper_model()
        selection = QItemSelection()
        last = model.columnCount() - 1
        rows = sorted(r for r in (model.row_of(p) for p in ids) if r is not None)
        start = None
        previous = None
        for row in rows:  # contiguous runs, so a big selection stays a few ranges
            if start is None:
                start = previous = row
            elif previous is not None and row == previous + 1:
                previous = row
            else:
                selection.select(model.index(start, 0), model.index(previous or start, last))
                start = previous = row
        if start is not None:
            selection.select(model.index(start, 0), model.index(previous if previous is not None else start, last))
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
        selection_model = self.selectionModel()
        current_row = model.row_of(current) if current is not None else (rows[0] if rows else None)
        if current_row is not None:
            selection_model.setCurrentIndex(model.index(current_row, 0), QItemSelectionModel.SelectionFlag.NoUpdate)
        selection_model.select(selection, flags)
        if scroll and current_row is not None:
            self.scrollTo(model.index(current_row, 0), QAbstractItemView.ScrollHint.EnsureVisible)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter asks for the current paper: the window opens its PDF, or edits it when it has none."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.KeypadModifier) \
                and self.state() != QAbstractItemView.State.EditingState:
            event.accept()
            self.editRequested.emit()
            return
        super().keyPressEvent(event)

    # -- drag and drop --------------------------------------------------------------------

    def _internal_reorder(self, event: QDragEnterEvent | QDragMoveEvent | QDropEvent) -> bool:
        return event.source() is self and self.paper_model().reorderable

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and event.source() is None:
            event.ignore()  # files from outside: the window imports them
            return
        if event.source() is self and not self.paper_model().reorderable:
            event.ignore()
            return
        super().dragEnterEvent(event)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:
        if not self._internal_reorder(event):
            event.ignore()
            return
        super().dragMoveEvent(event)
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()

    def dropEvent(self, event: QDropEvent) -> None:
        if not self._internal_reorder(event):
            event.ignore()
            return
        index = self.indexAt(event.position().toPoint())
        model = self.paper_model()
        if not index.isValid():
            row = model.rowCount()
        else:
            below = self.dropIndicatorPosition() == QAbstractItemView.DropIndicatorPosition.BelowItem
            row = index.row() + (1 if below else 0)
        ids = self.selected_ids()
        event.setDropAction(Qt.DropAction.CopyAction)
        event.accept()
        self.setState(QAbstractItemView.State.NoState)
        self.viewport().update()
        if ids:
            self.reorderDropped.emit(ids, row)


class SidebarView(QTreeView):
    """The sidebar: one selected scope at a time; lists and tags take dropped papers;
    reading lists are reordered by dragging them."""

    scopeSelected = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setItemsExpandable(False)
        self.setIndentation(10)
        self.setUniformRowHeights(False)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.EditKeyPressed)
        self.setAcceptDrops(True)
        self.setDragEnabled(True)  # only reading lists are draggable (the model's flags say so)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragDrop)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setDropIndicatorShown(True)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.setItemDelegate(SidebarDelegate(self))
        self.setFrameShape(QTreeView.Shape.NoFrame)
        self._restoring = False
        self._scope: Scope | None = None

    def setModel(self, model: object) -> None:
        super().setModel(model)  # type: ignore[arg-type]
        assert isinstance(model, SidebarModel)
        model.modelReset.connect(self.expandAll)
        self.selectionModel().currentChanged.connect(self._current_changed)
        self.expandAll()

    def sidebar_model(self) -> SidebarModel:
        model = self.model()
        assert isinstance(model, SidebarModel)
        return model

    def event(self, event: QEvent) -> bool:
        """F2 renames the current list or tag here, although the window's F2 edits a paper."""
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and event.key() == Qt.Key.Key_F2 and event.modifiers() == Qt.KeyboardModifier.NoModifier:
            current = self.currentIndex()
            if current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable:
                event.accept()
                return True
        return super().event(event)

    @property
    def scope(self) -> Scope | None:
        return self._scope

    def select_scope(self, scope: Scope, *, notify: bool = True) -> bool:
        """Make ``scope`` current; False when the sidebar does not show it (any more)."""
        index = self.sidebar_model().index_of(scope)
        if not index.isValid():
            return False
        self._restoring = not notify
        try:
            self.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect)
        finally:
            self._restoring = False
        self._scope = index.data(ScopeRole)
        return True

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        scope = current.data(ScopeRole) if current.isValid() else None
        if not isinstance(scope, Scope):
            return
        changed = scope != self._scope
        self._scope = scope
        if changed and not self._restoring:
            self.scopeSelected.emit(scope)
