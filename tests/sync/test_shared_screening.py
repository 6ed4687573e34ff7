"""Screening on a shared library: reviews and append-only decisions travel; blind is the server's.

Alice owns the shared library (she shares it and does not screen), Bob and Dave
screen blind, Carol is the arbiter.  A blinded reviewer's desktop receives only
their own decisions -- the server's row-level security decides, so neither the
facade nor plain SQL on either side shows a peer's decision -- until the arbiter
unblinds the review; then every decision arrives and kappa agrees everywhere.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import psycopg
import pytest

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from tests.sync.helpers import seed, state, sync_all
from tests.sync.pgcluster import Cluster

PAPERS = 12
BOB = ["include", "exclude", "include", "maybe", "exclude", "include",
       "exclude", "exclude", "include", "include", "maybe", "exclude"]
DAVE = ["include", "exclude", "exclude", "maybe", "exclude", "include",
        "include", "exclude", "include", "exclude", "maybe", "exclude"]


def _kappa(first: list[str], second: list[str]) -> float:
    """Cohen's kappa by its definition (independent of the code under test)."""
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    left, right = Counter(first), Counter(second)
    expected = sum(left[c] * right[c] for c in set(first) | set(second)) / (n * n)
    return (observed - expected) / (1 - expected)


@pytest.fixture
def review_team(tmp_path: Path, cluster: Cluster, database: str):
    alice = seed(tmp_path / "alice", PAPERS)
    alice.create_list("pool")
    alice.add_to_list("pool", [f"key{i}" for i in range(PAPERS)])
    alice.reviews.create("sr", question="Does it work?", inclusion_criteria="trials",
                         include_keywords=["trial"], exclusion_reasons=["wrong population", "not a trial"])
    alice.reviews.add_from_list("sr", "pool")
    sync_ops.share(alice, cluster.conninfo(database, "alice"))
    team = {"alice": alice}
    for name in ("bob", "dave", "carol"):
        library = Library.open(tmp_path / name)
        sync_ops.join(library, cluster.conninfo(database, name))
        library.reviews.set_reviewer(name)
        team[name] = library
    yield team
    for library in team.values():
        library.close()


def _decide_all(library: Library, verdicts: list[str]) -> None:
    for i, verdict in enumerate(verdicts):
        reason = "not a trial" if verdict == "exclude" else ""
        library.reviews.decide("sr", f"key{i}", verdict, reason=reason, note=f"note {i}")


def _server_members(cluster: Cluster, database: str, role: str) -> set[str]:
    with psycopg.connect(cluster.conninfo(database, role), autocommit=True) as conn:
        return {r[0] for r in conn.execute("SELECT member FROM review_decisions")}


def _local_reviewers(library: Library) -> set[str]:
    return {r[0] for r in library.db.conn.execute("SELECT reviewer FROM review_decisions")}


def test_a_review_with_its_settings_and_records_reaches_every_member(review_team) -> None:
    bob = review_team["bob"]
    review = bob.reviews.get("sr")
    assert (review.question, review.inclusion_criteria, review.include_keywords, review.exclusion_reasons,
            review.blind) == ("Does it work?", "trials", ["trial"], ["wrong population", "not a trial"], True)
    assert len(bob.reviews.record_ids("sr")) == PAPERS
    assert bob.reviews.prisma("sr") == review_team["alice"].reviews.prisma("sr")
    review_team["alice"].reviews.add_from_query("sr", "number")
    sync_all(review_team["alice"], bob)
    assert bob.reviews.prisma("sr") == review_team["alice"].reviews.prisma("sr")
    labels = [r[0] for r in bob.db.conn.execute("SELECT label FROM review_sources ORDER BY id")]
    assert labels == ["Reading list: pool", "Search: number"]
    review_team["alice"].reviews.update("sr", question="Does it work in adults?", stop_after_irrelevant=5)
    sync_all(review_team["alice"], bob)
    assert (bob.reviews.get("sr").question, bob.reviews.get("sr").stop_after_irrelevant) == (
        "Does it work in adults?", 5)


def test_a_join_in_small_batches_keeps_every_record(review_team, tmp_path: Path, cluster: Cluster,
                                                    database: str, monkeypatch) -> None:
    monkeypatch.setattr(sync_ops, "APPLY_BATCH", 3)  # the review's group and its papers' in different batches
    late = Library.open(tmp_path / "late")
    sync_ops.join(late, cluster.conninfo(database, "bob"))
    assert len(late.reviews.record_ids("sr")) == PAPERS
    late.close()


def test_blind_screening_is_enforced_by_the_server_until_the_arbiter_unblinds(
        review_team, cluster: Cluster, database: str) -> None:
    alice, bob, dave, carol = (review_team[n] for n in ("alice", "bob", "dave", "carol"))
    _decide_all(bob, BOB)
    _decide_all(dave, DAVE)
    bob.reviews.decide("sr", "key0", "exclude", reason="wrong population")
    assert bob.reviews.undo("sr") is not None  # withdrawn: key0 stays an include for bob
    sync_all(bob, dave, carol, alice)

    for name, library in (("bob", bob), ("dave", dave)):
        assert {d.reviewer for d in library.reviews.decisions("sr")} == {name}
        assert _local_reviewers(library) == {name}  # plain SQL on the desktop
        assert _server_members(cluster, database, name) == {name}  # plain SQL on the server
    assert len(dave.reviews.decisions("sr")) == PAPERS
    assert _server_members(cluster, database, "carol") == {"bob", "dave"}  # the arbiter sees all
    assert _local_reviewers(carol) == {"bob", "dave"}

    # a screener cannot unblind: the server keeps it blind and keeps the attempt as a conflict
    dave.reviews.set_blind("sr", False)
    sync_all(dave, bob)
    assert dave.reviews.get("sr").blind is True
    assert [(c["entity"], c["field"], c["kept"], c["other"]) for c in sync_ops.conflicts(dave)] == [
        ("sr", "blind", 1, 0)]
    assert _local_reviewers(bob) == {"bob"} and _local_reviewers(dave) == {"dave"}

    carol.reviews.set_blind("sr", False)
    sync_all(carol, bob, dave, alice)
    expected = _kappa(BOB, DAVE)
    disagreements = sum(a != b for a, b in zip(BOB, DAVE, strict=True))
    for library in (bob, dave, carol, alice):
        assert library.reviews.get("sr").blind is False
        assert _local_reviewers(library) == {"bob", "dave"}
        decisions = library.reviews.decisions("sr", viewer="carol")
        assert Counter(d.reviewer for d in decisions) == {"bob": PAPERS, "dave": PAPERS}
        (pair,) = library.reviews.status("sr").agreement
        assert (pair.first, pair.second, pair.records) == ("bob", "dave", PAPERS)
        assert pair.kappa == pytest.approx(expected)
        assert len(library.reviews.conflicts("sr")) == disagreements
    assert _server_members(cluster, database, "bob") == {"bob", "dave"}
    withdrawn = bob.db.conn.execute("SELECT count(*) FROM review_decisions WHERE withdrawn = 1").fetchone()
    assert withdrawn == dave.db.conn.execute("SELECT count(*) FROM review_decisions WHERE withdrawn = 1").fetchone() \
        == (1,)
    dave_key1 = next(d for d in bob.reviews.decisions("sr", viewer="carol")
                     if d.reviewer == "dave" and bob.paper(d.paper_id).citekey == "key1")
    assert (dave_key1.verdict.value, dave_key1.reason, dave_key1.note) == ("exclude", "not a trial", "note 1")


def test_two_reviewers_deciding_the_same_record_never_conflict(review_team) -> None:
    bob, dave, carol = review_team["bob"], review_team["dave"], review_team["carol"]
    bob.reviews.decide("sr", "key3", "include")
    dave.reviews.decide("sr", "key3", "exclude", reason="wrong population")
    sync_all(bob, dave, carol)
    assert sync_ops.conflicts(bob) == sync_ops.conflicts(dave) == []
    dave.reviews.decide("sr", "key5", "maybe", reviewer="bob")  # dave cannot decide in bob's name
    sync_all(dave, bob, carol)
    (named,) = sync_ops.conflicts(bob)
    assert (named["field"], named["other"], named["by"]) == ("reviewer", "bob", "dave")
    assert named["entity"] == "(a screening decision not shown here)"  # hidden from bob while blind
    assert sync_ops.conflicts(dave)[0]["entity"] == "key5"
    assert "maybe" not in str(named)  # the conflict does not reveal the blinded decision
    dave_decisions = dave.db.conn.execute("SELECT reviewer, withdrawn FROM review_decisions").fetchall()
    assert sorted(dave_decisions) == [("bob", 1), ("dave", 0)]
    carol.reviews.set_blind("sr", False)
    sync_all(carol, bob, dave)
    (standing,) = dave.reviews.conflicts("sr")  # the disagreement shows in the review's conflicts view
    assert dave.paper(standing.paper_id).citekey == "key3"
    bob.reviews.resolve("sr", "key3", "include")  # bob is no arbiter: his ruling does not count
    sync_all(bob, carol, dave)
    kept = next(c for c in sync_ops.conflicts(dave) if c["field"] == "final")
    assert (kept["kind"], kept["field"], kept["entity"], kept["by"]) == ("decision", "final", "key3", "bob")
    assert len(dave.reviews.conflicts("sr")) == len(bob.reviews.conflicts("sr")) == 1
    with pytest.raises(sync_ops.SyncError, match="arbiter"):
        sync_ops.resolve(bob, kept["id"], "other")
    ruling = carol.reviews.resolve("sr", "key3", "exclude", reason="wrong population")
    sync_all(carol, bob, dave)
    assert ruling.final and dave.reviews.conflicts("sr") == bob.reviews.conflicts("sr") == []
    assert state(bob)["decisions"] == state(dave)["decisions"] == state(carol)["decisions"]


def test_reviews_made_before_this_version_shared_them_are_sent_whole(review_team) -> None:
    """A library shared by an older Lectern holds reviews and decisions without shared ids."""
    alice, bob = review_team["alice"], review_team["bob"]
    alice.reviews.set_reviewer("alice")
    with alice.db.write() as conn:  # as if these triggers were not there yet
        conn.execute("UPDATE sync_link SET capture = 0")
    old = alice.reviews.create("older review", question="made before")
    alice.reviews.add_from_list("older review", "pool")
    alice.reviews.decide("older review", "key1", "maybe")
    with alice.db.write() as conn:
        conn.execute("UPDATE sync_link SET capture = 1")
        assert conn.execute("SELECT count(*) FROM sync_keys WHERE kind = 'review' AND local_id = ?",
                            (old.id,)).fetchone() == (0,)
    sync_all(alice, bob, review_team["carol"])
    assert bob.reviews.get("older review").question == "made before"
    assert len(bob.reviews.record_ids("older review")) == PAPERS
    assert sync_ops.status(alice).waiting == 0
    review_team["carol"].reviews.set_blind("older review", False)
    sync_all(review_team["carol"], bob)
    assert [(d.reviewer, d.verdict.value) for d in bob.reviews.decisions("older review")] == [("alice", "maybe")]
