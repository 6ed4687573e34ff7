"""The related-papers panel: papers most like the selected one, found off the GUI thread, each with
the key terms it shares with it (why it is related)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtWidgets import QLabel, QListView, QVBoxLayout, QWidget

from desktop_app.domain.readable import readable

AnyIndex = QModelIndex | QPersistentModelIndex
PaperIdRole = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True)
class RelatedPaper:
    pid: int
    title: str
    authors: str
    year: int | None
    score: float
    shared: tuple[str, ...] = ()  # the selected paper's key terms this one has too

    @property
    def reason(self) -> str:
        return f"shares: {', '.join(self.shared)}" if self.shared else ""


class RelatedModel(QAbstractListModel):
    """A short ranked list of related papers."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._items: list[RelatedPaper] = []

    @property
    def items(self) -> list[RelatedPaper]:
        return list(self._items)

    def set_items(self, items: list[RelatedPaper]) -> None:
        self.beginResetModel()
        self._items = list(items)
        self.endResetModel()

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._items)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._items):
            return None
        item = self._items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            meta = " · ".join(x for x in (item.authors, str(item.year) if item.year else "") if x)
            return "\n".join(x for x in (readable(item.title), meta, item.reason) if x)
        if role == Qt.ItemDataRole.ToolTipRole:
            why = f"Related through the key terms: {', '.join(item.shared)}\n" if item.shared else ""
            return f"{readable(item.title)}\n{why}similarity {item.score:.2f} — click to open (Alt+Left goes back)"
        if role == PaperIdRole:
            return item.pid
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren


class RelatedPanel(QWidget):
    """The list plus a one-line state ("Finding related papers…", "No related papers")."""

    paperActivated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = RelatedModel(self)
        self.view = QListView(self)
        self.view.setObjectName("relatedList")
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.setUniformItemSizes(False)
        self.view.setAlternatingRowColors(True)
        self.view.setSpacing(2)
        self.view.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.state = QLabel(self)
        self.state.setWordWrap(True)
        self.state.setEnabled(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.state)
        layout.addWidget(self.view, 1)
        self.view.activated.connect(self._activated)
        self.view.clicked.connect(self._activated)

    def show_loading(self) -> None:
        self.state.setText("Finding related papers…")

    def show_items(self, items: list[RelatedPaper]) -> None:
        self.model.set_items(items)
        self.state.setText("" if items else "No related papers found (the index may still be catching up).")
        self.state.setVisible(not items)

    def show_message(self, text: str) -> None:
        self.model.set_items([])
        self.state.setText(text)
        self.state.setVisible(True)

    def _activated(self, index: QModelIndex) -> None:
        pid = index.data(PaperIdRole)
        if isinstance(pid, int):
            self.paperActivated.emit(pid)
