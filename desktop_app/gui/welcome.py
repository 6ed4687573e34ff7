"""The first-run page shown over the table while the library is empty."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from desktop_app.gui import theme


class WelcomePage(QWidget):
    """Explains what Lectern does and offers the two ways in: import files or paste."""

    importRequested = Signal()
    pasteRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("welcomePage")
        icon = QLabel(self)
        icon.setPixmap(theme.app_icon().pixmap(QSize(96, 96)))
        icon.setAlignment(Qt.AlignmentFlag.AlignCenter)
        heading = QLabel("Welcome to Lectern", self)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setWeight(QFont.Weight.DemiBold)
        heading.setFont(font)
        heading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text = QLabel(self)
        text.setWordWrap(True)
        text.setAlignment(Qt.AlignmentFlag.AlignCenter)
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setText(
            "<p>Your library is empty. Bring papers in and Lectern makes them searchable at once:</p>"
            "<p><b>Import files</b> — BibTeX, biblatex, RIS, CSL-JSON, arXiv Atom, Hugging Face JSON "
            "or a saved <i>Daily Papers</i> page (Ctrl+I), or drop the files on this window.<br>"
            "<b>Paste</b> — a Daily Papers page's text or a list of arXiv ids (Ctrl+V).</p>"
            "<p>Then search while you type, sort papers into reading lists, tag them, write notes, "
            "and export clean BibTeX for LaTeX, Zotero or JabRef.</p>")
        text.setMinimumWidth(320)
        text.setMaximumWidth(560)
        text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Minimum)
        self.import_button = QPushButton("Import files…", self)
        self.import_button.setDefault(True)
        self.import_button.setMinimumWidth(150)
        self.paste_button = QPushButton("Paste papers", self)
        self.paste_button.setMinimumWidth(150)
        self.import_button.clicked.connect(self.importRequested)
        self.paste_button.clicked.connect(self.pasteRequested)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.import_button)
        buttons.addSpacing(12)
        buttons.addWidget(self.paste_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addWidget(icon)
        layout.addSpacing(8)
        layout.addWidget(heading)
        layout.addSpacing(8)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(text, 4)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addSpacing(16)
        layout.addLayout(buttons)
        layout.addStretch(3)
