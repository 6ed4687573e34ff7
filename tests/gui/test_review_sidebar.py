"""The sidebar's Reviews section (keyboard to screening, context actions) and Delete Review… with its warning."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QContextMenuEvent
from PySide6.QtWidgets import QApplication, QMenu

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper
from desktop_app.gui.review_menu import REVIEW_PROPERTY, delete_warning
from desktop_app.gui.screening import ScreeningWindow
from desktop_app.gui.sidebar_model import (
    LIBRARY,
    DetailRole,
    ReviewEntry,
    Scope,
    SidebarData,
    SidebarModel,
)
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import wait_idle

WAIT_MS = 20_000


def make_review(library: Library, name: str = "Wilson", count: int = 6) -> list[int]:
    ids = library.import_papers([Paper(title=f"{name} study {i}", abstract=f"Zinc therapy, case {i}.")
                                 for i in range(count)]).imported
    library.create_list(f"{name} hits")
    library.add_to_list(f"{name} hits", ids)
    library.reviews.create(name, question="Which therapy works?")
    library.reviews.add_from_list(name, f"{name} hits")
    library.reviews.set_reviewer("Ada")
    return ids


def screening_windows() -> list[ScreeningWindow]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, ScreeningWindow) and w.isVisible()]


def window_showing_review(qtbot, library: Library, make_window) -> MainWindow:  # type: ignore[no-untyped-def]
    """A window whose table shows the review "Wilson" (made here), once it is listed in the sidebar."""
    make_review(library)
    window: MainWindow = make_window()
    qtbot.waitUntil(lambda: window.sidebar_model.scopes("review") == [Scope("review", "Wilson")], timeout=WAIT_MS)
    window.show_scope(Scope("review", "Wilson"))
    wait_idle(qtbot, window)
    return window


def test_the_reviews_section_is_a_sound_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = SidebarModel()
    model.set_data(SidebarData(total=3, reviews=[ReviewEntry("Wilson", 6, "Which therapy works?", 2),
                                                 ReviewEntry("Zinc", 1)]))
    qtmodeltester.check(model, force_py=True)
    section = model.section_index("Reviews")
    assert model.rowCount(section) == 2
    first = model.index(0, 0, section)
    assert first.data() == "Wilson" and model.scope_at(first) == Scope("review", "Wilson")
    assert first.data(DetailRole) == "2/6"
    assert "you screened 2 of 6 records" in first.data(Qt.ItemDataRole.ToolTipRole)
    assert not first.flags() & Qt.ItemFlag.ItemIsEditable  # renamed in the review editor, not in place
    assert model.scopes("review") == [Scope("review", "Wilson"), Scope("review", "Zinc")]
    model.set_data(SidebarData())
    assert model.index(0, 0, model.section_index("Reviews")).data() == "New review: Review menu"
    qtmodeltester.check(model, force_py=True)


def test_keyboard_selects_a_review_and_enter_opens_its_screening(  # type: ignore[no-untyped-def]
        qtbot, library: Library, make_window) -> None:
    ids = make_review(library)
    library.reviews.decide("Wilson", ids[0], "include")
    library.reviews.decide("Wilson", ids[0], "exclude")  # the same record again: still one screened
    library.reviews.decide("Wilson", ids[1], "include", reviewer="Grace")  # not Ada's progress
    window: MainWindow = make_window()
    qtbot.waitUntil(lambda: window.sidebar_model.scopes("review") == [Scope("review", "Wilson")], timeout=WAIT_MS)
    window.focus_sidebar()
    assert window.sidebar.hasFocus()
    for _ in range(40):  # arrow down until the review is current, as a user would
        if window.sidebar.scope == Scope("review", "Wilson"):
            break
        qtbot.keyClick(window.sidebar, Qt.Key.Key_Down)
    assert window.sidebar.scope == Scope("review", "Wilson")
    wait_idle(qtbot, window)
    assert window.sidebar.currentIndex().data(DetailRole) == "1/6"  # Ada's own progress
    assert sorted(window.table_model.ids) == sorted(ids)  # selecting it lists its records
    assert window.view_title.text() == "Wilson" and window.scope_label() == "Review: Wilson"
    before = len(screening_windows())
    qtbot.keyClick(window.sidebar, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: len(screening_windows()) == before + 1, timeout=WAIT_MS)
    opened = window.review_menu.windows[-1]
    assert isinstance(opened, ScreeningWindow) and opened.property(REVIEW_PROPERTY) == "Wilson"
    assert opened.windowTitle() == "Screening — Wilson"
    qtbot.waitUntil(lambda: opened.view.session.prepared, timeout=WAIT_MS)
    qtbot.keyClick(opened.view, "I")  # screen one more record, then close: the sidebar shows it
    qtbot.waitUntil(lambda: len(library.reviews.decisions("Wilson")) == 3, timeout=WAIT_MS)
    opened.close()
    qtbot.waitUntil(lambda: window.sidebar_model.index_of(Scope("review", "Wilson")).data(DetailRole) == "2/6",
                    timeout=WAIT_MS)


def test_the_menu_key_offers_the_review_actions(qtbot, library: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = window_showing_review(qtbot, library, make_window)
    window.focus_sidebar()
    # what the Menu key (or Shift+F10) sends: a keyboard context-menu event at the current entry
    at = window.sidebar.visualRect(window.sidebar.currentIndex()).center()
    event = QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, at, window.sidebar.viewport().mapToGlobal(at),
                              Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window.sidebar.viewport(), event)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu), timeout=WAIT_MS)
    menu = QApplication.activePopupWidget()
    assert isinstance(menu, QMenu)
    texts = [a.text().replace("&", "") for a in menu.actions() if not a.isSeparator()]
    assert texts[:6] == ["Screen", "Screen Full Texts", "Edit Review…", "Resolve Conflicts…", "PRISMA Diagram…",
                         "Delete Review…"]
    assert all(a.isEnabled() for a in menu.actions()[:6])
    menu.close()


def test_delete_review_asks_with_the_decisions_lost_then_deletes(  # type: ignore[no-untyped-def]
        qtbot, library: Library, make_window) -> None:
    ids = make_review(library)
    make_review(library, "Zinc", 2)
    reviews = library.reviews
    reviews.decide("Wilson", ids[0], "include")
    reviews.decide("Wilson", ids[1], "exclude")
    reviews.decide("Wilson", ids[1], "include", reviewer="Grace")
    reviews.decide("Wilson", ids[2], "maybe")
    reviews.undo("Wilson")  # withdrawn: not counted as lost
    window: MainWindow = make_window()
    qtbot.waitUntil(lambda: len(window.sidebar_model.scopes("review")) == 2, timeout=WAIT_MS)
    window.show_scope(Scope("review", "Wilson"))
    wait_idle(qtbot, window)
    screening = window.review_menu.open_screening("Wilson")
    assert screening is not None
    asked: list[tuple[str, str]] = []
    window.review_menu.confirm = lambda text, info: asked.append((text, info)) is not None  # Cancel
    assert window.review_menu.delete_review("Wilson") is None
    assert asked[0][0] == "Delete the review “Wilson”?"
    assert asked[0][1].startswith("Its 3 screening decisions by 2 reviewers")
    assert "6 records stay in the library" in asked[0][1] and "cannot be undone" in asked[0][1]
    assert [r.name for r in reviews.all()] == ["Wilson", "Zinc"]

    window.review_menu.confirm = lambda text, info: True
    op = window.review_menu.delete_review("Wilson")
    assert op is not None
    qtbot.waitUntil(lambda: window.review_menu.delete_op is None, timeout=WAIT_MS)
    assert [r.name for r in reviews.all()] == ["Zinc"]
    assert library.count() == 8  # the papers stay
    qtbot.waitUntil(lambda: window.sidebar_model.scopes("review") == [Scope("review", "Zinc")], timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert window.scope == LIBRARY  # the deleted review's view gave way to the library
    assert not screening.isVisible() and screening not in window.review_menu.windows
    assert "Deleted the review “Wilson” and its 3 decisions" in window.statusBar().currentMessage()


def test_the_review_menu_has_delete(window: MainWindow) -> None:
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Review")
    assert "&Delete Review…" in [a.text() for a in menu.actions()]


def test_the_warning_says_what_is_lost_in_words() -> None:
    assert delete_warning(1, 1, 1) == ("Its 1 screening decision by 1 reviewer, its exclusion reasons and its PRISMA "
                                       "counts are lost. Its 1 record stays in the library. Reviews do "
                                       "not go to the Trash: this cannot be undone.")
    assert delete_warning(0, 0, 40).startswith("It has no screening decisions yet")


def test_the_review_shown_follows_a_rename_in_the_editor(qtbot, library: Library, make_window) -> None:  # type: ignore[no-untyped-def]
    window = window_showing_review(qtbot, library, make_window)
    dialog = window.review_menu.edit_review("Wilson")
    assert dialog is not None
    dialog.name.setText("Wilson disease")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save_button.click()
    qtbot.waitUntil(lambda: window.sidebar_model.scopes("review") == [Scope("review", "Wilson disease")],
                    timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert window.scope == Scope("review", "Wilson disease") == window.sidebar.scope
    assert window.view_title.text() == "Wilson disease" and len(window.table_model.ids) == 6


def test_the_review_menu_acts_on_the_review_shown(qtbot, library: Library, make_window, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    make_review(library)
    make_review(library, "Zinc", 2)
    window: MainWindow = make_window()
    qtbot.waitUntil(lambda: len(window.sidebar_model.scopes("review")) == 2, timeout=WAIT_MS)
    picked: list[str] = []
    monkeypatch.setattr("desktop_app.gui.review_menu.QInputDialog.getItem",
                        lambda *args: (picked.append("asked") or "Wilson", True))
    asked: list[str] = []
    window.review_menu.confirm = lambda text, info: asked.append(text) is not None  # Cancel
    window.review_menu.delete_review()  # two reviews, none shown: the user picks
    assert picked == ["asked"] and asked == ["Delete the review “Wilson”?"]
    window.show_scope(Scope("review", "Zinc"))
    wait_idle(qtbot, window)
    window.review_menu.delete_review()  # the review shown, without asking which
    assert picked == ["asked"] and asked[-1] == "Delete the review “Zinc”?"
