"""The Trash page: what was deleted (papers and reading lists), Restore, Delete for Good and
Empty Trash (which asks first).

It gets narrow interfaces: the library to read the Trash from, and a ``write`` function
that runs a library write on the window's write thread and applies its ``Changes``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QAction, QFont, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.trash import TrashContents
from desktop_app.gui import theme

AnyIndex = QModelIndex | QPersistentModelIndex
Write = Callable[[Callable[[], Changes | None], str], Any]


@dataclass(frozen=True)
class TrashRow:
    kind: str  # paper | list
    item_id: int  # paper id, or the list's trash id
    title: str
    detail: str
    deleted: str


def rows_of(contents: TrashContents) -> list[TrashRow]:
    rows = [TrashRow("paper", p.paper_id, p.title or "(untitled)", p.citekey, p.deleted) for p in contents.papers]
    rows += [TrashRow("list", t.trash_id, t.name, f"reading list · {t.paper_count} paper"
                      + ("" if t.paper_count == 1 else "s"), t.deleted) for t in contents.lists]
    return sorted(rows, key=lambda r: r.deleted, reverse=True)


def _when(stamp: str) -> str:
    try:
        return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return stamp


class TrashModel(QAbstractTableModel):
    """The Trash's rows: title (or list name), key (or list size), when deleted."""

    HEADERS = ("Title", "Key / kind", "Deleted")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: list[TrashRow] = []

    def set_rows(self, rows: list[TrashRow]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        row = self.rows[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return (row.title, row.detail, _when(row.deleted))[index.column()]
        if role == Qt.ItemDataRole.FontRole and row.kind == "list" and index.column() == 0:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section]
        return None


class TrashPage(QWidget):
    """The centre of the window while the sidebar's Trash is selected."""

    def __init__(self, library: Library, write: Write, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("trashPage")
        self.library = library
        self.write = write
        self.model = TrashModel(self)
        heading = QLabel("Trash", self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.15)
        font.setWeight(QFont.Weight.DemiBold)
        heading.setFont(font)
        self.hint = QLabel(self)
        muted = QPalette(self.hint.palette())
        muted.setColor(QPalette.ColorRole.WindowText, theme.muted_color(self.palette()))
        self.hint.setPalette(muted)
        self.hint.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)  # never widens the window
        self.table = QTableView(self)
        self.table.setObjectName("trashTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.resizeSection(1, 200)
        header.resizeSection(2, 130)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.restore_button = QPushButton("Restore", self)
        self.restore_button.setToolTip("Put the selected papers and lists back where they were")
        self.forget_button = QPushButton("Delete for Good…", self)
        self.empty_button = QPushButton("Empty Trash…", self)
        self.restore_button.clicked.connect(self.restore_selected)
        self.forget_button.clicked.connect(self.ask_delete_selected)
        self.empty_button.clicked.connect(self.ask_empty)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        delete = QAction("Delete for Good…", self.table)
        delete.setShortcut(QKeySequence(QKeySequence.StandardKey.Delete))
        delete.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)
        delete.triggered.connect(self.ask_delete_selected)
        self.table.addAction(delete)
        self.confirm: Callable[[str, str], bool] = self._confirm  # tests answer for the user
        top = QHBoxLayout()
        top.setContentsMargins(4, 2, 4, 2)
        top.setSpacing(10)
        top.addWidget(heading)
        top.addWidget(self.hint, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.restore_button)
        buttons.addWidget(self.forget_button)
        buttons.addStretch(1)
        buttons.addWidget(self.empty_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        """Read the Trash again (its listing is two small SQL queries)."""
        rows = rows_of(self.library.trash())
        self.model.set_rows(rows)
        count = len(rows)
        self.hint.setText("deleted papers and reading lists, until you empty the Trash"
                          if count else "empty: deleted papers and reading lists wait here until you empty it")
        self._update_buttons()

    def selected_rows(self) -> list[TrashRow]:
        return [self.model.rows[i.row()] for i in self.table.selectionModel().selectedRows()
                if 0 <= i.row() < len(self.model.rows)]

    def _update_buttons(self) -> None:
        writable = not self.library.readonly
        selected = bool(self.selected_rows())
        self.restore_button.setEnabled(writable and selected)
        self.forget_button.setEnabled(writable and selected)
        self.empty_button.setEnabled(writable and bool(self.model.rows))

    def _split(self, rows: list[TrashRow]) -> tuple[list[int], list[int]]:
        return ([r.item_id for r in rows if r.kind == "paper"], [r.item_id for r in rows if r.kind == "list"])

    def restore_selected(self) -> None:
        papers, lists = self._split(self.selected_rows())
        if papers or lists:
            library = self.library
            self.write(lambda: library.restore_from_trash(papers, lists), "restore from the Trash")

    def ask_delete_selected(self) -> None:
        rows = self.selected_rows()
        if rows and self.confirm(f"Delete {len(rows):,} item{'s' if len(rows) != 1 else ''} for good?",
                                  "Delete for Good"):
            papers, lists = self._split(rows)
            library = self.library
            self.write(lambda: self._emptied(library.empty_trash(papers, lists)), "delete for good")

    def ask_empty(self) -> None:
        count = len(self.model.rows)
        if count and self.confirm(f"Empty the Trash? Its {count:,} item{'s' if count != 1 else ''} "
                                   "will be deleted for good.", "Empty Trash"):
            library = self.library
            self.write(lambda: self._emptied(library.empty_trash()), "empty the Trash")

    @staticmethod
    def _emptied(_count: int) -> Changes:
        return Changes(lists=True, label="empty the Trash")

    def _confirm(self, text: str, button: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Lectern", text, parent=self)
        box.setObjectName("trashConfirm")
        box.setInformativeText("This cannot be undone.")
        yes = box.addButton(button, QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is yes
