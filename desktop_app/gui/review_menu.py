"""The main window's Review menu: create, edit and delete reviews, screen one, its PRISMA diagram, the reviewer.

The sidebar's Reviews section reaches the same actions (``activate``, ``add_context_actions``).

Kept apart from the screening view so that opening the window does not load the ranker
(numpy, scikit-learn); they load when a review is first screened.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QThreadPool
from PySide6.QtWidgets import QInputDialog, QMenu, QMenuBar, QMessageBox, QWidget

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.domain.errors import LecternError
from desktop_app.domain.screening import Review, Stage
from desktop_app.gui import errors
from desktop_app.gui.ops import Op, run_op, serial_pool
from desktop_app.gui.parts import PartContext
from desktop_app.gui.review_editor import EditorHooks, ReviewEditor
from desktop_app.gui.sidebar_model import Scope

REVIEW_PROPERTY = "lectern-review"
"""Set on each screening, PRISMA and conflicts window: the review it shows (closed when deleted)."""


class ReviewMenu(QObject):
    """The window's Review menu: create and edit reviews, screen one, its PRISMA diagram, the reviewer.

    ``context`` (the window's) gives the editor the write thread, the current search and
    the refresh after an import; without it (a bare parent) they are the menu's own.
    """

    def __init__(self, library: Library, parent: QWidget, context: PartContext | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.parent_widget = parent
        self.context = context
        self.windows: list[QWidget] = []
        self.editor: ReviewEditor | None = None
        self._own_pool: QThreadPool | None = None
        self.confirm: Callable[[str, str], bool] = self._confirm  # tests answer for the user
        self.delete_op: Op[tuple[str, int]] | None = None

    def install(self, bar: QMenuBar) -> QMenu:
        menu = QMenu("&Review", bar)
        new = menu.addAction("&New Review…", self.new_review)
        new.setEnabled(not self.library.readonly)
        edit = menu.addAction("&Edit Review…", self.edit_review)
        edit.setEnabled(not self.library.readonly)
        delete = menu.addAction("&Delete Review…", self.delete_review)
        delete.setEnabled(not self.library.readonly)
        menu.addSeparator()
        menu.addAction("&Screen a Review…", self.screen)
        menu.addAction("Screen in &Random Order…", lambda: self.screen(random_order=True))
        menu.addAction("Screen &Full Texts…", lambda: self.screen(stage=Stage.FULL_TEXT))
        menu.addAction("&PRISMA Diagram…", self.prisma)
        menu.addAction("Resolve &Conflicts…", self.conflicts)
        menu.addSeparator()
        menu.addAction("Reviewer &Name…", self.ask_reviewer)
        actions = bar.actions()
        bar.insertMenu(actions[-1], menu) if actions else bar.addMenu(menu)
        return menu

    def _pick_review(self, *, offer_new: bool = True) -> str | None:
        """The review to act on: the one the window shows, the only one, else the user's pick;
        with none, New Review opens."""
        names = [r.name for r in self.library.reviews.all()]
        shown = self.context.view.scope if self.context is not None else None
        if shown is not None and shown.kind == "review" and shown.name in names:
            return shown.name
        if not names:
            if not self.library.readonly and offer_new:
                self.new_review()
            else:
                QMessageBox.information(self.parent_widget, "No reviews", "This library has no reviews.")
            return None
        if len(names) == 1:
            return names[0]
        name, ok = QInputDialog.getItem(self.parent_widget, "Review", "Review:", names, 0, False)
        return name if ok else None

    # -- creating and editing ---------------------------------------------------------------------------

    def hooks(self) -> EditorHooks:
        context = self.context
        if context is None:
            if self._own_pool is None:
                self._own_pool = serial_pool(self, "lectern-review-write")
            return EditorHooks(self.library, self._own_pool, lambda _c: None, lambda: "")
        return EditorHooks(context.library, context.write_pool, context.apply, lambda: context.view.query,
                           refresh=lambda: context.schedule_reload(0))

    def new_review(self) -> ReviewEditor | None:
        return self._open_editor(None)

    def edit_review(self, name: str | None = None) -> ReviewEditor | None:
        name = name or self._pick_review()
        if name is None:
            return None
        try:
            review = self.library.reviews.get(name)
        except LecternError as exc:
            errors.show_error(self.parent_widget, exc, action="edit the review")
            return None
        return self._open_editor(review)

    def _open_editor(self, review: Review | None) -> ReviewEditor | None:
        if self.library.readonly:
            errors.show_message(self.parent_widget, "Lectern", "The library is open read-only; changes are disabled.")
            return None
        if self.editor is not None:
            self.editor.raise_()
            self.editor.activateWindow()
            return self.editor
        dialog = ReviewEditor(self.hooks(), review, self.parent_widget)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(lambda saved: self._saved(dialog, saved))
        dialog.finished.connect(lambda _result: self._editor_closed(dialog))
        self.editor = dialog
        dialog.open()
        return dialog

    def _editor_closed(self, dialog: ReviewEditor) -> None:
        if self.editor is dialog:
            self.editor = None

    def _saved(self, dialog: ReviewEditor, review: Review) -> None:
        records = len(self.library.reviews.record_ids(review.name))
        verb = "Created" if dialog.creating else "Saved"
        if self.context is not None:
            self.context.message(f"{verb} the review “{review.name}” ({records:,} records)", 6000)
            self.context.apply(Changes())
            self.context.schedule_sidebar()  # the Reviews section lists it (renamed, new record count)
            view = self.context.view
            if dialog.original is not None and view.scope == Scope("review", dialog.original.name):
                view.show_scope(Scope("review", review.name))  # its records, more of them or renamed
        if dialog.open_after.isChecked():
            self.open_screening(review.name)

    def ask_reviewer(self) -> bool:
        name, ok = QInputDialog.getText(self.parent_widget, "Reviewer", "Screen under the name:",
                                        text=self.library.reviews.reviewer())
        if ok and name.strip():
            self.library.reviews.set_reviewer(name)
            return True
        return False

    def screen(self, *, stage: Stage = Stage.TITLE_ABSTRACT, random_order: bool | None = None) -> None:
        """Open a screening window (random order: for reviewers who must not be steered by the ranker)."""
        name = self._pick_review()
        if name is not None:
            self.open_screening(name, stage=stage, random_order=random_order)

    def open_screening(self, name: str, *, stage: Stage = Stage.TITLE_ABSTRACT,
                       random_order: bool | None = None) -> QWidget | None:
        if not self.library.reviews.reviewer() and not self.ask_reviewer():
            return None
        from desktop_app.gui.screening import (
            ScreeningWindow,  # the ranker's numpy/scikit-learn load on first use
        )

        window = ScreeningWindow(self.library, name, self.parent_widget, stage=stage, random_order=random_order)
        self._keep(window, name)
        window.show()
        return window

    def _keep(self, window: QWidget, review: str) -> None:
        window.setProperty(REVIEW_PROPERTY, review)
        window.installEventFilter(self)  # closing it refreshes the sidebar's screening progress
        self.windows.append(window)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Close and self.context is not None and watched in self.windows:
            self.context.schedule_sidebar()
        return super().eventFilter(watched, event)

    def prisma(self, name: str | None = None) -> None:
        name = name or self._pick_review()
        if name is not None:
            from desktop_app.gui.screening import PrismaWindow

            dialog = PrismaWindow(self.library, name, self.parent_widget)
            self._keep(dialog, name)
            dialog.show()

    def conflicts(self, name: str | None = None) -> None:
        name = name or self._pick_review()
        if name is None:
            return
        if self.library.reviews.get(name).blind:
            answer = QMessageBox.question(self.parent_widget, "Blind review",
                                          f"{name!r} is blind: unblind it to see the reviewers' decisions?")
            if answer != QMessageBox.StandardButton.Yes:
                return
            self.library.reviews.set_blind(name, False)
        if not self.library.reviews.reviewer() and not self.ask_reviewer():
            return
        from desktop_app.gui.screening import ConflictsDialog

        dialog = ConflictsDialog(self.library, name, self.parent_widget)
        self._keep(dialog, name)
        dialog.show()

    # -- the sidebar's Reviews section --------------------------------------------------------------------

    def activate(self, scope: Scope | None) -> None:
        """Enter or a double-click on a sidebar entry: a review opens for screening."""
        if scope is not None and scope.kind == "review":
            self.open_screening(scope.name)

    def add_context_actions(self, menu: QMenu, name: str) -> None:
        """A review's actions, for the sidebar's context menu."""
        writable = not self.library.readonly
        menu.addAction("&Screen", lambda: self.open_screening(name))
        menu.addAction("Screen &Full Texts", lambda: self.open_screening(name, stage=Stage.FULL_TEXT))
        menu.addAction("&Edit Review…", lambda: self.edit_review(name)).setEnabled(writable)
        menu.addAction("Resolve &Conflicts…", lambda: self.conflicts(name))
        menu.addAction("&PRISMA Diagram…", lambda: self.prisma(name))
        menu.addSeparator()
        menu.addAction("&Delete Review…", lambda: self.delete_review(name)).setEnabled(writable)

    # -- deleting ------------------------------------------------------------------------------------------------

    def delete_review(self, name: str | None = None) -> Op[tuple[str, int]] | None:
        """Ask, then delete the review off the GUI thread; its papers stay in the library."""
        if self.library.readonly or self.delete_op is not None:
            return None
        name = name or self._pick_review(offer_new=False)
        if name is None:
            return None
        try:
            decisions, reviewers = self.library.reviews.decision_count(name)
            records = len(self.library.reviews.record_ids(name))
        except LecternError as exc:
            errors.show_error(self.parent_widget, exc, action="delete the review")
            return None
        if not self.confirm(f"Delete the review “{name}”?", delete_warning(decisions, reviewers, records)):
            return None
        reviews = self.library.reviews

        def work(_ctx: object) -> tuple[str, int]:
            reviews.delete(name)
            return name, decisions

        self.delete_op = run_op(self, work, self._deleted, self._delete_failed,
                                pool=self.hooks().write_pool, label="delete the review")
        return self.delete_op

    def _deleted(self, result: tuple[str, int]) -> None:
        self.delete_op = None
        name, decisions = result
        for window in [w for w in self.windows if w.property(REVIEW_PROPERTY) == name]:
            self.windows.remove(window)
            window.close()
        if self.context is not None:
            self.context.message(f"Deleted the review “{name}” and its {decisions:,} "
                                 f"decision{'s' if decisions != 1 else ''}", 6000)
            self.context.apply(Changes())
            self.context.schedule_sidebar()

    def _delete_failed(self, exc: BaseException) -> None:
        self.delete_op = None
        errors.show_error(self.parent_widget, exc, action="delete the review")

    def _confirm(self, text: str, informative: str) -> bool:
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete Review", text, parent=self.parent_widget)
        box.setObjectName("reviewDeleteConfirm")
        box.setInformativeText(informative)
        delete = box.addButton("Delete Review", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is delete


def delete_warning(decisions: int, reviewers: int, records: int) -> str:
    """What deleting a review loses, in words: reviews have no Trash, so this says so."""
    if decisions:
        lost = (f"Its {decisions:,} screening decision{'s' if decisions != 1 else ''} by {reviewers:,} "
                f"reviewer{'s' if reviewers != 1 else ''}, its exclusion reasons and its PRISMA counts are lost.")
    else:
        lost = "It has no screening decisions yet; its criteria, reasons and record sources are lost."
    kept = (f"Its {records:,} record{'s' if records != 1 else ''} "
            f"stay{'s' if records == 1 else ''} in the library.")
    return f"{lost} {kept} Reviews do not go to the Trash: this cannot be undone."
