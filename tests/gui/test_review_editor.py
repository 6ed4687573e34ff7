"""Review > New Review… and Edit Review…: keyboard only, inline validation, a search export imported off the GUI thread."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QWidget

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper
from desktop_app.domain.screening import Verdict
from desktop_app.gui.ops import running_ops
from desktop_app.gui.review_editor import ReviewEditor
from desktop_app.gui.review_reasons import ReasonsModel, key_label
from desktop_app.gui.screening import ScreeningView, ScreeningWindow
from desktop_app.gui.window import MainWindow

WAIT_MS = 20_000
ALT = Qt.KeyboardModifier.AltModifier

RIS_EXPORT = """TY  - JOUR
TI  - Zinc monotherapy in Wilson disease: a cohort study
AU  - Linn, F. H.
PY  - 2009
JO  - Hepatology
AB  - Zinc as first-line therapy in 17 patients with Wilson disease.
ER  -
TY  - JOUR
TI  - Trientine tetrahydrochloride versus penicillamine
AU  - Weiss, K. H.
PY  - 2021
JO  - Lancet Gastroenterol Hepatol
ER  -
TY  - JOUR
TI  - Copper metabolism in mice lacking ATP7B
AU  - Buiakova, O. I.
PY  - 1999
JO  - Hum Mol Genet
ER  -
TY  - JOUR
TI  - Study 0: zinc therapy in Wilson disease
PY  - 2020
ER  -
"""


def add_hits(library: Library, count: int = 6) -> list[int]:
    topics = ["zinc therapy in Wilson disease", "galaxy rotation curves", "trientine dosing"]
    ids = library.import_papers([Paper(title=f"Study {i}: {topics[i % 3]}", abstract=f"About {topics[i % 3]}.")
                                 for i in range(count)]).imported
    library.create_list("Hits")
    library.add_to_list("Hits", ids)
    return ids


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_into_focus(qtbot, text: str) -> None:  # type: ignore[no-untyped-def]
    qtbot.keyClicks(focused(), text)


def open_editor(qtbot, window: MainWindow, name: str | None = None) -> ReviewEditor:  # type: ignore[no-untyped-def]
    dialog = window.review_menu.new_review() if name is None else window.review_menu.edit_review(name)
    assert dialog is not None
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=WAIT_MS)
    return dialog


def close_screening(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    for opened in window.review_menu.windows:
        opened.close()
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)


def test_create_a_review_from_a_list_with_the_keyboard(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    ids = add_hits(library)
    window.refresh_sidebar()
    dialog = open_editor(qtbot, window)
    assert focused() is dialog.name and not dialog.reviewer.isHidden()  # no reviewer yet: asked here
    type_into_focus(qtbot, "Wilson SR")
    for text in ("Which therapy works?", "Patients with Wilson disease", "Animal studies",
                 "zinc, trientine", "galaxy"):
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        type_into_focus(qtbot, text)
    qtbot.keyClick(dialog, Qt.Key.Key_O, ALT)  # "Random &order" (a mnemonic clicks after a short delay)
    qtbot.waitUntil(dialog.random_order.isChecked, timeout=WAIT_MS)
    qtbot.keyClick(dialog, Qt.Key.Key_P, ALT)  # "Sto&pping rule"
    assert focused() is dialog.stop_after
    qtbot.keyClicks(dialog.stop_after, "40")
    qtbot.keyClick(dialog, Qt.Key.Key_Y, ALT)  # "&Your reviewer name"
    assert focused() is dialog.reviewer
    type_into_focus(qtbot, "Ada")
    assert dialog.from_list.isChecked() and dialog.lists.currentData() == ("Hits", 6)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS) as saved:
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
    review = saved.args[0]
    assert review.name == "Wilson SR" and review.question == "Which therapy works?"
    assert review.inclusion_criteria == "Patients with Wilson disease"
    assert review.exclusion_criteria == "Animal studies"
    assert review.include_keywords == ["zinc", "trientine"] and review.exclude_keywords == ["galaxy"]
    assert review.random_order and review.stop_after_irrelevant == 40 and review.blind
    assert library.reviews.record_ids("Wilson SR") == sorted(ids)
    assert library.reviews.reviewer() == "Ada"
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=WAIT_MS)
    screening = window.review_menu.windows[-1]  # "Open for screening" was on
    assert isinstance(screening, ScreeningWindow)
    assert "Patients with Wilson disease" in screening.view.criteria.text()
    assert "random order" in screening.view.heading.text()
    assert "Created the review" in window.statusBar().currentMessage()
    close_screening(qtbot, window)


def test_edited_reasons_and_criteria_reach_the_screening_view(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    add_hits(library)
    library.reviews.create("Wilson", exclusion_reasons=["Wrong population", "Wrong outcome", "Duplicate"])
    library.reviews.add_from_list("Wilson", "Hits")
    library.reviews.set_reviewer("Ada")
    dialog = open_editor(qtbot, window, "Wilson")
    assert dialog.reviewer.isHidden() and dialog.keep.isChecked()
    qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)  # the reasons list
    assert focused() is dialog.reason_list and dialog.reason_list.currentIndex().row() == 0
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_F2)
    editor = focused()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Not about Wilson disease")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_Delete)  # "Wrong outcome" goes
    qtbot.keyClick(dialog, Qt.Key.Key_A, ALT)  # Add: a new row, its name being edited
    qtbot.waitUntil(lambda: dialog.reasons.rowCount() == 3, timeout=WAIT_MS)
    editor = focused()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Animal study")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.keyClick(dialog, Qt.Key.Key_U, ALT)  # Move up: before "Duplicate"
    qtbot.waitUntil(lambda: dialog.reasons.reasons()[1] == "Animal study", timeout=WAIT_MS)
    assert dialog.reasons.reasons() == ["Not about Wilson disease", "Animal study", "Duplicate"]
    qtbot.keyClick(dialog, Qt.Key.Key_C, ALT)  # "In&clusion criteria"
    assert focused() is dialog.inclusion
    qtbot.keyClicks(dialog.inclusion, "Adults treated for Wilson disease")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(dialog.inclusion, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    review = library.reviews.get("Wilson")
    assert review.exclusion_reasons == ["Not about Wilson disease", "Animal study", "Duplicate"]
    assert review.inclusion_criteria == "Adults treated for Wilson disease"

    view = ScreeningView(library, "Wilson", random_order=True)
    qtbot.addWidget(view)
    assert "Adults treated for Wilson disease" in view.criteria.text()
    assert "1: Not about Wilson disease" in view.reasons.text() and "2: Animal study" in view.reasons.text()
    qtbot.keyClick(view, "E")
    qtbot.keyClick(view, "2")
    decision = library.reviews.decisions("Wilson")[-1]
    assert decision.verdict is Verdict.EXCLUDE and decision.reason == "Animal study"
    view.close()
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)


def test_a_duplicate_or_missing_name_and_an_empty_list_are_refused_inline(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    add_hits(library)
    library.create_list("Empty")
    library.reviews.create("Wilson")
    library.reviews.set_reviewer("Ada")
    dialog = open_editor(qtbot, window)
    qtbot.keyClicks(dialog.name, "WILSON")  # said while typing, before any save
    qtbot.waitUntil(lambda: "exists already" in dialog.errors["name"].text(), timeout=WAIT_MS)
    qtbot.keyClicks(dialog.name, " 3")
    qtbot.waitUntil(lambda: dialog.errors["name"].isHidden(), timeout=WAIT_MS)
    dialog.name.clear()
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.isVisible() and dialog.errors["name"].text() == "A review needs a name."
    qtbot.keyClicks(dialog.name, "  wilson ")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    error = dialog.errors["name"]
    assert not error.isHidden() and "exists already" in error.text() and "Wilson" in error.text()
    assert focused() is dialog.name and dialog.op is None
    dialog.lists.setCurrentIndex(dialog.lists.findText("Empty — 0 papers"))
    assert dialog.lists.currentData() == ("Empty", 0)
    dialog.name.setText("Wilson 2")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    assert dialog.errors["name"].isHidden()
    assert "“Empty” is empty" in dialog.errors["records"].text() and dialog.isVisible()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert [r.name for r in library.reviews.all()] == ["Wilson"]


def test_create_a_review_from_an_imported_ris_export(qtbot, window: MainWindow, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    add_hits(library)  # "Study 0: zinc therapy in Wilson disease" is in the library already
    library.reviews.set_reviewer("Ada")
    export = tmp_path / "pubmed-export.ris"
    export.write_text(RIS_EXPORT, encoding="utf-8")
    dialog = open_editor(qtbot, window)
    qtbot.keyClicks(dialog.name, "Wilson from PubMed")
    dialog.open_after.setChecked(False)
    qtbot.keyClick(dialog, Qt.Key.Key_E, ALT)  # "Search &export file"
    qtbot.waitUntil(lambda: dialog.from_file.isChecked() and dialog.file.isEnabled(), timeout=WAIT_MS)
    qtbot.keyClick(focused(), Qt.Key.Key_Tab)
    assert focused() is dialog.file
    qtbot.keyClick(dialog.file, Qt.Key.Key_Return)
    assert "Choose the search export file" in dialog.errors["records"].text()
    qtbot.keyClicks(dialog.file, str(export))
    qtbot.keyClick(dialog, Qt.Key.Key_D, ALT)  # "&Database"
    type_into_focus(qtbot, "PubMed")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(focused(), Qt.Key.Key_Return)
        assert dialog.op is not None and not dialog.form.isEnabled()  # the import runs off the GUI thread
    sources = library.reviews.sources("Wilson from PubMed")
    assert [(s.label, s.records) for s in sources] == [("PubMed (pubmed-export.ris)", 4)]
    counts = library.reviews.prisma("Wilson from PubMed")
    assert counts.identified == [("PubMed (pubmed-export.ris)", 4)]
    assert len(library.reviews.record_ids("Wilson from PubMed")) == 4
    assert library.reviews.get("Wilson from PubMed").exclusion_reasons  # the default reasons
    qtbot.waitUntil(lambda: window.is_idle(), timeout=WAIT_MS)
    assert not window.review_menu.windows  # "Open for screening" was off


def test_adding_a_reason_stops_at_nine_and_mnemonics_are_unique(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_hits(window.library)
    dialog = open_editor(qtbot, window)
    assert dialog.reasons.rowCount() == 9 and not dialog.add_reason.isEnabled()
    assert "one per key" in dialog.reasons_hint.text()
    dialog.reason_list.setCurrentIndex(dialog.reasons.index(8))
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_Delete)
    assert dialog.reasons.rowCount() == 8 and dialog.add_reason.isEnabled()
    letters: list[str] = []
    for widget in dialog.findChildren(QWidget):
        if widget.isHidden() or not isinstance(widget, (QLabel, QAbstractButton)):
            continue
        found = re.search(r"&(\w)", widget.text())
        if found:
            letters.append(found.group(1).lower())
    assert len(letters) >= 18 and len(letters) == len(set(letters)), sorted(letters)
    dialog.reject()


def test_the_reasons_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ReasonsModel([f"Reason {i}" for i in range(1, 12)])
    qtmodeltester.check(model)
    assert model.data(model.index(0)) == "Reason 1" and key_label(0) == "1" and key_label(9) == "—"
    assert "E then 9" in model.data(model.index(8), Qt.ItemDataRole.ToolTipRole)
    assert "No key" in model.data(model.index(9), Qt.ItemDataRole.ToolTipRole)
    refused: list[str] = []
    model.refused.connect(refused.append)
    assert not model.setData(model.index(0), "reason 2") and "in the list already" in refused[-1]
    assert not model.setData(model.index(0), "   ") and "needs a name" in refused[-1]
    assert model.move(10, -1) == 9 and model.reasons()[9] == "Reason 11"
    assert model.moveRows(QModelIndex(), 0, 2, QModelIndex(), 4)
    assert model.reasons()[:4] == ["Reason 3", "Reason 4", "Reason 1", "Reason 2"]
    assert model.add("Reason 3") == 11 and model.reasons()[-1] == "Reason 3 2"
    assert model.removeRows(0, 3) and model.rowCount() == 9
    qtmodeltester.check(model)


@pytest.mark.parametrize("name", ["", "   "])
def test_the_facade_refuses_a_blank_name_too(library: Library, name: str) -> None:
    from desktop_app.core.reviews import RecordChoice
    from desktop_app.domain.errors import InvalidInputError

    add_hits(library)
    with pytest.raises(InvalidInputError) as refused:
        library.reviews.create_with_records(name, RecordChoice("list", "Hits"))
    assert refused.value.field == "name"


def test_the_review_menu_opens_the_editor_and_one_at_a_time(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_hits(window.library)
    menu = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Review")
    actions = {a.text(): a for a in menu.actions()}
    assert {"&New Review…", "&Edit Review…", "&Screen a Review…"} <= set(actions)
    actions["&New Review…"].trigger()
    dialog = window.review_menu.editor
    assert isinstance(dialog, ReviewEditor) and dialog.creating and dialog.windowTitle() == "New Review"
    actions["&New Review…"].trigger()
    assert window.review_menu.editor is dialog  # the open one is raised, not a second one made
    dialog.reject()
    qtbot.waitUntil(lambda: window.review_menu.editor is None, timeout=WAIT_MS)
    actions["&Edit Review…"].trigger()  # no review yet: New Review opens instead
    assert window.review_menu.editor is not None and window.review_menu.editor.creating
    window.review_menu.editor.reject()


def test_rename_unblind_and_add_records_from_a_saved_search(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    library = window.library
    ids = add_hits(library)
    library.remove_from_list("Hits", ids[3:])
    library.reviews.create("Wilson")
    library.reviews.add_from_list("Wilson", "Hits")
    library.reviews.set_reviewer("Ada")
    library.catch_up_index()
    library.save_search("Galaxies", "galaxy")
    dialog = open_editor(qtbot, window, "Wilson")
    assert "Just keep its 3 records (Reading list: Hits)" in dialog.keep.text().replace("&", "")
    dialog.name.selectAll()
    qtbot.keyClicks(dialog.name, "Wilson disease SR")
    qtbot.keyClick(dialog, Qt.Key.Key_B, ALT)  # "&Blind" off: unblinding, said in words
    qtbot.waitUntil(lambda: not dialog.blind.isChecked(), timeout=WAIT_MS)
    assert "Unblinding shows every reviewer's decisions" in dialog.blind_note.text()
    qtbot.keyClick(dialog, Qt.Key.Key_S, ALT)  # "&Saved search"
    qtbot.waitUntil(dialog.saved_searches.isEnabled, timeout=WAIT_MS)
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    review = library.reviews.get("Wilson disease SR")
    assert not review.blind
    assert [s.label for s in library.reviews.sources(review.name)] == ["Reading list: Hits", "Saved search: Galaxies"]
    assert library.reviews.record_ids(review.name) == sorted(set(ids[:3]) | {ids[1], ids[4]})
    assert "Saved the review “Wilson disease SR”" in window.statusBar().currentMessage()


def test_more_than_nine_reasons_are_flagged_and_a_bare_menu_saves_on_its_own_thread(qtbot, library: Library) -> None:  # type: ignore[no-untyped-def]
    from desktop_app.gui.review_menu import ReviewMenu

    add_hits(library)
    library.reviews.create("Wilson", exclusion_reasons=[f"Reason {i}" for i in range(1, 12)])
    library.reviews.add_from_list("Wilson", "Hits")
    library.reviews.set_reviewer("Ada")
    parent = QWidget()
    qtbot.addWidget(parent)
    menu = ReviewMenu(library, parent)  # no window context: the menu's own write thread
    dialog = menu.edit_review("Wilson")
    assert dialog is not None and not dialog.add_reason.isEnabled()
    assert "Only the first 9 have a key while screening: remove or merge 2" in dialog.reasons_hint.text()
    dialog.reason_list.setCurrentIndex(dialog.reasons.index(10))
    dialog._remove_reason()
    dialog._remove_reason()
    assert dialog.reasons.rowCount() == 9 and "one per key" in dialog.reasons_hint.text()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        dialog.save_button.click()
    assert library.reviews.get("Wilson").exclusion_reasons == [f"Reason {i}" for i in range(1, 10)]
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)


def test_tab_walks_the_form_in_reading_order(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    add_hits(window.library)
    dialog = open_editor(qtbot, window)
    dialog.reason_list.setCurrentIndex(dialog.reasons.index(4))  # Move up/down enabled; Add is not (nine)
    expected = [dialog.question, dialog.inclusion, dialog.exclusion, dialog.include_keywords, dialog.exclude_keywords,
                dialog.reason_list, dialog.remove_reason, dialog.reason_up, dialog.reason_down, dialog.ranked,
                dialog.stop_after, dialog.reviewer, dialog.blind, dialog.from_list, dialog.lists,
                dialog.open_after, dialog.save_button, dialog.cancel_button, dialog.name]
    seen = []
    for _ in expected:
        qtbot.keyClick(focused(), Qt.Key.Key_Tab)
        seen.append(focused())
    assert seen == expected
    dialog.reject()
