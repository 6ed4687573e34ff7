"""BM25F over whole posting blocks: the best documents for a weighted bag of terms, without a matcher tree.

Related papers look up six key terms in two fields: twelve posting lists
that Whoosh marches in step through a union tree, several Python calls per
posting and tree level.  ``top_documents`` reads each list a block at a time,
adds up the same BM25F scores in a dict (a segment's field lengths are read
once and kept: segments never change) and keeps the best.  The scores are
Whoosh's (a test compares them); only the order of the additions differs.
A plain-word search that wants every hit (the window's table) goes the same
way: Whoosh's collector took ~2.3 us a hit through the matcher tree.
"""

from __future__ import annotations

import heapq
from collections.abc import Collection, Iterable, Sequence
from typing import Protocol

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher
from whoosh.util.numeric import byte_to_length

from desktop_app.search.blocks import term_blocks

WeightedTerm = tuple[str, str, float]  # field, term, query boost

_LENGTH_OF_BYTE = [float(byte_to_length(b)) for b in range(256)]
_CACHED_SEGMENTS = 64
_lengths_cache: dict[tuple[str, str], list[float]] = {}


class UnsupportedScoring(RuntimeError):
    """The searcher does not score with BM25F: use Whoosh's own matchers."""


class ConstantScoreSet(Protocol):
    """A leaf that scores each document it holds with ``boost`` (``IdSetQuery``: a tag, a list)."""

    boost: float

    def docs(self, searcher: Searcher) -> Iterable[int]: ...


def top_documents(searcher: Searcher, terms: Sequence[WeightedTerm], limit: int | None,
                  exclude: Collection[int] = (), sets: Sequence[ConstantScoreSet] = ()) -> list[tuple[float, int]]:
    """The ``limit`` best ``(score, docnum)`` (all with ``None``), best first; ties go to the lower docnum.

    That is Whoosh's order, and the scores are what an ``Or`` of these terms
    (each ``Term(field, text, boost=boost)``) and ``sets`` gives.
    """
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        raise UnsupportedScoring(type(weighting).__name__)
    scores: dict[int, float] = {}
    for subsearcher, offset in searcher.leaf_searchers():
        reader = subsearcher.reader()
        if not isinstance(reader, SegmentReader):
            continue  # an empty index
        for field, text, boost in terms:
            if (field, text) not in reader:
                continue
            _add_scores(searcher, reader, weighting, field, text, boost, offset, scores)
        for leaf in sets:
            for docnum in leaf.docs(subsearcher):
                key = docnum + offset
                scores[key] = scores.get(key, 0.0) + leaf.boost
    for docnum in exclude:
        scores.pop(docnum, None)
    pairs = ((score, docnum) for docnum, score in scores.items())
    if limit is None:
        return sorted(pairs, key=lambda pair: (-pair[0], pair[1]))
    return heapq.nlargest(limit, pairs, key=lambda pair: (pair[0], -pair[1]))


def _add_scores(top: Searcher, reader: SegmentReader, weighting: BM25F, field: str, text: str,
                boost: float, offset: int, scores: dict[int, float]) -> None:
    """Add one term's BM25F score (``whoosh.scoring.bm25``, times the boost) for every posting."""
    idf = top.idf(field, text)
    avgfl = top.avg_field_length(field) or 1
    b = weighting._field_B.get(field, weighting.B)
    k1 = weighting.K1
    if not reader.schema[field].scorable:
        raise UnsupportedScoring(f"{field} has no lengths")
    lengths = _field_lengths(reader, field)
    get = scores.get
    for ids, weights in term_blocks(reader, field, text):
        for docnum, tf in zip(ids, weights, strict=True):
            score = idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths[docnum] / avgfl))) * boost
            key = docnum + offset
            scores[key] = get(key, 0.0) + score


def _field_lengths(reader: SegmentReader, field: str) -> list[float]:
    """Every document's length in ``field`` as Whoosh's scorer sees it (stored as one byte)."""
    key = (reader.segment().segment_id(), field)
    lengths = _lengths_cache.get(key)
    if lengths is None:
        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            lengths = [1.0] * reader.doc_count_all()
        else:
            lengths = [_LENGTH_OF_BYTE[byte] for byte in column]
        if len(_lengths_cache) >= _CACHED_SEGMENTS:
            _lengths_cache.pop(next(iter(_lengths_cache)))
        _lengths_cache[key] = lengths
    return lengths
