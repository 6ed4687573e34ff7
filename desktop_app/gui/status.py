"""A status-bar strip for a long task: a label, a progress bar and (optionally) Cancel."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QSizePolicy, QWidget


class ProgressStrip(QWidget):
    """Hidden until ``show_progress``; a maximum of 0 makes the bar a busy indicator."""

    cancelRequested = Signal()

    def __init__(self, name: str, *, cancellable: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(160)
        self.bar.setMaximumHeight(16)
        self.bar.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self._cancellable = cancellable
        self.cancel_button.setVisible(cancellable)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Preferred)
        self.cancel_button.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(6)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.values: list[int] = []
        self.setVisible(False)

    def show_progress(self, text: str, value: int, maximum: int, *, cancellable: bool | None = None) -> None:
        if cancellable is not None:
            self.cancel_button.setVisible(cancellable)
        self.label.setText(text)
        self.bar.setRange(0, max(0, maximum))
        if maximum > 0:
            self.bar.setValue(min(value, maximum))
        self.values.append(value)
        self.cancel_button.setEnabled(True)
        self.setVisible(True)

    def finish(self) -> None:
        self.setVisible(False)
        self.cancel_button.setVisible(self._cancellable)
