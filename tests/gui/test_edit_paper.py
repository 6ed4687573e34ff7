"""Papers > Edit Paper…: the dialog, the write through the window, inline errors and undo."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox, QWidget

from desktop_app.domain.models import Author
from desktop_app.gui.paper_dialog import EditPaperDialog
from desktop_app.gui.paper_fields import authors_text, explain, parse_authors
from desktop_app.gui.sidebar_model import Scope
from desktop_app.gui.table_model import COLUMN
from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle


@pytest.fixture
def loaded(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    return window


def focus(qtbot, window: MainWindow, widget: QWidget) -> None:  # type: ignore[no-untyped-def]
    """Shortcuts only fire in the active window."""
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=WAIT_MS)
    widget.setFocus()
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT_MS)


def focus_table(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    focus(qtbot, window, window.table)


def open_dialog(qtbot, window: MainWindow, pid: int) -> EditPaperDialog:  # type: ignore[no-untyped-def]
    window.select_ids([pid])
    assert window.commands.edit_paper.isEnabled()
    window.commands.edit_paper.trigger()
    dialog = window.edits.paper_dialog
    assert dialog is not None and dialog.pid == pid
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT_MS)
    return dialog


def save(dialog: EditPaperDialog) -> None:
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()


def title_cell(window: MainWindow, pid: int) -> str:
    row = window.table_model.row_of(pid)
    assert row is not None
    return str(window.table_model.index(row, COLUMN["title"]).data())


def test_edit_title_authors_and_key_then_undo(qtbot, loaded: MainWindow,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    window = loaded
    library = window.library
    pid = window.table_model.id_at(0)
    before = library.paper(pid)
    sent: list[dict[str, Any]] = []
    real_update = library.update_paper

    def recording_update(ref: int | str, **fields: Any) -> Any:
        sent.append(fields)
        return real_update(ref, **fields)

    monkeypatch.setattr(library, "update_paper", recording_update)
    dialog = open_dialog(qtbot, window, pid)
    assert dialog.title.text() == before.title
    dialog.title.setText("An Edited Title About Pruning")
    dialog.authors.setPlainText("Vaswani, Ashish\n\n{Google DeepMind}\n  van der Berg, Anna  ")
    dialog.citekey.setText("edited2024pruning")
    with qtbot.waitSignal(dialog.finished, timeout=WAIT_MS):
        save(dialog)
    wait_idle(qtbot, window)

    assert sent == [{
        "title": "An Edited Title About Pruning",
        "authors": [Author(family="Vaswani", given="Ashish"), Author(literal="Google DeepMind"),
                    Author(family="van der Berg", given="Anna")],
        "citekey": "edited2024pruning",
    }], "only the changed fields are sent"
    after = library.paper(pid)
    assert after.title == "An Edited Title About Pruning"
    assert after.citekey == "edited2024pruning"
    assert [a.display_name for a in after.authors] == ["Ashish Vaswani", "Google DeepMind", "Anna van der Berg"]
    assert title_cell(window, pid) == "An Edited Title About Pruning"
    assert window.detail.pid == pid
    assert "An Edited Title About Pruning" in window.detail.title.text()
    assert "@edited2024pruning" in window.detail.meta.text()
    assert window.edits.paper_dialog is None
    assert window.commands.undo.text() == "&Undo edit paper"

    focus_table(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: library.paper(pid).title == before.title, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    restored = library.paper(pid)
    assert (restored.citekey, restored.authors) == (before.citekey, before.authors)
    assert title_cell(window, pid) == before.title


def test_invalid_or_taken_key_shows_inline_and_changes_nothing(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    library = window.library
    pid, other = window.table_model.id_at(0), window.table_model.id_at(1)
    before = library.paper(pid)
    undo_before = library.undo_label
    dialog = open_dialog(qtbot, window, pid)
    dialog.title.setText("A title that must not be saved")
    dialog.citekey.setText("not a key")
    save(dialog)
    error = dialog.errors["citekey"]
    qtbot.waitUntil(error.isVisible, timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert "not a valid citation key" in error.text()
    assert dialog.isVisible() and not dialog.busy
    assert dialog.citekey.hasFocus() or not window.isActiveWindow()
    assert dialog.title.text() == "A title that must not be saved"  # the typing stays
    assert library.paper(pid) == before
    assert library.undo_label == undo_before
    assert not window.findChildren(QMessageBox, "errorBox")

    dialog.citekey.setText(library.paper(other).citekey)
    save(dialog)
    qtbot.waitUntil(lambda: "is taken" in error.text(), timeout=WAIT_MS)
    wait_idle(qtbot, window)
    assert dialog.isVisible()
    assert library.paper(pid) == before

    dialog.reject()
    assert window.edits.paper_dialog is None
    assert library.paper(pid) == before


def test_nothing_changed_writes_nothing(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.id_at(0)
    label = window.library.undo_label
    dialog = open_dialog(qtbot, window, pid)
    dialog.title.setText(dialog.title.text() + "   ")  # whitespace the core would collapse anyway
    with qtbot.waitSignal(dialog.finished, timeout=WAIT_MS):
        save(dialog)
    wait_idle(qtbot, window)
    assert window.library.undo_label == label


def test_year_out_of_range_is_shown_under_the_year(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.id_at(0)
    dialog = open_dialog(qtbot, window, pid)
    dialog.year.setText("0")
    save(dialog)
    qtbot.waitUntil(dialog.errors["year"].isVisible, timeout=WAIT_MS)
    assert dialog.errors["year"].text() == "Year 0 is not a four-digit year"
    dialog.year.setText("2019")
    dialog.month.setCurrentIndex(8)
    with qtbot.waitSignal(dialog.finished, timeout=WAIT_MS):
        save(dialog)
    wait_idle(qtbot, window)
    paper = window.library.paper(pid)
    assert (paper.year, paper.month) == (2019, 8)


def test_f2_and_enter_open_the_dialog_and_f2_still_renames_in_the_sidebar(  # type: ignore[no-untyped-def]
        qtbot, loaded: MainWindow) -> None:
    window = loaded
    assert window.commands.edit_paper.shortcut().toString() == "F2"
    pid = window.table_model.id_at(2)
    window.select_ids([pid])
    focus_table(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_F2)
    dialog = window.edits.paper_dialog
    assert dialog is not None and dialog.pid == pid
    dialog.reject()
    focus_table(qtbot, window)
    qtbot.keyClick(window.table, Qt.Key.Key_Return)
    dialog = window.edits.paper_dialog
    assert dialog is not None and dialog.pid == pid
    dialog.reject()

    window.edits.create_list("Queue")
    wait_idle(qtbot, window)
    assert window.sidebar.select_scope(Scope("list", "Queue"))
    wait_idle(qtbot, window)
    focus(qtbot, window, window.sidebar)
    qtbot.keyClick(window.sidebar, Qt.Key.Key_F2)
    assert window.sidebar.state() == window.sidebar.State.EditingState
    assert window.edits.paper_dialog is None


def test_double_click_still_opens_the_note(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    pid = window.table_model.id_at(0)
    window.select_ids([pid])
    wait_idle(qtbot, window)
    rect = window.table.visualRect(window.table_model.index(0, COLUMN["title"]))
    qtbot.mousePress(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseRelease(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(window.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.detail.tabs.currentWidget() is window.detail.note
    assert window.edits.paper_dialog is None


def test_edit_is_for_one_paper_and_the_detail_button_opens_it(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    ids = window.table_model.ids[:2]
    window.select_ids(ids)
    assert not window.commands.edit_paper.isEnabled()
    window.select_ids(ids[:1])
    wait_idle(qtbot, window)
    assert window.detail.edit_button.isVisible()
    window.detail.edit_button.click()
    dialog = window.edits.paper_dialog
    assert dialog is not None and dialog.pid == ids[0]
    dialog.reject()


def test_authors_text_round_trips() -> None:
    authors = [Author(family="Vaswani", given="Ashish"), Author(literal="OpenAI"),
               Author(family="Da Silva"), Author(family="Plato"), Author(family="de la Fuente", given="Ana")]
    text = authors_text(authors)
    assert text.splitlines() == ["Vaswani, Ashish", "{OpenAI}", "Da Silva,", "Plato", "de la Fuente, Ana"]
    assert parse_authors(text) == authors
    assert parse_authors("D{\\\"o}rner, Dietrich") == [Author(family="Dörner", given="Dietrich")]
    odd = Author(family="X", given="Y", literal="")
    assert parse_authors("X, Y\nNew, Person", [odd])[0] is odd


def test_explain_makes_core_messages_readable() -> None:
    message = ("1 validation error for Paper\nmonth\n  Value error, month 13 is not between 1 and 12 "
               "[type=value_error, input_value=13, input_type=int]\n    For further information visit x")
    assert explain(message) == ("month", "Month 13 is not between 1 and 12")
    assert explain("the citation key 'k' is taken") == ("citekey", "the citation key 'k' is taken")
    assert explain("something else") == (None, "something else")
