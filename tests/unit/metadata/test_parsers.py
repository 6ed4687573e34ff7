"""The resolvers' pure parsers against the real recorded responses (shared/fixtures/metadata-apis)."""

from __future__ import annotations

import pytest

from desktop_app.metadata import arxiv, crossref, huggingface, semanticscholar
from desktop_app.metadata.names import split_name
from desktop_app.metadata.records import ResponseError
from tests.conftest import SHARED

FIXTURES = SHARED / "fixtures" / "metadata-apis"


def body(name: str) -> bytes:
    return next(FIXTURES.rglob(name)).read_bytes()


@pytest.mark.parametrize("name", ["2019-01_id_list-1710.08557-legacy-multiline-title.xml",
                                  "2026-04_id_list-1707.08567.xml"])
def test_arxiv_entry_fields_in_old_and_new_feeds(name: str) -> None:
    (candidate,) = arxiv.parse_feed(body(name))
    paper = candidate.paper
    assert "\n" not in paper.title and "  " not in paper.title
    assert paper.authors and paper.year and paper.arxiv_id == candidate.source_id
    assert "v" not in paper.arxiv_id.split(".")[-1]


def test_arxiv_legacy_doi_journal_ref_and_old_style_id() -> None:
    (candidate,) = arxiv.parse_feed(body("2019-01_id_list-astro-ph_9812133-legacy-doi.xml"))
    assert candidate.source_id == "astro-ph/9812133"
    assert candidate.paper.doi == "10.1086/307221"
    assert candidate.journal_ref.startswith("Astrophys.J.517")
    assert candidate.published and len(candidate.paper.authors) == 32


def test_arxiv_unknown_ids_are_dropped_in_every_generation() -> None:
    for name in ("2025-08_id_list-2201.13455_2201.13452_2201.13453_2201.13454-legacy-missing-ids.xml",
                 "2025-11_id_list-2201.13455_2201.13452_2201.13453_2201.13454-missing-ids.xml"):
        assert [c.source_id for c in arxiv.parse_feed(body(name))] == ["2201.13452"]
    for name in ("2025-08_id_list-1201.56789-legacy-nonexistent.xml", "2026-04_id_list-0808.05394-nonexistent.xml"):
        assert arxiv.parse_feed(body(name)) == []


def test_arxiv_malformed_id_is_an_error_entry_not_a_paper() -> None:
    for name, bad in (("2026-04_id_list-abc-malformed-error-400.xml", "abc"),
                      ("2019-01_id_list-INVALIDID-legacy-error-400.xml", "INVALIDID")):
        assert arxiv.parse_feed(body(name)) == []
        assert arxiv.parse_errors(body(name)) == [f"incorrect id format for {bad}"]


def test_arxiv_versioned_request_and_a_title_of_zero() -> None:
    (candidate,) = arxiv.parse_feed(body("2026-04_id_list-2104.12255v1-versioned.xml"))
    assert candidate.paper.title == "0" and candidate.source_id == "2104.12255"


@pytest.mark.parametrize("broken", [b"", b"<html><body>502 Bad Gateway</body></html>", b"<feed", b"\xff\xfe"])
def test_arxiv_broken_bodies_raise_a_readable_error(broken: bytes) -> None:
    with pytest.raises(ResponseError, match="arXiv"):
        arxiv.parse_feed(broken)


def test_arxiv_batches_are_bounded() -> None:
    assert arxiv.id_list_request(["2310.01234", "2310.01235"]).params[0] == ("id_list", "2310.01234,2310.01235")
    with pytest.raises(ValueError):
        arxiv.id_list_request([str(i) for i in range(arxiv.MAX_BATCH + 1)])
    assert arxiv.is_well_formed("2310.01234v2") and arxiv.is_well_formed("math/0211159")
    assert not arxiv.is_well_formed("abc")


def test_hf_search_uses_printed_names_and_the_paper_date() -> None:
    hits = huggingface.parse_search(body("2026-09_papers-search-q_diffusion-limit3-pretty.json"))
    assert hits[0].source_id == "2006.11239"
    assert hits[0].paper.authors[1].display_name == "Ajay Jain"
    assert (hits[0].paper.year, hits[0].paper.month) == (2020, 6)


def test_hf_paper_and_error_body() -> None:
    candidate = huggingface.parse_paper(body("2026-09_papers-2608.09888-pretty.json"))
    assert candidate.paper.arxiv_id == "2608.09888" and candidate.paper.year == 2026
    with pytest.raises(ResponseError, match="error"):
        huggingface.parse_search(body("quoted_daily_papers-limit-too-big-400.json"))
    with pytest.raises(ResponseError, match="not JSON"):
        huggingface.parse_search(b'[{"paper": {"id": "1')


def test_s2_batch_null_for_unknown_ids() -> None:
    found = semanticscholar.parse_batch(body("2024-12_paper-batch-POST-with-unknown-id.json"), ["a", "b", "c", "d"])
    assert found[0] is None and all(c is not None for c in found[1:])
    with pytest.raises(ResponseError, match="3 records for 2"):
        semanticscholar.parse_batch(body("2024-12_paper-batch-POST-fields-authors.json"), ["a", "b"])


def test_s2_match_gives_the_published_venue_and_404_means_none() -> None:
    match = semanticscholar.parse_match(200, body("2025-08_search-match-Attention_is_All_you_Need.json"))
    assert match is not None and match.paper.venue == "Neural Information Processing Systems"
    assert match.paper.entry_type == "inproceedings" and match.paper.arxiv_id == "1706.03762"
    assert semanticscholar.parse_match(404, body("2025-08_search-match-no-match-404.json")) is None


def test_s2_arxiv_only_record_is_not_a_published_version() -> None:
    raw = body("2025-09_paper-DOI-10.48550_arxiv.2312.07559.json")
    (candidate,) = semanticscholar.parse_batch(b"[" + raw + b"]", ["x"])
    assert candidate is not None and not candidate.published and candidate.paper.doi == ""


def test_crossref_work_search_and_failure_bodies() -> None:
    work = crossref.parse_work(body("2025-09_works-10.1038_s42256-024-00832-8.json"))
    assert work.paper.venue == "Nature Machine Intelligence" and work.paper.year == 2024
    assert work.paper.entry_type == "article" and work.published
    preprint = crossref.parse_work(body("2025-09_works-10.1101_2024.04.01.587366-posted-content.json"))
    assert not preprint.published and preprint.paper.entry_type == "misc"
    assert crossref.parse_search(body("2025-08_works-query.title-no-match-empty.json")) == []
    with pytest.raises(ResponseError):
        crossref.parse_work(body("2026-06_works-doi-with-field-query-400.json"))
    with pytest.raises(ResponseError, match="not JSON"):
        crossref.parse_work(body("2025-09_works-10.48550_arxiv.2312.07559-404-datacite-doi.txt"))


@pytest.mark.parametrize(("name", "family", "given"), [
    ("Kees A. Schouhamer Immink", "Immink", "Kees A. Schouhamer"),
    ("Peter H. N. de With", "de With", "Peter H. N."),
    ("Joost van der Putten", "van der Putten", "Joost"),
    ("Vaswani, Ashish", "Vaswani", "Ashish"),
    ("Plato", "Plato", ""),
])
def test_free_form_names(name: str, family: str, given: str) -> None:
    author = split_name(name)
    assert (author.family, author.given) == (family, given)


def test_every_recording_is_read_or_refused_with_a_reason() -> None:
    """No recorded body makes a parser crash with anything but ResponseError."""
    parsers = {"arxiv": arxiv.parse_feed, "huggingface": huggingface.parse_search,
               "crossref": crossref.parse_search}
    outcomes: dict[str, int] = {"read": 0, "refused": 0}
    for folder, parse in parsers.items():
        for path in sorted((FIXTURES / folder).iterdir()):
            if path.name.endswith(".meta.json"):
                continue
            try:
                parse(path.read_bytes())
                outcomes["read"] += 1
            except ResponseError:
                outcomes["refused"] += 1
    assert outcomes["read"] >= 20 and outcomes["refused"] >= 5
