"""When to stop screening: the run of irrelevant records since the last relevant one, and an
estimate of the relevant records still unseen at the current discovery rate."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

RECENT_WINDOW_MIN = 50
RECENT_WINDOW_SHARE = 0.10


@dataclass(frozen=True)
class Progress:
    screened: int
    remaining: int
    relevant_found: int
    since_last_relevant: int
    estimated_relevant_left: float
    stop_after: int = 0

    @property
    def stop_reached(self) -> bool:
        """The review's stopping rule (N irrelevant in a row) is met; 0 means no rule."""
        return self.stop_after > 0 and self.since_last_relevant >= self.stop_after


def progress(relevant_in_order: Sequence[bool], remaining: int, stop_after: int = 0) -> Progress:
    """Progress of a screening run given which screened records (in screening order) were relevant.

    The estimate assumes the records left are no richer than the most recent window
    (the larger of 50 records and a tenth of those screened); with a ranker putting likely
    records first, the true count is usually lower, so it errs on the side of screening on.
    """
    screened = len(relevant_in_order)
    found = sum(relevant_in_order)
    since = 0
    for relevant in reversed(relevant_in_order):
        if relevant:
            break
        since += 1
    window = max(RECENT_WINDOW_MIN, int(RECENT_WINDOW_SHARE * screened))
    recent = relevant_in_order[-window:]
    rate = (sum(recent) + 0.5) / (len(recent) + 1.0) if recent else 0.0
    return Progress(screened=screened, remaining=remaining, relevant_found=found,
                    since_last_relevant=since, estimated_relevant_left=round(rate * remaining, 1),
                    stop_after=stop_after)
