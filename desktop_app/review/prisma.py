"""PRISMA 2020 flow counts as a pure function of a review's sources, records and decisions.

The numbers are never typed in: identification comes from the remembered record sources,
screening and eligibility from the standing verdicts (``agreement.standings``).  A
title/abstract *maybe* goes on to full text, as reviewers do with records they cannot
judge from the abstract.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from desktop_app.domain.screening import Decision, ReviewSource, Stage, Verdict
from desktop_app.review.agreement import standings

NOT_RETRIEVED_REASON = "Full text not available"
"""A full-text exclusion with this reason counts as a report not retrieved, not as assessed."""


@dataclass(frozen=True)
class PrismaCounts:
    identified: list[tuple[str, int]]
    duplicates_removed: int
    records_screened: int
    records_excluded: int
    awaiting_screening: int
    reports_sought: int
    reports_not_retrieved: int
    reports_assessed: int
    reports_excluded: list[tuple[str, int]] = field(default_factory=list)
    awaiting_assessment: int = 0
    studies_included: int = 0

    @property
    def identified_total(self) -> int:
        return sum(n for _, n in self.identified)

    @property
    def reports_excluded_total(self) -> int:
        return sum(n for _, n in self.reports_excluded)

    def as_dict(self) -> dict[str, object]:
        return {
            "identified": [{"source": s, "records": n} for s, n in self.identified],
            "identified_total": self.identified_total,
            "duplicates_removed": self.duplicates_removed,
            "records_screened": self.records_screened,
            "records_excluded": self.records_excluded,
            "awaiting_screening": self.awaiting_screening,
            "reports_sought": self.reports_sought,
            "reports_not_retrieved": self.reports_not_retrieved,
            "reports_assessed": self.reports_assessed,
            "reports_excluded": [{"reason": r, "reports": n} for r, n in self.reports_excluded],
            "reports_excluded_total": self.reports_excluded_total,
            "awaiting_assessment": self.awaiting_assessment,
            "studies_included": self.studies_included,
        }


def prisma_counts(sources: Sequence[ReviewSource], record_ids: Iterable[int],
                  decisions: Iterable[Decision]) -> PrismaCounts:
    """The PRISMA 2020 boxes for a review whose records are ``record_ids``."""
    records = set(record_ids)
    standing = {key: s for key, s in standings(decisions).items() if key[0] in records}

    def verdict(paper_id: int, stage: Stage) -> Verdict | None:
        s = standing.get((paper_id, stage))
        return s.verdict if s is not None else None

    screened = excluded = 0
    to_full_text: list[int] = []
    for paper_id in records:
        ta = verdict(paper_id, Stage.TITLE_ABSTRACT)
        if ta is None:
            continue
        screened += 1
        if ta is Verdict.EXCLUDE:
            excluded += 1
        else:
            to_full_text.append(paper_id)

    not_retrieved = 0
    reasons: Counter[str] = Counter()
    included = awaiting_assessment = 0
    for paper_id in to_full_text:
        ft = verdict(paper_id, Stage.FULL_TEXT)
        if ft is Verdict.INCLUDE:
            included += 1
        elif ft is Verdict.EXCLUDE:
            reason = standing[(paper_id, Stage.FULL_TEXT)].reason or "No reason given"
            if reason == NOT_RETRIEVED_REASON:
                not_retrieved += 1
            else:
                reasons[reason] += 1
        else:
            awaiting_assessment += 1

    return PrismaCounts(
        identified=[(s.label, s.records) for s in sources],
        duplicates_removed=sum(s.duplicates for s in sources),
        records_screened=screened,
        records_excluded=excluded,
        awaiting_screening=len(records) - screened,
        reports_sought=len(to_full_text),
        reports_not_retrieved=not_retrieved,
        reports_assessed=len(to_full_text) - not_retrieved,
        reports_excluded=sorted(reasons.items(), key=lambda item: (-item[1], item[0])),
        awaiting_assessment=awaiting_assessment,
        studies_included=included,
    )
