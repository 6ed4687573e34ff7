"""Search: the query language, side fields, snippets, related papers, index health."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from desktop_app.core.library import InvalidQueryError, Library
from desktop_app.domain.models import Author, Paper
from desktop_app.search.schema import SCHEMA_VERSION

from .conftest import sample_papers


def titles(library: Library, query: str) -> list[str]:
    return [library.paper(pid).title for pid in library.search(query).ids]


def keys(library: Library, query: str) -> set[str]:
    return {library.paper(pid).citekey for pid in library.search(query).ids}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("pruning", {"khaki2024need", "sanh2020movement"}),
        ("prune", {"khaki2024need", "sanh2020movement"}),  # stemmed
        ("title:pruning", {"khaki2024need", "sanh2020movement"}),
        ("pruning AND transformers", {"khaki2024need"}),
        ("pruning transformers", {"khaki2024need"}),  # plain words: all must match
        ("pruning OR prototypical", {"khaki2024need", "sanh2020movement", "snell2017prototypical"}),
        ("pruning NOT movement", {"khaki2024need"}),
        ("(movement OR one-shot) AND pruning", {"khaki2024need", "sanh2020movement"}),
        ('"movement pruning"', {"sanh2020movement"}),
        ('"pruning movement"', set()),
        ("author:vaswani", {"vaswani2017attention"}),
        ("author:Vaswani AND year:2017", {"vaswani2017attention"}),
        ("year:2017", {"vaswani2017attention", "snell2017prototypical"}),
        ("year:2018..2024", {"khaki2024need", "sanh2020movement"}),
        ("year:[2017 TO 2020]", {"vaswani2017attention", "snell2017prototypical", "sanh2020movement"}),
        ("year:2020..", {"khaki2024need", "sanh2020movement"}),
        ("year:>2020", {"khaki2024need"}),
        ("proto*", {"snell2017prototypical"}),
        ("prototypcal~", {"snell2017prototypical"}),
        ("Dusseldorf", {"khaki2024need"}),  # accent folding
        ("düsseldorf", {"khaki2024need"}),
        ("venue:iclr", {"khaki2024need"}),
        ("arxiv:1706.03762", {"vaswani2017attention"}),
        ("doi:10.5555/3294996.3295163", {"snell2017prototypical"}),
        ("vaswani2017attention", {"vaswani2017attention"}),
        ("abstract:recurrent", {"vaswani2017attention"}),
        ("the", {"khaki2024need"}),  # stop words only: titles that contain them (issue 10)
    ],
)
def test_query_language(filled: Library, query: str, expected: set[str]) -> None:
    assert keys(filled, query) == expected


def test_title_matches_rank_above_abstract_matches(filled: Library) -> None:
    ids = filled.search("transformers").ids
    assert filled.paper(ids[0]).citekey == "khaki2024need"  # title hit beats abstract hit


def test_tags_lists_status_and_notes_are_searchable_at_once(filled: Library) -> None:
    pid = filled.resolve("snell2017prototypical")
    filled.add_tags([pid], ["few-shot"])
    assert keys(filled, "tag:few-shot") == {"snell2017prototypical"}
    assert keys(filled, "few-shot") >= {"snell2017prototypical"}
    filled.create_list("Thesis reading")
    filled.add_to_list("Thesis reading", [pid])
    assert keys(filled, 'list:"Thesis reading"') == {"snell2017prototypical"}
    filled.set_status([pid], "read")
    assert keys(filled, "status:read") == {"snell2017prototypical"}
    assert "snell2017prototypical" not in keys(filled, "status:unread")
    filled.set_note(pid, "Compare with **matching networks** by Vinyals.")
    assert keys(filled, "note:vinyals") == {"snell2017prototypical"}
    assert keys(filled, "vinyals") == {"snell2017prototypical"}
    assert keys(filled, 'note:"matching networks"') == {"snell2017prototypical"}
    assert filled.pending_index() == 0  # none of that needed the paper index


def test_combined_side_and_text_fields(filled: Library) -> None:
    filled.add_tags([filled.resolve("sanh2020movement")], ["sparsity"])
    assert keys(filled, "pruning AND tag:sparsity") == {"sanh2020movement"}
    assert keys(filled, "pruning AND NOT tag:sparsity") == {"khaki2024need"}
    assert keys(filled, "tag:spar*") == {"sanh2020movement"}


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("p*", "too short"),
        ("status:finished", "status: takes unread, reading or read"),
        ("year:abc", "year: takes a number"),
        ("year:2024..2020", "empty"),
        ("title:[a TO b]", "ranges work on year"),
        ("   ", "type something"),
    ],
)
def test_bad_queries_explain_themselves(filled: Library, query: str, message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        filled.search(query)


@pytest.mark.parametrize("query", ["(", ")", '"', "AND", "OR OR", "NOT", "title:", ":::", "[", "~", "*?*", "a~~9"])
def test_odd_queries_never_crash(filled: Library, query: str) -> None:
    try:
        filled.search(query)
    except InvalidQueryError as exc:
        assert str(exc)


def test_snippets_mark_matched_words(filled: Library) -> None:
    result = filled.search("pruning")
    snippets = filled.snippets(result, result.ids)
    for pid in result.ids:
        snippet = snippets[pid]
        marked = [snippet.text[a:b].lower() for a, b in snippet.spans]
        assert marked and all(word.startswith("prun") for word in marked)
    assert "<b>" in snippets[result.ids[0]].html()


def test_highlight_covers_the_whole_text(filled: Library) -> None:
    result = filled.search("attention")
    paper = filled.paper(result.ids[0])
    full = filled.highlight(result, "abstract", paper.abstract)
    assert full.text == paper.abstract and full.spans


def test_related_papers(filled: Library) -> None:
    hits = filled.related("sanh2020movement", limit=3)
    assert hits and filled.paper(hits[0].pid).citekey == "khaki2024need"
    assert filled.resolve("sanh2020movement") not in [h.pid for h in hits]


def test_search_reports_papers_not_yet_indexed(library: Library) -> None:
    library.import_papers(sample_papers())
    result = library.search("pruning")
    assert result.pending == 4 and result.ids == []
    library.catch_up_index()
    result = library.search("pruning")
    assert result.pending == 0 and len(result.ids) == 2


def test_deleted_papers_vanish_from_results_before_the_index_catches_up(filled: Library) -> None:
    pid = filled.resolve("sanh2020movement")
    filled.delete_papers([pid])
    assert pid not in filled.search("pruning").ids
    assert pid not in [h.pid for h in filled.related("khaki2024need")]


def test_edited_paper_is_reindexed(filled: Library) -> None:
    pid = filled.resolve("snell2017prototypical")
    filled.update_paper(pid, title="Prototypical Networks for Zebrafish Learning")
    filled.catch_up_index()
    assert keys(filled, "zebrafish") == {"snell2017prototypical"}
    assert filled.search("zebrafish").total == 1


def _reopen(library: Library) -> Library:
    directory = library.directory
    library.close()
    return Library.open(directory)


def test_missing_index_is_rebuilt_from_sqlite(filled: Library) -> None:
    directory = filled.directory
    filled.close()
    shutil.rmtree(directory / "index")
    reopened = Library.open(directory)
    try:
        assert reopened.rebuild_reason == "the search index is missing"
        reopened.catch_up_index()
        assert keys(reopened, "pruning") == {"khaki2024need", "sanh2020movement"}
    finally:
        reopened.close()


def test_stale_schema_version_triggers_a_rebuild(filled: Library) -> None:
    directory = filled.directory
    filled.close()
    meta = directory / "index" / "meta.json"
    meta.write_text(meta.read_text().replace(f"\"schema_version\": {SCHEMA_VERSION}", "\"schema_version\": 0"))
    reopened = Library.open(directory)
    try:
        assert "schema 0" in (reopened.rebuild_reason or "")
        reopened.catch_up_index()
        assert len(reopened.search("pruning").ids) == 2
    finally:
        reopened.close()


def test_corrupt_index_is_rebuilt(filled: Library) -> None:
    directory = filled.directory
    filled.close()
    for segment in (directory / "index" / "papers").glob("*.seg"):
        segment.write_bytes(b"\x00garbage" * 10)
    for toc in (directory / "index" / "papers").glob("*.toc"):
        toc.write_bytes(b"garbage")
    reopened = Library.open(directory)
    try:
        assert reopened.rebuild_reason and "index" in reopened.rebuild_reason
        reopened.catch_up_index()
        assert len(reopened.search("pruning").ids) == 2
        assert reopened.check().consistent
    finally:
        reopened.close()


def test_check_repairs_an_index_missing_documents(filled: Library, tmp_path: Path) -> None:
    with filled.db.write() as conn:  # simulate a lost index write: forget the queue, keep the paper
        conn.execute("INSERT INTO papers(citekey, title, added, modified) VALUES ('ghost2020', 'Ghost pruning paper', '2020-01-01T00:00:00+00:00', '2020-01-01T00:00:00+00:00')")
    report = filled.check()
    assert any("missing from the search index" in p for p in report.problems)
    assert report.repaired
    filled.catch_up_index()
    assert filled.check().consistent
    assert "ghost2020" in keys(filled, "ghost")


def test_background_indexer_catches_up(library: Library) -> None:
    seen = []
    library.start_background_indexing(on_progress=seen.append)
    library.import_papers(sample_papers())
    assert library.wait_for_index(timeout=30)
    assert library.pending_index() == 0
    assert seen and seen[-1].pending == 0
    assert len(library.search("pruning").ids) == 2


def test_many_papers_and_a_big_result_set(library: Library) -> None:
    papers = [Paper(title=f"Graph study number {i}", abstract=f"graphs and nodes {i % 7}",
                    authors=[Author(family=f"Author{i % 50}")], year=2000 + i % 20) for i in range(600)]
    library.import_papers(papers)
    library.catch_up_index()
    result = library.search("graph")
    assert result.total == 600 and len(result.ids) == 600
    assert len(library.search("graph AND year:2005").ids) == 30
    assert library.search("graph", limit=10).total == 600


def test_background_process_indexes_while_the_parent_searches(library: Library) -> None:
    library.start_background_indexing()
    library.import_papers(sample_papers())
    assert library.wait_for_index(timeout=60)
    assert keys(library, "pruning") == {"khaki2024need", "sanh2020movement"}
    pid = library.resolve("snell2017prototypical")
    library.set_note(pid, "zebrafish notes")
    assert library.wait_for_index(timeout=60)
    assert keys(library, "zebrafish") == {"snell2017prototypical"}
    library.delete_papers([pid])
    assert library.wait_for_index(timeout=60)
    assert library.check().consistent
    assert library.rebuild_index() == 3
    assert library.wait_for_index(timeout=60)
    assert keys(library, "pruning") == {"khaki2024need", "sanh2020movement"}


def test_limited_searches_count_every_match_on_a_many_segment_index(
        library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import indexing
    from desktop_app.search import index as search_index

    monkeypatch.setattr(indexing, "UNMERGED_BATCH", 1)  # every commit leaves its own segment
    monkeypatch.setattr(search_index, "SMALL_SEGMENT", 1)
    for batch in range(4):
        papers = [Paper(title=f"Modular model number {batch}-{i}", abstract=f"models and modes {i}",
                        year=2000 + i % 5) for i in range(150)]
        ids = library.import_papers(papers).imported
        library.add_tags(ids[::3], ["every-third"])
        library.catch_up_index()
    assert len(library.index.papers.searcher().leaf_searchers()) == 4
    for query in ("mode*", "tag:every-third", "model AND tag:every*", '"modular model"', "year:2001..2002"):
        everything = library.search(query)
        limited = library.search(query, limit=20)
        assert len(limited.ids) == 20
        assert limited.total == everything.total == len(everything.ids) > 20, query


def test_a_large_batch_absorbs_the_small_segments_but_not_the_large_ones(
        library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import indexing
    from desktop_app.search import index as search_index

    monkeypatch.setattr(indexing, "FIRST_BATCH", 50)
    monkeypatch.setattr(indexing, "UNMERGED_BATCH", 100)
    monkeypatch.setattr(search_index, "SMALL_SEGMENT", 100)

    def segment_sizes() -> list[int]:
        return sorted(s.doc_count_all() for s, _ in library.index.papers.searcher().leaf_searchers())

    def import_batch(label: str, count: int) -> None:
        library.import_papers([Paper(title=f"Sparse {label} model {i}", abstract="pruning", year=2020)
                               for i in range(count)])
        library.catch_up_index()

    import_batch("first", 150)  # a quick batch of 50, then 100 that take the 50 in
    assert segment_sizes() == [150]
    import_batch("second", 300)  # 50, then 250 that take those 50 in and leave the 150 alone
    assert segment_sizes() == [150, 300]
    assert library.search("sparse").total == 450
    searcher = library.index.papers.searcher()
    in_index_order = [searcher.stored_fields(docnum)["pid"] for docnum in range(searcher.doc_count_all())]
    assert in_index_order == sorted(library.all_ids())  # the folded papers went in ahead of the batch's


def test_a_batch_that_rewrites_papers_of_a_folded_segment_keeps_one_copy(
        library: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    from desktop_app.core import indexing
    from desktop_app.search import index as search_index

    monkeypatch.setattr(indexing, "FIRST_BATCH", 40)
    monkeypatch.setattr(indexing, "UNMERGED_BATCH", 20)
    monkeypatch.setattr(search_index, "SMALL_SEGMENT", 100)
    ids = library.import_papers([Paper(title=f"Quantised adapters {i}", abstract="low rank", year=2021)
                                 for i in range(40)]).imported
    library.catch_up_index()
    library.delete_papers(ids[:2])
    for pid in ids[2:10]:
        library.update_paper(pid, title=f"Distilled students {pid}")
    library.import_papers([Paper(title=f"Quantised adapters late {i}", abstract="low rank", year=2022)
                           for i in range(60)])
    library.catch_up_index()  # batches of 40 and 30 (both > 20): each folds the small segment in first
    searcher = library.index.papers.searcher()
    assert len(searcher.leaf_searchers()) == 1
    assert searcher.doc_count() == 98
    assert library.search("quantised").total == 90
    assert sorted(library.search("distilled").ids) == ids[2:10]
    assert library.check().consistent


def test_prefix_hits_rank_by_how_much_they_use_the_expansions(library: Library) -> None:
    papers = [
        Paper(title="A survey of graphs", abstract="Nothing about the topic but one prunable edge."),
        Paper(title="Pruning pruned networks", abstract="We prune; pruning again; pruned weights."),
        Paper(title="Networks", abstract="Pruning is mentioned once."),
    ]
    ids = library.import_papers(papers).imported
    library.catch_up_index()
    assert library.search("prun*").ids[0] == ids[1]
    assert set(library.search("prun*").ids) == set(ids)


def test_top_n_of_prefix_searches_skip_blocks_without_changing_the_ranking(library: Library, corpus: Path) -> None:
    from desktop_app.core import importing

    report, problem = importing.read_file(corpus / "paperlists" / "iclr" / "iclr2018.json")
    assert problem is None and report is not None
    library.import_papers(report.papers)
    library.catch_up_index()
    for query in ("netw*", "lea*", "gen* AND mod*", "title:adv*", "rob* OR sto*"):
        everything = library.search(query)
        assert len(everything.ids) > 40, query
        for limit in (1, 10, 20):
            top = library.search(query, limit=limit)
            assert top.ids == everything.ids[:limit], (query, limit)


def test_id_prefixes_find_citation_keys_arxiv_ids_and_dois(filled: Library) -> None:
    def keys(query: str) -> set[str]:
        return {filled.paper(pid).citekey for pid in filled.search(query).ids}

    assert keys("key:snell2017*") == {"snell2017prototypical"}
    assert keys("key:SNELL2017*") == {"snell2017prototypical"}  # citation keys compare without case
    assert keys("arxiv:1706.03*") == {"vaswani2017attention"}
    assert keys("doi:10.5555/3294*") == {"snell2017prototypical"}
    assert keys("key:snell2018*") == set()
    assert keys("vaswani20*") == {"vaswani2017attention"}  # plain prefixes look at ids, too
