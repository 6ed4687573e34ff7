"""What an entry lacks for BibTeX styles (the export warnings) and how a bare id is shown."""

from __future__ import annotations

from desktop_app.domain.completeness import (
    display_title,
    export_warnings,
    missing_fields,
    needs_completion,
)
from desktop_app.domain.models import Author, Paper

WHO = [Author(family="Kim", given="Ann")]


def test_a_daily_papers_entry_lacks_author_and_year() -> None:
    paper = Paper(entry_type="misc", title="SentinelLMs", citekey="sentinellms")
    assert missing_fields(paper) == ["author", "year"]
    assert [str(w) for w in export_warnings([paper])] == ["sentinellms: no author, no year"]
    assert needs_completion(paper)


def test_articles_need_a_journal_and_papers_a_booktitle_unless_arxiv_makes_them_misc() -> None:
    assert missing_fields(Paper(entry_type="article", title="T", authors=WHO, year=2020)) == ["journal"]
    assert missing_fields(Paper(entry_type="inproceedings", title="T", authors=WHO, year=2020)) == ["booktitle"]
    assert missing_fields(Paper(entry_type="article", title="T", authors=WHO, year=2020, arxiv_id="2001.00001")) == []


def test_an_editor_or_a_biblatex_date_is_enough() -> None:
    paper = Paper(entry_type="book", title="T", extra_fields={"editor": "Kim, Ann", "date": "2020-05"})
    assert missing_fields(paper) == [] and export_warnings([paper]) == []
    assert needs_completion(paper)  # still no author or year of its own to complete


def test_display_titles() -> None:
    assert display_title("Real title", "2310.01234") == "Real title"
    assert display_title("", "2310.01234") == "(waiting for metadata: arXiv 2310.01234)"
    assert display_title("", "", "10.1/x") == "(waiting for metadata: DOI 10.1/x)"
    assert display_title("") == "(untitled)"
