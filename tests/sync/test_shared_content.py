"""Member rights (writes only through lectern_push), files' metadata, Trash restores, key clashes."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.types.json import Jsonb

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from desktop_app.storage.outbox import ABSENT
from desktop_app.sync import schema
from tests.sync.helpers import seed, state, sync_all
from tests.sync.pgcluster import Cluster


@pytest.fixture
def pair(tmp_path: Path, cluster: Cluster, database: str):
    alice = seed(tmp_path / "alice", 6)
    alice.create_list("to read")
    alice.add_to_list("to read", ["key2", "key4"])
    alice.add_tags(["key2"], ["ml"])
    alice.set_note("key2", "a note")
    sync_ops.share(alice, cluster.conninfo(database, "alice"))
    bob = Library.open(tmp_path / "bob")
    sync_ops.join(bob, cluster.conninfo(database, "bob"))
    yield alice, bob
    alice.close()
    bob.close()


def _paper_key(cluster: Cluster, database: str, citekey: str) -> str:
    with cluster.admin(database) as conn:
        row = conn.execute("SELECT key::text FROM fields WHERE kind = 'paper' AND field = 'citekey' "
                           "AND value = %s", (Jsonb(citekey),)).fetchone()
    assert row is not None
    return str(row[0])


def test_a_member_writes_only_through_the_security_definer_function(pair, cluster: Cluster,
                                                                    database: str) -> None:
    alice, bob = pair
    key = _paper_key(cluster, database, "key1")
    with psycopg.connect(cluster.conninfo(database, "bob"), autocommit=True) as conn:
        for statement in (
                "UPDATE fields SET value = '\"hacked\"' WHERE field = 'title'",
                "DELETE FROM fields",
                "INSERT INTO review_decisions(id, review, paper, stage, reviewer, verdict, decided, member, rev, "
                "writer) VALUES (gen_random_uuid(), gen_random_uuid(), gen_random_uuid(), 'full_text', 'x', "
                "'include', 'now', 'alice', 1, gen_random_uuid())",
                "UPDATE revision SET value = value + 1",
                "UPDATE clients SET applied_seq = 0",
                "UPDATE conflicts SET resolution = 'kept'",
                "SELECT lectern_keep_conflict('paper', gen_random_uuid(), 'title', 'null', 1, 'null', "
                "gen_random_uuid(), 'alice', 1)"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        client = bob.db.conn.execute("SELECT client FROM sync_link").fetchone()[0]
        change = [{"seq": 10**6, "kind": "paper", "key": key, "field": "title", "value": "through the function",
                   "base": 10**6}]
        answer = conn.execute("SELECT lectern_push(%s, %s, '[]')", (client, Jsonb(change))).fetchone()[0]
        assert answer["written"] == 1 and answer["conflicts"] == []
        member = conn.execute("SELECT member FROM fields WHERE key = %s AND field = 'title'", (key,)).fetchone()
        assert member == ("bob",)  # the caller, not the function's owner
        alice_client = alice.db.conn.execute("SELECT client FROM sync_link").fetchone()[0]
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="belongs to another member"):
            conn.execute("SELECT lectern_push(%s, %s, '[]')", (alice_client, Jsonb(change)))
        function = conn.execute(
            "SELECT p.prosecdef, pg_get_userbyid(p.proowner), p.proconfig FROM pg_proc p "
            "WHERE p.proname = 'lectern_push'").fetchone()
    assert function is not None and function[0] is True and function[1] == "alice"
    assert any(setting.startswith("search_path=") for setting in function[2])
    sync_all(alice)
    assert alice.paper("key1").title == "through the function"


def test_a_schema_1_library_is_migrated_to_the_function(tmp_path: Path, cluster: Cluster, database: str) -> None:
    with psycopg.connect(cluster.conninfo(database, "alice"), autocommit=True) as conn:
        conn.execute(schema.MIGRATIONS[0])
        conn.execute("INSERT INTO lectern_meta(key, value) VALUES ('schema', '1')")
        conn.execute("GRANT SELECT, INSERT, UPDATE ON fields, clients, conflicts, revision TO lectern_member")
        assert schema.migrate(conn) == 1
        assert schema.schema_version(conn) == schema.SCHEMA_VERSION == 2
    with (psycopg.connect(cluster.conninfo(database, "bob"), autocommit=True) as conn,
          pytest.raises(psycopg.errors.InsufficientPrivilege)):
        conn.execute("INSERT INTO fields(kind, key, field, value, rev, writer) VALUES "
                     "('paper', gen_random_uuid(), 'title', '\"x\"', 1, gen_random_uuid())")
    bob = seed(tmp_path / "bob", 0)
    sync_ops.join(bob, cluster.conninfo(database, "bob"))
    bob.import_text("@article{k, title={Pushed by bob}}", fmt="bibtex")
    assert sync_ops.sync_once(bob).pushed > 0
    bob.close()


def test_files_metadata_travels_and_a_missing_file_is_listed_not_indexed(pair, tmp_path: Path) -> None:
    alice, bob = pair
    pdf = tmp_path / "study.pdf"
    pdf.write_bytes(b"%PDF-1.4\n% a tiny test file\n")
    outcome = alice.files.attach(alice.resolve("key3"), [pdf], kind="supplement")
    assert len(outcome.attached) == 1
    mine = outcome.attached[0]
    sync_all(alice, bob)
    (theirs,) = bob.files.files(bob.resolve("key3"))
    assert (theirs.name, theirs.kind, theirs.sha256, theirs.size) == ("study.pdf", "supplement", mine.sha256,
                                                                      mine.size)
    assert theirs.text_status == ABSENT
    assert bob.db.conn.execute("SELECT count(*) FROM fulltext_queue").fetchone() == (0,)
    with pytest.raises(sync_ops.LecternError, match="not on this computer"):
        bob.files.open_target(bob.resolve("key3"))
    assert any("not on this computer" in line for line in bob.files.recheck())
    bob.files.indexer.catch_up()
    assert bob.files.files(bob.resolve("key3"))[0].text_status == ABSENT
    again = bob.files.attach(bob.resolve("key3"), [pdf])  # bob's own copy of the same file
    assert [r.id for r in again.attached] == [theirs.id] and again.already == []
    assert bob.files.open_target(bob.resolve("key3")).path.read_bytes() == pdf.read_bytes()
    assert bob.db.conn.execute("SELECT file_id FROM fulltext_queue").fetchall() == [(theirs.id,)]
    assert sync_ops.status(bob).waiting == 0  # the bytes stay on bob's desktop; nothing to send
    alice.files.attachments.set_kind(mine.id, "paper")
    sync_all(alice, bob)
    assert bob.files.files(bob.resolve("key3"))[0].kind == "paper"
    alice.files.detach([mine.id])
    sync_all(alice, bob)
    assert bob.files.files(bob.resolve("key3")) == []


def test_a_restore_from_the_trash_travels(pair, cluster: Cluster, database: str) -> None:
    alice, bob = pair
    pid = alice.resolve("key2")
    alice.delete_papers([pid])
    sync_all(alice, bob)
    assert "key2" not in state(bob)["papers"]
    alice.restore_from_trash(papers=[pid])
    sync_all(alice, bob)
    assert state(bob) == state(alice)
    assert bob.paper("key2").tags == ["ml"] and bob.note("key2") == "a note"
    assert [bob.paper(i).citekey for i in bob.list_ids("to read")] == ["key2", "key4"]
    assert sync_ops.conflicts(alice) == sync_ops.conflicts(bob) == []
    with cluster.admin(database) as conn:
        key = _paper_key(cluster, database, "key2")
        assert conn.execute("SELECT value FROM fields WHERE key = %s AND field = '_deleted'",
                            (key,)).fetchone() == (False,)


def test_the_same_citekey_and_list_name_made_on_two_desktops_converge(pair) -> None:
    alice, bob = pair
    alice.import_text("@article{smith2020, title={Alice's Smith}}", fmt="bibtex")
    bob.import_text("@article{smith2020, title={Bob's Smith}}", fmt="bibtex")
    alice.create_list("Shared")
    bob.create_list("shared")
    sync_all(alice, bob, rounds=3)
    assert state(alice) == state(bob)
    keys = {p["title"]: key for key, p in state(alice)["papers"].items() if "Smith" in p["title"]}
    assert keys["Alice's Smith"] == "smith2020"  # the first to reach the server keeps it
    assert keys["Bob's Smith"].startswith("smith2020-") and len(keys["Bob's Smith"]) == len("smith2020-") + 4
    names = sorted(state(bob)["lists"])
    assert names[0] == "Shared" and names[1].startswith("shared (") and "to read" in names
