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
reach the requested number of results (the papers with the most words), and
a posting block with no candidate in it is skipped without reading its
weights.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from whoosh.reading import SegmentReader
from whoosh.searching import Searcher

from desktop_app.search.blocks import term_postings
from desktop_app.search.bulk import _field_lengths

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
    p = params or PARAMS
    leaves = [(s, offset) for s, offset in searcher.leaf_searchers() if isinstance(s.reader(), SegmentReader)]
    n = len(words)
    postings: dict[tuple[int, str, str], list[tuple[Sequence[int], Sequence[float]]]] = {}
    word_docs = [_docs_of(word, leaves, postings) for word in words]
    everywhere = set.intersection(*word_docs) if word_docs else set()
    counts: Counter[int] = Counter()
    for docs in word_docs:
        counts.update(docs)
    want = limit if limit is not None else PARTIAL_LIMIT
    if everywhere:
        most = n // 2 + 1
        pool = {d: c for d, c in counts.items() if most <= c < n}
    else:
        pool = dict(counts)
    if limit is not None and len(everywhere) >= limit:
        chosen: set[int] = set()  # the first tier fills the page
    else:
        chosen = _most_words(pool, max(want * 4, p.candidates))
    candidates = everywhere | chosen
    scores = dict.fromkeys(candidates, 0.0)
    big_n = searcher.doc_count_all()
    local = [(sub, offset, {d - offset for d in candidates if offset <= d < offset + sub.doc_count_all()})
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
    partial = _best(((scores[d] * (counts[d] / n) ** p.coordination, d) for d in chosen), partial_cap)
    hits = top_all + partial
    total = len(everywhere) + min(len(pool), PARTIAL_LIMIT)
    return RankedOutcome(hits, total, len(everywhere), n, partial=bool(partial))


def _docs_of(word: RankedWord, leaves: Sequence[tuple[Searcher, int]],
             postings: dict[tuple[int, str, str], list[tuple[Sequence[int], Sequence[float]]]]) -> set[int]:
    """The papers that have ``word`` in any field (global docnums); the postings read are kept in ``postings``."""
    docs: set[int] = set()
    for leaf, (sub, offset) in enumerate(leaves):
        reader = sub.reader()
        for name, text, _ in word.terms:
            if (name, text) not in reader:
                continue
            blocks = postings.get((leaf, name, text))
            if blocks is None:
                blocks = postings[(leaf, name, text)] = term_postings(reader, name, text)
            for ids, _ in blocks:
                docs.update(ids if offset == 0 else [d + offset for d in ids])
        for docs_set in word.sets:
            docs.update(d + offset for d in docs_set.docs(sub))
    return docs


def _most_words(pool: dict[int, int], want: int) -> set[int]:
    """The papers of ``pool`` with the most words: at least ``want`` of them (all ties at the cut)."""
    if len(pool) <= want:
        return set(pool)
    by_count: Counter[int] = Counter(pool.values())
    taken, cut = 0, 0
    for count in sorted(by_count, reverse=True):
        taken += by_count[count]
        cut = count
        if taken >= want:
            break
    return {d for d, c in pool.items() if c >= cut}


def _add_bm25(searcher: Searcher, leaves: Sequence[tuple[Searcher, int, set[int]]],
              postings: dict[tuple[int, str, str], list[tuple[Sequence[int], Sequence[float]]]], name: str,
              text: str, weight: float, big_n: int, p: Params, scores: dict[int, float]) -> None:
    """Add ``weight`` times the term's BM25 score to every candidate (a key of ``scores``) that has it.

    Blocks without a candidate are passed over with one set operation.
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
        blocks = postings.get((leaf, name, text))
        if not wanted or not blocks:
            continue
        lengths = _field_lengths(sub.reader(), name)
        for ids, weights in blocks:
            if wanted.isdisjoint(ids):
                continue
            for docnum, tf in zip(ids, weights, strict=True):
                if docnum in wanted:
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
