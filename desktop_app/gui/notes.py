"""The note editor: markdown on one side, a live, safe preview on the other, saved automatically.

The editor asks for saves through ``saveRequested(pid, body)``: after a pause in
typing (debounced), when another paper is loaded, and when ``flush()`` is
called (window closing).  It never reloads its own text while the user types.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSplitter, QVBoxLayout, QWidget

from desktop_app.gui.browser import SafeBrowser
from desktop_app.gui.markdown import render_markdown

SAVE_DELAY_MS = 800
PREVIEW_DELAY_MS = 120


class NoteEditor(QWidget):
    """Markdown editor plus preview for one paper's note."""

    saveRequested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pid: int | None = None
        self._saved = ""
        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("noteEditor")
        self.editor.setPlaceholderText("Write a note in Markdown: **bold**, *italic*, lists, "
                                       "[links](https://arxiv.org/abs/…), `code`. It is saved as you type.")
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setTabChangesFocus(True)
        self.preview = SafeBrowser(self)
        self.preview.setObjectName("notePreview")
        self.preview.setPlaceholderText("The preview of your note appears here.")
        self.status = QLabel(self)
        self.status.setObjectName("noteStatus")
        self.status.setForegroundRole(self.status.foregroundRole())
        self.status.setEnabled(False)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("noteSplitter")
        splitter.addWidget(self.editor)
        splitter.addWidget(self.preview)
        splitter.setChildrenCollapsible(False)
        self.splitter = splitter
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.flush)
        self._preview_timer = QTimer(self)
        self._preview_timer.setSingleShot(True)
        self._preview_timer.setInterval(PREVIEW_DELAY_MS)
        self._preview_timer.timeout.connect(self._render)
        self.editor.textChanged.connect(self._edited)

    @property
    def dirty(self) -> bool:
        return self.pid is not None and self.editor.toPlainText() != self._saved

    @property
    def pending(self) -> bool:
        """A save or a preview render is scheduled."""
        return self._save_timer.isActive() or self._preview_timer.isActive()

    def load(self, pid: int | None, body: str) -> None:
        """Show another paper's note (the current one is saved first if it changed)."""
        if pid == self.pid and not self.dirty:
            if body != self._saved:  # changed elsewhere (undo, another window): take it
                self._set_text(body)
            return
        if pid == self.pid:
            return
        self.flush()
        self.pid = pid
        self._set_text(body)
        self.status.setText("")

    def _set_text(self, body: str) -> None:
        self._saved = body
        self.editor.blockSignals(True)
        self.editor.setPlainText(body)
        self.editor.blockSignals(False)
        self._render()

    def set_text(self, body: str) -> None:
        """Replace the text as if typed (tests and paste actions)."""
        self.editor.setPlainText(body)

    def set_read_only(self, readonly: bool) -> None:
        self.editor.setReadOnly(readonly)

    def flush(self) -> None:
        """Save now if the text changed since the last save."""
        self._save_timer.stop()
        if self.dirty and self.pid is not None:
            body = self.editor.toPlainText()
            self._saved = body
            self.saveRequested.emit(self.pid, body)

    def mark_saved(self) -> None:
        self.status.setText("Note saved")

    def _edited(self) -> None:
        self.status.setText("Editing…")
        self._save_timer.start()
        self._preview_timer.start()

    def _render(self) -> None:
        self._preview_timer.stop()
        self.preview.setHtml(render_markdown(self.editor.toPlainText()))
