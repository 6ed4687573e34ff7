"""The line above the table says what is shown and in which order, also after a sort."""

from __future__ import annotations

from desktop_app.gui.heading import order_text, view_heading
from desktop_app.gui.sidebar_model import LIBRARY, Scope


def test_library_heading_follows_the_sort() -> None:
    assert view_heading(LIBRARY, "", None) == ("Library", "every paper, newest first")
    assert view_heading(LIBRARY, "", ("title", False)) == ("Library", "every paper, by title, A to Z")
    assert view_heading(LIBRARY, "", ("priority", True)) == ("Library", "every paper, by priority, highest first")


def test_search_list_and_tag_headings() -> None:
    assert view_heading(LIBRARY, "pruning", None)[1] == "best matches first; matched words highlighted"
    assert view_heading(LIBRARY, "pruning", ("year", True))[1] == "by year, newest first; matched words highlighted"
    thesis = Scope("list", "Thesis")
    assert view_heading(thesis, "", None, list_progress="2 of 5 read", reorderable=True) == (
        "Thesis", "reading list · 2 of 5 read · drag rows or press Alt+↑/↓ to reorder")
    assert view_heading(thesis, "", ("position", True), list_progress="2 of 5 read")[1] == \
        "reading list · 2 of 5 read · in reverse list order"
    assert view_heading(Scope("tag", "ml"), "", None) == ("#ml", "papers with this tag")
    assert view_heading(Scope("unread"), "", ("status", False))[1] == "papers not marked read, by status, unread first"


def test_every_column_has_words_for_its_order() -> None:
    from desktop_app.gui.table_model import COLUMNS

    for column in COLUMNS:
        assert order_text((column.key, False)) != order_text((column.key, True))
        assert not order_text((column.key, False)).startswith("sorted by")
