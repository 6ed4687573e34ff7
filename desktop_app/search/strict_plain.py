"""Strict plain-word search (every word, each in any of its fields) scored with numpy over whole posting arrays.

A query of one or two plain words (``model``, ``graph molecules``) is an
``And`` of one ``Or`` per word over title, abstract, keywords, authors and
id sets.  Whoosh walks that tree a posting at a time, several Python calls
each; for a word in half of 100k papers that cost more than the words are
worth.  Here each term's docnums and weights (``term_cache``) score every
posting at once with Whoosh's own BM25F formula and the terms' field
weights, so the scores, the order (ties to the lower docnum) and the count
are what Whoosh's unlimited search gives (its top-N search skips blocks and
can miss papers tied at the top).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from whoosh.reading import SegmentReader
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from desktop_app.search.bulk import UnsupportedScoring
from desktop_app.search.ranked import RankedWord, _length_array, best_first
from desktop_app.search.term_cache import term_arrays

if TYPE_CHECKING:
    import numpy as np

SPARSE_SHARE = 32  # fewer postings than 1/32 of the papers: score them without library-long arrays


def strict_top(searcher: Searcher, words: Sequence[RankedWord], limit: int | None
               ) -> tuple[list[tuple[float, int]], int]:
    """The best ``limit`` (all with None) papers having every word, as ``(score, docnum)``, and how many have them."""
    import numpy as np

    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        raise UnsupportedScoring(type(weighting).__name__)
    leaves = [(s, offset) for s, offset in searcher.leaf_searchers() if isinstance(s.reader(), SegmentReader)]
    k1 = weighting.K1
    parts: list[list[tuple[np.ndarray, np.ndarray | float]]] = []  # per word: (global docnums, their scores)
    for word in words:
        found_in: list[tuple[np.ndarray, np.ndarray | float]] = []
        for name, text, weight in word.terms:
            present = [(sub, offset) for sub, offset in leaves if (name, text) in sub.reader()]
            if not present:
                continue
            if not searcher.schema[name].scorable:
                raise UnsupportedScoring(f"{name} has no lengths")
            idf = searcher.idf(name, text) * weight  # the term's query boost (title 2.5), as Whoosh applies it
            avg = searcher.avg_field_length(name) or 1
            b = weighting._field_B.get(name, weighting.B)
            for sub, offset in present:
                reader = sub.reader()
                found = term_arrays(reader, name, text)
                if not found.ids:
                    continue
                ids = np.frombuffer(found.ids, dtype=np.int32)
                tf = np.frombuffer(found.weights, dtype=np.float32).astype(np.float64)
                lengths = _length_array(reader, name)[ids]
                found_in.append((ids + offset, idf * ((tf * (k1 + 1)) / (tf + k1 * ((1 - b) + b * lengths / avg)))))
        for docs_set in word.sets:
            for sub, offset in leaves:
                local = np.fromiter(docs_set.docs(sub), dtype=np.int64)
                if local.size:
                    found_in.append((local + offset, docs_set.boost))
        parts.append(found_in)
    big_n = searcher.doc_count_all()
    postings = sum(len(docnums) for found_in in parts for docnums, _ in found_in)
    if postings * SPARSE_SHARE < big_n:
        matching, scores = _sparse(parts)
    else:
        matching, scores = _dense(parts, big_n)
    return best_first(scores, matching, limit), int(matching.size)


def _dense(parts: list[list[tuple[np.ndarray, np.ndarray | float]]], big_n: int) -> tuple[np.ndarray, np.ndarray]:
    """Score and count in arrays over every docnum (words in thousands of papers)."""
    import numpy as np

    scores = np.zeros(big_n, dtype=np.float64)
    counts = np.zeros(big_n, dtype=np.int16)
    has = np.zeros(big_n, dtype=bool)
    for found_in in parts:
        has[:] = False
        for docnums, score in found_in:
            scores[docnums] += score
            has[docnums] = True
        counts += has
    matching = np.flatnonzero(counts == len(parts))
    return matching, scores[matching]


def _sparse(parts: list[list[tuple[np.ndarray, np.ndarray | float]]]) -> tuple[np.ndarray, np.ndarray]:
    """The same over the few docnums the words hold (rare words: no array as long as the library)."""
    import numpy as np

    matching: np.ndarray | None = None
    for found_in in parts:
        held = np.unique(np.concatenate([d for d, _ in found_in])) if found_in else np.zeros(0, dtype=np.int64)
        matching = held if matching is None else np.intersect1d(matching, held, assume_unique=True)
    if matching is None or not matching.size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
    scores = np.zeros(matching.size, dtype=np.float64)
    last = matching.size - 1
    for found_in in parts:
        for docnums, score in found_in:
            at = np.minimum(np.searchsorted(matching, docnums), last)
            hit = matching[at] == docnums
            scores[at[hit]] += score[hit] if isinstance(score, np.ndarray) else score
    return matching, scores
