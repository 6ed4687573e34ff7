"""Complete Metadata in the window: the run off the GUI thread, the offer after a thin import,
the proposals dialog (a field-by-field diff, each field accepted or not) and Regenerate Citation Key.

The services are asked on a worker thread (``Library.resolve_metadata``, no writes), then the
answers are stored on the write thread as one undoable step.  Cancel wakes any wait at once.
Gets narrow interfaces only: the library, a way to run writes and apply ``Changes``, who is
selected and what the view shows, the task strip and the status bar.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.vocabulary import (
    APPLY_SIMILARITY,
    CONTACT_SETTING,
    CancelToken,
    valid_contact,
)
from desktop_app.domain.errors import LecternError
from desktop_app.gui import errors
from desktop_app.gui.ops import Op, OpContext, run_op
from desktop_app.gui.status import ProgressStrip

log = logging.getLogger(__name__)

Write = Callable[..., Any]  # Edits.write(fn, action, on_done=None)


@dataclass
class CompletionHooks:
    """What the completion UI may use of the window, and nothing else."""

    library: Library
    write: Write
    apply_changes: Callable[[Changes], None]
    selected_ids: Callable[[], list[int]]
    view_ids: Callable[[], list[int]]
    strip: ProgressStrip
    show_status: Callable[[str, int], None]
    write_pool: QThreadPool


class ThinImportBar(QFrame):
    """A quiet bar above the table: "N papers have no authors or year. Complete them online?"."""

    completeRequested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("thinImportBar")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.complete_button = QPushButton("Complete Metadata", self)
        self.dismiss_button = QPushButton("Not Now", self)
        self.complete_button.clicked.connect(self.completeRequested)
        self.complete_button.clicked.connect(self.hide)
        self.dismiss_button.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.complete_button)
        layout.addWidget(self.dismiss_button)
        self.ids: list[int] = []
        self.hide()

    def offer(self, ids: list[int], *, waiting: bool = False) -> None:
        self.ids = ids
        count = len(ids)
        if waiting:
            self.label.setText(f"{count:,} paper{'s are' if count != 1 else ' is'} still waiting for metadata "
                               "(the last try failed or was offline) — try again now?")
        else:
            self.label.setText(f"{count:,} imported paper{'s have' if count != 1 else ' has'} no authors or year "
                               "— complete them online?")
        self.label.setToolTip("Asks Hugging Face, arXiv, Semantic Scholar and Crossref, politely and in batches; "
                              "doubtful matches become proposals for you to review.")
        self.show()


class ProposalsDialog(QDialog):
    """Each proposal as a field-by-field diff: current value, proposed value, a box to accept it."""

    def __init__(self, hooks: CompletionHooks, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.hooks = hooks
        self.setWindowTitle("Review Metadata Proposals")
        self.setModal(False)
        self.resize(940, 480)
        self.papers = QListWidget(self)
        self.papers.setObjectName("proposalPapers")
        self.source = QLabel(self)
        self.source.setWordWrap(True)
        self.fields = QTableWidget(0, 3, self)
        self.fields.setObjectName("proposalFields")
        self.fields.setHorizontalHeaderLabels(["Field", "Now", "Proposed (tick to accept)"])
        self.fields.verticalHeader().setVisible(False)
        header = self.fields.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.fields.setWordWrap(False)  # long values are elided; the tooltip holds them whole
        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(self.source)
        right_layout.addWidget(self.fields, 1)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.papers)
        splitter.addWidget(right)
        splitter.setSizes([300, 640])
        buttons = QDialogButtonBox(self)
        self.accept_button = buttons.addButton("Accept Ticked Fields", QDialogButtonBox.ButtonRole.ActionRole)
        self.reject_button = buttons.addButton("Reject Proposal", QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        self.accept_button.clicked.connect(self._accept_current)
        self.reject_button.clicked.connect(self._reject_current)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        self.papers.currentItemChanged.connect(self._show_current)
        self.reload()

    def reload(self) -> None:
        library = self.hooks.library
        self.papers.clear()
        for pid in library.proposal_ids():
            paper = library.paper(pid)
            item = QListWidgetItem(f"{paper.citekey}\n{paper.title[:70]}")
            item.setData(Qt.ItemDataRole.UserRole, pid)
            self.papers.addItem(item)
        if self.papers.count():
            self.papers.setCurrentRow(0)
        else:
            self._show_current(None)

    def current_pid(self) -> int | None:
        item = self.papers.currentItem()
        return int(item.data(Qt.ItemDataRole.UserRole)) if item is not None else None

    def _show_current(self, item: QListWidgetItem | None, _previous: object = None) -> None:
        pid = self.current_pid() if item is not None else None
        proposal = self.hooks.library.proposal(pid) if pid is not None else None
        self.fields.setRowCount(0)
        self.accept_button.setEnabled(proposal is not None)
        self.reject_button.setEnabled(proposal is not None)
        if proposal is None:
            self.source.setText("No proposals to review." if not self.papers.count() else "")
            return
        self.source.setText(f"From {proposal['source']}: {proposal['verdict']}")
        trusted = float(proposal.get("similarity", 0.0)) >= APPLY_SIMILARITY  # else nothing is ticked for you
        for row, (name, (current, proposed)) in enumerate(proposal["fields"].items()):
            self.fields.insertRow(row)
            label = QTableWidgetItem(name)
            label.setData(Qt.ItemDataRole.UserRole, name)
            label.setFlags(Qt.ItemFlag.ItemIsEnabled)
            now = QTableWidgetItem(current or "—")
            now.setFlags(Qt.ItemFlag.ItemIsEnabled)
            now.setToolTip(current)
            new = QTableWidgetItem(proposed)
            new.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            new.setToolTip(proposed)
            new.setCheckState(Qt.CheckState.Checked if trusted and not current else Qt.CheckState.Unchecked)
            for column, cell in enumerate((label, now, new)):
                self.fields.setItem(row, column, cell)

    def ticked_fields(self) -> list[str]:
        ticked = []
        for row in range(self.fields.rowCount()):
            name, proposed = self.fields.item(row, 0), self.fields.item(row, 2)
            if name is not None and proposed is not None and proposed.checkState() == Qt.CheckState.Checked:
                ticked.append(str(name.data(Qt.ItemDataRole.UserRole)))
        return ticked

    def _accept_current(self) -> None:
        pid, fields = self.current_pid(), self.ticked_fields()
        if pid is None:
            return
        library = self.hooks.library
        if fields:
            self.hooks.write(lambda: library.accept_proposal(pid, fields), "accept a metadata proposal",
                             lambda _changes: self.reload())
        else:
            self._reject_current()

    def _reject_current(self) -> None:
        pid = self.current_pid()
        if pid is None:
            return
        library = self.hooks.library

        def reject() -> Changes:
            library.reject_proposal(pid)
            return Changes(modified=frozenset({pid}))

        self.hooks.write(reject, "reject a metadata proposal", lambda _changes: self.reload())


class MetadataSettingsDialog(QDialog):
    """The contact address sent to the services and the citation-key formula."""

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Metadata Settings")
        self.setMinimumWidth(560)
        self.contact = QLineEdit(library.metadata_settings().get(CONTACT_SETTING, ""), self)
        self.contact.setPlaceholderText("you@example.org (optional)")
        self.contact.setToolTip("Sent as Lectern/<version> (mailto:…) so the services can reach you; "
                                "Crossref gives such clients its faster polite pool.")
        self.formula = QLineEdit(library.citekey_formula, self)
        self.formula.setToolTip("Fields: [auth] [authors] [authorsN] [authN] [year] [shortyear] [veryshorttitle] "
                                "[shorttitle] [title] [arxiv]; modifiers :lower :upper :capitalize")
        self.problem = QLabel(self)
        self.problem.setWordWrap(True)
        self.problem.setObjectName("settingsProblem")
        form = QFormLayout()
        form.addRow("Contact e-mail", self.contact)
        form.addRow("Citation key formula", self.formula)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(QLabel("Keys already made keep their form; Regenerate Citation Key applies a new one.", self))
        layout.addWidget(buttons)

    def _save(self) -> None:
        self.problem.clear()
        contact = self.contact.text().strip()
        if contact and not valid_contact(contact):
            self.problem.setText(f"“{contact}” is not an e-mail address.")
            return
        try:
            self.library.set_citekey_formula(self.formula.text().strip())
        except LecternError as exc:
            self.problem.setText(str(exc))
            return
        self.library.set_metadata_setting(CONTACT_SETTING, contact)
        self.accept()


class CompletionUi(QObject):
    """The Metadata menu, the thin-import bar and the completion runs."""

    finished = Signal(object)  # CompletionReport

    def __init__(self, hooks: CompletionHooks, parent: QWidget) -> None:
        super().__init__(parent)
        self.hooks = hooks
        self.parent_widget = parent
        self.token: CancelToken | None = None
        self.op: Op[Any] | None = None
        self.dialog: ProposalsDialog | None = None
        self.bar = ThinImportBar(parent)
        self.bar.completeRequested.connect(lambda: self.complete(self.bar.ids))
        hooks.strip.cancelRequested.connect(self.cancel)
        self.menu = QMenu("&Metadata", parent)
        self.complete_selection = self._action("Complete Metadata for Selection", self._complete_selection,
                                               QKeySequence("Ctrl+Shift+M"))
        self.complete_view = self._action("Complete Metadata for This View", lambda: self.complete(hooks.view_ids()))
        self.complete_incomplete = self._action("Complete All Incomplete Papers",
                                                lambda: self.complete(hooks.library.incomplete_ids()))
        self.menu.addSeparator()
        self.review = self._action("Review Metadata Proposals…", self.review_proposals)
        self.menu.addSeparator()
        self.regenerate = self._action("Regenerate Citation Key", self.regenerate_selected)
        self.settings = self._action("Metadata Settings…", self.edit_settings)
        self.offer_waiting()

    def edit_settings(self) -> MetadataSettingsDialog:
        dialog = MetadataSettingsDialog(self.hooks.library, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def _action(self, text: str, slot: Callable[[], object], shortcut: QKeySequence | None = None) -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut is not None:
            action.setShortcut(shortcut)
        action.triggered.connect(lambda _checked=False: slot())
        self.menu.addAction(action)
        return action

    def _complete_selection(self) -> None:
        self.complete(self.hooks.selected_ids())

    # -- after an import, and papers still waiting ------------------------------------------------

    def offer_waiting(self) -> None:
        """At start: papers an earlier run could not complete are offered again (never retried unasked)."""
        if not self.hooks.library.readonly:
            waiting = self.hooks.library.waiting_ids()
            if waiting:
                self.bar.offer(waiting, waiting=True)

    def offer_after_import(self, outcome: Any) -> None:
        imported = set(getattr(outcome, "imported", ()))
        if not imported or self.hooks.library.readonly:
            return
        thin = [pid for pid in self.hooks.library.incomplete_ids() if pid in imported]
        if thin:
            self.bar.offer(thin)

    # -- a run -------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.op is not None and not self.op.is_finished

    def cancel(self) -> None:
        if self.token is not None:
            self.token.cancel()
            self.hooks.strip.label.setText("Cancelling…")

    def complete(self, ids: Sequence[int]) -> Op[Any] | None:
        hooks, library = self.hooks, self.hooks.library
        ids = list(dict.fromkeys(ids))
        if library.readonly:
            errors.show_message(self.parent_widget, "Lectern", "The library is open read-only.")
            return None
        if not ids:
            hooks.show_status("Nothing to complete: select papers first", 4000)
            return None
        if self.running:
            errors.show_message(self.parent_widget, "Lectern", "Metadata completion is running already.")
            return None
        token = self.token = CancelToken()
        hooks.strip.show_progress(f"Completing metadata of {len(ids):,} papers…", 0, 0, cancellable=True)

        def work(ctx: OpContext) -> Any:
            return library.resolve_metadata(ids, cancel=token, progress=lambda stage, done, total:
                                            ctx.progress((stage, done, total)))

        def progress(value: tuple[str, int, int]) -> None:
            stage, done, total = value
            if not token.cancelled:
                hooks.strip.show_progress(f"Metadata: {stage} {done:,}/{total:,}", done, total, cancellable=True)

        def resolved(run: Any) -> None:
            hooks.strip.show_progress("Storing metadata…", 0, 0, cancellable=False)
            self.op = run_op(self, lambda _ctx: library.store_metadata(run), stored, failed,
                             pool=hooks.write_pool, label="store metadata")

        def stored(report: Any) -> None:
            hooks.strip.finish()
            self.token = None
            hooks.apply_changes(report.changes)
            requests = report.requests.get("requests") or {}
            made = sum(int(v) for v in requests.values())
            hooks.show_status(f"Metadata: {report.summary()} ({made} requests, {report.elapsed:.0f} s)", 10000)
            offline = [o.detail for o in report.outcomes if o.status == "error" and "offline" in o.detail]
            if offline and report.count("completed") == 0:
                errors.show_message(self.parent_widget, "Lectern", offline[0].split(";")[0] +
                                    "\n\nThe papers stay waiting for metadata; try again when online.")
            if report.count("proposed"):
                self.review_proposals()
            self.finished.emit(report)

        def failed(exc: BaseException) -> None:
            hooks.strip.finish()
            self.token = None
            errors.show_error(self.parent_widget, exc, action="complete metadata")

        self.op = run_op(self, work, resolved, failed, progress, label="complete metadata")
        return self.op

    # -- proposals and keys -------------------------------------------------------------------

    def review_proposals(self) -> ProposalsDialog:
        if self.dialog is None:
            self.dialog = ProposalsDialog(self.hooks, self.parent_widget)
            self.dialog.destroyed.connect(self._dialog_gone)
            self.dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        else:
            self.dialog.reload()
        self.dialog.show()
        self.dialog.raise_()
        return self.dialog

    def _dialog_gone(self) -> None:
        self.dialog = None

    def regenerate_selected(self) -> None:
        library = self.hooks.library
        ids = self.hooks.selected_ids()
        if len(ids) != 1:
            self.hooks.show_status("Select one paper to regenerate its citation key", 4000)
            return
        pid = ids[0]
        if library.paper(pid).citekey and not library.citekey_is_provisional(pid):
            answer = QMessageBox.question(
                self.parent_widget, "Regenerate Citation Key",
                f"@{library.paper(pid).citekey} is pinned (set by hand, imported, exported or copied). "
                "Documents that cite it would need the new key. Regenerate it anyway?")
            if answer != QMessageBox.StandardButton.Yes:
                return
        messages: list[str] = []

        def regenerate() -> Changes:
            changes, warning = library.regenerate_citekey(pid)
            messages.append(warning)
            return changes

        self.hooks.write(regenerate, "regenerate the citation key",
                         lambda _changes: self.hooks.show_status(
                             messages[0] or f"Citation key: @{library.paper(pid).citekey}", 8000))
