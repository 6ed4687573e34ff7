"""The paper index's scoring: Whoosh's BM25F with each field's score times its weight (a title match counts 2.5x).

A query-time ``Term(boost=2.5)`` gives the same scores, but Whoosh wraps
that term's matcher in a ``WrappingMatcher``: one more Python call per
posting, which made single-word and two-word searches slower than raw
Whoosh at 100k papers.  Putting the weight into the scorer's idf scales
every score (and every block's maximum, so top-k block skipping still
works) with no wrapper.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from whoosh.scoring import BM25F, BM25FScorer


class FieldWeightedBM25F(BM25F):
    """BM25F whose scores in a field are multiplied by ``weights[field]`` (read at scoring time)."""

    def __init__(self, weights: Mapping[str, float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.weights = weights

    def field_weight(self, fieldname: str) -> float:
        return self.weights.get(fieldname, 1.0)

    def scorer(self, searcher: Any, fieldname: str, text: bytes, qf: int = 1) -> Any:
        scorer = super().scorer(searcher, fieldname, text, qf=qf)
        weight = self.field_weight(fieldname)
        if weight != 1.0 and isinstance(scorer, BM25FScorer):
            scorer.idf *= weight
        return scorer
