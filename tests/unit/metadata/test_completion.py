"""Completing a library against the fake services: the seed page, proposals, keys, undo, offline."""

from __future__ import annotations

import re
import socket
import urllib.error
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.citekeys import first_key_word
from desktop_app.domain.completeness import display_title, export_warnings
from desktop_app.domain.text import fold_ascii
from desktop_app.metadata.cancel import CancelToken
from desktop_app.metadata.client import ClientConfig, PoliteClient
from tests.conftest import DAILY_PAGE, SHARED
from tests.fakeapi.seed import SeedPaper
from tests.fakeapi.server import FakeApis, Fault

NO_MATCH = (SHARED / "fixtures" / "metadata-apis" / "semanticscholar"
            / "2025-08_search-match-no-match-404.json").read_bytes()


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    with Library.open(tmp_path / "library") as opened:
        opened.fetch_arxiv = None
        yield opened


@pytest.fixture
def client(library: Library, apis: FakeApis) -> Iterator[PoliteClient]:
    """A client for the fake services, with the library's settings, without waiting."""
    with library.metadata_client(base_urls=apis.base_urls, rate_scale=0.0) as made:
        yield made


def expected_key(seed: SeedPaper) -> str:
    family = re.sub(r"[^a-z0-9]", "", fold_ascii(seed.authors[0][1]).lower())
    return f"{family}{seed.final_year}{first_key_word(seed.title)}"


def test_the_whole_daily_papers_page_completes(library: Library, apis: FakeApis, seeds: list[SeedPaper],
                                               ci_report: Callable[[str, str], None], client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    ids = library.incomplete_ids()
    assert len(ids) == 108
    report = library.complete_metadata(ids, client=client)
    assert report.count("completed") == 108, [o.line() for o in report.outcomes if o.status != "completed"]
    assert library.incomplete_ids() == []
    by_title = {s.title: s for s in seeds}
    for paper in library.papers(ids):
        seed = by_title[paper.title]
        assert re.fullmatch(re.escape(expected_key(seed)) + "[a-z]?", paper.citekey), (paper.citekey, seed)
        assert [a.display_name for a in paper.authors] == seed.names
        assert paper.arxiv_id == seed.arxiv_id and paper.year == seed.final_year
        assert f"from arXiv {seed.arxiv_id}" in " ".join(library.provenance(paper.id or 0))
        if seed.doi:  # the published version, with the eprint kept
            assert (paper.venue, paper.doi, paper.pages) == (seed.venue, seed.doi, seed.pages)
            assert paper.entry_type in ("article", "inproceedings")
    assert export_warnings(library.papers(ids)) == []
    requests = report.requests["requests"]
    assert requests == {"huggingface": 108, "arxiv": 2, "semanticscholar": 2, "crossref": 36}
    ci_report("metadata completion of the Daily Papers page (fake services)",
              f"{report.summary()}; requests per service: {requests}")


def test_one_run_is_one_undo_step(library: Library, apis: FakeApis, client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    ids = library.incomplete_ids()[:5]
    before = library.papers(ids)
    library.complete_metadata(ids, client=client)
    assert library.undo_label == "complete metadata (5 papers)"
    library.undo()
    after = library.papers(ids)
    assert [(p.citekey, p.authors, p.year) for p in after] == [(p.citekey, p.authors, p.year) for p in before]
    assert library.provenance(ids[0]) == [] and library.completion_state(ids[0]) is None
    assert library.citekey_is_provisional(ids[0])


def test_imported_keys_stay_pinned_through_completion(library: Library, apis: FakeApis, seeds: list, client: PoliteClient) -> None:
    bib = f"@misc{{mykey2024,\n  title = {{{seeds[1].title}}},\n}}\n"
    outcome = library.import_text(bib)
    pid = outcome.imported[0]
    library.complete_metadata([pid], client=client)
    paper = library.paper(pid)
    assert paper.citekey == "mykey2024" and paper.year == 2025 and paper.authors


def test_a_wrong_crossref_top_hit_is_only_proposed(library: Library, apis: FakeApis, client: PoliteClient) -> None:
    apis.faults.append(Fault("/s2/graph/v1/paper/search/match", status=404, body=NO_MATCH, times=0))
    library.import_text("@misc{attention,\n  title = {Attention is All you Need},\n}\n")
    pid = library.resolve("attention")
    report = library.complete_metadata([pid], client=client)
    (outcome,) = report.outcomes
    assert outcome.status == "proposed" and "Crossref 10.18653/v1/n18-2074" in outcome.detail
    paper = library.paper(pid)
    assert paper.title == "Attention is All you Need" and not paper.authors and paper.year is None
    proposal = library.proposal(pid)
    assert proposal is not None
    assert proposal["fields"]["title"] == ["Attention is All you Need",
                                           "Self-Attention with Relative Position Representations"]
    library.reject_proposal(pid)
    assert library.proposal(pid) is None and library.paper(pid).year is None


def test_an_accepted_proposal_is_applied_field_by_field(library: Library, apis: FakeApis, client: PoliteClient) -> None:
    apis.faults.append(Fault("/s2/graph/v1/paper/search/match", status=404, body=NO_MATCH, times=0))
    library.import_text("@misc{paperqa,\n  title = {PaperQA: Retrieval-Augmented Generative Agent for "
                        "Scientific Research},\n}\n")
    pid = library.resolve("paperqa")
    library.complete_metadata([pid], client=client)
    library.accept_proposal(pid, ["year", "authors"])
    paper = library.paper(pid)
    assert paper.year == 2024 and paper.authors[0].family == "Liu"
    assert paper.title.startswith("PaperQA") and paper.venue == ""
    assert any("Crossref" in line for line in library.provenance(pid))


def test_a_broken_hf_answer_falls_back_to_semantic_scholar(library: Library, apis: FakeApis, seeds: list, client: PoliteClient) -> None:
    apis.faults.append(Fault("/hf/api/papers/search", body=b"<!DOCTYPE html><title>Bad gateway</title>", times=0))
    library.import_text(f"@misc{{x,\n  title = {{{seeds[4].title}}},\n}}\n")
    report = library.complete_metadata([library.resolve("x")], client=client)
    assert report.outcomes[0].status == "completed"
    assert library.paper("x").arxiv_id == seeds[4].arxiv_id


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_pasted_ids_wait_for_metadata_and_complete_later(library: Library, apis: FakeApis,
                                                                 seeds: list, client: PoliteClient) -> None:
    def offline(ids: object) -> str:
        raise urllib.error.URLError("no network")

    library.fetch_arxiv = offline
    outcome = library.import_text(f"{seeds[0].arxiv_id}\n{seeds[1].arxiv_id}\n")
    ids = outcome.imported
    assert display_title(library.paper(ids[0]).title, library.paper(ids[0]).arxiv_id).startswith(
        "(waiting for metadata: arXiv")
    assert set(ids) <= set(library.incomplete_ids())
    port = closed_port()
    dead = PoliteClient(ClientConfig(base_urls={s: f"http://127.0.0.1:{port}" for s in apis.base_urls},
                                     rate_scale=0.0))
    report = library.complete_metadata(ids, client=dead)
    dead.close()
    assert [o.status for o in report.outcomes] == ["error", "error"]
    assert "offline" in report.outcomes[0].detail
    assert library.completion_state(ids[0]).state == "error"  # type: ignore[union-attr]
    assert library.waiting_ids() == sorted(ids)
    report = library.complete_metadata(library.incomplete_ids(), client=client)
    assert report.count("completed") == 2
    paper = library.paper(ids[0])
    assert paper.title == seeds[0].title and paper.citekey == expected_key(seeds[0])
    assert library.completion_state(ids[0]).attempts == 2  # type: ignore[union-attr]
    assert library.waiting_ids() == []


def test_a_cancelled_run_changes_nothing(library: Library, apis: FakeApis) -> None:
    library.import_files([DAILY_PAGE])
    ids = library.incomplete_ids()[:3]
    token = CancelToken()
    token.cancel()
    with library.metadata_client(token, base_urls=apis.base_urls) as cancelled:
        report = library.complete_metadata(ids, client=cancelled)
    assert report.cancelled and [o.status for o in report.outcomes] == ["cancelled"] * 3
    assert library.incomplete_ids()[:3] == ids and apis.log == []


def test_a_dry_run_asks_but_stores_nothing(library: Library, apis: FakeApis, client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    ids = library.incomplete_ids()[:2]
    report = library.complete_metadata(ids, dry_run=True, client=client)
    assert report.count("completed") == 2 and apis.log
    assert library.incomplete_ids()[:2] == ids and library.undo_label is None


def test_an_edit_that_brings_author_and_year_regenerates_a_provisional_key(library: Library) -> None:
    library.import_text("Three-Regime Theory of Grokking in Transformers\n\n" + "word " * 40 + "\n\n"
                        "Another Paper About Pruning\n\n" + "text " * 40 + "\n", fmt="hf-page")
    pid = library.resolve("threeregime")
    assert library.citekey_is_provisional(pid)
    library.update_paper(pid, authors=[{"family": "Zhou", "given": "Wei"}], year=2023)
    assert library.paper(pid).citekey == "zhou2023threeregime"
    other = library.resolve("anotherpaper")
    library.update_paper(other, citekey="mine")
    library.update_paper(other, authors=[{"family": "Kim"}], year=2024)
    assert library.paper(other).citekey == "mine"


def test_regenerating_an_exported_key_warns(library: Library) -> None:
    library.import_text("@article{old,\n  title = {Deep Nets},\n  author = {Kim, Ann},\n  year = {2020},\n}\n")
    pid = library.resolve("old")
    library.pin_citekeys([pid], exported=True)
    library.set_citekey_formula("[auth:lower]_[year]")
    _changes, warning = library.regenerate_citekey(pid)
    assert library.paper(pid).citekey == "kim_2020"
    assert "old was exported" in warning


def test_pasted_ids_are_fetched_through_the_polite_client(tmp_path: Path, apis: FakeApis, seeds: list,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LECTERN_ARXIV_URL", apis.base_urls["arxiv"])
    with Library.open(tmp_path / "online") as online:  # the default fetcher, not a fake
        outcome = online.import_text(f"{seeds[2].arxiv_id}\n")
        assert online.paper(outcome.imported[0]).title == seeds[2].title
    assert apis.log[-1].headers["User-Agent"].startswith("Lectern/")
    monkeypatch.setenv("LECTERN_ARXIV_URL", f"http://127.0.0.1:{closed_port()}/api")
    with Library.open(tmp_path / "offline") as offline:
        outcome = offline.import_text(f"{seeds[3].arxiv_id}\n")
        assert "offline: cannot reach arXiv" in str(outcome.problems[0])
        assert offline.incomplete_ids() == outcome.imported


def test_an_exported_provisional_key_is_pinned_and_kept(library: Library, client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    pid = library.incomplete_ids()[0]
    key = library.paper(pid).citekey
    library.export([pid], "bibtex")
    library.pin_citekeys([pid], exported=True)  # what `lectern export` and Copy BibTeX do
    assert not library.citekey_is_provisional(pid)
    library.complete_metadata([pid], client=client)
    assert library.paper(pid).citekey == key and library.paper(pid).year is not None


def test_answers_are_cached_in_the_library_folder(library: Library, apis: FakeApis, client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    ids = library.incomplete_ids()[:4]
    library.complete_metadata(ids, dry_run=True, client=client)
    assert client.config.cache_dir == library.directory / "cache" / "metadata"
    assert list((library.directory / "cache" / "metadata" / "huggingface").rglob("*.json"))
    sent = len(apis.log)
    with library.metadata_client(base_urls=apis.base_urls, rate_scale=0.0) as second:
        report = library.complete_metadata(ids, client=second)
    assert report.count("completed") == 4 and len(apis.log) == sent
    assert second.stats.cache_hits["huggingface"] == 4 and not second.stats.requests


def test_a_failing_service_is_named_beside_what_did_complete(library: Library, apis: FakeApis,
                                                              client: PoliteClient, seeds: list) -> None:
    apis.faults.append(Fault("/s2/", status=500, body=b'{"message": "Internal server error"}', times=0))
    library.import_text(f"@misc{{x,\n  title = {{{seeds[3].title}}},\n}}\n")
    (outcome,) = library.complete_metadata([library.resolve("x")], client=client).outcomes
    assert outcome.status == "completed" and "from arXiv" in outcome.detail
    assert "Semantic Scholar answered HTTP 500 4 times" in outcome.detail
    assert library.paper(outcome.paper_id).venue == seeds[3].venue  # Crossref by arXiv's DOI still gave it


def test_unknown_and_malformed_ids_end_as_not_found_and_error(library: Library, apis: FakeApis,
                                                              client: PoliteClient) -> None:
    def offline(_ids: object) -> str:
        raise OSError("offline")

    library.fetch_arxiv = offline
    unknown = library.import_text("2512.99999\n").imported[0]
    library.import_text("@misc{bad,\n  title = {Q},\n  eprint = {abc},\n  archivePrefix = {arXiv},\n}\n")
    bad = library.resolve("bad")
    report = library.complete_metadata([unknown, bad], client=client)
    by_id = {o.paper_id: o for o in report.outcomes}
    assert by_id[unknown].status == "not found"
    assert apis.count("/hf/api/papers/2512.99999") == 1  # arXiv had nothing: Hugging Face asked, 404
    assert by_id[bad].status == "error" and "'abc' is not an arXiv id" in by_id[bad].detail
    arxiv_queries = [entry.query for entry in apis.log if entry.path.startswith("/arxiv/")]
    assert arxiv_queries and all("abc" not in q for q in arxiv_queries)  # it would fail arXiv's whole batch


def test_a_pinned_key_and_provenance_survive_the_trash_and_go_when_it_is_emptied(
        library: Library, client: PoliteClient) -> None:
    library.import_files([DAILY_PAGE])
    pid = library.incomplete_ids()[0]
    library.complete_metadata([pid], client=client)
    library.pin_citekeys([pid], exported=True)
    sources = library.provenance(pid)
    library.delete_papers([pid])
    library.restore_from_trash(papers=[pid])
    assert not library.citekey_is_provisional(pid) and library.provenance(pid) == sources
    library.delete_papers([pid])
    library.empty_trash()
    rows = library.db.conn.execute("SELECT count(*) FROM citekey_state WHERE paper_id = ?", (pid,)).fetchone()[0]
    assert rows == 0
