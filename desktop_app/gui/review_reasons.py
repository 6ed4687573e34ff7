"""The review editor's list of exclusion reasons: editable in place, reordered, each shown with its key.

While screening, ``E`` then ``1``-``9`` excludes with the reason in that row, so the model
shows each reason's key (the delegate writes it before the name, so the data stays the
reason alone) and marks those past the ninth, which have no key.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from desktop_app.core.reviews import MAX_KEYED_REASONS

Index = QModelIndex | QPersistentModelIndex


def tidy(text: str) -> str:
    return " ".join(text.split())


class ReasonsModel(QAbstractListModel):
    """Exclusion reasons in screening-key order; blank and duplicate names are refused (``refused``).

    Each row remembers the name it was loaded with, so that ``renames`` can tell the
    editor which reasons were renamed (their decisions take the new name on saving).
    """

    refused = Signal(str)  # why an edit was not taken, for the dialog's inline message

    def __init__(self, reasons: Sequence[str] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._reasons = [tidy(r) for r in reasons if tidy(r)]
        self._origins: list[str | None] = list(self._reasons)  # each row's name when loaded; None: added
        self.warning_colour = QColor("#b3261e")

    def reasons(self) -> list[str]:
        return list(self._reasons)

    def renames(self) -> dict[str, str]:
        """Reasons renamed since loading, old name -> new (for the decisions that carry the old one)."""
        return {old: new for old, new in zip(self._origins, self._reasons, strict=True)
                if old is not None and old != new}

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._reasons)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._reasons):
            return None
        row, reason = index.row(), self._reasons[index.row()]
        keyed = row < MAX_KEYED_REASONS
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return reason
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"While screening: E then {row + 1}" if keyed else
                    f"No key: the screening view offers keys 1-{MAX_KEYED_REASONS} only")
        if role == Qt.ItemDataRole.ForegroundRole and not keyed:
            return self.warning_colour
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{reason}, key {row + 1}" if keyed else f"{reason}, no key"
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsEditable

    def _taken(self, reason: str, except_row: int = -1) -> bool:
        return any(r.casefold() == reason.casefold() for i, r in enumerate(self._reasons) if i != except_row)

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not 0 <= index.row() < len(self._reasons):
            return False
        reason = tidy(str(value))
        if not reason:
            self.refused.emit("A reason needs a name (Remove deletes it).")
            return False
        if self._taken(reason, index.row()):
            self.refused.emit(f"“{reason}” is in the list already.")
            return False
        if reason != self._reasons[index.row()]:
            self._reasons[index.row()] = reason
            self.dataChanged.emit(index, index, [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole])
        return True

    def add(self, reason: str) -> int:
        """Append a reason (a fresh name if ``reason`` is taken); returns its row."""
        base = tidy(reason) or "New reason"
        name, number = base, 2
        while self._taken(name):
            name, number = f"{base} {number}", number + 1
        row = len(self._reasons)
        self.beginInsertRows(QModelIndex(), row, row)
        self._reasons.append(name)
        self._origins.append(None)
        self.endInsertRows()
        return row

    def removeRows(self, row: int, count: int, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        if parent.isValid() or count < 1 or row < 0 or row + count > len(self._reasons):
            return False
        self.beginRemoveRows(QModelIndex(), row, row + count - 1)
        del self._reasons[row:row + count]
        del self._origins[row:row + count]
        self.endRemoveRows()
        self._keys_changed(row)
        return True

    def moveRows(self, source_parent: Index, source_row: int, count: int, destination_parent: Index,
                 destination_child: int) -> bool:
        """Move rows (Qt's convention: ``destination_child`` is the row they go before)."""
        if source_parent.isValid() or destination_parent.isValid() or count < 1:
            return False
        end = source_row + count
        if source_row < 0 or end > len(self._reasons) or not 0 <= destination_child <= len(self._reasons) \
                or source_row <= destination_child <= end:
            return False
        if not self.beginMoveRows(QModelIndex(), source_row, end - 1, QModelIndex(), destination_child):
            return False
        moving, origins = self._reasons[source_row:end], self._origins[source_row:end]
        del self._reasons[source_row:end]
        del self._origins[source_row:end]
        at = destination_child if destination_child < source_row else destination_child - count
        self._reasons[at:at] = moving
        self._origins[at:at] = origins
        self.endMoveRows()
        self._keys_changed(min(source_row, at))
        return True

    def move(self, row: int, step: int) -> int:
        """Move one reason up (``step`` -1) or down (+1); returns where it is now."""
        target = row + step
        if not 0 <= row < len(self._reasons) or not 0 <= target < len(self._reasons):
            return row
        self.moveRows(QModelIndex(), row, 1, QModelIndex(), target if step < 0 else target + 1)
        return target

    def _keys_changed(self, first: int) -> None:
        """Rows from ``first`` on have new key numbers."""
        if first < len(self._reasons):
            self.dataChanged.emit(self.index(first), self.index(len(self._reasons) - 1),
                                  [Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole])


def key_label(row: int) -> str:
    """What the screening view's key for the reason in ``row`` is ("—": none)."""
    return str(row + 1) if row < MAX_KEYED_REASONS else "—"


class KeyedDelegate(QStyledItemDelegate):
    """Shows each reason after its screening key: ``3   Wrong outcome``."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:
        super().initStyleOption(option, index)
        option.text = f"{key_label(index.row())}   {option.text}"
