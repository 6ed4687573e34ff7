"""How good a screening order is: work saved over sampling, recall at a cut-off, records to a recall.

Definitions follow the screening corpus README: an order lists every record once, the
prior records first; ``n95`` is the number screened when the ``ceil(0.95 R)``-th relevant
record turns up.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def records_to_recall(labels_in_order: Sequence[int], share: float) -> int:
    """Records screened when ``ceil(share * R)`` relevant ones have been found (R = all relevant)."""
    relevant = sum(labels_in_order)
    if relevant == 0:
        raise ValueError("no relevant records: recall is undefined")
    wanted = math.ceil(share * relevant - 1e-9)
    found = 0
    for screened, label in enumerate(labels_in_order, 1):
        found += label
        if found >= wanted:
            return screened
    raise AssertionError("unreachable: every relevant record is in the order")


def wss(labels_in_order: Sequence[int], share: float) -> float:
    """Work saved over sampling at ``share`` recall, in percent."""
    total = len(labels_in_order)
    return 100.0 * ((total - records_to_recall(labels_in_order, share)) / total - (1.0 - share))


def recall_at(labels_in_order: Sequence[int], fraction: float) -> float:
    """Percent of the relevant records among the first ``floor(fraction * N)`` screened."""
    relevant = sum(labels_in_order)
    if relevant == 0:
        raise ValueError("no relevant records: recall is undefined")
    cut = math.floor(fraction * len(labels_in_order))
    return 100.0 * sum(labels_in_order[:cut]) / relevant


@dataclass(frozen=True)
class RunMetrics:
    wss95: float
    wss100: float
    recall10: float
    recall25: float
    records95: int
    records100: int

    @classmethod
    def of(cls, labels_in_order: Sequence[int]) -> RunMetrics:
        return cls(
            wss95=wss(labels_in_order, 0.95),
            wss100=wss(labels_in_order, 1.0),
            recall10=recall_at(labels_in_order, 0.10),
            recall25=recall_at(labels_in_order, 0.25),
            records95=records_to_recall(labels_in_order, 0.95),
            records100=records_to_recall(labels_in_order, 1.0),
        )

    def as_dict(self) -> dict[str, float]:
        return dict(self.__dict__)
