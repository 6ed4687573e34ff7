"""The main window's Review menu: screen a review, show its PRISMA diagram, name the reviewer.

Kept apart from the screening view so that opening the window does not load the ranker
(numpy, scikit-learn); they load when a review is first screened.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QInputDialog, QMenu, QMenuBar, QMessageBox, QWidget

from desktop_app.core.library import Library
from desktop_app.domain.screening import Stage


class ReviewMenu(QObject):
    """The window's Review menu: screen a review, show its PRISMA diagram, name the reviewer."""

    def __init__(self, library: Library, parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self.parent_widget = parent
        self.windows: list[QWidget] = []

    def install(self, bar: QMenuBar) -> QMenu:
        menu = QMenu("&Review", bar)
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
        names = [r.name for r in self.library.reviews.all()]
        if not names:
            QMessageBox.information(self.parent_widget, "No reviews",
                                    "Create a review first: lectern review create NAME --from-list LIST")
            return None
        name, ok = QInputDialog.getItem(self.parent_widget, "Review", "Review:", names, 0, False)
        return name if ok else None

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
        if name is None:
            return
        if not self.library.reviews.reviewer() and not self.ask_reviewer():
            return
        from desktop_app.gui.screening import (
            ScreeningWindow,  # the ranker's numpy/scikit-learn load on first use
        )

        window = ScreeningWindow(self.library, name, self.parent_widget, stage=stage, random_order=random_order)
        self.windows.append(window)
        window.show()

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
