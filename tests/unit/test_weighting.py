"""The paper index's field-weighted BM25F scores like a query-time boost, without wrapping matchers."""

from __future__ import annotations

from whoosh import query as wq
from whoosh.fields import TEXT, Schema
from whoosh.filedb.filestore import RamStorage
from whoosh.matching import WrappingMatcher
from whoosh.scoring import BM25F

from desktop_app.search.weighting import FieldWeightedBM25F


def _index():  # type: ignore[no-untyped-def]
    ix = RamStorage().create_index(Schema(title=TEXT, abstract=TEXT))
    with ix.writer() as writer:
        writer.add_document(title="pruning transformers", abstract="we prune heads of transformers")
        writer.add_document(title="graph networks", abstract="pruning graphs and pruning edges")
        writer.add_document(title="other things", abstract="nothing about it at all")
    return ix


def test_a_field_weight_scores_as_a_query_boost_would() -> None:
    ix = _index()
    weighted = ix.searcher(weighting=FieldWeightedBM25F({"title": 2.5}))
    plain = ix.searcher(weighting=BM25F())
    query = wq.Or([wq.Term("title", "pruning"), wq.Term("abstract", "pruning")])
    boosted = wq.Or([wq.Term("title", "pruning", boost=2.5), wq.Term("abstract", "pruning")])
    got = {hit.docnum: hit.score for hit in weighted.search(query)}
    expected = {hit.docnum: hit.score for hit in plain.search(boosted)}
    assert got.keys() == expected.keys() == {0, 1}
    for docnum, score in expected.items():
        assert abs(got[docnum] - score) < 1e-9
    assert got[0] > got[1]  # the title match wins, as the weight says


def test_the_weight_needs_no_wrapping_matcher() -> None:
    ix = _index()
    searcher = ix.searcher(weighting=FieldWeightedBM25F({"title": 2.5}))
    matcher = wq.Term("title", "pruning").matcher(searcher)
    assert not isinstance(matcher, WrappingMatcher)
    assert matcher.supports_block_quality()
    assert abs(matcher.score() - 2.5 * wq.Term("title", "pruning").matcher(ix.searcher()).score()) < 1e-9
