"""Phrase matching with plain position sets instead of Whoosh's span objects.

Whoosh checks a phrase by building a ``Span`` object for every position of
every word in every candidate document, and cannot skip low-scoring blocks;
checking consecutive positions with integer sets, and letting top-N
searches skip blocks by the words' score bounds, gives the same documents
and scores at a fraction of the cost.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from whoosh import matching
from whoosh import query as wq
from whoosh.matching import Matcher
from whoosh.searching import Searcher


class FastPhrase(wq.Phrase):
    """``wq.Phrase`` with the same meaning (ordered words, ``slop``), matched faster."""

    def matcher(self, searcher: Searcher, context: object = None) -> Matcher:
        fieldname = self.fieldname
        if fieldname not in searcher.schema:
            return matching.NullMatcher()
        field = searcher.schema[fieldname]
        if not field.format or not field.format.supports("positions"):
            raise wq.QueryError(f"Phrase search: {fieldname!r} field has no positions")
        reader = searcher.reader()
        words = []
        for word in self.words:
            try:
                encoded = field.to_bytes(word)
            except ValueError:
                return matching.NullMatcher()
            if (fieldname, encoded) not in reader:
                return matching.NullMatcher()
            words.append(encoded)
        leaves = [wq.Term(fieldname, w).matcher(searcher, context) for w in words]
        if len(leaves) == 1:
            child: Matcher = leaves[0]
        else:
            child = leaves[0]
            for leaf in leaves[1:]:
                child = matching.IntersectionMatcher(child, leaf)
        matcher = _PhraseMatcher(child, leaves, self.slop)
        if self.boost != 1.0:
            return matching.WrappingMatcher(matcher, boost=self.boost)
        return matcher


class _PhraseMatcher(matching.WrappingMatcher):
    """Passes the child's documents whose word positions form the phrase."""

    def __init__(self, child: Matcher, leaves: Sequence[Matcher], slop: int) -> None:
        super().__init__(child)
        self._leaves = list(leaves)
        self._slop = slop
        if self.is_active():
            self._find_next()

    def copy(self) -> _PhraseMatcher:
        # Copying the tree would leave our references pointing at the old leaves.
        raise NotImplementedError

    # A phrase scores what its words' intersection scores, so the child's block
    # qualities bound ours: top-N searches skip blocks that cannot make the cut
    # without checking a single position in them.

    def replace(self, minquality: float = 0) -> Matcher:
        if not self.is_active():
            return matching.NullMatcher()
        if minquality and self.supports_block_quality() and self.max_quality() < minquality:
            return matching.NullMatcher()
        return self

    def supports_block_quality(self) -> bool:
        return bool(self.child.supports_block_quality())

    def max_quality(self) -> float:
        return float(self.child.max_quality())

    def block_quality(self) -> float:
        return float(self.child.block_quality())

    def skip_to_quality(self, minquality: float) -> int:
        skipped = int(self.child.skip_to_quality(minquality))
        self._find_next()
        return skipped

    def _matches_here(self) -> bool:
        starts = set(self._leaves[0].value_as("positions"))
        if self._slop <= 1:
            for offset, leaf in enumerate(self._leaves[1:], start=1):
                starts &= {p - offset for p in leaf.value_as("positions")}
                if not starts:
                    return False
            return True
        ends = {p: p for p in starts}
        for leaf in self._leaves[1:]:
            positions = sorted(leaf.value_as("positions"))
            ends = {start: nxt for start, end in ends.items()
                    for nxt in positions if end < nxt <= end + self._slop}
            if not ends:
                return False
        return True

    def _find_next(self) -> bool:
        child = self.child
        moved = False
        while child.is_active() and not self._matches_here():
            moved = child.next() or moved
        return moved

    def next(self) -> bool:
        self.child.next()
        return self._find_next()

    def skip_to(self, id: int) -> bool:
        self.child.skip_to(id)
        return self._find_next()

    def all_ids(self) -> Iterator[int]:
        while self.is_active():
            yield self.id()
            self.next()
