"""The sync outbox: triggers queue every facade edit of a shared library, and only then."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.models import Author, Paper
from desktop_app.storage import outbox as box


def _queued(library: Library) -> dict[tuple[str, int, str], tuple[object, int]]:
    return {(k, i, f): (json.loads(v), b) for k, i, f, v, b in library.db.conn.execute(
        "SELECT kind, local_id, field, value, base FROM sync_outbox")}


@pytest.fixture
def shared(tmp_path: Path) -> Library:
    library = Library.open(tmp_path / "lib")
    library.import_papers([Paper(citekey=f"k{i}", title=f"T{i}", authors=[Author(family="Roe")])
                           for i in range(3)])
    with library.db.write() as conn:
        box.assign_missing_keys(conn, iter(f"00000000-0000-0000-0000-00000000000{i}" for i in range(9)).__next__)
        box.create_link(conn, "postgresql://u@h/db", "client", 7)
    yield library
    library.close()


def test_nothing_is_queued_while_the_library_is_not_shared(tmp_path: Path) -> None:
    with Library.open(tmp_path / "plain") as library:
        library.import_papers([Paper(citekey="a", title="A")])
        library.update_paper("a", title="B")
        library.set_note("a", "n")
        assert library.db.conn.execute("SELECT count(*) FROM sync_outbox").fetchone() == (0,)
        assert library.db.conn.execute("SELECT count(*) FROM sync_keys").fetchone() == (0,)


def test_facade_edits_are_queued_field_by_field(shared: Library) -> None:
    pid = shared.resolve("k1")
    shared.update_paper("k1", title="New title", year=2001)
    shared.set_status(["k1"], "read")
    shared.add_tags(["k1"], ["ml"])
    shared.set_note("k1", "a note")
    shared.create_list("L")
    shared.add_to_list("L", ["k1"])
    shared.save_search("s", "roe")
    queued = _queued(shared)
    assert queued[("paper", pid, "title")] == ("New title", 7)
    assert queued[("paper", pid, "year")] == (2001, 7)
    assert queued[("paper", pid, "status")] == ("read", 7)
    assert queued[("paper", pid, "tag:ml")] == (True, 7)
    assert queued[("paper", pid, "note")] == ("a note", 7)
    assert ("paper", pid, "abstract") not in queued  # unchanged fields are not sent
    assert ("paper", pid, "title_key") not in queued  # derived columns are not sent
    lid = shared.reading_list("L").id
    uid = box.uid_of(shared.db.conn, "paper", pid)
    assert queued[("list", lid, f"item:{uid}")] == (0, 7)
    assert queued[("list", lid, "name")] == ("L", 7)
    assert {f for (k, _i, f) in queued if k == "search"} == {"name", "query", "position", "_deleted"}


def test_a_field_edited_again_keeps_its_first_base_and_takes_a_new_seq(shared: Library) -> None:
    pid = shared.resolve("k0")
    shared.update_paper("k0", title="one")
    first = box.queued(shared.db.conn)
    with shared.db.write() as conn:
        box.set_pulled(conn, 12)
    shared.update_paper("k0", title="two")
    [again] = [q for q in box.queued(shared.db.conn) if q.local_id == pid and q.field == "title"]
    assert (again.value, again.base) == ("two", 7)
    assert again.seq > max(q.seq for q in first)
    assert box.acknowledge(shared.db.conn, first) == set()  # the re-edit is not dropped


def test_deletes_renames_and_undo_are_queued(shared: Library) -> None:
    pid = shared.resolve("k2")
    shared.add_tags(["k2"], ["old"])
    shared.rename_tag("old", "new")
    shared.delete_papers(["k2"])
    queued = _queued(shared)
    assert queued[("paper", pid, "tag:old")][0] is False
    assert queued[("paper", pid, "_deleted")][0] is True
    shared.undo()  # the paper comes back under the same shared id
    queued = _queued(shared)
    assert queued[("paper", pid, "_deleted")][0] is False
    assert queued[("paper", pid, "title")][0] == "T2"


def test_muted_writes_are_not_queued(shared: Library) -> None:
    with shared.db.write() as conn, box.muted(conn):
        conn.execute("UPDATE papers SET title = 'from the server'")
    assert box.waiting(shared.db.conn) == 0
    shared.update_paper("k0", title="mine")
    assert box.waiting(shared.db.conn) == 1
