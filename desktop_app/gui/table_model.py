"""The paper table: a ``QAbstractTableModel`` over paper ids with a lazy row cache.

The model holds only ids.  Rows are fetched from the library (``rows(ids)``)
a chunk at a time around the row a view asks for, and dropped when a
``Changes`` value says they changed.  Sorting asks the library for the order
(``sort_ids``, done in SQLite) and re-lays the ids out; there is no proxy
model.  During a search each row can carry highlight marks (title and an
excerpt with the matched words), computed off the GUI thread on request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from PySide6.QtCore import (
    QAbstractTableModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

from desktop_app.core.vocabulary import PaperRow, Snippet
from desktop_app.domain.readable import readable

MIME_IDS = "application/x-lectern-paper-ids"
PaperIdRole = Qt.ItemDataRole.UserRole + 1
MarksRole = Qt.ItemDataRole.UserRole + 2
STATUS_LABELS = {"read": "Read", "reading": "Reading", "unread": "Unread"}
PRIORITY_LABELS = ("", "Low", "Medium", "High")
NOTE_MARK = "✎"

AnyIndex = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    tip: str = ""


# New columns go at the end (saved sorts name the key; the view places them on screen).
COLUMNS: tuple[Column, ...] = (
    Column("title", "Title"),
    Column("authors", "Authors"),
    Column("year", "Year"),
    Column("venue", "Venue"),
    Column("tags", "Tags"),
    Column("status", "Status"),
    Column("added", "Added"),
    Column("priority", "Priority", "Priority: High, Medium, Low (Alt+3 … Alt+0 sets it)"),
    Column("note", NOTE_MARK, "Has a note (Ctrl+Shift+E opens it)"),
    Column("position", "#", "Position in the reading list (Alt+Up/Down moves a paper)"),
    Column("citekey", "Key", "Citation key, as in \\cite{key}"),
)
COLUMN = {c.key: i for i, c in enumerate(COLUMNS)}
CENTRED = frozenset({"year", "note", "position"})


@dataclass(frozen=True)
class RowMarks:
    """Search highlights for one row: the title's matches and an excerpt of the best field."""

    title: Snippet
    excerpt: Snippet


class RowSource(Protocol):
    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]: ...

    def sort_ids(self, ids: Sequence[int], column: str, descending: bool = False) -> list[int]: ...


def encode_ids(ids: Iterable[int]) -> bytes:
    return json.dumps(list(ids)).encode()


def decode_ids(data: QMimeData) -> list[int]:
    if not data.hasFormat(MIME_IDS):
        return []
    try:
        raw = json.loads(bytes(data.data(MIME_IDS).data()).decode())
    except ValueError:
        return []
    return [int(i) for i in raw if isinstance(i, int)]


class PaperTableModel(QAbstractTableModel):
    """Papers by id; rows fetched lazily; sorted by the library, in the model."""

    statusChangeRequested = Signal(list, str)  # ids, new status
    marksWanted = Signal(list)  # ids whose search highlights a view wants to paint

    CHUNK = 200
    CACHE_LIMIT = 20_000

    def __init__(self, source: RowSource, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._library = source
        self._source: list[int] = []  # the order the ids came in (rank, list order, newest first)
        self._ids: list[int] = []  # the order shown
        self._rows: dict[int, PaperRow | None] = {}
        self._positions: dict[int, int] | None = None
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._marks: dict[int, RowMarks] = {}
        self._wanted: set[int] = set()
        self._requested: set[int] = set()
        self.marks_active = False
        self.reorderable = False
        self.positions_shown = False  # the # column numbers the source order (a reading list's)
        self._source_positions: dict[int, int] | None = None
        self.readonly = False  # no status checkbox clicks for a read-only library
        self._want_timer = QTimer(self)
        self._want_timer.setSingleShot(True)
        self._want_timer.setInterval(0)
        self._want_timer.timeout.connect(self._emit_wanted)

    # -- contents ---------------------------------------------------------------

    @property
    def ids(self) -> list[int]:
        """The ids in the order shown."""
        return list(self._ids)

    @property
    def source_ids(self) -> list[int]:
        """The ids in the order they were given (search rank, list order...)."""
        return list(self._source)

    @property
    def sort_column(self) -> int:
        return self._sort_column

    @property
    def sort_order(self) -> Qt.SortOrder:
        return self._sort_order

    def set_ids(self, ids: Sequence[int], *, marks_active: bool = False, reorderable: bool = False,
                marks: dict[int, RowMarks] | None = None, positions: bool = False) -> None:
        """Show these ids (kept in the current sort order); the row cache starts afresh.

        ``positions``: the ids are a reading list in its order, and the # column numbers them.
        """
        self.beginResetModel()
        self.positions_shown = positions
        self._source = list(dict.fromkeys(ids))
        self._source_positions = None
        self._ids = self._sorted(self._source)
        self._positions = None
        self._rows.clear()
        self._marks = dict(marks or {})
        self._wanted.clear()
        self._requested = set(self._marks)
        self.marks_active = marks_active
        self.reorderable = reorderable
        self.endResetModel()

    def id_at(self, row: int) -> int:
        return self._ids[row]

    def row_of(self, pid: int) -> int | None:
        if self._positions is None:
            self._positions = {pid: row for row, pid in enumerate(self._ids)}
        return self._positions.get(pid)

    def position_of(self, pid: int) -> int | None:
        """0-based place of ``pid`` in the source order (a reading list's order)."""
        if self._source_positions is None:
            self._source_positions = {p: n for n, p in enumerate(self._source)}
        return self._source_positions.get(pid)

    def _position_text(self, pid: int) -> str:
        position = self.position_of(pid) if self.positions_shown else None
        return str(position + 1) if position is not None else ""

    def paper_row(self, row: int) -> PaperRow | None:
        return self._row(row)

    def invalidate(self, ids: Iterable[int]) -> None:
        """Forget cached rows of these papers and tell views to repaint them."""
        rows = []
        for pid in ids:
            self._rows.pop(pid, None)
            row = self.row_of(pid)
            if row is not None:
                rows.append(row)
        if not rows:
            return
        last = self.columnCount() - 1
        self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), last))

    def remove_ids(self, ids: Iterable[int]) -> None:
        """Drop papers that no longer exist (or no longer belong to the view)."""
        gone = set(ids)
        rows = sorted((r for r in (self.row_of(p) for p in gone) if r is not None), reverse=True)
        if not rows:
            return
        ranges: list[tuple[int, int]] = []
        for row in rows:
            if ranges and ranges[-1][0] == row + 1:
                ranges[-1] = (row, ranges[-1][1])
            else:
                ranges.append((row, row))
        if len(ranges) > 50:
            self.beginResetModel()
            self._ids = [p for p in self._ids if p not in gone]
            self._source = [p for p in self._source if p not in gone]
            self._source_positions = None
            self._positions = None
            self.endResetModel()
            return
        for first, last in ranges:
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._ids[first:last + 1]
            self._positions = None
            self.endRemoveRows()
        self._source = [p for p in self._source if p not in gone]
        self._source_positions = None
        for pid in gone:
            self._rows.pop(pid, None)
            self._marks.pop(pid, None)

    def set_order(self, ids: Sequence[int]) -> None:
        """Re-lay out the same ids in a new source order (a reading list reordered by drag)."""
        if sorted(ids) != sorted(self._source):
            raise ValueError("set_order needs the same ids")
        def change() -> None:
            self._source = list(ids)
            self._source_positions = None

        self._relayout(change)

    def order_after_move(self, moving: Sequence[int], row: int) -> list[int]:
        """The source order with ``moving`` placed before the paper shown at ``row``."""
        moved = set(moving)
        shown_before = {p for p in self._ids[:row] if p not in moved}
        rest = [p for p in self._source if p not in moved]
        at = sum(1 for p in rest if p in shown_before)
        block = [p for p in self._source if p in moved]
        return rest[:at] + block + rest[at:]

    # -- search highlights ------------------------------------------------------------

    def add_marks(self, marks: dict[int, RowMarks]) -> None:
        self._marks.update(marks)
        rows = [r for r in (self.row_of(p) for p in marks) if r is not None]
        if rows:
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), 0),
                                  [MarksRole, Qt.ItemDataRole.ToolTipRole])

    def _want_marks(self, pid: int) -> None:
        if pid in self._requested:
            return
        self._requested.add(pid)
        self._wanted.add(pid)
        self._want_timer.start()

    def _emit_wanted(self) -> None:
        wanted = [p for p in self._ids if p in self._wanted]
        self._wanted.clear()
        if wanted:
            self.marksWanted.emit(wanted)

    # -- the row cache -------------------------------------------------------------------

    def _row(self, row: int) -> PaperRow | None:
        pid = self._ids[row]
        if pid in self._rows:
            return self._rows[pid]
        if len(self._rows) > self.CACHE_LIMIT:
            self._rows.clear()
        start = max(0, row - self.CHUNK // 2)
        wanted = [p for p in self._ids[start:start + self.CHUNK] if p not in self._rows]
        fetched = self._library.rows(wanted)
        for p in wanted:
            self._rows[p] = fetched.get(p)
        return self._rows[pid]

    # -- Qt model API ------------------------------------------------------------------------

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._ids)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole and COLUMNS[section].key in CENTRED:
                return int(Qt.AlignmentFlag.AlignCenter)
            if role == Qt.ItemDataRole.ToolTipRole and COLUMNS[section].tip:
                return COLUMNS[section].tip
        return None

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._ids):
            return None
        key = COLUMNS[index.column()].key
        if role == PaperIdRole:
            return self._ids[index.row()]
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if key == "position":
                return self._position_text(self._ids[index.row()])
            row = self._row(index.row())
            return _display(row, key) if row is not None else ("(deleted)" if key == "title" else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(index.row(), key)
        if role == Qt.ItemDataRole.CheckStateRole and key == "status":
            row = self._row(index.row())
            status = row.status if row is not None else "unread"
            return {"read": Qt.CheckState.Checked, "reading": Qt.CheckState.PartiallyChecked}.get(
                status, Qt.CheckState.Unchecked)
        if role == Qt.ItemDataRole.TextAlignmentRole and key in CENTRED:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == MarksRole and key == "title" and self.marks_active:
            pid = self._ids[index.row()]
            marks = self._marks.get(pid)
            if marks is None:
                self._want_marks(pid)
            return marks
        return None

    def _tooltip(self, row_number: int, key: str) -> str | None:
        row = self._row(row_number)
        if row is None:
            return None
        if key == "title":
            marks = self._marks.get(row.id) if self.marks_active else None
            text = f"<b>{_escape(readable(row.title))}</b>"
            if row.authors:
                text += f"<br>{_escape(row.authors)}"
            if marks is not None and marks.excerpt.text:
                text += f"<br><br>{marks.excerpt.html('b')}"
            return f"<qt>{text}</qt>"
        if key == "status":
            return "Click to mark read or unread (Ctrl+R toggles the selection)"
        if key == "note":
            return "Has a note (Ctrl+Shift+E opens it)" if row.has_note else None
        if key == "position":
            return None
        value = _display(row, key)
        return value if len(value) > 24 else None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():  # dropping between rows: only to reorder a reading list
            return Qt.ItemFlag.ItemIsDropEnabled if self.reorderable else Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemIsDragEnabled | Qt.ItemFlag.ItemNeverHasChildren)
        if COLUMNS[index.column()].key == "status" and not self.readonly:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.CheckStateRole:
            return False
        if COLUMNS[index.column()].key != "status":
            return False
        state = Qt.CheckState(value) if isinstance(value, int) else value
        status = "read" if state == Qt.CheckState.Checked else "unread"
        self.statusChangeRequested.emit([self._ids[index.row()]], status)
        return True

    # -- drag and drop ---------------------------------------------------------------------------

    def mimeTypes(self) -> list[str]:
        return [MIME_IDS, "text/plain"]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        rows = sorted({i.row() for i in indexes if i.isValid()})
        ids = [self._ids[r] for r in rows]
        data = QMimeData()
        data.setData(MIME_IDS, encode_ids(ids))
        keys = [row.citekey for row in (self._row(r) for r in rows) if row is not None]
        data.setText(", ".join(keys))
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction

    # -- sorting ----------------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if column >= len(COLUMNS) or (column, order) == (self._sort_column, self._sort_order):
            return

        def change() -> None:
            self._sort_column = column
            self._sort_order = order

        self._relayout(change)

    def _relayout(self, change: Any) -> None:
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        remembered = [(self._ids[p.row()], p.column()) if p.row() < len(self._ids) else None
                      for p in persistent]
        change()
        self._ids = self._sorted(self._source)
        self._positions = None
        moved = []
        for entry in remembered:
            row = self.row_of(entry[0]) if entry is not None else None
            moved.append(self.index(row, entry[1]) if entry is not None and row is not None else QModelIndex())
        self.changePersistentIndexList(persistent, moved)
        self.layoutChanged.emit()

    def _sorted(self, ids: list[int]) -> list[int]:
        if self._sort_column < 0 or not ids:
            return list(ids)
        key = COLUMNS[self._sort_column].key
        descending = self._sort_order == Qt.SortOrder.DescendingOrder
        if key == "position":  # the source order itself (a list's order), or reversed
            return list(reversed(ids)) if descending else list(ids)
        if key == "tags":  # the library cannot sort by tags yet: order by the rows' tag text
            rows = self._library.rows(ids)
            return sorted(ids, key=lambda p: (rows[p].tags.casefold() if p in rows else "", p),
                          reverse=descending)
        return self._library.sort_ids(ids, key, descending)


def _display(row: PaperRow, key: str) -> str:
    if key == "title":
        return readable(row.title) if row.title else "(untitled)"
    if key == "authors":
        return row.authors
    if key == "year":
        return str(row.year) if row.year else ""
    if key == "venue":
        return row.venue
    if key == "tags":
        return row.tags
    if key == "status":
        return STATUS_LABELS.get(row.status, row.status)
    if key == "added":
        return row.added[:10]
    if key == "priority":
        return PRIORITY_LABELS[row.priority] if 0 <= row.priority < len(PRIORITY_LABELS) else str(row.priority)
    if key == "note":
        return NOTE_MARK if row.has_note else ""
    if key == "citekey":
        return row.citekey
    return ""


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
