"""Fuzzing with hypothesis: importers, bytes to text, the query language, BibTeX through the library,
citation keys and the link policy.

``LECTERN_FUZZ_EXAMPLES`` scales every test's example count (default 1 = CI size); run with
``--hypothesis-show-statistics`` to see how many examples each test ran.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app import formats
from desktop_app.core import importing
from desktop_app.core.library import InvalidQueryError, Library
from desktop_app.domain.citekeys import VALID_KEY, assign_key
from desktop_app.domain.models import Author, ImportReport, Paper
from desktop_app.formats.encoding import decode_bytes
from desktop_app.formats.names import parse_bibtex_names
from desktop_app.gui.links import external_url
from tests.conftest import CORPUS
from tests.unit.formats.test_bibtex import ROUND_TRIP_FIELDS, papers, spaced_line_break

from .conftest import sample_papers

SCALE = float(os.environ.get("LECTERN_FUZZ_EXAMPLES", "1"))


def examples(count: int) -> int:
    return max(1, int(count * SCALE))


FUZZ = {"deadline": None, "suppress_health_check": [HealthCheck.too_slow]}

# -- importers ----------------------------------------------------------------------------------

FRAGMENTS = [
    # BibTeX
    "@article{k,", "@string{a = {x}}", "@comment{", "@preamble{\"x\"}", "title = {", "author = {A, B and C}",
    "}", "{", "\"", "#", "month = jan,", "year = 2020", "crossref = {k}", "@misc(k2, title = x)",
    # RIS
    "TY  - JOUR", "TI  - A title", "AU  - Smith, J", "PY  - 2020///", "ER  - ", "DO  - 10.1/x",
    # JSON shapes
    "[", "]", "{", "}", ",", '"title": "T"', '"author": "A; B"', '"paper": {', '"id": "2310.01234"',
    '"authors": [{"name": "A"}]', '{"type": "article-journal", "title": "x"}', "null", "1e999", '"\\ud800"',
    # Atom
    '<?xml version="1.0"?>', '<feed xmlns="http://www.w3.org/2005/Atom">', "<entry>", "<title>x</title>",
    "</entry>", "</feed>", '<!DOCTYPE x [<!ENTITY a "b">]>', "&a;",
    # Daily Papers page and arXiv ids
    "Daily Papers", "byAK and the research community", "Subscribe", "2310.01234", "arXiv:2310.01234v2",
    "hep-th/9901001", "https://arxiv.org/abs/2310.01234", "Submitted by",
]
odd_text = st.lists(st.sampled_from(FRAGMENTS) | st.text(max_size=30), max_size=25).map(
    lambda parts: "\n".join(parts))
format_names = st.sampled_from([None, *(f.name for f in formats.IMPORT_FORMATS)])


def assert_report_is_sound(report: ImportReport, text: str, source: str) -> None:
    lines = max(text.count("\n") + 1, len(text.splitlines()))  # an importer may count a bare CR as a line
    for problem in report.problems:
        assert problem.source == source
        assert problem.reason.strip()
        assert problem.line is not None and 1 <= problem.line <= lines + 1, (problem, lines)
    for paper in report.papers:
        Paper.model_validate(paper.model_dump())


@settings(max_examples=examples(300), **FUZZ)  # type: ignore[arg-type]
@given(text=odd_text, fmt=format_names)
def test_every_importer_reads_odd_text_without_raising(text: str, fmt: str | None) -> None:
    report = formats.parse(text, fmt=fmt, source="fuzz.txt")
    assert_report_is_sound(report, text, "fuzz.txt")


@settings(max_examples=examples(150), **FUZZ)  # type: ignore[arg-type]
@given(text=st.text(max_size=400), fmt=format_names)
def test_every_importer_reads_any_unicode_without_raising(text: str, fmt: str | None) -> None:
    report = formats.parse(text, fmt=fmt, source="any.txt")
    assert_report_is_sound(report, text, "any.txt")


def _corpus_samples() -> list[tuple[str, str]]:
    """Small real files of every format (decoded), for mutation."""
    samples = []
    for path in sorted(CORPUS.rglob("*")):
        if path.is_file() and 0 < path.stat().st_size <= 20_000:
            _report, failure = importing.parse_bytes(path.read_bytes(), source=path.name)
            if failure is None:
                samples.append((path.name, decode_bytes(path.read_bytes())[0]))
    return samples


SAMPLES = _corpus_samples() or [("no corpus", "")]


@st.composite
def mutated(draw: st.DrawFn) -> str:
    _name, text = draw(st.sampled_from(SAMPLES))
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(text)))
        end = draw(st.integers(at, min(len(text), at + 200)))
        action = draw(st.sampled_from(["cut", "delete", "repeat", "insert", "truncate"]))
        if action == "cut":
            text = text[:at]
        elif action == "delete":
            text = text[:at] + text[end:]
        elif action == "repeat":
            text = text[:end] + text[at:end] + text[end:]
        elif action == "insert":
            text = text[:at] + draw(st.sampled_from(FRAGMENTS) | st.text(max_size=5)) + text[at:]
        else:
            text = text[at:]
    return text


@settings(max_examples=examples(300), **FUZZ)  # type: ignore[arg-type]
@given(text=mutated(), fmt=format_names)
def test_every_importer_reads_mutated_corpus_files_without_raising(text: str, fmt: str | None) -> None:
    report = formats.parse(text, fmt=fmt, source="mutant")
    assert_report_is_sound(report, text, "mutant")


@settings(max_examples=examples(200), **FUZZ)  # type: ignore[arg-type]
@given(data=st.binary(max_size=600) | odd_text.map(lambda t: t.encode("utf-16-le"))
       | odd_text.map(lambda t: t.encode("latin-1", errors="replace")))
def test_any_bytes_give_a_report_or_one_problem(data: bytes) -> None:
    report, failure = importing.parse_bytes(data, source="bytes.bin")
    assert (report is None) != (failure is None)
    if failure is not None:
        assert failure.source == "bytes.bin" and failure.reason.strip()
    else:
        assert report is not None
        assert all(p.source == "bytes.bin" and p.reason.strip() for p in report.problems)


# -- the query language ---------------------------------------------------------------------------

QUERY_PARTS = [
    "title:", "author:", "abstract:", "tag:", "list:", "note:", "venue:", "year:", "status:", "keyword:",
    "arxiv:", "doi:", "key:", "priority:", "nosuchfield:", "AND", "OR", "NOT", "(", ")", '"', "*", "~", "~2",
    "..", "2020..2024", "[2020 TO 2024]", "{", "}", "[", "]", "^2", "+", "-", "\\", ":", "read", "unread",
    "pruning", "attention", "Düsseldorf", "a", "x*", "1706.03762", "10.5555/3294996.3295163", "*:*", "''",
]
queries = st.lists(st.sampled_from(QUERY_PARTS) | st.text(max_size=12), max_size=10).map(
    lambda parts: " ".join(parts)) | st.text(max_size=40)


@pytest.fixture(scope="module")
def searchable() -> Iterator[Library]:
    with tempfile.TemporaryDirectory() as tmp:
        library = Library.open(Path(tmp) / "lib")
        ids = library.import_papers(sample_papers()).imported
        library.add_tags(ids[:2], ["ml", "to-read"])
        library.create_list("Thesis")
        library.add_to_list("Thesis", ids[1:])
        library.set_note(ids[0], "Pruning *notes* with 2020 results")
        library.set_status(ids[:1], "read")
        library.catch_up_index()
        yield library
        library.close()


@settings(max_examples=examples(400), **FUZZ)  # type: ignore[arg-type]
@given(text=queries)
def test_any_query_gives_results_or_a_clear_error(searchable: Library, text: str) -> None:
    try:
        result = searchable.search(text)
    except InvalidQueryError as exc:
        message = str(exc)
        assert message.strip() and "\n" not in message and "Traceback" not in message
        return
    assert set(result.ids) <= set(searchable.all_ids())
    assert len(result.ids) == len(set(result.ids))
    searchable.snippets(result, result.ids[:3])


# -- BibTeX through the library -----------------------------------------------------------------


@settings(max_examples=examples(60), **FUZZ)  # type: ignore[arg-type]
@given(paper=papers(), dialect=st.sampled_from(["bibtex", "biblatex"]))
def test_import_export_import_into_a_fresh_library_keeps_the_paper(paper: Paper, dialect: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        with Library.open(Path(tmp) / "one") as first:
            first.fetch_arxiv = None
            pid = first.import_papers([paper]).imported[0]
            stored = first.paper(pid)
            text = first.export([pid], dialect)
        with Library.open(Path(tmp) / "two") as second:
            second.fetch_arxiv = None
            outcome = second.import_text(text, fmt="bibtex", source="export.bib")
            assert outcome.problems == [] and len(outcome.imported) == 1, text
            back = second.paper(outcome.imported[0])
    for name in ROUND_TRIP_FIELDS:
        expected = getattr(stored, name)
        actual = getattr(back, name)
        if name == "extra_fields":
            expected = {key: spaced_line_break(value) for key, value in expected.items()}
            actual = {key: value for key, value in actual.items() if not key.startswith("_")}
        if name == "authors" and not stored.authors:
            # an entry without author names its people through editor (or shortauthor) (issue 11)
            people = next((stored.extra_fields[k] for k in ("editor", "shortauthor")
                           if stored.extra_fields.get(k, "").strip()), "")
            expected = parse_bibtex_names(spaced_line_break(people))
        assert actual == expected, (name, text)


# -- citation keys --------------------------------------------------------------------------------

surnames = st.text(max_size=12) | st.sampled_from(["O'Brien", "van der Berg", "Dörner", "王", "-", "_x", "Ⅻ"])
key_papers = st.builds(
    Paper,
    citekey=st.just("") | st.text(max_size=20) | st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_:.+\-/]{0,20}", fullmatch=True),
    title=st.text(max_size=40),
    authors=st.lists(st.builds(Author, family=surnames, given=st.text(max_size=6)), max_size=2),
    year=st.none() | st.integers(1, 9999),
    arxiv_id=st.just("") | st.from_regex(r"[0-9]{4}\.[0-9]{5}(v[0-9])?", fullmatch=True),
)


@settings(max_examples=examples(300), **FUZZ)  # type: ignore[arg-type]
@given(batch=st.lists(key_papers, max_size=40))
def test_generated_keys_are_always_valid_and_unique(batch: list[Paper]) -> None:
    taken: set[str] = set()
    for paper in batch:
        key = assign_key(paper, lambda k: k.casefold() in taken)
        assert VALID_KEY.match(key), key
        assert key.casefold() not in taken
        taken.add(key.casefold())


@settings(max_examples=examples(40), **FUZZ)  # type: ignore[arg-type]
@given(batch=st.lists(key_papers, min_size=1, max_size=30))
def test_the_library_stores_valid_unique_keys(batch: list[Paper]) -> None:
    with tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "lib") as library:
        library.import_papers(batch)
        keys = [p.citekey for p in library.papers(library.all_ids())]
    assert all(VALID_KEY.match(k) for k in keys), keys
    assert len({k.casefold() for k in keys}) == len(keys)


# -- the link policy for untrusted notes ------------------------------------------------------------

links = st.text(max_size=60) | st.builds(
    lambda scheme, rest: scheme + rest,
    st.sampled_from(["http://", "https://", "HTTPS://", "doi:", "arxiv:", "file://", "javascript:", "data:",
                     "ftp://", "mailto:", "  https://", "\nhttp://", "vbscript:", "about:"]),
    st.text(max_size=40))


@settings(max_examples=examples(300), **FUZZ)  # type: ignore[arg-type]
@given(link=links)
def test_only_web_doi_and_arxiv_links_open(link: str) -> None:
    url = external_url(link)
    if url is not None:
        assert url.lower().startswith(("http://", "https://"))
        assert not any(ch in url for ch in "\n\r\t ")


@pytest.mark.parametrize("link", ["http://[", "HTTP://[]", "https://[::1/x"])
def test_a_link_with_a_broken_bracket_host_is_refused(link: str) -> None:
    assert external_url(link) is None
