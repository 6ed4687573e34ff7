"""Share, join, merge, conflicts, tombstones and offline work against a real PostgreSQL server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from desktop_app.sync import server
from desktop_app.sync.conninfo import OfflineError, connect
from tests.sync.helpers import seed, state, sync_all
from tests.sync.pgcluster import Cluster


@pytest.fixture
def team(tmp_path: Path, cluster: Cluster, database: str):
    """Alice's library shared; Bob's replica joined."""
    alice = seed(tmp_path / "alice")
    alice.add_tags(["key1", "key2"], ["ml"])
    alice.create_list("to read")
    alice.add_to_list("to read", ["key3", "key1", "key2"])
    alice.set_note("key0", "first *note*")
    alice.save_search("smiths", "author:smith")
    sync_ops.share(alice, cluster.conninfo(database, "alice"))
    bob = Library.open(tmp_path / "bob")
    sync_ops.join(bob, cluster.conninfo(database, "bob"))
    yield alice, bob
    alice.close()
    bob.close()


def test_join_copies_papers_tags_lists_notes_and_searches(team) -> None:
    alice, bob = team
    assert state(bob) == state(alice)
    assert [bob.paper(i).citekey for i in bob.list_ids("to read")] == ["key3", "key1", "key2"]
    assert bob.note("key0") == "first *note*"
    assert sync_ops.status(bob).state == "synced"


def test_edits_of_different_fields_merge(team) -> None:
    alice, bob = team
    alice.update_paper("key1", title="Alice's title")
    bob.update_paper("key1", year=1999)
    bob.add_tags(["key1"], ["deep"])
    alice.remove_tags(["key1"], ["ml"])
    sync_all(alice, bob)
    paper = bob.paper("key1")
    assert (paper.title, paper.year, paper.tags) == ("Alice's title", 1999, ["deep"])
    assert state(alice) == state(bob)
    assert sync_ops.conflicts(alice) == sync_ops.conflicts(bob) == []


def test_same_field_makes_a_kept_conflict_with_both_values(team) -> None:
    alice, bob = team
    alice.update_paper("key2", title="Alice wins the race")
    bob.update_paper("key2", title="Bob comes second")
    alice.set_note("key0", "alice's text")
    bob.set_note("key0", "bob's text")
    sync_all(alice, bob)
    assert state(alice) == state(bob)
    assert bob.paper("key2").title == "Alice wins the race"
    found = {(c["field"], c["kept"], c["other"], c["by"]) for c in sync_ops.conflicts(alice)}
    assert found == {("title", "Alice wins the race", "Bob comes second", "bob"),
                     ("note", "alice's text", "bob's text", "bob")}
    assert sync_ops.status(alice).state == "conflicts"
    title = next(c for c in sync_ops.conflicts(bob) if c["field"] == "title")
    sync_ops.resolve(bob, title["id"], "other")
    sync_all(bob, alice)
    assert alice.paper("key2").title == "Bob comes second"
    assert [c["field"] for c in sync_ops.conflicts(alice)] == ["note"]
    assert sync_ops.conflicts(alice) == sync_ops.conflicts(bob)


def test_deletes_travel_as_tombstones_and_an_edit_of_a_deleted_paper_is_kept(team) -> None:
    alice, bob = team
    alice.delete_papers(["key4"])
    bob.update_paper("key4", title="edited while deleted")
    bob.delete_list("to read")
    sync_all(alice, bob)
    assert "key4" not in state(bob)["papers"]
    assert state(alice) == state(bob)
    assert state(alice)["lists"] == {}
    kept = sync_ops.conflicts(alice)
    assert [(c["field"], c["kept"], c["other"]) for c in kept] == [("title", None, "edited while deleted")]


def test_list_order_renames_and_saved_searches_travel(team) -> None:
    alice, bob = team
    bob.move_in_list("to read", "key2", 0)
    bob.rename_tag("ml", "machine learning")
    alice.save_search("recent", "year:2005")
    alice.rename_list("to read", "reading")
    sync_all(alice, bob)
    assert state(alice) == state(bob)
    assert [alice.paper(i).citekey for i in alice.list_ids("reading")] == ["key2", "key3", "key1"]
    assert {t.name for t in alice.tags()} == {"machine learning"}


def test_offline_edits_queue_and_go_when_the_server_is_back(team, cluster: Cluster) -> None:
    alice, bob = team
    cluster.stop()
    try:
        alice.update_paper("key5", title="written offline")
        alice.set_status(["key6"], "read")
        with pytest.raises(OfflineError):
            sync_ops.sync_once(alice)
        status = sync_ops.status(alice)
        assert (status.state, status.waiting) == ("offline", 2)
    finally:
        cluster.start()
    sync_all(alice, bob)
    assert bob.paper("key5").title == "written offline"
    assert bob.paper("key6").status.value == "read"
    assert sync_ops.status(alice).state == "synced"


def test_server_stopped_in_the_middle_of_a_push_and_a_pull(team, cluster: Cluster, monkeypatch) -> None:
    alice, bob = team
    for i in range(10):
        alice.update_paper(f"key{i}", title=f"title {i} from alice")
    monkeypatch.setattr(sync_ops, "PUSH_BATCH", 3)
    real_push = server.push
    calls = []

    def push_then_die(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            cluster.stop("fast")
        return real_push(*args, **kwargs)

    monkeypatch.setattr(server, "push", push_then_die)
    try:
        with pytest.raises(OfflineError):
            sync_ops.sync_once(alice)
        assert 0 < sync_ops.status(alice).waiting < 10
    finally:
        cluster.start()
    monkeypatch.setattr(server, "push", real_push)
    sync_ops.sync_once(alice)
    real_apply = sync_ops._apply

    def apply_then_die(*args, **kwargs):
        if not calls or len(calls) < 3:
            calls.append(1)
            cluster.stop("fast")
        return real_apply(*args, **kwargs)

    monkeypatch.setattr(sync_ops, "_apply", apply_then_die)
    monkeypatch.setattr(sync_ops, "APPLY_BATCH", 2)
    try:
        with pytest.raises(OfflineError):
            sync_ops.sync_once(bob)
    finally:
        cluster.start()
    monkeypatch.setattr(sync_ops, "_apply", real_apply)
    sync_all(bob, alice)
    assert state(alice) == state(bob)
    assert [bob.paper(f"key{i}").title for i in range(10)] == [f"title {i} from alice" for i in range(10)]
    assert sync_ops.conflicts(alice) == []


@contextmanager
def _answer_lost() -> Iterator[None]:
    """The next push commits on the server, then the connection drops before its answer arrives."""
    real_push = server.push

    def push_then_drop(*args, **kwargs):
        real_push(*args, **kwargs)
        raise psycopg.OperationalError("server closed the connection unexpectedly")

    server.push = push_then_drop
    try:
        with pytest.raises(OfflineError):
            yield
    finally:
        server.push = real_push


def test_a_repeated_push_is_not_applied_twice(team, cluster: Cluster, database: str) -> None:
    """Alice's push commits but her acknowledgement is lost; Bob then builds on her value."""
    alice, bob = team
    alice.update_paper("key3", title="alice once")
    with _answer_lost():
        sync_ops.sync_once(alice)
    assert sync_ops.status(alice).waiting == 1
    sync_ops.sync_once(bob)
    bob.update_paper("key3", title="bob after alice")
    sync_ops.sync_once(bob)
    sync_all(alice, bob)
    assert alice.paper("key3").title == "bob after alice"
    assert sync_ops.conflicts(alice) == []
    with connect(cluster.conninfo(database, "alice")) as conn:
        rows = conn.execute("SELECT count(*) FROM conflicts").fetchone()
    assert rows == (0,)


def test_notify_wakes_a_listening_client(team, cluster: Cluster, database: str) -> None:
    alice, _bob = team
    woke: list[float] = []
    with connect(cluster.conninfo(database, "bob")) as conn:
        server.listen(conn)

        def waiter() -> None:
            if server.wait_for_change(conn, timeout=10):
                woke.append(time.monotonic())

        thread = threading.Thread(target=waiter)
        thread.start()
        time.sleep(0.2)
        alice.update_paper("key1", title="wake up")
        sync_ops.sync_once(alice)
        thread.join(15)
    assert woke  # a notification, not the timeout, ended the wait


def test_saved_connection_string_keeps_no_password(tmp_path: Path, cluster: Cluster, database: str) -> None:
    library = seed(tmp_path / "lib", 2)
    warnings: list[str] = []
    url = cluster.conninfo(database, "alice").replace("alice@", "alice:s3cret@")
    sync_ops.share(library, url, warn=warnings.append)
    saved = library.db.conn.execute("SELECT conninfo FROM sync_link").fetchone()[0]
    assert "s3cret" not in saved and "alice" in saved
    assert warnings and ".pgpass" in warnings[0]
    library.close()


def test_join_refuses_a_database_that_is_not_shared(tmp_path: Path, cluster: Cluster, database: str) -> None:
    library = Library.open(tmp_path / "empty")
    with pytest.raises(sync_ops.LecternError, match="no shared Lectern library"):
        sync_ops.join(library, cluster.conninfo(database, "bob"))
    assert sync_ops.status(library).state == "local"
    library.close()


def test_unshare_keeps_a_plain_local_library(team) -> None:
    _alice, bob = team
    bob.update_paper("key1", title="never sent")
    assert sync_ops.unshare(bob) == 1
    assert sync_ops.status(bob).state == "local"
    bob.update_paper("key2", title="local only")
    assert bob.db.conn.execute("SELECT count(*) FROM sync_outbox").fetchone() == (0,)
    assert bob.paper("key1").title == "never sent"


def test_a_role_without_rights_cannot_read_or_write(team, tmp_path: Path, cluster: Cluster,
                                                    database: str) -> None:
    outsider = Library.open(tmp_path / "mallory")
    with pytest.raises(sync_ops.SyncError, match="the server refused: permission denied"):
        sync_ops.join(outsider, cluster.conninfo(database, "mallory"))
    assert sync_ops.status(outsider).state == "local" and outsider.count() == 0
    outsider.close()
    with psycopg.connect(cluster.conninfo(database, "mallory"), autocommit=True) as conn:
        for statement in ("SELECT * FROM fields", "SELECT * FROM conflicts", "SELECT * FROM review_decisions",
                          "SELECT lectern_push(gen_random_uuid(), '[]', '[]')",
                          "UPDATE revision SET value = value + 1",
                          "INSERT INTO fields(kind, key, field, value, rev, writer) VALUES "
                          "('paper', gen_random_uuid(), 'title', '\"x\"', 1, gen_random_uuid())"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_the_sync_loop_is_woken_by_another_clients_change(team) -> None:
    alice, bob = team
    seen = threading.Event()
    states: list[str] = []

    def on_state(state: sync_ops.SyncStatus, report: sync_ops.SyncReport | None) -> None:
        states.append(state.state)
        if bob.paper("key8").title == "seen by bob":  # runs on the loop's thread
            seen.set()

    loop = sync_ops.SyncLoop(bob, on_state, interval=60)
    loop.start()
    try:
        time.sleep(0.5)
        alice.update_paper("key8", title="seen by bob")
        sync_ops.sync_once(alice)
        assert seen.wait(10)  # the loop's timer is 60 s: the NOTIFY woke it (latency: tests/benchmarks/sync.py)
    finally:
        loop.stop()
    assert states and set(states) == {"synced"}


def test_derived_columns_match_the_ones_a_local_write_makes() -> None:
    from desktop_app.domain.models import Author, Paper
    from desktop_app.storage import papers as store

    for authors in ([], [Author(family="Ünal", given="A")],
                    [Author(family=f"N{i}", given="x") for i in range(5)], [Author(literal="The Team")]):
        paper = Paper(citekey="k", title="The  Title: of THINGS", authors=authors)
        values = store.field_values(paper)
        assert store.derived_values(paper.title, str(values["authors"])) == {
            k: values[k] for k in ("author_line", "title_key", "author_key")}


def test_tls_with_verify_full(tmp_path: Path, cluster: Cluster, database: str) -> None:
    """``sslmode=verify-full`` checks the server's certificate against the CA and its host name."""
    good = (f"postgresql://alice@localhost:{cluster.port}/{database}"
            f"?sslmode=verify-full&sslrootcert={cluster.ca}")
    library = seed(tmp_path / "tls", 2)
    sync_ops.share(library, good)
    assert "verify-full" in library.db.conn.execute("SELECT conninfo FROM sync_link").fetchone()[0]
    with connect(good) as conn:
        assert conn.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").fetchone() == (True,)
    wrong_name = good.replace("localhost", "db.example.org") + "&hostaddr=127.0.0.1"
    with pytest.raises(OfflineError, match="does not match host name"):
        connect(wrong_name)
    other_ca = tmp_path / "other-ca.crt"
    other_ca.write_text((cluster.root / "server.crt").read_text())  # not the CA that signed it
    with pytest.raises(OfflineError, match="certificate verify failed"):
        connect(good.replace(str(cluster.ca), str(other_ca)))
    library.close()


def test_the_sync_loop_says_offline_and_recovers(team, cluster: Cluster) -> None:
    _alice, bob = team
    states: list[str] = []
    bob.update_paper("key1", title="waits for the server")
    cluster.stop()
    loop = sync_ops.SyncLoop(bob, lambda state, _report: states.append(state.state), retry=0.2)
    try:
        loop.start()
        deadline = time.monotonic() + 10
        while "offline" not in states and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "offline" in states
        assert sync_ops.status(bob).waiting == 1
    finally:
        cluster.start()
    try:
        deadline = time.monotonic() + 15
        while states[-1] != "synced" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert states[-1] == "synced"
    finally:
        loop.stop()
    assert sync_ops.status(bob).waiting == 0


def test_a_conflict_whose_answer_was_lost_still_converges(team, monkeypatch) -> None:
    """Alice had already pulled (and set aside) Bob's value; her push then loses, and its answer is lost."""
    alice, bob = team
    alice.update_paper("key3", title="alice second")
    bob.update_paper("key3", title="bob first")
    sync_ops.sync_once(bob)
    with monkeypatch.context() as patch:
        patch.setattr(sync_ops, "_push_all", lambda *args: None)
        sync_ops.sync_once(alice)  # pulls Bob's title but keeps her unsent one
    assert alice.paper("key3").title == "alice second"
    with _answer_lost():
        sync_ops.sync_once(alice)
    sync_all(alice, bob)
    assert alice.paper("key3").title == bob.paper("key3").title == "bob first"
    assert [(c["kept"], c["other"]) for c in sync_ops.conflicts(alice)] == [("bob first", "alice second")]


def test_a_huge_single_change_is_pushed_whole(team, monkeypatch) -> None:
    """A tag rename on many papers shares one outbox seq; batches never split it nor stall on it."""
    alice, bob = team
    monkeypatch.setattr(sync_ops, "PUSH_BATCH", 3)
    alice.add_tags([f"key{i}" for i in range(10)], ["wide"])
    alice.rename_tag("wide", "wider")
    sync_all(alice, bob)
    assert sync_ops.status(alice).waiting == 0
    assert len(bob.papers_with_tag("wider")) == 10 and bob.papers_with_tag("wide") == []
