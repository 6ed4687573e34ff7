"""The import report and the export dialog."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePath

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
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
               f"{_plural(len(outcome.merged), 'duplicate')}, {_plural(len(outcome.problems), 'problem')}.")
    if outcome.cancelled:
        summary += " The import was cancelled; what was read before stays in the library."
    parts.append(f"<p>{summary}</p>")

    def section(title: str, ids: list[int]) -> None:
        if not ids:
            return
        items = "".join(f"<li>{theme.escape(titles.get(pid, f'paper {pid}'))}</li>" for pid in ids[:REPORT_LIMIT])
        more = f"<li><i>… and {len(ids) - REPORT_LIMIT:,} more</i></li>" if len(ids) > REPORT_LIMIT else ""
        parts.append(f"<h4>{title}</h4><ul>{items}{more}</ul>")

    if outcome.problems:  # first: what needs the user's attention
        sources = sorted({p.source for p in outcome.problems if p.source})
        if sources:
            parts.append("<p>Files: " + ", ".join(f"<code>{theme.escape(s)}</code>" for s in sources[:20]) + "</p>")
        lines = "".join(f"<li><code>{theme.escape(_short(p))}</code></li>" for p in outcome.problems[:REPORT_LIMIT])
        more = (f"<li><i>… and {len(outcome.problems) - REPORT_LIMIT:,} more</i></li>"
                if len(outcome.problems) > REPORT_LIMIT else "")
        parts.append(f"<h4>Problems (file:line: reason)</h4><ul>{lines}{more}</ul>")
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


class ExportDialog(QDialog):
    """Scope + format + file; ``exportRequested(path, format, ids)`` when accepted."""

    exportRequested = Signal(str, str, list)

    def __init__(self, scopes: list[ExportScope], directory: str, parent: QWidget | None = None,
                 formats: tuple[Format, ...] = EXPORT_FORMATS, incomplete: frozenset[int] = frozenset()) -> None:
        super().__init__(parent)
        self.incomplete = incomplete  # papers without author or year: said before anything is written
        self.setObjectName("exportDialog")
        self.setWindowTitle("Export papers")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.scopes = scopes
        self.scope = QComboBox(self)
        for scope in scopes:
            self.scope.addItem(f"{scope.label} ({_plural(len(scope.ids), 'paper')})")
        self.format = QComboBox(self)
        for fmt in formats:
            self.format.addItem(fmt.label, fmt.name)
        self.path = QLineEdit(self)
        self.path.setText(str(Path(directory) / ("lectern" + EXTENSIONS.get(formats[0].name, ".txt"))))
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path, 1)
        path_row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Papers", self.scope)
        form.addRow("Format", self.format)
        form.addRow("File", path_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        self.lacking = QLabel(self)
        self.lacking.setObjectName("exportLacking")
        self.lacking.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.lacking)
        layout.addWidget(self.buttons)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.scope.currentIndexChanged.connect(self._scope_changed)
        self._scope_changed()
        self.resize(560, self.sizeHint().height())

    def chosen(self) -> tuple[str, str, list[int]]:
        scope = self.scopes[self.scope.currentIndex()]
        return self.path.text().strip(), str(self.format.currentData()), scope.ids

    def _scope_changed(self) -> None:
        index = self.scope.currentIndex()
        self.export_button.setEnabled(index >= 0 and bool(self.scopes[index].ids))
        count = len(self.incomplete.intersection(self.scopes[index].ids)) if index >= 0 else 0
        self.lacking.setText(f"⚠ {_plural(count, 'paper')} lack author or year, so their citations will "
                             "be incomplete. Metadata ▸ Complete All Incomplete Papers fills them in." if count else "")
        self.lacking.setVisible(bool(count))

    def _format_changed(self) -> None:
        text = self.path.text().strip()
        if text:
            wanted = EXTENSIONS.get(str(self.format.currentData()), ".txt")
            self.path.setText(str(Path(text).with_suffix(wanted)))

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export to", self.path.text())
        if path:
            self.path.setText(path)

    def _accept(self) -> None:
        path, fmt, ids = self.chosen()
        if not path:
            self.path.setFocus()
            return
        self.exportRequested.emit(path, fmt, ids)
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
