"""``lectern search`` with queries that cannot run as typed: the same repairs and notices as the window."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.search.syntax import FIELD_NAMES_SHOWN
from tests.conftest import DAILY_PAGE
from tests.end2end.test_cli import lectern


@pytest.fixture(scope="module")
def daily(tmp_path_factory: pytest.TempPathFactory) -> Path:
    library = tmp_path_factory.mktemp("cli-search") / "library"
    lectern(library, "import", str(DAILY_PAGE))
    return library


@pytest.mark.parametrize(("query", "note"), [
    ('"unclosed phrase', "lectern: note: Closed the unclosed quote"),
    ("pruning AND", "lectern: note: Ignored 'AND' with nothing after it"),
    ("foo:bar", "lectern: note: foo: is not a field (fields: " + ", ".join(FIELD_NAMES_SHOWN) + "); searched as words"),
    ("efficiency study of llm applications measured on laptops", "lectern: note: No paper has all 6 words; "
                                                                 "showing papers with most of them"),
])
def test_a_repaired_or_ranked_query_says_so_in_one_line(daily: Path, query: str, note: str) -> None:
    result = lectern(daily, "search", query, "--json")
    assert result.returncode == 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(note)
    json.loads(result.stdout)


def test_an_empty_query_after_repair_is_one_error_line(daily: Path) -> None:
    result = lectern(daily, "search", "title:(", check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines == ["lectern: error: nothing to search for: ignored an unmatched '('; "
                     "ignored 'title:' with nothing after it"]


def test_a_pasted_page_and_a_pasted_title(daily: Path) -> None:
    page = DAILY_PAGE.read_text(encoding="utf-8")[:100_000]  # one argument may hold 128 KiB
    result = lectern(daily, "search", page, "--limit", "3", check=False)
    assert result.returncode == 0 and "Traceback" not in result.stderr and "list index" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    title = "Are We There Yet? A Measurement Study of Efficiency for LLM Applications on Mobile Devices"
    hits = json.loads(lectern(daily, "search", title, "--json", "--limit", "3").stdout)
    assert hits[0]["title"].startswith("Are We There Yet?")
