"""Sets of papers decided outside the index (by SQLite or the notes index) as Whoosh queries.

Tags, lists, status, year and notes change often; re-indexing a paper for each
change would cost a delete and a commit (over a second at 100k papers).  So the
query compiler asks SQLite which papers carry ``tag:ml`` and wraps that id set
in an ``IdSetQuery``, which Whoosh combines with text queries like any other
leaf.  ``DocnumMap`` translates paper ids to the document numbers of each
index segment, cached per segment and deletion state.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.query import Query
from whoosh.reading import IndexReader
from whoosh.searching import Searcher

from desktop_app.search.blocks import term_blocks


@dataclass
class SegmentIds:
    """For one segment: its docnums' paper ids (-1 where deleted) and the reverse map."""

    pid_of: list[int]
    docnum_of: dict[int, int] = field(default_factory=dict)


class DocnumMap:
    """Paper id <-> document number per segment, computed once per segment state."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], SegmentIds] = {}
        self._lock = threading.Lock()

    def segment(self, reader: IndexReader) -> SegmentIds:
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:  # an empty index has no segments
            return SegmentIds([])
        key = (segment.segment_id(), reader.doc_count())
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        column = reader.column_reader("pid")
        deleted = reader.is_deleted if reader.has_deletions() else None
        pid_of = [
            -1 if deleted is not None and deleted(d) else int(column[d])
            for d in range(reader.doc_count_all())
        ]
        ids = SegmentIds(pid_of, {pid: d for d, pid in enumerate(pid_of) if pid >= 0})
        with self._lock:
            live = {k for k in self._cache if k[0] != key[0]}
            self._cache = {k: v for k, v in self._cache.items() if k in live}
            self._cache[key] = ids
        return ids

    def leaves(self, searcher: Searcher) -> list[tuple[SegmentIds, int]]:
        return [(self.segment(s.reader()), offset) for s, offset in searcher.leaf_searchers()]

    def pids(self, searcher: Searcher) -> Iterator[int]:
        for ids, _ in self.leaves(searcher):
            yield from (p for p in ids.pid_of if p >= 0)

    def pid_lookup(self, searcher: Searcher) -> Callable[[int], int]:
        """A function from the searcher's (global) docnums to paper ids."""
        leaves = self.leaves(searcher)
        offsets = [offset for _, offset in leaves]

        def pid_of(docnum: int) -> int:
            ids, offset = leaves[bisect_right(offsets, docnum) - 1]
            return ids.pid_of[docnum - offset]

        return pid_of

    def docnum_for_pid(self, searcher: Searcher, pid: int) -> int | None:
        for ids, offset in self.leaves(searcher):
            local = ids.docnum_of.get(pid)
            if local is not None:
                return offset + local
        return None


class _SortedIdsMatcher(ListMatcher):
    """A constant-score matcher over sorted docnums, skipping by bisection."""

    def __init__(self, ids: list[int], score: float) -> None:
        super().__init__(ids, all_weights=score)
        self._i: int = 0
        self._constant = score

    def skip_to(self, id: int) -> None:
        if self._i < len(self._ids) and id > self._ids[self._i]:
            self._i = bisect_left(self._ids, id, self._i)

    def copy(self) -> _SortedIdsMatcher:
        clone = _SortedIdsMatcher(self._ids, self._constant)
        clone._i = self._i
        return clone

    # Every document scores the same, so the whole list is one block of that quality:
    # a top-N search can drop it once the cut-off rises above the constant.
    def supports_block_quality(self) -> bool:
        return True

    def max_quality(self) -> float:
        return self._constant

    def block_quality(self) -> float:
        return self._constant

    def skip_to_quality(self, minquality: float) -> int:
        if self._constant > minquality:
            return 0
        skipped = len(self._ids) - self._i
        self._i = len(self._ids)
        return skipped

    def replace(self, minquality: float = 0) -> Matcher:
        if not self.is_active() or (minquality and self._constant < minquality):
            return NullMatcher()
        return self

    def score(self) -> float:
        return self._constant


class _WeightedIdsMatcher(_SortedIdsMatcher):
    """Sorted docnums with a score each, in blocks whose best score lets a top-N search skip them."""

    BLOCK = 64

    def __init__(self, ids: list[int], scores: list[float], block_best: list[float] | None = None) -> None:
        super().__init__(ids, max(scores))
        self._scores = scores
        block = self.BLOCK
        self._block_best = block_best or [max(scores[i:i + block]) for i in range(0, len(scores), block)]

    def copy(self) -> _WeightedIdsMatcher:
        clone = _WeightedIdsMatcher(self._ids, self._scores, self._block_best)
        clone._i = self._i
        return clone

    def score(self) -> float:
        return self._scores[self._i]

    def block_quality(self) -> float:
        return self._block_best[self._i // self.BLOCK]

    def skip_to_quality(self, minquality: float) -> int:
        skipped = 0
        count, block = len(self._ids), self.BLOCK
        while self._i < count and self._block_best[self._i // block] <= minquality:
            self._i = min(count, (self._i // block + 1) * block)
            skipped += 1
        return skipped


class IdSetQuery(Query):
    """Matches the papers in ``pids`` (constant score); ``label`` is the query text it came from."""

    def __init__(self, pids: frozenset[int], docnums: DocnumMap, label: str, boost: float = 1.0):
        self.pids = pids
        self.docnums = docnums
        self.label = label
        self.boost = boost

    def __repr__(self) -> str:
        return f"IdSetQuery({self.label!r}, {len(self.pids)} papers)"

    def __unicode__(self) -> str:
        return self.label

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdSetQuery) and other.pids == self.pids and other.boost == self.boost

    def __hash__(self) -> int:
        return hash((IdSetQuery, self.pids, self.boost))

    def is_leaf(self) -> bool:
        return True

    def field(self) -> None:
        return None

    def estimate_size(self, ixreader: IndexReader) -> int:
        return len(self.pids)

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return len(self.pids)

    def docs(self, searcher: Searcher) -> Iterator[int]:
        return iter(self._docnums(searcher))

    def _docnums(self, searcher: Searcher) -> list[int]:
        ids = self.docnums.segment(searcher.reader())
        lookup = ids.docnum_of
        return sorted(d for d in map(lookup.get, self.pids) if d is not None)

    def matcher(self, searcher: Searcher, context: object = None) -> ListMatcher:
        if not self.pids:
            return NullMatcher()
        docnums = self._docnums(searcher)
        if not docnums:
            return NullMatcher()
        return _SortedIdsMatcher(docnums, self.boost)


class TermUnionQuery(Query):
    """Documents holding any of ``terms`` in ``field`` (prefix and wildcard hits).

    Scoring a union of dozens of expanded terms through Whoosh's matcher tree
    is what makes ``mult*`` slow.  This reads each term's postings once and
    scores a document by how often it uses the expansions (saturating like
    BM25's term frequency), times the field's boost: a paper about pruning
    ranks above one that mentions "pruned" once.
    """

    def __init__(self, field: str, terms: Sequence[str], boost: float = 1.0) -> None:
        self.fieldname = field
        self.terms_list = tuple(terms)
        self.boost = boost

    def __repr__(self) -> str:
        return f"TermUnionQuery({self.fieldname!r}, {len(self.terms_list)} terms)"

    def __unicode__(self) -> str:
        return f"{self.fieldname}:({' OR '.join(self.terms_list)})"

    __str__ = __unicode__

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, TermUnionQuery) and other.fieldname == self.fieldname
                and other.terms_list == self.terms_list and other.boost == self.boost)

    def __hash__(self) -> int:
        return hash((TermUnionQuery, self.fieldname, self.terms_list, self.boost))

    def is_leaf(self) -> bool:
        return True

    def field(self) -> str:
        return self.fieldname

    def has_terms(self) -> bool:
        return True

    def terms(self, phrases: bool = False) -> Iterator[tuple[str, str]]:
        for term in self.terms_list:
            yield self.fieldname, term

    def estimate_size(self, ixreader: IndexReader) -> int:
        return sum(ixreader.doc_frequency(self.fieldname, t) for t in self.terms_list)

    def estimate_min_size(self, ixreader: IndexReader) -> int:
        return max((ixreader.doc_frequency(self.fieldname, t) for t in self.terms_list), default=0)

    def _scores(self, searcher: Searcher) -> dict[int, float]:
        reader = searcher.reader()
        scores: dict[int, float] = {}
        get = scores.get
        for term in self.terms_list:
            if (self.fieldname, term) not in reader:
                continue
            for ids, frequencies in term_blocks(reader, self.fieldname, term):
                for docnum, frequency in zip(ids, frequencies, strict=True):
                    scores[docnum] = get(docnum, 0.0) + frequency / (frequency + 1.2)
        return scores

    def docs(self, searcher: Searcher) -> Iterator[int]:
        return iter(sorted(self._scores(searcher)))

    def matcher(self, searcher: Searcher, context: object = None) -> ListMatcher:
        scores = self._scores(searcher)
        if not scores:
            return NullMatcher()
        schema = searcher.schema
        field_boost = getattr(schema[self.fieldname].format, "field_boost", 1.0) if self.fieldname in schema else 1.0
        docnums = sorted(scores)
        scale = self.boost * field_boost
        return _WeightedIdsMatcher(docnums, [scores[d] * scale for d in docnums])
