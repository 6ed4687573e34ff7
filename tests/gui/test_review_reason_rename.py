"""A reason renamed in the review editor (F2) renames it in the decisions made, so PRISMA counts it once."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from desktop_app.gui.review_reasons import ReasonsModel
from desktop_app.gui.window import MainWindow
from tests.gui.test_review_editor import ALT, WAIT_MS, add_hits, open_editor


def test_the_model_remembers_renames_through_moves_removals_and_additions(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = ReasonsModel(["A", "B", "C", "D"])
    assert model.renames() == {}
    assert model.setData(model.index(1), "Bee")
    assert model.move(1, -1) == 0  # "Bee" first now
    assert model.moveRows(QModelIndex(), 2, 1, QModelIndex(), 4)  # C last
    assert model.removeRows(1, 1)  # A goes
    model.add("New")
    assert model.setData(model.index(model.rowCount() - 1), "Newer")  # an added reason is no rename
    assert model.setData(model.index(2), "Sea")
    assert model.reasons() == ["Bee", "D", "Sea", "Newer"]
    assert model.renames() == {"B": "Bee", "C": "Sea"}
    assert model.setData(model.index(0), "B")  # renamed back: nothing to carry over
    assert model.renames() == {"C": "Sea"}
    qtmodeltester.check(model)


def test_a_reason_renamed_in_the_editor_reaches_the_decisions_and_prisma(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    library = window.library
    ids = add_hits(library)
    reviews = library.reviews
    reviews.create("Wilson", exclusion_reasons=["Wrong population", "Wrong outcome"])
    reviews.add_from_list("Wilson", "Hits")
    reviews.set_reviewer("Ada")
    for pid in ids[:4]:
        reviews.decide("Wilson", pid, "include")
    for pid in ids[:3]:
        reviews.decide("Wilson", pid, "exclude", reason="Wrong outcome", stage="full_text")
    assert reviews.prisma("Wilson").reports_excluded == [("Wrong outcome", 3)]
    dialog = open_editor(qtbot, window, "Wilson")
    assert "Renaming a reason renames it in the decisions made" in dialog.reasons_hint.text()
    assert "team library" not in dialog.reasons_hint.text()  # said only where it is true
    qtbot.keyClick(dialog, Qt.Key.Key_R, ALT)
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_Down)
    qtbot.keyClick(dialog.reason_list, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    qtbot.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor, "Outcome not measured")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.reasons.renames() == {"Wrong outcome": "Outcome not measured"},
                    timeout=WAIT_MS)  # the view commits the edit once back in the event loop
    with qtbot.waitSignal(dialog.saved, timeout=WAIT_MS):
        qtbot.keyClick(dialog.reason_list, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert reviews.get("Wilson").exclusion_reasons == ["Wrong population", "Outcome not measured"]
    assert sorted({d.reason for d in reviews.decisions("Wilson")}) == ["", "Outcome not measured"]
    assert reviews.prisma("Wilson").reports_excluded == [("Outcome not measured", 3)]
