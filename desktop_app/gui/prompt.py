"""A one-line text question whose dialog is wide enough to show its whole title."""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QWidget

MIN_WIDTH = 360
TITLE_ROOM = 160  # the window manager's buttons and margins beside the title


def text_dialog(parent: QWidget | None, title: str, label: str, text: str = "") -> QInputDialog:
    dialog = QInputDialog(parent)
    dialog.setWindowTitle(title)
    dialog.setLabelText(label)
    dialog.setTextValue(text)
    dialog.setTextEchoMode(QLineEdit.EchoMode.Normal)
    title_width = dialog.fontMetrics().horizontalAdvance(title) + TITLE_ROOM
    dialog.setMinimumWidth(max(MIN_WIDTH, title_width))
    return dialog


def ask_text(parent: QWidget | None, title: str, label: str, text: str = "") -> tuple[str, bool]:
    """Like ``QInputDialog.getText``, but never so narrow that the title is cut off."""
    dialog = text_dialog(parent, title, label, text)
    accepted = dialog.exec() == QInputDialog.DialogCode.Accepted
    value = dialog.textValue()
    dialog.deleteLater()
    return value, accepted
