"""A multi-line text box for forms: Tab moves focus (a form, not an editor) and Ctrl+Enter saves."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QPlainTextEdit, QWidget


class FormTextBox(QPlainTextEdit):
    """``on_submit`` runs on Ctrl+Enter; ``lines`` (if given) is the smallest height in lines."""

    def __init__(self, on_submit: Callable[[], None], parent: QWidget | None = None,
                 lines: int | None = None) -> None:
        super().__init__(parent)
        self.setTabChangesFocus(True)
        self._submit = on_submit
        if lines is not None:
            self.setMinimumHeight(self.fontMetrics().lineSpacing() * lines + 12)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._submit()
            return
        super().keyPressEvent(event)
