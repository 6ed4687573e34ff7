"""Review > New Review… and Edit Review…: a systematic review's question, criteria, reasons and records.

The dialog checks what it can at once (a name, a free name, a source with papers, the
reviewer's name) and shows each problem under its field.  Saving runs on the window's
write thread (``gui.ops``): importing a search export can take a while, with progress and
Stop, and an error the core raises comes back under the field it names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.reviews import MAX_KEYED_REASONS, Gathered, RecordChoice
from desktop_app.core.sync_state import is_shared
from desktop_app.domain.errors import InvalidInputError
from desktop_app.domain.screening import DEFAULT_EXCLUSION_REASONS, Review
from desktop_app.gui import errors, theme
from desktop_app.gui.form_text import FormTextBox
from desktop_app.gui.ops import Op, OpContext, run_op
from desktop_app.gui.review_reasons import KeyedDelegate, ReasonsModel

EXPORT_FILTER = "Search exports (*.ris *.bib *.bibtex *.json *.txt *.nbib);;All files (*)"
NAME_CHECK_MS = 250  # after the last keystroke, a taken name is said under the field
KEYWORD_HINT = "Comma-separated; a * at the end also finds word endings (random* finds randomised)."


@dataclass(frozen=True)
class EditorHooks:
    """What the editor needs of the window: the library, its write thread and a way to refresh."""

    library: Library
    write_pool: QThreadPool
    apply: Callable[[Changes], None]  # after a write (an import adds papers)
    current_query: Callable[[], str]  # the search the window shows now ("" if none)
    refresh: Callable[[], None] = lambda: None  # an import stored papers but the review was not made


def split_keywords(text: str) -> list[str]:
    return [" ".join(part.split()) for part in text.split(",") if part.strip()]


class ReviewEditor(QDialog):
    """Create a review (``review`` None) or edit one; ``saved(Review)`` once it is stored."""

    saved = Signal(object)

    def __init__(self, hooks: EditorHooks, review: Review | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("reviewEditor")
        self.hooks = hooks
        self.library = hooks.library
        self.original = review
        self.creating = review is None
        self.op: Op[Any] | None = None
        self.errors: dict[str, QLabel] = {}
        self.setWindowTitle("New Review" if review is None else f"Edit Review — {review.name}")
        self._build(review or Review(name="-", exclusion_reasons=list(DEFAULT_EXCLUSION_REASONS)))
        if review is None:
            self.name.clear()
        self.resize(940, 660)

    # -- widgets ---------------------------------------------------------------------------------

    def _error_label(self, field: str) -> QLabel:
        label = QLabel(self)
        label.setObjectName(f"error_{field}")
        label.setWordWrap(True)
        palette = QPalette(label.palette())
        palette.setColor(QPalette.ColorRole.WindowText, theme.error_color(self.palette()))
        label.setPalette(palette)
        label.hide()
        self.errors[field] = label
        return label

    def _muted(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        palette = QPalette(label.palette())
        palette.setColor(QPalette.ColorRole.WindowText, theme.muted_color(self.palette()))
        label.setPalette(palette)
        return label

    def _labelled(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    def _build(self, review: Review) -> None:
        self.name = QLineEdit(review.name, self)
        self.name.setPlaceholderText("e.g. Zinc therapy for Wilson disease")
        self._name_timer = QTimer(self)
        self._name_timer.setSingleShot(True)
        self._name_timer.setInterval(NAME_CHECK_MS)
        self._name_timer.timeout.connect(self._check_name_typed)
        self.name.textEdited.connect(lambda _text: self._name_timer.start())
        self.question = FormTextBox(self._save, self, lines=2)
        self.question.setPlainText(review.question)
        self.question.setPlaceholderText("The research question, shown while screening")
        self.inclusion = FormTextBox(self._save, self, lines=3)
        self.inclusion.setPlainText(review.inclusion_criteria)
        self.inclusion.setPlaceholderText("What a record needs to be included (shown while screening)")
        self.exclusion = FormTextBox(self._save, self, lines=3)
        self.exclusion.setPlainText(review.exclusion_criteria)
        self.exclusion.setPlaceholderText("What excludes a record (shown while screening)")
        self.include_keywords = QLineEdit(", ".join(review.include_keywords), self)
        self.exclude_keywords = QLineEdit(", ".join(review.exclude_keywords), self)
        self.keyword_rows: dict[str, QHBoxLayout] = {}
        for edit, colour, what in ((self.include_keywords, theme.REVIEW_INCLUDE_COLOUR, "include"),
                                   (self.exclude_keywords, theme.REVIEW_EXCLUDE_COLOUR, "exclude")):
            edit.setPlaceholderText(f"words that suggest {what}: highlighted in this colour")
            edit.setToolTip(KEYWORD_HINT)
            swatch = QLabel("word", self)  # how the screening view marks them
            swatch.setObjectName(f"{what}Swatch")
            swatch.setStyleSheet(f"QLabel {{ background-color: {colour}; color: #000000; padding: 1px 6px; }}")
            swatch.setToolTip(f"{what.capitalize()} keywords are highlighted like this while screening")
            row = QHBoxLayout()
            row.addWidget(edit, 1)
            row.addWidget(swatch)
            self.keyword_rows[what] = row

        left = QFormLayout()
        left.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        left.setHorizontalSpacing(8)
        left.addRow(self._labelled("&Name", self.name), self.name)
        left.addRow("", self._error_label("name"))
        left.addRow(self._labelled("Research &question", self.question), self.question)
        left.addRow(self._labelled("In&clusion criteria", self.inclusion), self.inclusion)
        left.addRow(self._labelled("E&xclusion criteria", self.exclusion), self.exclusion)
        left.addRow(self._labelled("&Include keywords", self.include_keywords), self.keyword_rows["include"])
        left.addRow(self._labelled("Exclude &keywords", self.exclude_keywords), self.keyword_rows["exclude"])
        left.addRow("", self._muted(KEYWORD_HINT))

        columns = QGridLayout()
        columns.setHorizontalSpacing(16)
        columns.addLayout(left, 0, 0)
        columns.addWidget(self._reasons_box(review), 0, 1)
        columns.addWidget(self._screening_box(review), 1, 0, 1, 2)
        columns.addWidget(self._records_box(), 2, 0, 1, 2)
        columns.setColumnStretch(0, 3)
        columns.setColumnStretch(1, 2)

        self.message = self._error_label("general")
        self.progress = QProgressBar(self)
        self.progress.hide()
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.save_button = self.buttons.addButton("Create Review" if self.creating else "Save",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.save_button.setDefault(True)
        self.cancel_button = self.buttons.button(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        foot = QHBoxLayout()
        foot.addWidget(self.open_after)
        foot.addWidget(self.progress, 1)
        foot.addWidget(self.buttons)
        self.form = QWidget(self)
        self.form.setLayout(columns)
        columns.setContentsMargins(0, 0, 0, 0)
        layout = QVBoxLayout(self)
        layout.addWidget(self.form, 1)
        layout.addWidget(self.message)
        layout.addLayout(foot)
        QShortcut(QKeySequence("Ctrl+Return"), self, self._save)
        self._tab_order()

    def _reasons_box(self, review: Review) -> QGroupBox:
        box = QGroupBox(f"Exclusion reasons — keys 1-{MAX_KEYED_REASONS} while screening", self)
        self.reasons = ReasonsModel(review.exclusion_reasons, self)
        self.reasons.warning_colour = theme.error_color(self.palette())
        self.reasons.refused.connect(lambda text: self._show_error("reasons", text))
        self.reason_list = QListView(box)
        self.reason_list.setModel(self.reasons)
        self.reason_list.setItemDelegate(KeyedDelegate(self.reason_list))
        self.reason_list.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                         | QAbstractItemView.EditTrigger.EditKeyPressed
                                         | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.reason_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        if self.reasons.rowCount():
            self.reason_list.setCurrentIndex(self.reasons.index(0))
        self.add_reason = QPushButton("&Add", box)
        self.remove_reason = QPushButton("Re&move", box)
        self.reason_up = QPushButton("Move &up", box)
        self.reason_down = QPushButton("Move do&wn", box)
        self.add_reason.clicked.connect(self._add_reason)
        self.remove_reason.clicked.connect(self._remove_reason)
        self.reason_up.clicked.connect(lambda: self._move_reason(-1))
        self.reason_down.clicked.connect(lambda: self._move_reason(1))
        QShortcut(QKeySequence.StandardKey.Delete, self.reason_list, self._remove_reason,
                  context=Qt.ShortcutContext.WidgetShortcut)
        buttons = QHBoxLayout()
        for button in (self.add_reason, self.remove_reason, self.reason_up, self.reason_down):
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.reasons_hint = self._muted("")
        layout = QVBoxLayout(box)
        layout.addWidget(self._labelled("&Reasons in key order (F2 renames one)", self.reason_list))
        layout.addWidget(self.reason_list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.reasons_hint)
        layout.addWidget(self._error_label("reasons"))
        for signal in (self.reasons.rowsInserted, self.reasons.rowsRemoved, self.reasons.rowsMoved):
            signal.connect(self._reasons_changed)
        self.reason_list.selectionModel().currentChanged.connect(lambda *_: self._reasons_changed())
        self._reasons_changed()
        return box

    def _screening_box(self, review: Review) -> QGroupBox:
        box = QGroupBox("Screening", self)
        self.ranked = QRadioButton("Ranked by relevance (ac&tive learning): likely records first", box)
        self.random_order = QRadioButton("Random &order, for reviewers who must not be steered", box)
        (self.random_order if review.random_order else self.ranked).setChecked(True)
        self.stop_after = QSpinBox(box)
        self.stop_after.setRange(0, 100_000)
        self.stop_after.setSpecialValueText("no stopping rule")
        self.stop_after.setSuffix(" irrelevant records in a row")
        self.stop_after.setValue(review.stop_after_irrelevant)
        self.stop_after.setToolTip("The screening view says so when this many records in a row were irrelevant")
        self.blind = QCheckBox("&Blind: each reviewer sees only their own decisions until unblinded", box)
        self.blind.setChecked(review.blind)
        self.blind_note = self._muted("")
        self.blind.toggled.connect(self._blind_changed)
        self.reviewer = QLineEdit(self.library.reviews.reviewer(), box)
        self.reviewer.setPlaceholderText("e.g. Ada Lovelace")
        self.reviewer.setToolTip("Your decisions are kept under this name (asked once per library)")
        grid = QGridLayout(box)
        grid.addWidget(self.ranked, 0, 0, 1, 2)
        grid.addWidget(self.random_order, 1, 0, 1, 2)
        grid.addWidget(self._labelled("Sto&pping rule: suggest stopping after", self.stop_after), 0, 2)
        grid.addWidget(self.stop_after, 0, 3)
        grid.addWidget(self.blind, 2, 0, 1, 2)
        grid.addWidget(self.blind_note, 3, 0, 1, 4)
        self.reviewer_label = self._labelled("&Your reviewer name", self.reviewer)
        grid.addWidget(self.reviewer_label, 1, 2)
        grid.addWidget(self.reviewer, 1, 3)
        grid.addWidget(self._error_label("reviewer"), 2, 2, 1, 2)
        asked = not self.library.reviews.reviewer()
        self.reviewer_label.setVisible(asked)
        self.reviewer.setVisible(asked)
        grid.setColumnStretch(1, 1)
        self._blind_changed(review.blind)
        return box

    def _records_box(self) -> QGroupBox:
        box = QGroupBox("Records" if self.creating else "Add records", self)
        self.source_group = QButtonGroup(box)
        self.keep = QRadioButton(box)
        self.from_list = QRadioButton("Reading &list", box)
        self.from_saved = QRadioButton("&Saved search", box)
        query = self.hooks.current_query().strip()
        shown = query if len(query) <= 60 else query[:57] + "…"
        self.from_query = QRadioButton(f"Current searc&h: “{shown}”" if query else "Current searc&h (none)", box)
        self.from_query.setEnabled(bool(query))
        self.from_file = QRadioButton("Search &export file", box)
        self.lists = QComboBox(box)
        for reading_list in self.library.reading_lists():
            self.lists.addItem(f"{reading_list.name} — {reading_list.paper_count:,} papers",
                               (reading_list.name, reading_list.paper_count))
        self.saved_searches = QComboBox(box)
        for search in self.library.saved_searches():
            self.saved_searches.addItem(f"{search.name} — {search.query}", search.name)
        self.lists.setPlaceholderText("no reading lists yet")
        self.saved_searches.setPlaceholderText("no saved searches yet")
        self.from_list.setEnabled(self.lists.count() > 0)
        self.from_saved.setEnabled(self.saved_searches.count() > 0)
        self.file = QLineEdit(box)
        self.file.setPlaceholderText("RIS, BibTeX or CSL-JSON exported from PubMed, Scopus, Web of Science…")
        self.choose_file = QPushButton("Choose &file…", box)
        self.choose_file.clicked.connect(self._choose_file)
        self.database = QLineEdit(box)
        self.database.setPlaceholderText("e.g. PubMed")
        self.database.setToolTip("Named as the source of these records in the PRISMA diagram")
        grid = QGridLayout(box)
        row = 0
        if not self.creating:
            assert self.original is not None
            records = len(self.library.reviews.record_ids(self.original.name))
            sources = "; ".join(s.label for s in self.library.reviews.sources(self.original.name))
            self.keep.setText(f"&Just keep its {records:,} records" + (f" ({sources})" if sources else ""))
            grid.addWidget(self.keep, row, 0, 1, 4)
            row += 1
        grid.addWidget(self.from_list, row, 0)
        grid.addWidget(self.lists, row, 1, 1, 3)
        grid.addWidget(self.from_saved, row + 1, 0)
        grid.addWidget(self.saved_searches, row + 1, 1, 1, 3)
        grid.addWidget(self.from_query, row + 2, 0, 1, 4)
        grid.addWidget(self.from_file, row + 3, 0)
        grid.addWidget(self.file, row + 3, 1)
        grid.addWidget(self.choose_file, row + 3, 2)
        database = QHBoxLayout()
        database.addWidget(self._labelled("&Database", self.database))
        database.addWidget(self.database)
        grid.addLayout(database, row + 3, 3)
        grid.addWidget(self._error_label("records"), row + 4, 0, 1, 4)
        grid.setColumnStretch(1, 3)
        grid.setColumnStretch(3, 1)
        for button in (self.keep, self.from_list, self.from_saved, self.from_query, self.from_file):
            self.source_group.addButton(button)
            button.toggled.connect(lambda _on: self._source_changed())
        first = next((b for b in (self.from_list, self.from_saved, self.from_query, self.from_file)
                      if b.isEnabled()), self.from_file)
        (first if self.creating else self.keep).setChecked(True)
        self.keep.setVisible(not self.creating)
        self.open_after = QCheckBox("Open for screenin&g", self)
        self.open_after.setChecked(self.creating)
        self._source_changed()
        return box

    def _tab_order(self) -> None:
        chain: list[QWidget] = [self.name, self.question, self.inclusion, self.exclusion, self.include_keywords,
                                self.exclude_keywords, self.reason_list, self.add_reason, self.remove_reason,
                                self.reason_up, self.reason_down, self.ranked, self.random_order,
                                self.stop_after, self.reviewer, self.blind, self.keep, self.from_list, self.lists,
                                self.from_saved, self.saved_searches, self.from_query, self.from_file, self.file,
                                self.choose_file, self.database, self.open_after, self.save_button,
                                self.cancel_button]
        for before, after in pairwise(chain):
            QWidget.setTabOrder(before, after)

    # -- reactions ---------------------------------------------------------------------------------

    def _reasons_changed(self) -> None:
        count = self.reasons.rowCount()
        row = self.reason_list.currentIndex().row()
        self.add_reason.setEnabled(count < MAX_KEYED_REASONS)
        self.remove_reason.setEnabled(row >= 0)
        self.reason_up.setEnabled(row > 0)
        self.reason_down.setEnabled(0 <= row < count - 1)
        if count > MAX_KEYED_REASONS:
            text = (f"Only the first {MAX_KEYED_REASONS} have a key while screening: remove or merge "
                    f"{count - MAX_KEYED_REASONS}.")
        elif count == MAX_KEYED_REASONS:
            text = f"{MAX_KEYED_REASONS} reasons, one per key: remove one to add another."
        else:
            text = "While screening, E then the number excludes with that reason (E, Enter: no reason)."
            if not self.creating:
                text += " Renaming a reason renames it in the decisions made; removing one leaves them as they are."
                if is_shared(self.library):
                    text += " (In a team library the others get the new list; decisions they hold keep the old name.)"
        self.reasons_hint.setText(text)

    def _add_reason(self) -> None:
        row = self.reasons.add("New reason")
        index = self.reasons.index(row)
        self.reason_list.setCurrentIndex(index)
        self.reason_list.setFocus()
        self.reason_list.edit(index)

    def _remove_reason(self) -> None:
        row = self.reason_list.currentIndex().row()
        if row >= 0:
            self.reasons.removeRows(row, 1)
            if self.reasons.rowCount():
                self.reason_list.setCurrentIndex(self.reasons.index(min(row, self.reasons.rowCount() - 1)))
            self._reasons_changed()

    def _move_reason(self, step: int) -> None:
        row = self.reason_list.currentIndex().row()
        if row >= 0:
            self.reason_list.setCurrentIndex(self.reasons.index(self.reasons.move(row, step)))
            self._reasons_changed()

    def _blind_changed(self, blind: bool) -> None:
        was_blind = self.original is not None and self.original.blind
        if was_blind and not blind:
            text = ("Unblinding shows every reviewer's decisions to everyone and opens the conflicts for the "
                    "arbiter (Review > Resolve Conflicts…). Do it when screening is done.")
        elif blind:
            text = "For two or more reviewers screening under their own names."
        else:
            text = "Every reviewer sees all decisions; conflicts can be resolved."
        self.blind_note.setText(text)

    def _source_changed(self) -> None:
        self.lists.setEnabled(self.from_list.isChecked())
        self.saved_searches.setEnabled(self.from_saved.isChecked())
        for widget in (self.file, self.choose_file, self.database):
            widget.setEnabled(self.from_file.isChecked())
        self._show_error("records", "")

    def _choose_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Search export to import", "", EXPORT_FILTER)
        if name:
            self.file.setText(name)
            if not self.database.text().strip():
                self.database.setFocus()

    def _show_error(self, field: str, text: str) -> None:
        label = self.errors.get(field) or self.errors.get("general")
        if label is None:  # still building
            return
        label.setText(text)
        label.setVisible(bool(text))

    # -- what the user asked for --------------------------------------------------------------------

    def fields(self) -> dict[str, Any]:
        return {
            "question": self.question.toPlainText().strip(),
            "inclusion_criteria": self.inclusion.toPlainText().strip(),
            "exclusion_criteria": self.exclusion.toPlainText().strip(),
            "include_keywords": split_keywords(self.include_keywords.text()),
            "exclude_keywords": split_keywords(self.exclude_keywords.text()),
            "exclusion_reasons": self.reasons.reasons(),
            "random_order": self.random_order.isChecked(),
            "stop_after_irrelevant": self.stop_after.value(),
            "blind": self.blind.isChecked(),
        }

    def choice(self) -> RecordChoice | None:
        """The records to add (None: keep the review's records as they are)."""
        if self.from_list.isChecked():
            data = self.lists.currentData()
            return RecordChoice("list", data[0]) if data else None
        if self.from_saved.isChecked():
            return RecordChoice("saved-search", str(self.saved_searches.currentData() or ""))
        if self.from_query.isChecked():
            return RecordChoice("query", self.hooks.current_query().strip())
        if self.from_file.isChecked():
            text = self.file.text().strip()
            return RecordChoice("import", files=(Path(text),) if text else (), database=self.database.text())
        return None

    def name_problem(self) -> str:
        name = " ".join(self.name.text().split())
        if not name:
            return "A review needs a name."
        try:
            self.library.reviews.check_name_free(name, keep=self.original.name if self.original else "")
        except InvalidInputError as exc:
            return f"{str(exc)[0].upper()}{str(exc)[1:]}: choose another name."
        return ""

    def _check_name_typed(self) -> None:
        """While typing, only a taken name is worth saying (an empty one is said on saving)."""
        problem = self.name_problem() if self.name.text().strip() else ""
        self._show_error("name", problem)

    def problems(self) -> dict[str, str]:
        """What is wrong before anything is written, per field."""
        found: dict[str, str] = {}
        name = self.name_problem()
        if name:
            found["name"] = name
        if self.reviewer.isVisible() and not self.reviewer.text().strip():
            found["reviewer"] = "Give your name: your decisions are kept under it."
        records = self._records_problem()
        if records:
            found["records"] = records
        return found

    def _records_problem(self) -> str:
        if self.from_list.isChecked():
            data = self.lists.currentData()
            if not data:
                return "Choose a reading list."
            if data[1] == 0:
                return f"The reading list “{data[0]}” is empty: a review needs records."
        elif self.from_saved.isChecked() and not self.saved_searches.currentData():
            return "Choose a saved search."
        elif self.from_file.isChecked():
            text = self.file.text().strip()
            if not text:
                return "Choose the search export file to import (Choose File…)."
            if not Path(text).is_file():
                return f"There is no file {text}."
        elif self.creating and self.choice() is None:
            return "Choose where the review's records come from."
        return ""

    # -- saving ---------------------------------------------------------------------------------------

    def _focus_field(self, field: str) -> None:
        target = {"name": self.name, "reviewer": self.reviewer, "reasons": self.reason_list,
                  "exclusion_reasons": self.reason_list}.get(field)
        if target is None and field == "records":
            target = self.source_group.checkedButton()
        if target is not None:
            target.setFocus()

    def _save(self) -> None:
        if self.op is not None:
            return
        for label in self.errors.values():
            label.hide()
        found = self.problems()
        if found:
            for field, text in found.items():
                self._show_error(field, text)
            self._focus_field(next(iter(found)))
            return
        self._start(" ".join(self.name.text().split()), self.fields(), self.choice(),
                    self.reviewer.text().strip() if self.reviewer.isVisible() else "")

    def _start(self, name: str, fields: dict[str, Any], choice: RecordChoice | None, reviewer: str) -> None:
        reviews = self.library.reviews
        original = self.original
        renamed = self.reasons.renames()

        def work(ctx: OpContext) -> tuple[Review, Gathered | None]:
            def progress(path: str, number: int, total: int) -> None:
                ctx.progress(f"Importing {Path(path).name}… ({number + 1} of {total})" if path else "Importing…")

            def paper_progress(stored: int, papers: int) -> None:
                ctx.progress(f"Importing: {stored:,} of {papers:,} records stored")

            options: dict[str, Any] = {"cancel": ctx.is_cancelled, "progress": progress,
                                       "paper_progress": paper_progress}
            if reviewer:
                reviews.set_reviewer(reviewer)
            if original is None:
                assert choice is not None
                return reviews.create_with_records(name, choice, **options, **fields)
            current = original.name
            if name != current:
                current = reviews.rename(current, name).name
            review = reviews.update(current, renamed_reasons=renamed, **fields)
            gathered = reviews.add_records(current, choice, **options) if choice is not None else None
            return review, gathered

        self._set_busy(True, "Importing the search export…" if choice is not None and choice.kind == "import"
                       else "Saving…")
        self.op = run_op(self, work, self._done, lambda exc: self._failed(exc, choice), self._progressed,
                         pool=self.hooks.write_pool, label="save the review")

    def _set_busy(self, busy: bool, text: str = "") -> None:
        self.form.setEnabled(not busy)
        self.open_after.setEnabled(not busy)
        self.save_button.setEnabled(not busy)
        self.cancel_button.setText("&Stop" if busy else "Cancel")
        self.cancel_button.setEnabled(True)
        self.progress.setVisible(busy)
        self.progress.setRange(0, 0)
        self.progress.setFormat(text)
        self.progress.setTextVisible(True)
        if not busy:
            self._source_changed()

    def _progressed(self, text: object) -> None:
        self.progress.setFormat(str(text))

    def _done(self, result: tuple[Review, Gathered | None]) -> None:
        self.op = None
        review, gathered = result
        if gathered is not None and gathered.outcome is not None:
            self.hooks.apply(gathered.outcome.changes)
        self.review = review
        self.gathered = gathered
        self._set_busy(False)
        self.saved.emit(review)
        self.accept()

    def _failed(self, exc: BaseException, choice: RecordChoice | None) -> None:
        self.op = None
        self._set_busy(False)
        if choice is not None and choice.kind == "import":
            self.hooks.refresh()  # the papers an import stored stay in the library
        if isinstance(exc, InvalidInputError) and exc.field in ("name", "reviewer", "records", "exclusion_reasons"):
            field = "reasons" if exc.field == "exclusion_reasons" else exc.field
            self._show_error(field, f"{str(exc)[0].upper()}{str(exc)[1:]}.")
            self._focus_field(field)
            return
        if errors.is_expected(exc):
            self._show_error("general", errors.describe(exc))
            return
        errors.show_error(self, exc, action="save the review")

    def reject(self) -> None:
        """Escape or Cancel: while saving, stop the import instead (the dialog stays to say so)."""
        if self.op is not None:
            self.op.cancel()
            self.cancel_button.setEnabled(False)
            self.progress.setFormat("Stopping…")
            return
        super().reject()

    def closeEvent(self, event: Any) -> None:
        if self.op is not None:
            self.reject()
            event.ignore()
            return
        super().closeEvent(event)

