"""The import summary: a panel at the foot of the window, never a dialog that takes the keyboard.

After an import it says what happened in a line (imported, merged, problems), then one line
per file (``refs.bib — 18 entries: 15 imported, 2 merged, 1 problem``) when the import
accounts per file, and the first problems as ``file:line: reason``.  Everything else (every
problem, the titles imported and merged) is one click away: *Details…* opens the full report
in a window of its own, built only then, so a 12k import never lists 12k titles up front.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePath

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.importing import ImportOutcome
from desktop_app.gui import theme
from desktop_app.gui.dialogs import ImportReportDialog

FILES_SHOWN = 4
PROBLEMS_SHOWN = 3
TitleLookup = Callable[[list[int]], dict[int, str]]


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


def headline(outcome: ImportOutcome) -> str:
    if not outcome.imported and not outcome.merged:
        text = "Nothing was imported"
    else:
        text = "Import finished"
    text += (f": {len(outcome.imported):,} imported, {_plural(len(outcome.merged), 'duplicate')} merged, "
             f"{_plural(outcome.problem_count, 'problem')}")
    if outcome.cancelled:
        text += " (cancelled; what was read before stays)"
    return text


def summary_lines(outcome: ImportOutcome) -> list[str]:
    """The lines under the headline: files (when accounted), unreadable files, first problems."""
    lines: list[str] = []
    files = [account for account in outcome.files if account.source]
    for account in files[:FILES_SHOWN]:
        lines.append(f"{PurePath(account.source).name} — {account.summary()}")
    if len(files) > FILES_SHOWN:
        lines.append(f"… and {_plural(len(files) - FILES_SHOWN, 'more file')}")
    accounted = {account.source for account in files}
    unread = [PurePath(source).name for source in outcome.unreadable if source not in accounted]
    if unread:
        names = ", ".join(unread[:3]) + (f" and {len(unread) - 3:,} more" if len(unread) > 3 else "")
        lines.append(f"Could not read {_plural(len(unread), 'file')}: {names}")
    guesses = outcome.guesses
    if guesses:  # PDFs without a DOI or arXiv id: their titles need a look (F2 edits)
        lines.append(f"{_plural(len(guesses), 'title')} guessed from PDFs (check them in Details)")
    for problem in outcome.problems[:PROBLEMS_SHOWN]:
        shown = problem.model_copy(update={"source": PurePath(problem.source).name}) if problem.source else problem
        lines.append(str(shown))
    if outcome.problem_count > PROBLEMS_SHOWN:
        lines.append(f"… and {_plural(outcome.problem_count - PROBLEMS_SHOWN, 'more problem')} (Details)")
    return lines


class ImportSummary(QFrame):
    """Hidden until an import ends; Details… opens the full report, Close hides the panel."""

    def __init__(self, titles: TitleLookup, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importSummary")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.titles = titles
        self.outcome: ImportOutcome | None = None
        self._plain = ""
        self.details_dialog: ImportReportDialog | None = None
        self.heading = QLabel(self)
        self.heading.setObjectName("importHeading")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.body = QLabel(self)
        self.body.setObjectName("importLines")
        self.body.setTextFormat(Qt.TextFormat.RichText)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.body.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.heading.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.details_button = QPushButton("Details…", self)
        self.details_button.setToolTip("Every problem, and the papers imported and merged")
        self.close_button = QPushButton("Close", self)
        self.close_button.setObjectName("closeImportSummary")
        self.close_button.setToolTip("Hide this summary")
        for button in (self.details_button, self.close_button):
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # showing it never moves the keyboard
        self.details_button.clicked.connect(self.show_details)
        self.close_button.clicked.connect(self.close)
        text = QVBoxLayout()
        text.setSpacing(2)
        text.addWidget(self.heading)
        text.addWidget(self.body)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addLayout(text, 1)
        layout.addWidget(self.details_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.close_button, 0, Qt.AlignmentFlag.AlignTop)
        self.setVisible(False)

    def show_outcome(self, outcome: ImportOutcome) -> None:
        self.outcome = outcome
        failed = not outcome.imported and not outcome.merged
        colour = theme.muted_color(self.palette()) if not failed else self.palette().color(QPalette.ColorRole.Text)
        self.heading.setText(f"<b>{theme.escape(headline(outcome))}</b>")
        lines = summary_lines(outcome)
        self.body.setText("<br>".join(f'<span style="color:{colour.name()}">{theme.escape(line)}</span>'
                                      for line in lines))
        self.body.setVisible(bool(lines))
        self._plain = "\n".join([headline(outcome), *lines])
        self.setAccessibleDescription(self._plain)
        if self.details_dialog is not None:
            self.details_dialog.close()
        self.show()

    def show_details(self) -> ImportReportDialog | None:
        """The full report in a window of its own (the titles are looked up now, not before)."""
        outcome = self.outcome
        if outcome is None:
            return None
        if self.details_dialog is not None:
            self.details_dialog.raise_()
            self.details_dialog.activateWindow()
            return self.details_dialog
        shown = outcome.imported[:200] + outcome.merged[:200]
        dialog = ImportReportDialog(outcome, self.titles(shown), self.window())
        dialog.destroyed.connect(self._details_gone)
        self.details_dialog = dialog
        dialog.show()
        return dialog

    def _details_gone(self) -> None:
        self.details_dialog = None

    def text(self) -> str:
        """What the panel says, as plain text (for tests and accessibility)."""
        return self._plain
