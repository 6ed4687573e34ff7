"""Related papers' bulk BM25F gives Whoosh's own scores and ranking, on many segments with deletions."""

from __future__ import annotations

from pathlib import Path

import pytest
from whoosh import classify
from whoosh import query as wq

from desktop_app.core import importing
from desktop_app.core.library import Library
from desktop_app.search import bulk
from desktop_app.search import engine as engine_module
from desktop_app.search import index as search_index


@pytest.fixture
def segmented(library: Library, corpus: Path, monkeypatch: pytest.MonkeyPatch) -> Library:
    """About 900 real abstracts in three segments, two of them with deleted papers."""
    monkeypatch.setattr(search_index, "SMALL_SEGMENT", 1)
    report, problem = importing.read_file(corpus / "paperlists" / "iclr" / "iclr2018.json")
    assert problem is None and report is not None
    papers = report.papers
    third = len(papers) // 3
    for part in (papers[:third], papers[third:2 * third], papers[2 * third:]):
        library.import_papers(part)
        library.catch_up_index()
    library.delete_papers(library.all_ids()[5:600:9])
    library.catch_up_index()
    assert len(library.index.papers.searcher().leaf_searchers()) >= 3
    return library


def _key_terms(library: Library, pid: int) -> list[bulk.WeightedTerm]:
    paper = library.paper(pid)
    searcher = library.index.papers.searcher()
    key_terms = searcher.key_terms_from_text("abstract", f"{paper.title} {paper.abstract}", numterms=6,
                                             model=classify.Bo1Model, normalize=True)
    return [(field, term, weight) for term, weight in key_terms for field in ("abstract", "title")]


def test_same_scores_and_order_as_a_whoosh_union(segmented: Library) -> None:
    searcher = segmented.index.papers.searcher()
    compared = 0
    for pid in segmented.all_ids()[::60]:
        terms = _key_terms(segmented, pid)
        own = segmented.index.papers.docnums.docnum_for_pid(searcher, pid)
        ours = bulk.top_documents(searcher, terms, 10, {own})
        union = wq.Or([wq.Term(field, term, boost=weight) for field, term, weight in terms])
        theirs = searcher.search(union, limit=10, mask={own}, terms=False).top_n
        assert [docnum for _, docnum in ours] == [docnum for _, docnum in theirs], pid
        assert [score for score, _ in ours] == pytest.approx([score for score, _ in theirs], rel=1e-9)
        assert own not in {docnum for _, docnum in ours}
        compared += 1
    assert compared >= 10


def test_deleted_papers_never_come_back(segmented: Library) -> None:
    searcher = segmented.index.papers.searcher()
    live = set(searcher.reader().all_doc_ids())
    for pid in segmented.all_ids()[::90]:
        top = bulk.top_documents(searcher, _key_terms(segmented, pid), 50)
        assert top and {docnum for _, docnum in top} <= live


def test_related_uses_it_and_falls_back_for_other_scoring(segmented: Library,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pid = segmented.all_ids()[42]
    fast = segmented.related(pid, limit=8)
    assert len(fast) == 8 and pid not in {hit.pid for hit in fast}

    def refuse(*args: object, **kwargs: object) -> None:
        raise bulk.UnsupportedScoring("test")

    monkeypatch.setattr("desktop_app.search.engine.top_documents", refuse)
    slow = segmented.related(pid, limit=8)
    assert [hit.pid for hit in slow] == [hit.pid for hit in fast]
    assert [hit.score for hit in slow] == pytest.approx([hit.score for hit in fast], rel=1e-9)


def test_every_hit_of_a_plain_word_search_ranks_as_whoosh_ranks_it(segmented: Library) -> None:
    ids = segmented.all_ids()
    segmented.add_tags(ids[::7], ["learning"])  # the tag side set joins the union for "learning"
    searcher = segmented.index.papers.searcher()
    pid_of = segmented.index.papers.docnums.pid_lookup(searcher)
    for text in ("learning", "network", "adversarial", "title:graph", "gan~"):
        compiled = segmented.compile(text)
        assert engine_module._flat_union(compiled.query) is not None, text
        ours = segmented.engine.search(compiled, None).hits
        theirs = searcher.search(compiled.query, limit=None, terms=False).top_n
        assert [hit.pid for hit in ours] == [pid_of(docnum) for _, docnum in theirs], text
        assert [hit.score for hit in ours] == pytest.approx([score for score, _ in theirs], rel=1e-9)
        assert len(ours) > 5, text
    assert engine_module._flat_union(segmented.compile("network AND graph").query) is None
    assert engine_module._flat_union(segmented.compile('"neural network"').query) is None
