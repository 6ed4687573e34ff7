"""A Daily Papers import keeps the page's order in the newest-first views."""

from __future__ import annotations

from pathlib import Path

from desktop_app import formats
from desktop_app.core.library import Library
from tests.conftest import DAILY_PAGE


def test_daily_papers_import_lists_papers_in_page_order(tmp_path: Path) -> None:
    page = formats.parse(DAILY_PAGE.read_text(encoding="utf-8"), source=str(DAILY_PAGE))
    page_titles = [p.title for p in page.papers]
    assert len(page_titles) > 10
    library = Library.open(tmp_path / "library")
    try:
        library.import_files([DAILY_PAGE])
        for ids in (library.all_ids(), library.unread_ids(), library.recent_ids()):
            rows = library.rows(ids)
            assert [rows[pid].title for pid in ids] == page_titles
    finally:
        library.close()


def test_a_later_import_comes_first(tmp_path: Path) -> None:
    first, second = tmp_path / "a.bib", tmp_path / "b.bib"
    first.write_text("@misc{a1, title={First A}}\n@misc{a2, title={Second A}}\n", encoding="utf-8")
    second.write_text("@misc{b1, title={First B}}\n@misc{b2, title={Second B}}\n", encoding="utf-8")
    library = Library.open(tmp_path / "library")
    try:
        library.import_files([first])
        library.import_files([second])
        ids = library.all_ids()
        rows = library.rows(ids)
        assert [rows[pid].title for pid in ids] == ["First B", "Second B", "First A", "Second A"]
    finally:
        library.close()
