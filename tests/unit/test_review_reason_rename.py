"""Renaming an exclusion reason carries over to the decisions made already, so PRISMA counts it once."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import Paper
from desktop_app.storage import outbox as box

REASONS = ["Wrong population", "Wrong outcome", "Not a trial"]


def make_review(library: Library) -> list[int]:
    ids = library.import_papers([Paper(title=f"Record {i}", abstract=f"Abstract {i}.") for i in range(8)]).imported
    library.create_list("Hits")
    library.add_to_list("Hits", ids)
    reviews = library.reviews
    reviews.create("Flow", exclusion_reasons=REASONS)
    reviews.add_from_list("Flow", "Hits")
    reviews.set_reviewer("Ada")
    for pid in ids[:6]:
        reviews.decide("Flow", pid, "include")
    reviews.decide("Flow", ids[6], "exclude", reason="Wrong population", note="adults only")
    reviews.decide("Flow", ids[6], "exclude", reason="Wrong population", reviewer="Grace")
    reviews.decide("Flow", ids[7], "exclude", reason="Wrong outcome")
    for pid in ids[:3]:
        reviews.decide("Flow", pid, "exclude", reason="Wrong outcome", stage="full_text")
    reviews.decide("Flow", ids[3], "exclude", reason="Not a trial", stage="full_text")
    return ids


@contextmanager
def shared_library(tmp_path: Path) -> Iterator[Library]:
    """A library with the review "Flow", linked to a (never contacted) team server, so edits queue in the outbox."""
    with Library.open(tmp_path / "shared") as library:
        make_review(library)
        with library.db.write() as conn:
            box.assign_missing_keys(conn, lambda: str(uuid.uuid4()))
            box.create_link(conn, "postgresql://u@h/db", "client", 7)
        yield library


def all_rows(library: Library) -> list[tuple[object, ...]]:
    return library.db.conn.execute(
        "SELECT id, paper_id, stage, reviewer, verdict, reason, note, decided, final, withdrawn "
        "FROM review_decisions ORDER BY id").fetchall()


def test_a_renamed_reason_renames_its_decisions_and_nothing_else(library: Library) -> None:
    ids = make_review(library)
    reviews = library.reviews
    reviews.decide("Flow", ids[4], "exclude", reason="Wrong outcome", stage="full_text")
    reviews.undo("Flow")  # a withdrawn decision keeps its withdrawal, under the new wording
    before = all_rows(library)
    # renamed in the editor, while decisions carry the old wording: PRISMA would split the reason in two
    renamed = reviews.rename_reason("Flow", "Wrong outcome", "Outcome not measured")
    assert renamed == 5  # 1 title/abstract, 3 full-text, 1 withdrawn
    assert reviews.get("Flow").exclusion_reasons == ["Wrong population", "Outcome not measured", "Not a trial"]
    after = all_rows(library)
    assert len(after) == len(before)  # no decision added, none dropped
    for old, new in zip(before, after, strict=True):
        expected = (*old[:5], "Outcome not measured" if old[5] == "Wrong outcome" else old[5], *old[6:])
        assert new == expected  # ids, times, verdicts, notes, withdrawn: untouched
    counts = reviews.prisma("Flow")
    assert counts.reports_excluded == [("Outcome not measured", 3), ("Not a trial", 1)]


def test_the_editor_save_renames_in_the_same_update_and_swaps_do_not_merge(library: Library) -> None:
    make_review(library)
    reviews = library.reviews
    reviews.update("Flow", exclusion_reasons=["Wrong outcome", "Wrong population", "Not an RCT"],
                   renamed_reasons={"Wrong population": "Wrong outcome", "Wrong outcome": "Wrong population",
                                    "Not a trial": "Not an RCT"})
    reasons = {row[0]: row[1] for row in library.db.conn.execute(
        "SELECT paper_id || '/' || stage || '/' || reviewer, reason FROM review_decisions WHERE reason != ''")}
    assert sorted(set(reasons.values())) == ["Not an RCT", "Wrong outcome", "Wrong population"]
    assert sum(r == "Wrong outcome" for r in reasons.values()) == 2  # the two "Wrong population" ones
    assert sum(r == "Wrong population" for r in reasons.values()) == 4
    assert reviews.prisma("Flow").reports_excluded == [("Wrong population", 3), ("Not an RCT", 1)]


def test_a_rename_to_a_reason_not_in_the_list_changes_nothing(library: Library) -> None:
    make_review(library)
    reviews = library.reviews
    before = all_rows(library)
    with pytest.raises(InvalidInputError, match="not one of this review's exclusion reasons"):
        reviews.update("Flow", exclusion_reasons=REASONS, renamed_reasons={"Wrong outcome": "Typo"})
    with pytest.raises(NotFoundError):
        reviews.rename_reason("Flow", "No such reason", "Anything")
    with pytest.raises(InvalidInputError, match="listed twice"):
        reviews.rename_reason("Flow", "Wrong outcome", "wrong population")
    assert all_rows(library) == before and reviews.get("Flow").exclusion_reasons == REASONS


def test_other_reviews_keep_their_reasons(library: Library) -> None:
    ids = make_review(library)
    reviews = library.reviews
    reviews.create("Other", exclusion_reasons=["Wrong outcome"])
    reviews.add_from_list("Other", "Hits")
    reviews.decide("Other", ids[0], "exclude", reason="Wrong outcome")
    reviews.rename_reason("Flow", "Wrong outcome", "Outcome not measured")
    assert [d.reason for d in reviews.decisions("Other")] == ["Wrong outcome"]


def test_in_a_shared_library_only_the_reason_list_is_queued_for_sync(tmp_path: Path) -> None:
    """The documented gap: the sync outbox ships a decision once, whole; a renamed reason reaches
    the other members through the review's list, not through the decisions already pushed."""
    with shared_library(tmp_path) as library:
        review_id = library.reviews.get("Flow").id
        library.reviews.rename_reason("Flow", "Wrong outcome", "Outcome not measured")
        queued = {(kind, local, field): json.loads(value) for kind, local, field, value in library.db.conn.execute(
            "SELECT kind, local_id, field, value FROM sync_outbox")}
        assert queued == {("review", review_id, "exclusion_reasons"):
                          json.dumps(["Wrong population", "Outcome not measured", "Not a trial"])}


def test_deleting_a_review_of_a_shared_library_queues_one_tombstone(tmp_path: Path) -> None:
    with shared_library(tmp_path) as library:
        review_id = library.reviews.get("Flow").id
        assert library.reviews.decision_count("Flow") == (13, 2)
        library.reviews.delete("Flow")
        queued = library.db.conn.execute("SELECT kind, local_id, field, value FROM sync_outbox").fetchall()
        assert queued == [("review", review_id, "_deleted", "true")]
        assert library.db.conn.execute("SELECT count(*) FROM review_decisions").fetchone() == (0,)
        assert library.count() == 8  # the papers stay
