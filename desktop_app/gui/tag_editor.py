"""A comma-separated tag field that completes each tag from the library's existing tags."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtWidgets import QCompleter, QLineEdit, QWidget


def split_tags(text: str) -> list[str]:
    """``"a, b ,, c"`` -> ``["a", "b", "c"]`` (order kept, duplicates dropped, case-insensitively)."""
    seen: set[str] = set()
    tags = []
    for part in text.replace(";", ",").split(","):
        name = " ".join(part.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)
    return tags


class TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping the ones before it."""

    def __init__(self, model: QStringListModel, parent: QWidget | None = None) -> None:
        super().__init__(model, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchContains)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def splitPath(self, path: str) -> list[str]:
        return [path.split(",")[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        chosen = str(index.data(Qt.ItemDataRole.EditRole) or "")
        widget = self.widget()
        current = widget.text() if isinstance(widget, QLineEdit) else ""
        before = [t for t in current.split(",")[:-1] if t.strip()]
        return ", ".join([*(t.strip() for t in before), chosen]) + ", "


class TagEditor(QLineEdit):
    """Edits one paper's tags; reports what was added and removed when editing finishes."""

    tagsEdited = Signal(list, list)  # added, removed

    def __init__(self, names: QStringListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._current: list[str] = []
        self.setPlaceholderText("Add tags, separated by commas")
        self.setClearButtonEnabled(True)
        self.setCompleter(TagCompleter(names, self))
        self.editingFinished.connect(self._finished)

    def set_tags(self, tags: list[str]) -> None:
        self._current = list(tags)
        self.setText(", ".join(tags))

    def _finished(self) -> None:
        wanted = split_tags(self.text())
        have = {t.casefold() for t in self._current}
        want = {t.casefold() for t in wanted}
        added = [t for t in wanted if t.casefold() not in have]
        removed = [t for t in self._current if t.casefold() not in want]
        if added or removed:
            self._current = wanted
            self.tagsEdited.emit(added, removed)
