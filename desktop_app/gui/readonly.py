"""A read-only window: fields that cannot change do not look editable, and every attempted change
(typing in them, a shortcut of a disabled command, a click on a status box) says why in the status bar."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QAction, QKeyEvent, QKeySequence, QMouseEvent, QPalette, QShortcut
from PySide6.QtWidgets import QAbstractItemView, QLineEdit, QWidget

MESSAGE = "This library is open read-only (another Lectern window has it open): changes are off"
CHECK_WIDTH = 24  # px from a cell's left edge: its check box
EDIT_KEYS = frozenset({Qt.Key.Key_Backspace, Qt.Key.Key_Delete, Qt.Key.Key_Return, Qt.Key.Key_Enter})


def look_read_only(field: QLineEdit) -> None:
    """A line edit that reads like a label: no frame, no clear button, the window's background."""
    field.setReadOnly(True)
    field.setFrame(False)
    field.setClearButtonEnabled(False)
    field.setPlaceholderText("No tags")
    palette = QPalette(field.palette())
    palette.setColor(QPalette.ColorRole.Base, palette.color(QPalette.ColorRole.Window))
    field.setPalette(palette)
    field.setToolTip("Read-only library: tags cannot be changed here")


class ReadOnlyGuard(QObject):
    """Watches the window's editable places and explains, once per attempt, why nothing changes."""

    def __init__(self, window: QWidget, say: Callable[[str, int], None]) -> None:
        super().__init__(window)
        self._window = window
        self._say = say
        self._status_column: tuple[QAbstractItemView, int] | None = None
        self.shortcuts: list[QShortcut] = []

    def explain(self) -> None:
        self._say(MESSAGE, 6000)

    def watch_typing(self, widgets: Sequence[QWidget]) -> None:
        """Typing in these (read-only) fields explains instead of doing nothing."""
        for widget in widgets:
            widget.installEventFilter(self)

    def watch_check_column(self, view: QAbstractItemView, column: int) -> None:
        """A click on a check box column (the status) explains."""
        self._status_column = (view, column)
        view.viewport().installEventFilter(self)

    def cover_shortcuts(self, actions: Sequence[QAction], local_to: QWidget) -> None:
        """The keys of disabled write commands explain (a widget-local action's key, only in ``local_to``)."""
        for action in actions:
            if not action.property("writes"):
                continue
            for key in action.shortcuts():
                local = action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut
                shortcut = QShortcut(QKeySequence(key), local_to if local else self._window)
                shortcut.setContext(action.shortcutContext())
                shortcut.activated.connect(self.explain)
                self.shortcuts.append(shortcut)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            printable = bool(event.text().strip()) and not event.modifiers() & (
                Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.AltModifier)
            if printable or event.key() in EDIT_KEYS:
                self.explain()
        elif event.type() == QEvent.Type.MouseButtonRelease and isinstance(event, QMouseEvent) \
                and self._status_column is not None:
            view, column = self._status_column
            if watched is view.viewport():
                index = view.indexAt(event.position().toPoint())
                x = event.position().toPoint().x()
                if index.isValid() and index.column() == column and x - view.visualRect(index).left() < CHECK_WIDTH:
                    self.explain()
        return False
