"""Whether a candidate record is the user's paper: apply it, propose it for review, or drop it.

A candidate is applied only when its normalised title matches closely (or it was
fetched by the paper's own identifier and its title agrees) and neither its
authors nor its year contradict what the paper already says.  Anything weaker is
a proposal; only near-noise (titles sharing under a third of their letters) is dropped.
A search service's top hit is never trusted for being first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

from desktop_app.domain.models import Author, Paper
from desktop_app.domain.text import fold_ascii

APPLY_SIMILARITY = 0.93  # case, punctuation, a plural or a typo; never a different subtitle
IDENTIFIER_TITLE_SIMILARITY = 0.8  # the same id may carry a retitled version
PROPOSE_FLOOR = 0.35
YEAR_SLACK = 1  # preprint in December, proceedings in the next year
_WORDS = re.compile(r"[a-z0-9]+")


class Action(StrEnum):
    APPLY = "apply"
    PROPOSE = "propose"
    REJECT = "reject"


@dataclass(frozen=True)
class Verdict:
    action: Action
    similarity: float
    reasons: tuple[str, ...] = ()

    def describe(self) -> str:
        text = f"title {self.similarity:.0%} similar"
        return text + ("; " + "; ".join(self.reasons) if self.reasons else "")


def normalised(title: str) -> str:
    """Lower case, accents folded, punctuation gone, words single-spaced."""
    return " ".join(_WORDS.findall(fold_ascii(title).lower()))


def title_similarity(a: str, b: str) -> float:
    left, right = normalised(a), normalised(b)
    if not left or not right:
        return 0.0
    if left == right:
        return 1.0
    return SequenceMatcher(None, left, right, autojunk=False).ratio()


def _surname_key(author: Author) -> str:
    return "".join(_WORDS.findall(fold_ascii(author.surname).lower()))


def contradictions(paper: Paper, candidate: Paper) -> list[str]:
    """What the candidate says against the paper: another first author, a distant year."""
    found = []
    if paper.year and candidate.year and abs(paper.year - candidate.year) > YEAR_SLACK:
        found.append(f"year {candidate.year}, not {paper.year}")
    if paper.authors and candidate.authors:
        theirs = {_surname_key(a) for a in candidate.authors}
        ours = _surname_key(paper.authors[0])
        if ours and ours not in theirs and not any(ours in t or t in ours for t in theirs if len(t) > 3):
            found.append(f"first author {paper.authors[0].surname} is not among its authors")
    return found


def judge(paper: Paper, candidate: Paper, *, by_identifier: bool = False) -> Verdict:
    """Apply, propose or reject ``candidate`` as ``paper``'s record.

    ``by_identifier``: the candidate was fetched by an arXiv id or DOI the paper
    already had, so an empty title on the paper is no reason to doubt it.
    """
    if by_identifier and not paper.title:
        similarity = 1.0
    else:
        similarity = title_similarity(paper.title, candidate.title)
    reasons = contradictions(paper, candidate)
    needed = IDENTIFIER_TITLE_SIMILARITY if by_identifier else APPLY_SIMILARITY
    if similarity >= needed and not reasons:
        return Verdict(Action.APPLY, similarity)
    if similarity < needed:
        reasons.insert(0, "the title differs")
    if similarity < PROPOSE_FLOOR and not by_identifier:
        return Verdict(Action.REJECT, similarity, tuple(reasons))
    return Verdict(Action.PROPOSE, similarity, tuple(reasons))


def best(paper: Paper, candidates: list[Paper]) -> tuple[int, Verdict] | None:
    """The index and verdict of the candidate that judges best (apply > propose, then similarity)."""
    ranked = [(i, judge(paper, c)) for i, c in enumerate(candidates)]
    ranked = [(i, v) for i, v in ranked if v.action != Action.REJECT]
    if not ranked:
        return None
    return max(ranked, key=lambda item: (item[1].action == Action.APPLY, item[1].similarity))
