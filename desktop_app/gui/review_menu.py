"""The main window's Review menu: create and edit reviews, screen one, its PRISMA diagram, the reviewer.

Kept apart from the screening view so that opening the window does not load the ranker
(numpy, scikit-learn); they load when a review is first screened.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QThreadPool
from PySide6.QtWidgets import QInputDialog, QMenu, QMenuBar, QMessageBox, QWidget

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.domain.errors import LecternError
from desktop_app.domain.screening import Review, Stage
from desktop_app.gui import errors
from desktop_app.gui.ops import serial_pool
from desktop_app.gui.parts import PartContext
from desktop_app.gui.review_editor import EditorHooks, ReviewEditor


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

    def install(self, bar: QMenuBar) -> QMenu:
        menu = QMenu("&Review", bar)
        new = menu.addAction("&New Review…", self.new_review)
        new.setEnabled(not self.library.readonly)
        edit = menu.addAction("&Edit Review…", self.edit_review)
        edit.setEnabled(not self.library.readonly)
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

    def _pick_review(self) -> str | None:
        """The review to act on: the only one, else the user's pick; with none, New Review opens."""
        names = [r.name for r in self.library.reviews.all()]
        if not names:
            if not self.library.readonly:
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
        self.windows.append(window)
        window.show()
        return window

    def prisma(self) -> None:
        name = self._pick_review()
        if name is not None:
            from desktop_app.gui.screening import PrismaWindow

            dialog = PrismaWindow(self.library, name, self.parent_widget)
            self.windows.append(dialog)
            dialog.show()

    def conflicts(self) -> None:
        name = self._pick_review()
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
        self.windows.append(dialog)
        dialog.show()
