"""Who decided what: the standing verdict per record, conflicts between reviewers, Cohen's kappa.

Decisions are append-only; a reviewer's latest decision on a record at a stage counts.
An arbiter's ruling (a decision marked ``final``) settles a record whatever the reviewers said.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from desktop_app.domain.screening import Decision, Stage, Verdict


def latest_per_reviewer(decisions: Iterable[Decision]) -> dict[tuple[int, Stage, str], Decision]:
    """The vote that counts for each (record, stage, reviewer): the latest one (rulings left out)."""
    latest: dict[tuple[int, Stage, str], Decision] = {}
    for decision in sorted(decisions, key=lambda d: (d.decided, d.id or 0)):
        if not decision.final:
            latest[(decision.paper_id, decision.stage, decision.reviewer)] = decision
    return latest


@dataclass(frozen=True)
class Standing:
    """Where one record stands at one stage."""

    paper_id: int
    stage: Stage
    verdicts: dict[str, Decision]
    final: Decision | None = None

    @property
    def conflict(self) -> bool:
        """Reviewers disagree and no arbiter has settled it."""
        return self.final is None and len({d.verdict for d in self.verdicts.values()}) > 1

    @property
    def verdict(self) -> Verdict | None:
        """The settled verdict, or None while undecided or in conflict."""
        if self.final is not None:
            return self.final.verdict
        kinds = {d.verdict for d in self.verdicts.values()}
        return next(iter(kinds)) if len(kinds) == 1 else None

    @property
    def reason(self) -> str:
        """The exclusion reason that stands (the arbiter's, else the most common one)."""
        if self.final is not None:
            return self.final.reason
        reasons = Counter(d.reason for d in self.verdicts.values() if d.reason)
        return reasons.most_common(1)[0][0] if reasons else ""


def standings(decisions: Iterable[Decision]) -> dict[tuple[int, Stage], Standing]:
    """Each decided (record, stage) with its reviewers' latest votes and the latest ruling, if any."""
    decisions = sorted(decisions, key=lambda d: (d.decided, d.id or 0))
    votes: dict[tuple[int, Stage], dict[str, Decision]] = {}
    rulings = {(d.paper_id, d.stage): d for d in decisions if d.final}
    for (paper_id, stage, reviewer), decision in latest_per_reviewer(decisions).items():
        votes.setdefault((paper_id, stage), {})[reviewer] = decision
    keys = set(votes) | set(rulings)
    return {key: Standing(key[0], key[1], votes.get(key, {}), rulings.get(key)) for key in keys}


def conflicts(decisions: Iterable[Decision]) -> list[Standing]:
    """Records where the reviewers disagree and no arbiter has ruled, by stage then record."""
    found = [s for s in standings(decisions).values() if s.conflict]
    return sorted(found, key=lambda s: (s.stage != Stage.TITLE_ABSTRACT, s.paper_id))


def cohen_kappa(first: Sequence[str], second: Sequence[str]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items; None when it is undefined."""
    if len(first) != len(second):
        raise ValueError("both raters must label the same items")
    total = len(first)
    if total == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / total
    counts_a, counts_b = Counter(first), Counter(second)
    expected = sum(counts_a[label] * counts_b[label] for label in counts_a) / (total * total)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else None
    return (observed - expected) / (1.0 - expected)


@dataclass(frozen=True)
class PairAgreement:
    first: str
    second: str
    records: int
    agreed: int
    kappa: float | None


def agreement(decisions: Iterable[Decision], stage: Stage) -> list[PairAgreement]:
    """Kappa for every pair of reviewers over the records both decided at ``stage``."""
    by_reviewer: dict[str, dict[int, Verdict]] = {}
    for (paper_id, decision_stage, reviewer), decision in latest_per_reviewer(decisions).items():
        if decision_stage == stage:
            by_reviewer.setdefault(reviewer, {})[paper_id] = decision.verdict
    pairs = []
    for first, second in combinations(sorted(by_reviewer), 2):
        shared = sorted(set(by_reviewer[first]) & set(by_reviewer[second]))
        a = [by_reviewer[first][p].value for p in shared]
        b = [by_reviewer[second][p].value for p in shared]
        pairs.append(PairAgreement(first, second, len(shared), sum(x == y for x, y in zip(a, b, strict=True)),
                                   cohen_kappa(a, b)))
    return pairs
