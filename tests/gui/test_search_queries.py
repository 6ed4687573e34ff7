"""The window with queries that cannot run as typed, pasted titles and pasted pages (issue 10)."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from desktop_app.gui.window import MainWindow
from desktop_app.search.syntax import FIELD_NAMES_SHOWN
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import import_daily_page, wait_idle


@pytest.fixture
def loaded(qtbot, window: MainWindow) -> MainWindow:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    return window


def search(qtbot, window: MainWindow, text: str) -> None:  # type: ignore[no-untyped-def]
    window.search(text)
    wait_idle(qtbot, window)


@pytest.mark.parametrize(("query", "notice"), [
    ('"unclosed phrase', "Closed the unclosed quote"),
    ("pruning AND", "Ignored 'AND' with nothing after it"),
    ("foo:bar", "foo: is not a field (fields: " + ", ".join(FIELD_NAMES_SHOWN) + "); searched as words"),
])
def test_a_repaired_query_runs_and_says_what_was_ignored(qtbot, loaded: MainWindow, query: str,  # type: ignore[no-untyped-def]
                                                         notice: str) -> None:
    window = loaded
    search(qtbot, window, query)
    bar = window.search_bar
    assert bar.notice.isVisible() and bar.notice.text().startswith(notice)
    assert not bar.error.isVisible()
    assert window.table_model.ids == window.library.search(query).ids
    assert window.view_title.text() == f"Results for “{query}”"
    assert not window.findChildren(QMessageBox)


def test_a_query_with_nothing_left_clears_the_old_results(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "pruning")
    assert window.table_model.ids and window.view_title.text() == "Results for “pruning”"
    search(qtbot, window, "title:(")
    bar = window.search_bar
    assert bar.error.isVisible()
    assert bar.error.text() == ("Cannot search: nothing to search for: ignored an unmatched '('; "
                                "ignored 'title:' with nothing after it")
    assert not bar.notice.isVisible()
    assert window.table_model.ids == []
    assert window.view_title.text() == "Cannot search for “title:(”"
    assert bar.count.text() == "0 results"
    search(qtbot, window, "pruning")
    assert not bar.error.isVisible() and window.table_model.ids


def test_ranked_mode_is_named_under_the_box(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, "efficiency study of llm applications measured on laptops")
    assert window.search_bar.notice.text() == "No paper has all 6 words; showing papers with most of them"
    top = window.library.paper(window.table_model.ids[0]).title
    assert top.startswith("Are We There Yet?")
    search(qtbot, window, "pruning")
    assert not window.search_bar.notice.isVisible()


def test_a_pasted_page_and_a_pasted_title(qtbot, loaded: MainWindow) -> None:  # type: ignore[no-untyped-def]
    window = loaded
    search(qtbot, window, DAILY_PAGE.read_text(encoding="utf-8"))
    bar = window.search_bar
    assert not bar.error.isVisible() and "list index" not in bar.notice.text()
    assert window.table_model.ids and "distinct words" in bar.notice.text()
    title = "Are We There Yet? A Measurement Study of Efficiency for LLM Applications on Mobile Devices"
    search(qtbot, window, title)
    assert window.library.paper(window.table_model.ids[0]).title == title
