"""Papers > Edit Paper…: one paper's bibliographic fields in a form.

The dialog only collects what changed (``changed_fields``) and asks for it to
be saved (``saveRequested``); the window writes it on its write thread and
calls back ``saved()`` or ``show_error(message)``.  An error the core raises
(an invalid or taken citation key, a year out of range) is shown under the
field it is about and the dialog stays open with the user's typing intact.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPalette, QRegularExpressionValidator
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain.models import Paper
from desktop_app.gui import theme
from desktop_app.gui.form_text import FormTextBox
from desktop_app.gui.paper_fields import (
    ENTRY_TYPES,
    FIELD_LABELS,
    MONTHS,
    authors_text,
    explain,
    keywords_text,
    parse_authors,
    parse_keywords,
    parse_year,
)

LINE_FIELDS = ("title", "venue", "volume", "number", "pages", "publisher", "doi", "arxiv_id", "arxiv_class",
               "url", "code_url", "citekey")
PLACEHOLDERS = {
    "venue": "journal, conference or book title", "pages": "e.g. 5998--6008", "doi": "10.xxxx/…",
    "arxiv_id": "e.g. 1706.03762", "arxiv_class": "e.g. cs.CL", "url": "https://…", "code_url": "https://github.com/…",
    "citekey": "e.g. vaswani2017attention",
}


class EditPaperDialog(QDialog):
    """Edit one paper; ``saveRequested(fields)`` carries only the fields that changed."""

    saveRequested = Signal(dict)

    def __init__(self, paper: Paper, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("editPaperDialog")
        self.setWindowTitle(f"Edit paper — @{paper.citekey}" if paper.citekey else "Edit paper")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.paper = paper
        self.pid = paper.id
        self.busy = False
        self.lines: dict[str, QLineEdit] = {}
        self.errors: dict[str, QLabel] = {}
        self._error_rows: dict[str, tuple[QFormLayout, int]] = {}
        for name in LINE_FIELDS:
            edit = QLineEdit(self)
            edit.setObjectName(f"edit_{name}")
            edit.setPlaceholderText(PLACEHOLDERS.get(name, ""))
            edit.setText(str(getattr(paper, name) or ""))
            edit.setCursorPosition(0)
            self.lines[name] = edit
        self.title = self.lines["title"]
        self.citekey = self.lines["citekey"]
        self.entry_type = QComboBox(self)
        types = list(ENTRY_TYPES) + ([paper.entry_type] if paper.entry_type not in ENTRY_TYPES else [])
        self.entry_type.addItems(types)
        self.entry_type.setCurrentText(paper.entry_type)
        self.year = QLineEdit(str(paper.year or ""), self)
        self.year.setValidator(QRegularExpressionValidator(r"\d{0,4}", self.year))
        self.year.setPlaceholderText("yyyy")
        self.year.setMaximumWidth(70)
        self.month = QComboBox(self)
        self.month.addItem("—", None)
        for number, name in enumerate(MONTHS, start=1):
            self.month.addItem(name, number)
        self.month.setCurrentIndex(paper.month or 0)
        self.authors = FormTextBox(self._save, self)
        self.authors.setObjectName("edit_authors")
        self.authors.setPlainText(authors_text(paper.authors))
        self.authors.setPlaceholderText("One per line:\nVaswani, Ashish\n{Google DeepMind}")
        self.authors.setToolTip("One author per line, “Family, Given”; an organisation in braces: {OpenAI}")
        self.keywords = QLineEdit(keywords_text(paper.keywords), self)
        self.keywords.setPlaceholderText("comma, separated")
        self.abstract = FormTextBox(self._save, self)
        self.abstract.setObjectName("edit_abstract")
        self.abstract.setPlainText(paper.abstract)
        self.message = QLabel(self)  # an error the core did not tie to a field
        self.message.setObjectName("editPaperError")
        self.message.setWordWrap(True)
        self.message.setVisible(False)
        self._tint(self.message)
        self._initial = self._values()
        self._build_layout()
        self.resize(860, 680)

    # -- layout ----------------------------------------------------------------------------------

    def _tint(self, label: QLabel) -> None:
        palette = QPalette(label.palette())
        palette.setColor(QPalette.ColorRole.WindowText, theme.error_color(self.palette()))
        label.setPalette(palette)

    def _add(self, form: QFormLayout, text: str, buddy: QWidget, field: QWidget | QHBoxLayout,
             *errors: str) -> None:
        """A row ``text: field``, then a hidden row under it for each named field's error."""
        form.addRow(self._label(text, buddy), field)
        for name in errors:
            label = QLabel(self)
            label.setObjectName(f"error_{name}")
            label.setWordWrap(True)
            self._tint(label)
            form.addRow("", label)
            self.errors[name] = label
            self._error_rows[name] = (form, form.rowCount() - 1)
            form.setRowVisible(form.rowCount() - 1, False)

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _row(self, *items: QWidget | tuple[str, QWidget], stretch: int = -1) -> QHBoxLayout:
        """Widgets side by side; a ``(text, widget)`` pair puts a label with that buddy before it."""
        row = QHBoxLayout()
        row.setSpacing(6)
        for number, item in enumerate(items):
            if isinstance(item, tuple):
                row.addSpacing(6)
                row.addWidget(self._label(*item))
                item = item[1]
            row.addWidget(item, 1 if number == stretch else 0)
        return row

    def _form(self) -> QFormLayout:
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.setHorizontalSpacing(8)
        return form

    def _build_layout(self) -> None:
        lines = self.lines
        top = self._form()
        self._add(top, "&Title", lines["title"], lines["title"], "title")
        self._add(top, "E&ntry type", self.entry_type,
                  self._row(self.entry_type, ("Citation &key", lines["citekey"]), stretch=1), "entry_type", "citekey")

        left = self._form()
        self._add(left, "&Authors", self.authors, self.authors, "authors")
        self._add(left, "Key&words", self.keywords, self.keywords, "keywords")
        right = self._form()
        date = self._row(self.year, ("Mont&h", self.month))
        date.addStretch(1)
        self._add(right, "&Year", self.year, date, "year", "month")
        self._add(right, "&Venue", lines["venue"], lines["venue"], "venue")
        for name in ("volume", "number"):
            lines[name].setMaximumWidth(64)
        self._add(right, "Vol&ume", lines["volume"],
                  self._row(lines["volume"], ("Nu&mber", lines["number"]), ("Pa&ges", lines["pages"]), stretch=2),
                  "volume", "number", "pages")
        self._add(right, "&Publisher", lines["publisher"], lines["publisher"], "publisher")
        self._add(right, "&DOI", lines["doi"], lines["doi"], "doi")
        lines["arxiv_class"].setMaximumWidth(110)
        self._add(right, "a&rXiv id", lines["arxiv_id"],
                  self._row(lines["arxiv_id"], ("Pr&imary class", lines["arxiv_class"]), stretch=0),
                  "arxiv_id", "arxiv_class")
        self._add(right, "UR&L", lines["url"], lines["url"], "url")
        self._add(right, "C&ode URL", lines["code_url"], lines["code_url"], "code_url")
        columns = QGridLayout()
        columns.setHorizontalSpacing(18)
        columns.addLayout(left, 0, 0)
        columns.addLayout(right, 0, 1)
        columns.setColumnStretch(0, 4)
        columns.setColumnStretch(1, 5)

        bottom = self._form()
        self._add(bottom, "A&bstract", self.abstract, self.abstract, "abstract")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setToolTip("Save the changed fields (Ctrl+Z in the window undoes it)")
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(columns)
        layout.addLayout(bottom, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    # -- values ----------------------------------------------------------------------------------

    def _values(self) -> dict[str, Any]:
        """Every field as its raw text (what the user sees), to compare with the start."""
        values: dict[str, Any] = {name: edit.text().strip() for name, edit in self.lines.items()}
        values["entry_type"] = self.entry_type.currentText()
        values["year"] = self.year.text().strip()
        values["month"] = self.month.currentData()
        values["authors"] = [" ".join(line.split()) for line in self.authors.toPlainText().splitlines()
                             if line.strip()]
        values["keywords"] = parse_keywords(self.keywords.text())
        values["abstract"] = " ".join(self.abstract.toPlainText().split())
        values["title"] = " ".join(values["title"].split())
        return values

    def changed_fields(self) -> dict[str, Any]:
        """Only the fields the user changed, as the values ``Library.update_paper`` takes.

        Raises ``ValueError`` (with the field's name as its second argument) for text that
        cannot be a value at all, such as letters in the year.
        """
        now = self._values()
        changed: dict[str, Any] = {}
        for name, value in now.items():
            if value == self._initial[name]:
                continue
            if name == "authors":
                changed[name] = parse_authors(self.authors.toPlainText(), self.paper.authors)
            elif name == "year":
                try:
                    changed[name] = parse_year(value)
                except ValueError as exc:
                    raise ValueError(str(exc), "year") from exc
            else:
                changed[name] = value
        return changed

    # -- saving ----------------------------------------------------------------------------------

    def _save(self) -> None:
        if self.busy:
            return
        self.clear_errors()
        try:
            fields = self.changed_fields()
        except ValueError as exc:
            self.show_error(str(exc.args[0]), field=str(exc.args[1]) if len(exc.args) > 1 else None)
            return
        if not fields:
            self.accept()  # nothing changed: nothing to write, nothing to undo
            return
        self.set_busy(True)
        self.saveRequested.emit(fields)

    def set_busy(self, busy: bool) -> None:
        self.busy = busy
        self.save_button.setEnabled(not busy)
        self.save_button.setText("Saving…" if busy else "Save")

    def saved(self) -> None:
        self.set_busy(False)
        self.accept()

    def _show_row(self, name: str, visible: bool) -> None:
        form, row = self._error_rows[name]
        form.setRowVisible(row, visible)

    def clear_errors(self) -> None:
        for name, label in self.errors.items():
            label.clear()
            self._show_row(name, False)
        self.message.clear()
        self.message.setVisible(False)

    def show_error(self, message: str, *, field: str | None = None) -> None:
        """Show why the save failed, under the field it is about when the message says which."""
        self.set_busy(False)
        found, text = explain(message)
        field = field or found
        label = self.errors.get(field) if field else None
        if label is not None and field is not None:
            label.setText(text)
            self._show_row(field, True)
        else:
            self.message.setText(f"{FIELD_LABELS.get(field, field)}: {text}" if field else text)
            self.message.setVisible(True)
        widget = self.lines.get(field or "") or {"authors": self.authors, "year": self.year,
                                                  "keywords": self.keywords, "abstract": self.abstract,
                                                  "month": self.month, "entry_type": self.entry_type}.get(field or "")
        if widget is not None:
            widget.setFocus(Qt.FocusReason.OtherFocusReason)
            if isinstance(widget, QLineEdit):
                widget.selectAll()

    def reject(self) -> None:
        if not self.busy:  # a save on its way finishes first: it will close the dialog
            super().reject()
