"""One reviewer screening one review: which record comes next, decisions, undo, progress.

The ranker's features are built once (``prepare``, slow for big reviews, so callers run
it off the GUI thread); ``retrain`` returns a fresh ranking from a snapshot of the
decisions and may run in the background while ``current`` keeps answering at once from
the last ranking.  In a blind review the ranker learns from this reviewer's decisions only.
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from desktop_app.domain.screening import Decision, Review, Stage, Verdict
from desktop_app.review import agreement
from desktop_app.review.ranker import Ranker, features_for, record_text
from desktop_app.review.stopping import Progress, progress

if TYPE_CHECKING:
    from desktop_app.core.library import Library


@dataclass(frozen=True)
class Snapshot:
    """The decisions a ranking was trained on (positions into the session's records)."""

    generation: int
    labelled: tuple[int, ...]
    labels: tuple[int, ...]


@dataclass(frozen=True)
class ScreeningRecord:
    paper_id: int
    title: str
    abstract: str


class ScreeningSession:
    """The state of a screening run; not thread-safe except ``retrain`` on a snapshot."""

    def __init__(self, library: Library, review_name: str, stage: Stage = Stage.TITLE_ABSTRACT,
                 reviewer: str | None = None, *, random_order: bool | None = None, seed: int = 0) -> None:
        self.library = library
        self.review: Review = library.reviews.get(review_name)
        self.stage = stage
        self.reviewer = library.reviews.who(reviewer)
        self.random_order = self.review.random_order if random_order is None else random_order
        texts = library.reviews.record_texts(self.review.name)
        if stage is Stage.FULL_TEXT:
            passed = self._passed_screening()
            texts = [t for t in texts if t[0] in passed]
        self.records = [ScreeningRecord(pid, title, abstract) for pid, title, abstract in texts]
        self._position = {r.paper_id: i for i, r in enumerate(self.records)}
        self._ranker: Ranker | None = None
        self._lock = threading.Lock()
        self.generation = 0
        self._adopted = -1
        self._pinned: int | None = None
        self.history: list[tuple[int, bool]] = []  # (position, relevant) in screening order
        self._seed = seed
        rng = random.Random(seed)
        self._ranking = list(range(len(self.records)))
        rng.shuffle(self._ranking)
        self._load_decisions()

    def _passed_screening(self) -> set[int]:
        standing = agreement.standings(self.library.reviews.decisions(self.review.name, self.reviewer))
        return {pid for (pid, stage), s in standing.items()
                if stage is Stage.TITLE_ABSTRACT and s.verdict in (Verdict.INCLUDE, Verdict.MAYBE)}

    def _load_decisions(self) -> None:
        mine = [d for d in self.library.reviews.decisions(self.review.name, self.reviewer)
                if d.reviewer == self.reviewer and d.stage is self.stage and not d.final]
        latest = {d.paper_id: d for d in mine}
        ordered = sorted(latest.values(), key=lambda d: d.id or 0)
        self.history = [(self._position[d.paper_id], d.verdict is not Verdict.EXCLUDE)
                        for d in ordered if d.paper_id in self._position]

    # -- the ranker ----------------------------------------------------------------------------------

    def prepare(self) -> None:
        """Build the ranker's features (seconds for thousands of records: call off the GUI thread)."""
        if self.random_order or self._ranker is not None:
            return
        features = features_for([record_text(r.title, r.abstract) for r in self.records])
        with self._lock:
            self._ranker = Ranker(len(self.records), features, seed=self._seed)

    @property
    def prepared(self) -> bool:
        return self.random_order or self._ranker is not None

    def snapshot(self) -> Snapshot:
        return Snapshot(self.generation, tuple(p for p, _ in self.history), tuple(int(r) for _, r in self.history))

    def retrain(self, snapshot: Snapshot) -> tuple[int, list[int]]:
        """A ranking of the records from ``snapshot``'s decisions (safe to run in a worker thread)."""
        with self._lock:
            ranker = self._ranker
        if ranker is None or self.random_order:
            return snapshot.generation, list(self._ranking)
        if not ranker.can_learn(snapshot.labels):
            return snapshot.generation, list(self._ranking)
        return snapshot.generation, ranker.ranking(snapshot.labelled, snapshot.labels)

    def apply_ranking(self, generation: int, ranking: list[int]) -> bool:
        """Adopt a ranking unless newer decisions have already outdated a newer one; True if taken."""
        if generation < self._adopted:
            return False
        self._ranking = ranking
        self._adopted = generation
        return True

    # -- screening --------------------------------------------------------------------------------------

    def _screened(self) -> set[int]:
        return {p for p, _ in self.history}

    def current(self) -> ScreeningRecord | None:
        """The record to screen now: the one on screen until decided, else the best-ranked undecided one.

        A ranking arriving while a record is shown never swaps it under the reviewer's eyes.
        """
        screened = self._screened()
        if self._pinned is not None and self._pinned not in screened:
            return self.records[self._pinned]
        self._pinned = next((p for p in self._ranking if p not in screened),
                            next((p for p in range(len(self.records)) if p not in screened), None))
        return None if self._pinned is None else self.records[self._pinned]

    def decide(self, verdict: Verdict | str, reason: str = "", note: str = "") -> Decision:
        record = self.current()
        if record is None:
            raise ValueError("every record is screened")
        decision = self.library.reviews.decide(self.review.name, record.paper_id, verdict, reason=reason,
                                               note=note, reviewer=self.reviewer, stage=self.stage)
        self.history.append((self._position[record.paper_id], decision.verdict is not Verdict.EXCLUDE))
        self.generation += 1
        return decision

    def undo(self) -> Decision | None:
        """Withdraw this reviewer's latest decision; its record comes back as the current one."""
        undone = self.library.reviews.undo(self.review.name, self.reviewer)
        if undone is None:
            return None
        self._load_decisions()
        position = self._position.get(undone.paper_id)
        if position is not None:
            self._pinned = position
        self.generation += 1
        return undone

    def progress(self) -> Progress:
        relevant = [r for _, r in self.history]
        return progress(relevant, len(self.records) - len(self.history), self.review.stop_after_irrelevant)
