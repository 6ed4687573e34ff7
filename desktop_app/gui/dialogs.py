"""The import report and the export dialog."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path, PurePath

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.export_options import ANNOTE_FORMATS
from desktop_app.core.importing import ImportOutcome
from desktop_app.core.vocabulary import EXPORT_FORMATS, Format
from desktop_app.domain.models import Problem
from desktop_app.gui import theme
from desktop_app.gui.tag_editor import TagCompleter, split_tags

REPORT_LIMIT = 200
EXTENSIONS = {"bibtex": ".bib", "biblatex": ".bib", "ris": ".ris", "csljson": ".json"}


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def report_html(outcome: ImportOutcome, titles: dict[int, str]) -> str:
    """The import report as HTML: imported, merged and the problems (``file:line: reason``)."""
    parts = []
    summary = (f"Imported {_plural(len(outcome.imported), 'paper')}, merged "
               f"{_plural(len(outcome.merged), 'duplicate')}, {_plural(outcome.problem_count, 'problem')}.")
    if outcome.cancelled:
        summary += " The import was cancelled; what was read before stays in the library."
    parts.append(f"<p>{summary}</p>")

    def section(title: str, ids: list[int]) -> None:
        if not ids:
            return
        items = "".join(f"<li>{theme.escape(titles.get(pid, f'paper {pid}'))}</li>" for pid in ids[:REPORT_LIMIT])
        more = f"<li><i>… and {len(ids) - REPORT_LIMIT:,} more</i></li>" if len(ids) > REPORT_LIMIT else ""
        parts.append(f"<h4>{title}</h4><ul>{items}{more}</ul>")

    files = [account for account in outcome.files if account.source]
    if files:
        rows = "".join(f"<li><code>{theme.escape(PurePath(a.source).name)}</code> — {theme.escape(a.summary())}</li>"
                       for a in files)
        parts.append(f"<h4>Files</h4><ul>{rows}</ul>")
    if outcome.problems:  # first: what needs the user's attention
        sources = sorted({p.source for p in outcome.problems if p.source})
        if sources:
            more = f"<li><i>… and {len(sources) - 20:,} more</i></li>" if len(sources) > 20 else ""
            parts.append("<h4>Files with problems</h4><ul>"
                         + "".join(f"<li><code>{theme.escape(s)}</code></li>" for s in sources[:20]) + more + "</ul>")
        lines = "".join(f"<li><code>{theme.escape(_short(p))}</code></li>" for p in outcome.problems[:REPORT_LIMIT])
        more = (f"<li><i>… and {outcome.problem_count - REPORT_LIMIT:,} more</i></li>"
                if outcome.problem_count > REPORT_LIMIT else "")
        parts.append(f"<h4>Problems (file:line: reason)</h4><ul>{lines}{more}</ul>")
    if outcome.guesses:  # PDFs without a DOI or arXiv id: their titles need a look (F2 edits)
        guesses = "".join(f"<li>{theme.escape(g)}</li>" for g in outcome.guesses[:REPORT_LIMIT])
        parts.append(f"<h4>Titles guessed from PDFs (check them)</h4><ul>{guesses}</ul>")
    section("Merged into papers already in the library", outcome.merged)
    section("Imported", outcome.imported)
    return "".join(parts)


def _short(problem: Problem) -> str:
    """``name.bib:12: reason``: the file's name only (the full paths are listed once above)."""
    return str(problem.model_copy(update={"source": PurePath(problem.source).name})) if problem.source \
        else str(problem)


class ImportReportDialog(QDialog):
    """What an import did; not modal, so the user can keep working while reading it."""

    def __init__(self, outcome: ImportOutcome, titles: dict[int, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importReport")
        self.setWindowTitle("Import report")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.outcome = outcome
        heading = QLabel(self)
        heading.setObjectName("importHeading")
        failed = not outcome.imported and not outcome.merged
        heading.setText("<b>Nothing was imported</b>" if failed else "<b>Import finished</b>")
        self.body = QTextBrowser(self)
        self.body.setOpenLinks(False)
        self.body.setHtml(report_html(outcome, titles))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(heading)
        layout.addWidget(self.body, 1)
        layout.addWidget(buttons)
        self.resize(620, 460)


@dataclass(frozen=True)
class ExportScope:
    label: str
    ids: list[int]
    stem: str = "lectern"  # the file name it suggests (a list's, a tag's or a search's name)


@dataclass
class ExportChoices:
    """What the dialog starts with (the library's last export) and what it asks for."""

    format: str = "bibtex"
    folder: str = ""
    tags_as_keywords: bool = False
    notes_as_annote: bool = False


def file_stem(text: str) -> str:
    """A file name from a list, tag or search: ``"Thesis: week 1"`` -> ``Thesis-week-1``."""
    stem = re.sub(r"[^\w.+-]+", "-", text, flags=re.UNICODE).strip("-.")
    return stem[:60] or "lectern"


class ExportDialog(QDialog):
    """Scope + format + file + options; ``exportRequested(path, format, ids, options)`` when accepted.

    The file name follows the scope (a list exports to ``List-name.bib``) until the user
    types a name of their own.
    """

    exportRequested = Signal(str, str, list, dict)

    def __init__(self, scopes: list[ExportScope], choices: ExportChoices, parent: QWidget | None = None,
                 formats: tuple[Format, ...] = EXPORT_FORMATS, preferred: int = 0,
                 incomplete: frozenset[int] = frozenset()) -> None:
        super().__init__(parent)
        self.incomplete = incomplete  # papers without author or year: said before anything is written
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export papers")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.scopes = scopes
        self.folder = choices.folder or str(Path.home())
        self.scope = QComboBox(self)
        for scope in scopes:
            self.scope.addItem(f"{scope.label} ({_plural(len(scope.ids), 'paper')})")
        self.scope.setMaxVisibleItems(20)
        self.format = QComboBox(self)
        for fmt in formats:
            self.format.addItem(fmt.label, fmt.name)
        wanted = self.format.findData(choices.format)
        self.format.setCurrentIndex(wanted if wanted >= 0 else max(self.format.findData("bibtex"), 0))
        self.path = QLineEdit(self)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        self.tags_as_keywords = QCheckBox("Add tags to the keywords", self)
        self.tags_as_keywords.setChecked(choices.tags_as_keywords)
        self.notes_as_annote = QCheckBox("Notes as annote fields", self)
        self.notes_as_annote.setChecked(choices.notes_as_annote)
        self.notes_as_annote.setToolTip("BibTeX and biblatex only; a note goes out as one paragraph")
        form = QFormLayout()
        form.addRow("Papers", self.scope)
        form.addRow("Format", self.format)
        form.addRow("File", path_row)
        form.addRow("Include", self.tags_as_keywords)
        form.addRow("", self.notes_as_annote)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.export_button.setDefault(True)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.lacking = QLabel(self)
        self.lacking.setObjectName("exportLacking")
        self.lacking.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.lacking)
        layout.addWidget(self.buttons)
        self._auto_name = True
        self.scope.setCurrentIndex(max(0, min(preferred, len(scopes) - 1)))
        self._suggest_name()
        self.path.textEdited.connect(self._name_typed)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self._scope_changed()
        self._format_changed()
        self.resize(580, self.sizeHint().height())

    def chosen(self) -> tuple[str, str, list[int]]:
        scope = self.scopes[self.scope.currentIndex()]
        return self.path.text().strip(), str(self.format.currentData()), scope.ids

    def options(self) -> dict[str, bool]:
        fmt = str(self.format.currentData())
        return {"tags_as_keywords": self.tags_as_keywords.isChecked(),
                "notes_as_annote": self.notes_as_annote.isChecked() and fmt in ANNOTE_FORMATS}

    def _extension(self) -> str:
        return EXTENSIONS.get(str(self.format.currentData()), ".txt")

    def _suggest_name(self) -> None:
        index = self.scope.currentIndex()
        stem = self.scopes[index].stem if 0 <= index < len(self.scopes) else "lectern"
        self.path.setText(str(Path(self.folder) / (file_stem(stem) + self._extension())))

    def _name_typed(self, _text: str) -> None:
        self._auto_name = False  # the user's own name wins over the scope's

    def _scope_changed(self) -> None:
        index = self.scope.currentIndex()
        self.export_button.setEnabled(index >= 0 and bool(self.scopes[index].ids))
        count = len(self.incomplete.intersection(self.scopes[index].ids)) if index >= 0 else 0
        self.lacking.setText(f"⚠ {_plural(count, 'paper')} lack author or year, so their citations will "
                             "be incomplete. Metadata ▸ Complete All Incomplete Papers fills them in." if count else "")
        self.lacking.setVisible(bool(count))
        if self._auto_name:
            self._suggest_name()

    def _format_changed(self) -> None:
        self.notes_as_annote.setEnabled(str(self.format.currentData()) in ANNOTE_FORMATS)
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix(self._extension())))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
            self.path.setText(path)
            self._auto_name = False

    def _accept(self) -> None:
        path, fmt, ids = self.chosen()
        if not path:
            self.path.setFocus()
            return
        self.exportRequested.emit(path, fmt, ids, self.options())
        self.accept()


class TagsDialog(QDialog):
    """Asks for one or more tags, completing from the library's tags."""

    def __init__(self, names: QStringListModel, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("tagsDialog")
        self.setWindowTitle(title)
        self.field = QLineEdit(self)
        self.field.setPlaceholderText("tag, another tag")
        self.field.setCompleter(TagCompleter(names, self.field))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Tags (separated by commas):", self))
        layout.addWidget(self.field)
        layout.addWidget(buttons)
        self.resize(380, self.sizeHint().height())

    def tags(self) -> list[str]:
        return split_tags(self.field.text())

    @classmethod
    def ask(cls, parent: QWidget, names: QStringListModel, title: str) -> list[str]:
        dialog = cls(names, title, parent)
        try:
            return dialog.tags() if dialog.exec() == QDialog.DialogCode.Accepted else []
        finally:
            dialog.deleteLater()
