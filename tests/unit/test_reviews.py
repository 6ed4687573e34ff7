"""Systematic reviews through the facade: decisions, undo, blind mode, conflicts, kappa, PRISMA."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.core.reviews import BlindReviewError
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import Paper
from desktop_app.domain.screening import Stage, Verdict
from desktop_app.review.agreement import cohen_kappa


def add_papers(library: Library, count: int, prefix: str = "Record") -> list[int]:
    papers = [Paper(title=f"{prefix} number {i} on screening", abstract=f"Abstract {i}.", year=2000 + i)
              for i in range(count)]
    return library.import_papers(papers).imported


@pytest.fixture
def review(library: Library) -> tuple[Library, list[int]]:
    ids = add_papers(library, 6)
    library.create_list("Search results")
    library.add_to_list("Search results", ids)
    library.reviews.create("Pruning SR", question="Does pruning work?")
    library.reviews.add_from_list("Pruning SR", "Search results")
    library.reviews.set_reviewer("Ada")
    return library, ids


def test_decisions_append_and_latest_counts(review: tuple[Library, list[int]]) -> None:
    library, ids = review
    reviews = library.reviews
    reviews.decide("Pruning SR", ids[0], "include")
    reviews.decide("Pruning SR", ids[0], "exclude", reason="Wrong outcome", note="no accuracy reported")
    mine = reviews.decisions("Pruning SR")
    assert [(d.verdict, d.reason) for d in mine] == [(Verdict.INCLUDE, ""), (Verdict.EXCLUDE, "Wrong outcome")]
    assert mine[1].note == "no accuracy reported" and mine[1].reviewer == "Ada"
    status = reviews.status("Pruning SR")
    assert status.stages[0].excluded == 1 and status.stages[0].included == 0
    assert status.per_reviewer == {"Ada": {"title_abstract": {"exclude": 1}}}


def test_undo_withdraws_the_latest_and_the_earlier_counts_again(review: tuple[Library, list[int]]) -> None:
    library, ids = review
    reviews = library.reviews
    reviews.decide("Pruning SR", ids[0], "include")
    reviews.decide("Pruning SR", ids[0], "exclude", reason="Wrong outcome")
    reviews.decide("Pruning SR", ids[1], "maybe")
    undone = reviews.undo("Pruning SR")
    assert undone is not None and undone.paper_id == ids[1] and undone.verdict is Verdict.MAYBE
    undone = reviews.undo("Pruning SR")
    assert undone is not None and undone.verdict is Verdict.EXCLUDE
    assert reviews.status("Pruning SR").stages[0].included == 1
    assert [d.verdict for d in reviews.decisions("Pruning SR")] == [Verdict.INCLUDE]
    reviews.undo("Pruning SR")
    assert reviews.undo("Pruning SR") is None


def test_decisions_are_checked(review: tuple[Library, list[int]]) -> None:
    library, ids = review
    reviews = library.reviews
    outsider = add_papers(library, 1, prefix="Outsider")[0]
    with pytest.raises(NotFoundError, match="not a record"):
        reviews.decide("Pruning SR", outsider, "include")
    with pytest.raises(InvalidInputError, match="exclusion reasons"):
        reviews.decide("Pruning SR", ids[0], "exclude", reason="Too boring")
    with pytest.raises(InvalidInputError, match="only an exclusion"):
        reviews.decide("Pruning SR", ids[0], "include", reason="Wrong outcome")
    with pytest.raises(InvalidInputError, match="not passed title/abstract"):
        reviews.decide("Pruning SR", ids[0], "include", stage=Stage.FULL_TEXT)
    with pytest.raises(NotFoundError):
        reviews.decide("No such review", ids[0], "include")


def test_blind_mode_hides_other_reviewers_until_unblinded(review: tuple[Library, list[int]]) -> None:
    library, ids = review
    reviews = library.reviews
    reviews.decide("Pruning SR", ids[0], "include", reviewer="Ada")
    reviews.decide("Pruning SR", ids[0], "exclude", reason="Wrong population", reviewer="Grace")
    assert reviews.get("Pruning SR").blind
    assert {d.reviewer for d in reviews.decisions("Pruning SR", viewer="Ada")} == {"Ada"}
    assert {d.reviewer for d in reviews.decisions("Pruning SR", viewer="Grace")} == {"Grace"}
    assert "Grace" not in reviews.decisions_csv("Pruning SR", viewer="Ada")
    with pytest.raises(BlindReviewError):
        reviews.conflicts("Pruning SR")
    with pytest.raises(BlindReviewError):
        reviews.resolve("Pruning SR", ids[0], "include", arbiter="Arbiter")
    reviews.set_blind("Pruning SR", False)
    assert {d.reviewer for d in reviews.decisions("Pruning SR", viewer="Ada")} == {"Ada", "Grace"}
    assert [c.paper_id for c in reviews.conflicts("Pruning SR")] == [ids[0]]


def test_conflicts_and_kappa_on_a_hand_made_example(review: tuple[Library, list[int]]) -> None:
    library, ids = review
    reviews = library.reviews
    # Ada:   I I E E E M      Grace: I E E E I M  -> agree on 4 of 6
    ada = ["include", "include", "exclude", "exclude", "exclude", "maybe"]
    grace = ["include", "exclude", "exclude", "exclude", "include", "maybe"]
    for pid, a, g in zip(ids, ada, grace, strict=True):
        reviews.decide("Pruning SR", pid, a, reviewer="Ada")
        reviews.decide("Pruning SR", pid, g, reviewer="Grace")
    # p_o = 4/6; p_e = (2*2 + 3*3 + 1*1) / 36 = 14/36; kappa = (24/36 - 14/36) / (22/36) = 10/22
    pair = reviews.status("Pruning SR").agreement[0]
    assert (pair.first, pair.second, pair.records, pair.agreed) == ("Ada", "Grace", 6, 4)
    assert pair.kappa == pytest.approx(10 / 22)
    reviews.set_blind("Pruning SR", False)
    assert [c.paper_id for c in reviews.conflicts("Pruning SR")] == [ids[1], ids[4]]
    assert reviews.status("Pruning SR").stages[0].conflicts == 2
    reviews.resolve("Pruning SR", ids[1], "include", arbiter="Arbiter")
    assert [c.paper_id for c in reviews.conflicts("Pruning SR")] == [ids[4]]
    assert "Arbiter" not in reviews.status("Pruning SR").per_reviewer


def test_cohen_kappa_textbook_example() -> None:
    # 50 items: both yes 20, A yes/B no 5, A no/B yes 10, both no 15 -> kappa 0.4
    first = ["y"] * 25 + ["n"] * 25
    second = ["y"] * 20 + ["n"] * 5 + ["y"] * 10 + ["n"] * 15
    assert cohen_kappa(first, second) == pytest.approx(0.4)
    assert cohen_kappa(["y", "y"], ["y", "y"]) == 1.0
    assert cohen_kappa([], []) is None


def test_prisma_counts_on_a_review_whose_flow_is_known(library: Library) -> None:
    reviews = library.reviews
    reviews.set_reviewer("Ada")
    first = add_papers(library, 6, prefix="Database A")
    second = add_papers(library, 2, prefix="Database B")
    library.create_list("Scopus")
    library.add_to_list("Scopus", first)
    library.create_list("PubMed")
    library.add_to_list("PubMed", first[:2] + second)  # two found by both searches
    reviews.create("Flow")
    reviews.add_from_list("Flow", "Scopus")
    reviews.add_from_list("Flow", "PubMed")
    records = first + second  # 8 after 2 duplicates removed
    for pid in records[:3]:
        reviews.decide("Flow", pid, "exclude", reason="Wrong population")
    for pid in records[3:6]:
        reviews.decide("Flow", pid, "include")
    reviews.decide("Flow", records[6], "maybe")  # a maybe goes on to full text; records[7] is unscreened
    reviews.decide("Flow", records[3], "exclude", reason="Full text not available", stage="full_text")
    reviews.decide("Flow", records[4], "exclude", reason="Wrong outcome", stage="full_text")
    reviews.decide("Flow", records[5], "include", stage="full_text")
    counts = reviews.prisma("Flow")
    assert counts.identified == [("Reading list: Scopus", 6), ("Reading list: PubMed", 4)]
    assert counts.duplicates_removed == 2
    assert (counts.records_screened, counts.records_excluded, counts.awaiting_screening) == (7, 3, 1)
    assert (counts.reports_sought, counts.reports_not_retrieved, counts.reports_assessed) == (4, 1, 3)
    assert counts.reports_excluded == [("Wrong outcome", 1)]
    assert (counts.awaiting_assessment, counts.studies_included) == (1, 1)
    assert reviews.included_ids("Flow") == [records[5]]


def test_records_from_an_imported_search_export(library: Library, tmp_path: Path) -> None:
    export = tmp_path / "pubmed.bib"
    export.write_text("@article{a, title={Zinc therapy in Wilson disease}, year={2001}}\n"
                      "@article{b, title={Penicillamine for Wilson disease}, year={2003}}\n"
                      "@article{c, title={Zinc therapy in Wilson disease}, year={2001}}\n", encoding="utf-8")
    library.reviews.create("Wilson")
    new, outcome = library.reviews.add_from_import("Wilson", [export])
    assert len(new) == 2 and len(outcome.merged) == 1
    counts = library.reviews.prisma("Wilson")
    assert counts.identified == [("pubmed.bib", 3)] and counts.duplicates_removed == 1
    assert counts.awaiting_screening == 2
