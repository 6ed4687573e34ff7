"""The screening view: one record at a time, keyboard only, the ranker retraining in the background.

Keys: ``I`` include, ``E`` exclude (then ``1``-``9`` for a reason, ``E`` or Enter for none,
Esc to cancel), ``M`` maybe, ``U`` undo, ``N`` note for the record on screen.  After a
decision the next record comes from the last ranking at once; the retrained ranking
replaces it when the background work delivers.  Titles and abstracts are untrusted text:
they are HTML-escaped before the keyword marks are added.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.library import Library
from desktop_app.core.screening import ScreeningSession
from desktop_app.core.vocabulary import keyword_spans
from desktop_app.domain.errors import LecternError
from desktop_app.domain.screening import Stage, Verdict
from desktop_app.gui import theme
from desktop_app.gui.ops import OpContext, run_op, serial_pool
from desktop_app.gui.prisma import PrismaView, export_diagram

log = logging.getLogger(__name__)

INCLUDE_COLOUR = theme.REVIEW_INCLUDE_COLOUR
EXCLUDE_COLOUR = theme.REVIEW_EXCLUDE_COLOUR


def marked_html(text: str, include: list[str], exclude: list[str]) -> str:
    """``text`` escaped for rich text, with include and exclude keywords on two background colours."""
    parts: list[str] = []
    last = 0
    for span in keyword_spans(text, include, exclude):
        colour = INCLUDE_COLOUR if span.kind == "include" else EXCLUDE_COLOUR
        parts.append(html.escape(text[last:span.start]))
        parts.append(f'<span style="background-color:{colour};color:#000000">'
                     f"{html.escape(text[span.start:span.end])}</span>")
        last = span.end
    parts.append(html.escape(text[last:]))
    return "".join(parts)


class ScreeningView(QWidget):
    """Screen one review's records as one reviewer."""

    decided = Signal(object)  # Decision
    rankingApplied = Signal(int)  # generation
    ready = Signal()

    def __init__(self, library: Library, review_name: str, *, reviewer: str | None = None,
                 stage: Stage = Stage.TITLE_ABSTRACT, random_order: bool | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.session = ScreeningSession(library, review_name, stage, reviewer, random_order=random_order)
        self.review = self.session.review
        self._pool = serial_pool(self, "lectern-screening")
        self._excluding = False
        self._note = ""
        self._closed = False
        self._retraining = self._retrain_wanted = False
        self.retrains = 0
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._build()
        self.show_current()
        # ops without a Qt parent: results reach this view only while it is open (``_closed``)
        run_op(None, lambda _ctx: self.session.prepare(), lambda _r: self._prepared(), self._failed,
               pool=self._pool, label="prepare screening")

    # -- widgets --------------------------------------------------------------------------------------

    def _build(self) -> None:
        layout = QVBoxLayout(self)
        review = self.review
        mode = "random order" if self.session.random_order else "ranked by relevance"
        self.heading = QLabel(f"<b>{html.escape(review.name)}</b> — {html.escape(self.session.stage.label)} "
                              f"screening as <b>{html.escape(self.session.reviewer)}</b> ({mode})")
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.heading)
        criteria = []
        if review.question:
            criteria.append(f"<b>Question:</b> {html.escape(review.question)}")
        if review.inclusion_criteria:
            criteria.append(f"<b>Include:</b> {html.escape(review.inclusion_criteria)}")
        if review.exclusion_criteria:
            criteria.append(f"<b>Exclude:</b> {html.escape(review.exclusion_criteria)}")
        self.criteria = QLabel("<br>".join(criteria))
        self.criteria.setWordWrap(True)
        self.criteria.setTextFormat(Qt.TextFormat.RichText)
        self.criteria.setVisible(bool(criteria))
        layout.addWidget(self.criteria)
        self.title = QLabel()
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        font = QFont(self.font())
        font.setPointSizeF(font.pointSizeF() * 1.7)
        font.setBold(True)
        self.title.setFont(font)
        layout.addWidget(self.title)
        self.abstract = QTextBrowser()
        self.abstract.setOpenLinks(False)
        self.abstract.setOpenExternalLinks(False)
        self.abstract.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        body = QFont(self.font())
        body.setPointSizeF(body.pointSizeF() * 1.35)
        self.abstract.setFont(body)
        layout.addWidget(self.abstract, 1)
        self.progress_label = QLabel()
        layout.addWidget(self.progress_label)
        reasons = " · ".join(f"{i}: {html.escape(r)}" for i, r in enumerate(self.review.exclusion_reasons[:9], 1))
        self.reasons = QLabel(f"<small>Exclusion reasons — {reasons}</small>")
        self.reasons.setWordWrap(True)
        layout.addWidget(self.reasons)
        self.hint = QLabel()
        layout.addWidget(self.hint)
        self._show_hint()

    def _show_hint(self, message: str = "") -> None:
        if self._excluding:
            text = "<b>Exclude:</b> press 1-9 for the reason, E or Enter for none, Esc to cancel"
        else:
            text = "<b>I</b> include · <b>E</b> exclude (+1-9 reason) · <b>M</b> maybe · <b>U</b> undo · <b>N</b> note"
        if message:
            text += f" — {html.escape(message)}"
        self.hint.setText(text)

    # -- what is shown ----------------------------------------------------------------------------------

    def show_current(self) -> None:
        record = self.session.current()
        self.current_record = record
        review = self.review
        if record is None:
            self.title.setText("Every record is screened.")
            self.abstract.setHtml("")
        else:
            self.title.setText(marked_html(record.title or "(no title)", review.include_keywords,
                                           review.exclude_keywords))
            abstract = record.abstract or "(no abstract)"
            self.abstract.setHtml(f"<p>{marked_html(abstract, review.include_keywords, review.exclude_keywords)}</p>")
        p = self.session.progress()
        text = (f"Screened {p.screened} · remaining {p.remaining} · relevant found {p.relevant_found} · "
                f"{p.since_last_relevant} since the last relevant · about {p.estimated_relevant_left:g} relevant left")
        if p.stop_reached:
            text += f" · stopping rule met ({p.stop_after} irrelevant in a row)"
        if not self.session.prepared:
            text += " · preparing the ranker…"
        self.progress_label.setText(text)

    # -- keys ------------------------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if self._excluding:
            if Qt.Key.Key_1 <= key <= Qt.Key.Key_9:
                index = key - Qt.Key.Key_1
                if index < len(self.review.exclusion_reasons):
                    self._decide(Verdict.EXCLUDE, self.review.exclusion_reasons[index])
                return
            if key in (Qt.Key.Key_E, Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._decide(Verdict.EXCLUDE, "")
                return
            if key == Qt.Key.Key_Escape:
                self._excluding = False
                self._show_hint()
                return
        handlers: dict[int, Callable[[], None]] = {
            Qt.Key.Key_I: lambda: self._decide(Verdict.INCLUDE),
            Qt.Key.Key_M: lambda: self._decide(Verdict.MAYBE),
            Qt.Key.Key_E: self._start_exclude,
            Qt.Key.Key_U: self.undo,
            Qt.Key.Key_N: self.ask_note,
        }
        handler = handlers.get(key)
        if handler is None:
            super().keyPressEvent(event)
            return
        handler()

    def _start_exclude(self) -> None:
        if self.current_record is not None:
            self._excluding = True
            self._show_hint()

    def ask_note(self) -> None:
        if self.current_record is None:
            return
        text, ok = QInputDialog.getMultiLineText(self, "Note", "A note on this record (kept with your decision):",
                                                 self._note)
        if ok:
            self._note = text
            self._show_hint("note kept for the decision")

    # -- decisions -------------------------------------------------------------------------------------------

    def _decide(self, verdict: Verdict, reason: str = "") -> None:
        self._excluding = False
        if self.current_record is None:
            self._show_hint("nothing left to screen")
            return
        try:
            decision = self.session.decide(verdict, reason, self._note)
        except LecternError as exc:
            self._show_hint(str(exc))
            return
        self._note = ""
        self._show_hint(f"{decision.verdict.value}d" if verdict is not Verdict.MAYBE else "maybe")
        self.show_current()
        self.decided.emit(decision)
        self._retrain()

    def undo(self) -> None:
        self._excluding = False
        undone = self.session.undo()
        self._show_hint("nothing to undo" if undone is None else f"withdrew {undone.verdict.value}")
        self.show_current()
        if undone is not None:
            self._retrain()

    # -- background ranking -----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:
        """Work on the pool is waited for (it holds the session); at most one retrain is ever queued.

        Not ``clear()``: a dropped runnable never delivers, and its op would stay running for good.
        """
        self._closed = True
        self._pool.waitForDone()
        super().closeEvent(event)

    def _prepared(self) -> None:
        if self._closed:
            return
        self.ready.emit()
        self._retrain()

    def _retrain(self) -> None:
        """Refit in the background; while one fit runs, decisions only mark the next one as wanted."""
        if not self.session.prepared:
            return
        if self._retraining:
            self._retrain_wanted = True
            return
        self._retraining, self._retrain_wanted = True, False
        snapshot = self.session.snapshot()

        def work(_ctx: OpContext) -> tuple[int, list[int]]:
            return self.session.retrain(snapshot)

        run_op(None, work, self._ranked, self._failed, pool=self._pool, label="retrain")

    def _ranked(self, result: tuple[int, list[int]]) -> None:
        if self._closed:
            return
        self._retraining = False
        generation, ranking = result
        self.retrains += 1
        if self.session.apply_ranking(generation, ranking):
            self.show_current()
        self.rankingApplied.emit(generation)
        if self._retrain_wanted:
            self._retrain()

    def _failed(self, exc: BaseException) -> None:
        log.error("screening ranker failed", exc_info=(type(exc), exc, exc.__traceback__))
        self._retraining = False
        if not self._closed:
            self._show_hint(f"ranking failed ({exc}); records continue in the last order")


class PrismaWindow(QDialog):
    """The PRISMA diagram of one review, with SVG and PNG export."""

    def __init__(self, library: Library, review_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"PRISMA 2020 — {review_name}")
        self.counts = library.reviews.prisma(review_name)
        self.view = PrismaView(self)
        self.view.set_counts(self.counts, review_name)
        self.review_name = review_name
        layout = QVBoxLayout(self)
        layout.addWidget(self.view)
        bar = QMenuBar(self)
        menu = bar.addMenu("&File")
        menu.addAction("Export as SVG…", lambda: self._export("svg"))
        menu.addAction("Export as PNG…", lambda: self._export("png"))
        layout.setMenuBar(bar)
        self.resize(900, 640)

    def _export(self, suffix: str) -> None:
        name, _ = QFileDialog.getSaveFileName(self, "Export PRISMA diagram", f"prisma.{suffix}",
                                              f"{suffix.upper()} (*.{suffix})")
        if name:
            try:
                export_diagram(self.counts, Path(name), self.review_name)
            except OSError as exc:
                QMessageBox.warning(self, "Export failed", str(exc))


class ScreeningWindow(QMainWindow):
    def __init__(self, library: Library, review_name: str, parent: QWidget | None = None, *,
                 stage: Stage = Stage.TITLE_ABSTRACT, random_order: bool | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Screening — {review_name}")
        self.view = ScreeningView(library, review_name, stage=stage, random_order=random_order, parent=self)
        self.setCentralWidget(self.view)
        self.resize(1000, 720)
        self.view.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.view.close()
        super().closeEvent(event)


class ConflictsDialog(QDialog):
    """Records the reviewers disagree on, for an arbiter to settle (the review must be unblinded)."""

    def __init__(self, library: Library, review_name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.review = library.reviews.get(review_name)
        self.setWindowTitle(f"Conflicts — {review_name}")
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self.table = QTableWidget(0, 3, self)
        self.table.setHorizontalHeaderLabels(["Stage", "Record", "Reviewers' verdicts"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table, 1)
        row = QHBoxLayout()
        self.reason = QComboBox()
        self.reason.addItem("(no reason)")
        self.reason.addItems(self.review.exclusion_reasons)
        self.include_button = QPushButton("&Include")
        self.exclude_button = QPushButton("&Exclude")
        self.include_button.clicked.connect(lambda: self.rule(Verdict.INCLUDE))
        self.exclude_button.clicked.connect(lambda: self.rule(Verdict.EXCLUDE))
        row.addWidget(QLabel("Arbiter's ruling:"))
        row.addWidget(self.include_button)
        row.addWidget(self.exclude_button)
        row.addWidget(self.reason, 1)
        layout.addLayout(row)
        self.resize(860, 480)
        self.reload()

    def reload(self) -> None:
        self.conflicts = self.library.reviews.conflicts(self.review.name)
        titles = self.library.rows([c.paper_id for c in self.conflicts])
        self.table.setRowCount(len(self.conflicts))
        for i, conflict in enumerate(self.conflicts):
            row = titles.get(conflict.paper_id)
            votes = "; ".join(f"{who}: {d.verdict.value}" + (f" ({d.reason})" if d.reason else "")
                              for who, d in sorted(conflict.verdicts.items()))
            for column, text in enumerate((conflict.stage.label, row.title if row else str(conflict.paper_id), votes)):
                self.table.setItem(i, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self.summary.setText(f"{len(self.conflicts)} record(s) in conflict; ruling as "
                             f"{html.escape(self.library.reviews.reviewer() or '(no reviewer named)')}")
        if self.conflicts:
            self.table.selectRow(0)

    def rule(self, verdict: Verdict) -> None:
        selected = self.table.currentRow()
        if not 0 <= selected < len(self.conflicts):
            return
        conflict = self.conflicts[selected]
        reason = self.reason.currentText() if verdict is Verdict.EXCLUDE and self.reason.currentIndex() > 0 else ""
        try:
            self.library.reviews.resolve(self.review.name, conflict.paper_id, verdict, stage=conflict.stage,
                                         reason=reason)
        except LecternError as exc:
            QMessageBox.warning(self, "Cannot rule", str(exc))
            return
        self.reload()
