"""The sidebar tree: library views, reading lists, saved searches, reviews and tags, with counts; the Trash.

A custom ``QAbstractItemModel`` of two levels: section headers and their
entries.  Its contents come from a ``SidebarData`` snapshot that is loaded off
the GUI thread (counts are SQL queries) and applied in one reset; views keep
their selection by ``Scope``, not by row.  Papers dropped on a list or a tag
are reported through ``papersDropped``; renames through ``renameRequested``.
A reading list dragged to another place among the lists moves there at once
(``beginMoveRows``) and the new order goes out through ``listsReordered``
for the window to store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QPalette

from desktop_app.domain.models import ReadingList, SavedSearch, TagCount
from desktop_app.gui import theme
from desktop_app.gui.table_model import MIME_IDS, decode_ids

MIME_LISTS = "application/x-lectern-reading-lists"

AnyIndex = QModelIndex | QPersistentModelIndex
ScopeRole = Qt.ItemDataRole.UserRole + 10
DetailRole = Qt.ItemDataRole.UserRole + 11
SectionRole = Qt.ItemDataRole.UserRole + 12


@dataclass(frozen=True)
class Scope:
    """What the table shows before any search: a fixed view, a list, a saved search or a tag."""

    kind: str  # library | unread | recent | list | search | review | tag
    name: str = ""
    query: str = ""

    @property
    def label(self) -> str:
        fixed = {"library": "Library", "unread": "Unread", "recent": "Recently added", "trash": "Trash"}
        return fixed.get(self.kind, self.name)


LIBRARY = Scope("library")
UNREAD = Scope("unread")
RECENT = Scope("recent")
TRASH = Scope("trash")


@dataclass(frozen=True)
class ReviewEntry:
    """A systematic review as the sidebar lists it: its name, record count and question."""

    name: str
    records: int
    question: str = ""
    screened: int = 0  # by this library's reviewer, at title/abstract


@dataclass
class SidebarData:
    """One consistent snapshot of what the sidebar shows."""

    total: int = 0
    unread: int = 0
    recent: int = 0
    trash: int = 0  # papers and reading lists in the Trash
    lists: list[ReadingList] = field(default_factory=list)
    searches: list[SavedSearch] = field(default_factory=list)
    tags: list[TagCount] = field(default_factory=list)
    reviews: list[ReviewEntry] = field(default_factory=list)


@dataclass
class _Node:
    label: str
    scope: Scope | None = None  # None for a section header
    detail: str = ""
    tooltip: str = ""
    icon: str = ""
    children: list[_Node] = field(default_factory=list)
    parent: _Node | None = None
    row: int = 0
    hint: bool = False  # a muted line saying how to fill an empty section

    @property
    def is_section(self) -> bool:
        return self.scope is None and not self.hint


SECTIONS = ("Library", "Reading lists", "Saved searches", "Reviews", "Tags")
REVIEWS_SECTION = "Reviews"
LISTS_SECTION = "Reading lists"


def _build(data: SidebarData) -> list[_Node]:
    library = _Node("Library", children=[
        _Node("Library", LIBRARY, f"{data.total:,}", "Every paper", "library"),
        _Node("Unread", UNREAD, f"{data.unread:,}", "Papers not marked read", "unread"),
        _Node("Recently added", RECENT, f"{data.recent:,}", "Added in the last 7 days", "recent"),
        _Node("Trash", TRASH, f"{data.trash:,}" if data.trash else "",
              "Deleted papers and reading lists (drop papers here to delete them)", "trash"),
    ])
    lists = _Node("Reading lists", children=[
        _Node(rl.name, Scope("list", rl.name), f"{rl.read_count} of {rl.paper_count} read",
              f"{rl.name}: {rl.progress_text}", "list")
        for rl in data.lists
    ])
    searches = _Node("Saved searches", children=[
        _Node(s.name, Scope("search", s.name, s.query), "", f"Smart list: {s.query}", "search")
        for s in data.searches
    ])
    reviews = _Node(REVIEWS_SECTION, children=[
        _Node(r.name, Scope("review", r.name), f"{r.screened:,}/{r.records:,}",
              f"{r.question or r.name} — you screened {r.screened:,} of {r.records:,} "
              f"record{'s' if r.records != 1 else ''} (Enter: screen; menu key: more)", "review")
        for r in data.reviews
    ])
    tags = _Node("Tags", children=[
        _Node(t.name, Scope("tag", t.name), f"{t.count:,}",
              f"{t.count} paper{'s' if t.count != 1 else ''} tagged {t.name}", "tag")
        for t in data.tags
    ])
    hints = {
        "Reading lists": "New list: Ctrl+Shift+N",
        "Saved searches": "Save a search: Ctrl+Shift+S",
        REVIEWS_SECTION: "New review: Review menu",
        "Tags": "Tag papers: Ctrl+T",
    }
    roots = [library, lists, searches, reviews, tags]
    for root in roots:
        if not root.children and root.label in hints:
            root.children.append(_Node(hints[root.label], hint=True))
    for number, root in enumerate(roots):
        root.row = number
        for row, child in enumerate(root.children):
            child.parent = root
            child.row = row
    return roots


class SidebarModel(QAbstractItemModel):
    """Sections and their entries; lists and tags accept dropped papers and can be renamed."""

    papersDropped = Signal(object, list)  # Scope, ids
    renameRequested = Signal(object, str)  # Scope, new name
    listsReordered = Signal(list)  # every list's name, in the new order

    def __init__(self, palette: QPalette | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.readonly = False  # no dragging lists around in a read-only library
        self._palette = palette or QPalette()
        self._data = SidebarData()
        self._roots = _build(self._data)

    @property
    def snapshot(self) -> SidebarData:
        return self._data

    def set_data(self, data: SidebarData) -> None:
        self.beginResetModel()
        self._data = data
        self._roots = _build(data)
        self.endResetModel()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = palette
        if self._roots:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._roots) - 1, 0))

    def index_of(self, scope: Scope) -> QModelIndex:
        for root in self._roots:
            for child in root.children:
                own = child.scope
                if own == scope or (own is not None and own.kind == scope.kind == "search"
                                    and own.name == scope.name):
                    return self.createIndex(child.row, 0, child)
        return QModelIndex()

    def scopes(self, kind: str) -> list[Scope]:
        """Every scope of one kind the sidebar shows (lists, tags...), in order."""
        return [child.scope for root in self._roots for child in root.children
                if child.scope is not None and child.scope.kind == kind]

    def section_index(self, title: str) -> QModelIndex:
        for root in self._roots:
            if root.label == title:
                return self.createIndex(root.row, 0, root)
        return QModelIndex()

    def scope_at(self, index: AnyIndex) -> Scope | None:
        node = self._node(index)
        return node.scope if node is not None else None

    def _node(self, index: AnyIndex) -> _Node | None:
        if not index.isValid():
            return None
        node = index.internalPointer()
        return node if isinstance(node, _Node) else None

    # -- structure ------------------------------------------------------------------------

    def index(self, row: int, column: int, parent: AnyIndex = QModelIndex()) -> QModelIndex:  # noqa: B008
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, 0, self._roots[row]) if row < len(self._roots) else QModelIndex()
        node = self._node(parent)
        if node is None or not node.is_section or row >= len(node.children):
            return QModelIndex()
        return self.createIndex(row, 0, node.children[row])

    def parent(self, index: AnyIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        node = self._node(index)
        if node is None or node.parent is None:
            return QModelIndex()
        return self.createIndex(node.parent.row, 0, node.parent)

    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._roots)
        if parent.column() != 0:
            return 0
        node = self._node(parent)
        return len(node.children) if node is not None and node.is_section else 0

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    # -- data -----------------------------------------------------------------------------------

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        node = self._node(index)
        if node is None:
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return node.label.upper() if node.is_section and role == Qt.ItemDataRole.DisplayRole else node.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return node.tooltip or None
        if role == DetailRole:
            return node.detail
        if role == ScopeRole:
            return node.scope
        if role == SectionRole:
            return node.is_section
        if role == Qt.ItemDataRole.DecorationRole and node.icon:
            return theme.glyph_icon(node.icon, self._palette.color(QPalette.ColorRole.Text))
        if role == Qt.ItemDataRole.ForegroundRole and (node.is_section or node.hint):
            return theme.muted_color(self._palette)
        if role == Qt.ItemDataRole.FontRole and node.hint:
            font = QFont()
            font.setItalic(True)
            return font
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{node.label} {node.detail}".strip()
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        node = self._node(index)
        if node is None:
            return Qt.ItemFlag.NoItemFlags
        if node.is_section:
            if node.label == LISTS_SECTION and not self.readonly:
                return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled  # lists dropped between lists
            return Qt.ItemFlag.ItemIsEnabled
        if node.hint:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemNeverHasChildren
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
        assert node.scope is not None
        if node.scope.kind in ("list", "tag"):
            flags |= Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsDropEnabled
        if node.scope.kind == "trash" and not self.readonly:
            flags |= Qt.ItemFlag.ItemIsDropEnabled
        if node.scope.kind == "list" and not self.readonly:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def setData(self, index: AnyIndex, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        node = self._node(index)
        if node is None or node.scope is None or role != Qt.ItemDataRole.EditRole:
            return False
        new = " ".join(str(value).split())
        if not new or new == node.label or node.scope.kind not in ("list", "tag"):
            return False
        self.renameRequested.emit(node.scope, new)
        return True

    # -- drops: papers onto a list or tag, a list among the lists ------------------------------------

    def mimeTypes(self) -> list[str]:
        return [MIME_IDS, MIME_LISTS]

    def mimeData(self, indexes: Sequence[QModelIndex]) -> QMimeData:
        names = [node.scope.name for node in (self._node(i) for i in indexes)
                 if node is not None and node.scope is not None and node.scope.kind == "list"]
        data = QMimeData()
        data.setData(MIME_LISTS, json.dumps(names).encode())
        return data

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.CopyAction | Qt.DropAction.MoveAction

    def canDropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                        parent: AnyIndex) -> bool:
        if data.hasFormat(MIME_LISTS):
            return self._list_target(data, row, parent) is not None
        node = self._node(parent)
        return (node is not None and node.scope is not None and node.scope.kind in ("list", "tag", "trash")
                and data.hasFormat(MIME_IDS) and row == -1)

    def dropMimeData(self, data: QMimeData, action: Qt.DropAction, row: int, column: int,
                     parent: AnyIndex) -> bool:
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        if data.hasFormat(MIME_LISTS):
            target = self._list_target(data, row, parent)
            return target is not None and self.move_list(*target)
        node = self._node(parent)
        ids = decode_ids(data)
        if not ids or node is None or node.scope is None:
            return False
        self.papersDropped.emit(node.scope, ids)
        return True

    def removeRows(self, row: int, count: int, parent: AnyIndex = QModelIndex()) -> bool:  # noqa: B008
        """Nothing is removed here: after a list is dragged (a move) the view asks, and the
        drop itself has already moved it."""
        return False

    def _lists_root(self) -> _Node | None:
        return next((root for root in self._roots if root.label == LISTS_SECTION), None)

    def list_names(self) -> list[str]:
        root = self._lists_root()
        return [child.scope.name for child in root.children if child.scope is not None] if root else []

    def _list_target(self, data: QMimeData, row: int, parent: AnyIndex) -> tuple[str, int] | None:
        """Where a dragged list goes: ``(name, row it goes before)``, or None for no valid place.

        Between two lists (``row`` under the section) is that place; on a list, the list takes
        that list's place; on the section header, the first place.
        """
        if self.readonly:
            return None
        try:
            names = [str(n) for n in json.loads(bytes(data.data(MIME_LISTS).data()).decode())]
        except ValueError:
            return None
        root = self._lists_root()
        node = self._node(parent)
        present = self.list_names()
        if root is None or len(names) != 1 or names[0] not in present or node is None:
            return None
        source = present.index(names[0])
        if node is root:
            before = 0 if row < 0 else min(row, len(present))
        elif node.parent is root and node.scope is not None and row < 0:
            before = node.row + 1 if node.row > source else node.row
        else:
            return None
        return names[0], before

    def move_list(self, name: str, before: int) -> bool:
        """Move a reading list so it comes before the list now at row ``before`` (or last)."""
        root = self._lists_root()
        names = self.list_names()
        if root is None or name not in names:
            return False
        source = names.index(name)
        if before in (source, source + 1):
            return True  # dropped where it is
        section = self.createIndex(root.row, 0, root)
        if not self.beginMoveRows(section, source, source, section, before):
            return False
        node = root.children.pop(source)
        root.children.insert(before - 1 if before > source else before, node)
        for number, child in enumerate(root.children):
            child.row = number
        order = self.list_names()
        self._data.lists.sort(key=lambda rl: order.index(rl.name) if rl.name in order else len(order))
        self.endMoveRows()
        self.listsReordered.emit(order)
        return True
