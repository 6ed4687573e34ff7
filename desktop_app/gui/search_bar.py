"""The search box: debounced queries while typing, recent queries, inline errors and notices, counts."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QStringListModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QPalette
from PySide6.QtWidgets import (
    QCompleter,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui import theme

# Typing pauses this long before a search starts.  Keystroke to painted results must stay within
# 150 ms at 12k papers (issue 10; tests/benchmarks/search_paint.py): a search and the first rows'
# marks take 10-45 ms of CPU there, so the pause gets the rest; a newer keystroke supersedes it.
DEBOUNCE_MS = 70
# An edit that adds this many characters at once is a paste (or a drop): one event, no more keys
# to wait for, so it searches at once.
PASTE_CHARS = 3
RECENT_LIMIT = 20


class SearchBar(QWidget):
    """Emits ``queryChanged`` after typing pauses; shows errors, counts and index lag."""

    queryChanged = Signal(str)
    saveRequested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = QLineEdit(self)
        self.field.setObjectName("searchField")
        self.field.setPlaceholderText("Search papers — try  pruning,  author:hinton,  tag:to-read,  "
                                      "year:2020..2024,  \"exact phrase\"   (Ctrl+F)")
        self.field.setClearButtonEnabled(True)
        self.field.setMinimumWidth(220)
        self.recent = QStringListModel(self)
        completer = QCompleter(self.recent, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.field.setCompleter(completer)
        self.recent_button = QToolButton(self)
        self.recent_button.setText("Recent ▾")
        self.recent_button.setToolTip("Recent searches")
        self.recent_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.recent_button.setAutoRaise(True)
        self.recent_button.setStyleSheet("QToolButton::menu-indicator { image: none; width: 0px; }")
        self.save_button = QToolButton(self)
        self.save_button.setText("Save as smart list")
        self.save_button.setToolTip("Keep this search in the sidebar; it stays up to date (Ctrl+Shift+S)")
        self.save_button.setAutoRaise(True)
        self.save_button.setEnabled(False)
        self.count = QLabel(self)
        self.count.setObjectName("searchCount")
        self.count.setMinimumWidth(90)
        self.count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.error = QLabel(self)
        self.error.setObjectName("searchError")
        self.error.setWordWrap(True)
        self.error.setVisible(False)
        self.notice = QLabel(self)  # what the query parser repaired, or which ranking ran
        self.notice.setObjectName("searchNotice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.lag = QLabel(self)
        self.lag.setObjectName("searchLag")
        self.lag.setVisible(False)

        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(6)
        row.addWidget(self.field, 1)
        row.addWidget(self.recent_button)
        row.addWidget(self.save_button)
        row.addWidget(self.count)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addLayout(row)
        layout.addWidget(self.error)
        layout.addWidget(self.notice)
        layout.addWidget(self.lag)
        self._apply_palette()

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(DEBOUNCE_MS)
        self._timer.timeout.connect(self._fire)
        self.field.textEdited.connect(self._edited)
        self.field.textChanged.connect(self._changed)
        self.field.returnPressed.connect(self._fire)
        self.save_button.clicked.connect(lambda: self.saveRequested.emit(self.text()))
        self._sent: str | None = None
        self._edited_text = ""

    def _apply_palette(self) -> None:
        palette = self.palette()
        for label, color in ((self.error, theme.error_color(palette)), (self.count, theme.muted_color(palette)),
                             (self.lag, theme.muted_color(palette)), (self.notice, theme.muted_color(palette))):
            label.setForegroundRole(QPalette.ColorRole.WindowText)
            own = QPalette(palette)
            own.setColor(QPalette.ColorRole.WindowText, color)
            label.setPalette(own)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            self._apply_palette()

    # -- text -----------------------------------------------------------------------

    def text(self) -> str:
        return self.field.text().strip()

    def set_query(self, text: str) -> None:
        """Set the box and search at once (no debounce)."""
        self.field.setText(text)
        self._fire()

    def show_query(self, text: str) -> None:
        """Put ``text`` in the box without searching (the window shows that search already)."""
        self._timer.stop()
        self.field.blockSignals(True)
        try:
            self.field.setText(text)
        finally:
            self.field.blockSignals(False)
        self.save_button.setEnabled(bool(text.strip()))
        self._sent = text.strip()
        self._edited_text = text

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def _edited(self, text: str) -> None:
        pasted = len(text) - len(self._edited_text) >= PASTE_CHARS
        self._edited_text = text
        if pasted:
            self._fire()
        else:
            self._timer.start()

    def _changed(self, text: str) -> None:
        self.save_button.setEnabled(bool(text.strip()))
        if not text.strip():  # the clear button: go back at once
            self._fire()

    def _fire(self) -> None:
        self._timer.stop()
        self._edited_text = self.field.text()
        text = self.text()
        if text == self._sent:
            return
        self._sent = text
        self.queryChanged.emit(text)

    def resend(self) -> None:
        """Search the current text again (the library changed)."""
        self._sent = None
        self._fire()

    # -- feedback ----------------------------------------------------------------------

    def show_count(self, shown: int, query: str) -> None:
        if query:
            self.count.setText(f"{shown:,} result{'s' if shown != 1 else ''}")
        else:
            self.count.setText(f"{shown:,} paper{'s' if shown != 1 else ''}")

    def show_error(self, message: str) -> None:
        """A query that cannot run: the reason in the error colour (and no notice beside it)."""
        self.error.setText(f"Cannot search: {message}" if message else "")
        self.error.setVisible(bool(message))
        if message:
            self.show_notice("")

    def show_notice(self, message: str) -> None:
        """One line on how the query ran: a repair, or "No paper has all 9 words; ..."."""
        self.notice.setText(message)
        self.notice.setVisible(bool(message))

    def show_pending(self, pending: int) -> None:
        if pending > 0:
            self.lag.setText(f"Index catching up: {pending:,} papers not yet searchable")
        self.lag.setVisible(pending > 0)

    def remember(self, query: str) -> None:
        """Put a query that ran well at the top of the recent list."""
        if not query:
            return
        items = [query, *[q for q in self.recent.stringList() if q != query]][:RECENT_LIMIT]
        self.set_recent(items)

    def set_recent(self, items: list[str]) -> None:
        self.recent.setStringList(items)
        menu = self.recent_button.menu()
        if menu is None:
            menu = QMenu(self.recent_button)
            self.recent_button.setMenu(menu)
        menu.clear()
        for query in items:
            action = QAction(query, menu)
            action.triggered.connect(lambda _=False, q=query: self.set_query(q))
            menu.addAction(action)
        self.recent_button.setVisible(bool(items))
