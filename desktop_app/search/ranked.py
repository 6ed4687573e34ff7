"""Ranked matching for plain words: papers with all the words first, then those with most of them.

A plain query (a pasted title, a sentence, a claim) must not come back empty
because one word is missing from the paper.  Each query word is a bag of
(field, term, weight) postings plus id sets (tags, notes, identifiers); a
paper *has* a word when any of them holds it.  Ranking, in order:

1. papers that have every word (as strict matching would give);
2. then, when some words are missing everywhere or from every paper, papers
   with most of them (more than half, or any word when no paper has all).

Within a tier the score is a BM25 sum over fields (per-field idf with the
Robertson-Sparck Jones form, which goes to ~0 for words in most papers, so
"we propose" weighs nothing) times ``(matched / words) ** COORDINATION``.

Work is bounded: how many words each paper has is counted in a numpy array
over each term's docnums; BM25 is computed only for the candidates that can
reach the requested number of results (the papers with the most words),
each looked up by ``searchsorted`` in the term's docnums.  The docnums and
weights of frequent terms are kept across searches (``term_cache.py``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from desktop_app.search.bulk import _field_lengths
from desktop_app.search.term_cache import TermArrays, term_arrays

if TYPE_CHECKING:
    import numpy as np

WeightedTerm = tuple[str, str, float]


class DocSet(Protocol):
    """A side-field leaf (``IdSetQuery``): the segment's documents it holds."""

    boost: float

    def docs(self, searcher: Searcher) -> Iterable[int]: ...


@dataclass(frozen=True)
class Params:
    """The ranking's knobs (chosen with ``tests/benchmarks/eval_search.py``)."""

    k1: float = 1.2
    b: float = 0.75
    coordination: float = 2.0
    set_score: float = 1.0  # a tag, note or identifier holding the word
    candidates: int = 400  # at least this many papers are scored for the partial tier


PARAMS = Params()
PARTIAL_LIMIT = 200  # papers shown below the all-words tier (or instead of it)


@dataclass(frozen=True)
class RankedWord:
    label: str
    terms: tuple[WeightedTerm, ...]
    sets: tuple[Any, ...] = ()


@dataclass
class RankedOutcome:
    hits: list[tuple[float, int]]  # (score, docnum), best first
    total: int
    all_count: int
    words: int
    partial: bool = False  # papers without every word are in the hits


def rank(searcher: Searcher, words: Sequence[RankedWord], extra: Sequence[WeightedTerm] = (),
         limit: int | None = None, params: Params | None = None) -> RankedOutcome:
    """The best papers for ``words`` (``extra`` terms add to the score only: stop words in titles)."""
    import numpy as np  # here, not at start-up: only ranked searches need it (~0.1 s to import)

    p = params or PARAMS
    leaves = [(s, offset) for s, offset in searcher.leaf_searchers() if isinstance(s.reader(), SegmentReader)]
    n = len(words)
    big_n = searcher.doc_count_all()
    postings: dict[tuple[int, str, str], TermArrays] = {}
    counts = _word_counts(words, leaves, postings, big_n)  # per docnum: how many of the words it has
    everywhere_at = np.flatnonzero(counts == n)
    want = limit if limit is not None else PARTIAL_LIMIT
    if everywhere_at.size:
        pool_at = np.flatnonzero((counts >= n // 2 + 1) & (counts < n))
    else:
        pool_at = np.flatnonzero(counts)
    if limit is not None and everywhere_at.size >= limit:
        chosen_at = pool_at[:0]  # the first tier fills the page
    else:
        chosen_at = _most_words(pool_at, counts, max(want * 4, p.candidates))
    candidates = np.union1d(everywhere_at, chosen_at)  # sorted docnums; the chosen ones lack a word
    scores = np.zeros(candidates.size, dtype=np.float64)
    for word in words:
        for name, text, weight in word.terms:
            _add_bm25(searcher, leaves, postings, name, text, weight, big_n, p, candidates, scores)
        for docs_set in word.sets:
            _add_set(docs_set, leaves, p.set_score * docs_set.boost, candidates, scores)
    if extra:
        _docs_of(RankedWord("", tuple(extra)), leaves, postings)
    for name, text, weight in extra:
        _add_bm25(searcher, leaves, postings, name, text, weight, big_n, p, candidates, scores)
    in_all = counts[candidates] == n
    top_all = best_first(scores[in_all], candidates[in_all], limit)
    rest = None if limit is None else max(limit - len(top_all), 0)
    partial_cap = PARTIAL_LIMIT if rest is None else min(rest, PARTIAL_LIMIT)
    lacking = ~in_all
    coordination = (counts[candidates[lacking]] / n) ** p.coordination
    partial = best_first(scores[lacking] * coordination, candidates[lacking], partial_cap)
    hits = top_all + partial
    total = int(everywhere_at.size) + min(int(pool_at.size), PARTIAL_LIMIT)
    return RankedOutcome(hits, total, int(everywhere_at.size), n, partial=bool(partial))


def _word_postings(word: RankedWord, leaves: Sequence[tuple[Searcher, int]],
                   postings: dict[tuple[int, str, str], TermArrays]) -> Iterator[tuple[TermArrays, int]]:
    """Each posting list of ``word``'s terms in each segment, with the segment's docnum offset;
    the lists read are kept in ``postings`` so that a word shared by two steps is read once."""
    for leaf, (sub, offset) in enumerate(leaves):
        reader = sub.reader()
        for name, text, _ in word.terms:
            if (name, text) not in reader:
                continue
            found = postings.get((leaf, name, text))
            if found is None:
                found = postings[(leaf, name, text)] = term_arrays(reader, name, text)
            yield found, offset


def _docs_of(word: RankedWord, leaves: Sequence[tuple[Searcher, int]], postings: dict[tuple[int, str, str], TermArrays]
             ) -> set[int]:
    """The papers that have ``word`` in any field (global docnums); the postings read are kept in ``postings``."""
    docs: set[int] = set()
    for found, offset in _word_postings(word, leaves, postings):
        docs.update(found.ids if offset == 0 else map(offset.__add__, found.ids))
    for sub, offset in leaves:
        for docs_set in word.sets:
            docs.update(d + offset for d in docs_set.docs(sub))
    return docs


def _word_counts(words: Sequence[RankedWord], leaves: Sequence[tuple[Searcher, int]],
                 postings: dict[tuple[int, str, str], TermArrays], big_n: int) -> np.ndarray:
    """How many of ``words`` each paper has (by global docnum), the postings read kept in ``postings``."""
    import numpy as np

    counts = np.zeros(big_n, dtype=np.int16)
    has = np.zeros(big_n, dtype=bool)
    for word in words:
        has[:] = False
        for found, offset in _word_postings(word, leaves, postings):
            if found.ids:
                has[np.frombuffer(found.ids, dtype=np.int32) + offset] = True
        for sub, offset in leaves:
            for docs_set in word.sets:
                local = np.fromiter(docs_set.docs(sub), dtype=np.int64)
                if local.size:
                    has[local + offset] = True
        counts += has
    return counts


def _most_words(pool: np.ndarray, counts: np.ndarray, want: int) -> np.ndarray:
    """The docnums of ``pool`` with the most words: at least ``want`` of them (all ties at the cut)."""
    import numpy as np

    if len(pool) <= want:
        return pool
    have = counts[pool]
    per_count = np.bincount(have)
    taken = np.cumsum(per_count[::-1])  # papers with at least max, max - 1, ... words
    cut = len(per_count) - 1 - int(np.searchsorted(taken, want))
    return pool[have >= max(cut, 0)]


def _add_bm25(searcher: Searcher, leaves: Sequence[tuple[Searcher, int]],
              postings: dict[tuple[int, str, str], TermArrays], name: str, text: str, weight: float, big_n: int,
              p: Params, candidates: np.ndarray, scores: np.ndarray) -> None:
    """Add ``weight`` times the term's BM25 score to ``scores`` (aligned with the sorted ``candidates``).

    Each candidate is looked up in the term's sorted docnums by bisection
    (``searchsorted``), so a word in half the library costs what its
    candidates cost, not what its postings do.
    """
    import numpy as np

    df = searcher.doc_frequency(name, text)
    if not df or not candidates.size:
        return
    idf = math.log(1.0 + (big_n - df + 0.5) / (df + 0.5)) * weight
    avg = searcher.avg_field_length(name) or 1.0
    k1, b = p.k1, p.b
    norm_a, norm_b = k1 * (1 - b), k1 * b / avg
    top = k1 + 1
    for leaf, (sub, offset) in enumerate(leaves):
        found = postings.get((leaf, name, text))
        if found is None or not found.ids:
            continue
        start, stop = np.searchsorted(candidates, (offset, offset + sub.doc_count_all()))
        if start == stop:
            continue
        wanted = candidates[start:stop] - offset
        ids = np.frombuffer(found.ids, dtype=np.int32)
        at = np.minimum(np.searchsorted(ids, wanted), ids.size - 1)
        hit = ids[at] == wanted
        if not hit.any():
            continue
        tf = np.frombuffer(found.weights, dtype=np.float32)[at[hit]].astype(np.float64)
        lengths = _length_array(sub.reader(), name)[wanted[hit]]
        scores[start:stop][hit] += idf * tf * top / (tf + norm_a + norm_b * lengths)


def _add_set(docs_set: DocSet, leaves: Sequence[tuple[Searcher, int]], score: float, candidates: np.ndarray,
             scores: np.ndarray) -> None:
    import numpy as np

    for sub, offset in leaves:
        held = np.fromiter(docs_set.docs(sub), dtype=np.int64) + offset
        if held.size:
            scores[np.isin(candidates, held)] += score


def best_first(scores: np.ndarray, docnums: np.ndarray, limit: int | None) -> list[tuple[float, int]]:
    """``(score, docnum)`` best first, ties to the lower docnum (``docnums`` ascending), at most ``limit``."""
    import numpy as np

    if limit is not None and scores.size > limit:
        if limit <= 0:
            return []
        cut = np.partition(scores, scores.size - limit)[scores.size - limit]
        above = np.flatnonzero(scores > cut)
        level = np.flatnonzero(scores == cut)[: limit - above.size]
        keep = np.concatenate((above, level))
        scores, docnums = scores[keep], docnums[keep]
    order = np.lexsort((docnums, -scores))
    return list(zip(scores[order].tolist(), docnums[order].tolist(), strict=True))


_lengths: dict[tuple[str, str], Any] = {}
_CACHED_SEGMENTS = 64


def _length_array(reader: SegmentReader, field: str) -> np.ndarray:
    """The segment's field lengths (as Whoosh's scorer sees them) as a numpy array, kept per segment."""
    import numpy as np

    key = (reader.segment().segment_id(), field)
    lengths = _lengths.get(key)
    if lengths is None:
        lengths = np.asarray(_field_lengths(reader, field), dtype=np.float64)
        if len(_lengths) >= _CACHED_SEGMENTS:
            _lengths.pop(next(iter(_lengths)))
        _lengths[key] = lengths
    return lengths
