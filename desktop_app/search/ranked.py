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

Work is bounded: word membership is counted with C-level set operations on
posting-block id arrays; BM25 is computed only for the candidates that can
reach the requested number of results (the papers with the most words),
each looked up by bisection in the term's docnums.  The docnums and
weights of frequent terms are kept across searches (``term_cache.py``).
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections.abc import Iterable, Sequence
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
    everywhere = set(everywhere_at.tolist())
    want = limit if limit is not None else PARTIAL_LIMIT
    if everywhere:
        pool_at = np.flatnonzero((counts >= n // 2 + 1) & (counts < n))
    else:
        pool_at = np.flatnonzero(counts)
    if limit is not None and len(everywhere) >= limit:
        chosen: set[int] = set()  # the first tier fills the page
    else:
        chosen = set(_most_words(pool_at, counts, max(want * 4, p.candidates)).tolist())
    candidates = everywhere | chosen
    scores = dict.fromkeys(candidates, 0.0)
    local = [(sub, offset, sorted(d - offset for d in candidates if offset <= d < offset + sub.doc_count_all()))
             for sub, offset in leaves]
    for word in words:
        for name, text, weight in word.terms:
            _add_bm25(searcher, local, postings, name, text, weight, big_n, p, scores)
        for docs_set in word.sets:
            _add_set(docs_set, leaves, p.set_score * docs_set.boost, scores)
    if extra:
        _docs_of(RankedWord("", tuple(extra)), leaves, postings)
    for name, text, weight in extra:
        _add_bm25(searcher, local, postings, name, text, weight, big_n, p, scores)
    top_all = _best(((scores[d], d) for d in everywhere), limit)
    rest = None if limit is None else max(limit - len(top_all), 0)
    partial_cap = PARTIAL_LIMIT if rest is None else min(rest, PARTIAL_LIMIT)
    have = counts.tolist() if len(chosen) > 4096 else None
    partial = _best(((scores[d] * ((have[d] if have else int(counts[d])) / n) ** p.coordination, d) for d in chosen),
                    partial_cap)
    hits = top_all + partial
    total = len(everywhere) + min(len(pool_at), PARTIAL_LIMIT)
    return RankedOutcome(hits, total, len(everywhere), n, partial=bool(partial))


def _docs_of(word: RankedWord, leaves: Sequence[tuple[Searcher, int]], postings: dict[tuple[int, str, str], TermArrays]
             ) -> set[int]:
    """The papers that have ``word`` in any field (global docnums); the postings read are kept in ``postings``."""
    docs: set[int] = set()
    for leaf, (sub, offset) in enumerate(leaves):
        reader = sub.reader()
        for name, text, _ in word.terms:
            if (name, text) not in reader:
                continue
            found = postings.get((leaf, name, text))
            if found is None:
                found = postings[(leaf, name, text)] = term_arrays(reader, name, text)
            docs.update(found.ids if offset == 0 else map(offset.__add__, found.ids))
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
        for leaf, (sub, offset) in enumerate(leaves):
            reader = sub.reader()
            for name, text, _ in word.terms:
                if (name, text) not in reader:
                    continue
                found = postings.get((leaf, name, text))
                if found is None:
                    found = postings[(leaf, name, text)] = term_arrays(reader, name, text)
                if found.ids:
                    has[np.frombuffer(found.ids, dtype=np.int32) + offset] = True
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


def _add_bm25(searcher: Searcher, leaves: Sequence[tuple[Searcher, int, list[int]]],
              postings: dict[tuple[int, str, str], TermArrays], name: str, text: str, weight: float, big_n: int,
              p: Params, scores: dict[int, float]) -> None:
    """Add ``weight`` times the term's BM25 score to every candidate (a key of ``scores``) that has it.

    Each leaf's candidates come sorted: each is looked up in the term's
    docnums by bisection, so a word in half the library costs what its
    candidates cost, not what its postings do.
    """
    df = searcher.doc_frequency(name, text)
    if not df or not scores:
        return
    idf = math.log(1.0 + (big_n - df + 0.5) / (df + 0.5)) * weight
    avg = searcher.avg_field_length(name) or 1.0
    k1, b = p.k1, p.b
    norm_a, norm_b = k1 * (1 - b), k1 * b / avg
    top = k1 + 1
    for leaf, (sub, offset, wanted) in enumerate(leaves):
        found = postings.get((leaf, name, text))
        if not wanted or found is None or not found.ids:
            continue
        ids, weights = found
        lengths = _field_lengths(sub.reader(), name)
        end = len(ids)
        at = 0
        for docnum in wanted:
            at = bisect_left(ids, docnum, at, end)
            if at == end:
                break
            if ids[at] == docnum:
                tf = weights[at]
                scores[docnum + offset] += idf * tf * top / (tf + norm_a + norm_b * lengths[docnum])


def _add_set(docs_set: DocSet, leaves: Sequence[tuple[Searcher, int]], score: float,
             scores: dict[int, float]) -> None:
    for sub, offset in leaves:
        for docnum in docs_set.docs(sub):
            key = docnum + offset
            if key in scores:
                scores[key] += score


def _best(pairs: Iterable[tuple[float, int]], limit: int | None) -> list[tuple[float, int]]:
    if limit is None:
        return sorted(pairs, key=lambda pair: (-pair[0], pair[1]))
    return heapq.nlargest(limit, pairs, key=lambda pair: (pair[0], -pair[1]))
