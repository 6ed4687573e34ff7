"""Nothing lost: backups before migrations and once a day, pruning, foreign files, index repairs."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import time
from pathlib import Path

import pytest

from desktop_app import cli
from desktop_app.core.library import Library
from desktop_app.domain.errors import LecternError
from desktop_app.domain.models import Author, Paper
from desktop_app.storage import backup as backups
from desktop_app.storage import db as storage_db
from desktop_app.storage import organise, queue
from desktop_app.storage.schema import MIGRATIONS

from .conftest import sample_papers


def _run(library: Path, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = cli.run(["--library", str(library), *args], out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _user_version(path: Path) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()


def _count(path: Path, table: str) -> int:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


# -- regressions found by the kill harness and the fuzzers ----------------------------------------


def test_tagging_a_paper_named_twice_tags_it_once(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags([ids[0], ids[0], str(ids[0])], ["twice"])
    assert [(t.name, t.count) for t in library.tags()] == [("twice", 1)]


def test_import_with_a_tag_of_a_file_holding_its_own_duplicate(library: Library) -> None:
    twin = Paper(title="Alpha Paper", authors=[Author(family="X", given="Y")], year=2020)
    outcome = library.import_papers([twin, twin.model_copy(update={"citekey": "other"})],
                                    tags=["t"], list_name="L")
    assert (len(outcome.imported), len(outcome.merged)) == (1, 1)
    assert [(t.name, t.count) for t in library.tags()] == [("t", 1)]
    assert library.list_ids("L") == outcome.imported


def test_a_note_whose_indexing_was_killed_is_searchable_after_the_next_search(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        pid = library.import_papers(sample_papers()).imported[0]
        library.catch_up_index()
        with library.db.write() as conn:  # what a kill between the SQLite commit and the notes index leaves
            organise.write_note(conn, pid, "The zorblat idea", library._now())
            queue.enqueue(conn, queue.NOTE_QUEUE, [pid], library.clock.next())
    code, out, _ = _run(directory, "check")
    assert code == 0 and "1 waiting for the index" in out
    code, out, _ = _run(directory, "search", "note:zorblat", "--json")
    assert code == 0 and [hit["id"] for hit in json.loads(out)] == [pid]


def test_check_finds_and_repairs_notes_the_notes_index_lost(filled: Library) -> None:
    ids = filled.all_ids()
    filled.set_note(ids[0], "kept in the index")
    with filled.db.write() as conn:  # a note the notes index never heard of, and one it should forget
        organise.write_note(conn, ids[1], "The quaxo idea", filled._now())
        conn.execute("DELETE FROM notes WHERE paper_id = ?", (ids[0],))
    report = filled.check()
    assert report.problems == ["2 notes disagree with the notes index"]
    assert report.repaired == ["queued 0 papers and 2 notes for indexing"]
    filled.catch_up_index()
    assert filled.search("note:quaxo").ids == [ids[1]]
    assert filled.search('note:"kept in the index"').ids == []
    assert filled.check().consistent


def test_a_long_lived_library_sees_edits_deletions_and_removed_notes(filled: Library) -> None:
    """The same searcher across commits (as in the window): no stale or doubled hits."""
    ids = {p.citekey: p.id or 0 for p in filled.papers(filled.all_ids())}
    assert filled.search("prototypical").ids == [ids["snell2017prototypical"]]
    filled.set_note(ids["sanh2020movement"], "kept in the index")
    assert filled.search("note:kept").ids == [ids["sanh2020movement"]]
    filled.update_paper("snell2017prototypical", title="Quokka Networks for Few-shot Learning")
    filled.delete_papers([ids["khaki2024need"]])
    filled.set_note(ids["sanh2020movement"], "")
    filled.catch_up_index()
    assert filled.search("title:prototypical").ids == []
    assert filled.search("quokka").ids == [ids["snell2017prototypical"]]
    assert filled.search("prototypical").ids == [ids["snell2017prototypical"]]  # its abstract
    assert filled.search("speed").ids == []
    assert filled.search("note:kept").ids == []
    assert filled.index.indexed_pids() == set(filled.all_ids())


# -- migrations ----------------------------------------------------------------------------------


def _schema_v2(monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    monkeypatch.setattr(storage_db, "MIGRATIONS", (*MIGRATIONS, script))
    monkeypatch.setattr(storage_db, "SCHEMA_VERSION", len(MIGRATIONS) + 1)


def test_a_migration_backs_the_library_up_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        library.add_tags(library.all_ids()[:2], ["kept"])
    old = len(MIGRATIONS)
    _schema_v2(monkeypatch, "ALTER TABLE papers ADD COLUMN reviewed INTEGER NOT NULL DEFAULT 0;")
    with Library.open(directory) as library:
        assert library.count() == 4
        made = [p for p in library.backups() if p.name.endswith(f"-schema{old}to{old + 1}.sqlite")]
    assert len(made) == 1
    assert _user_version(made[0]) == old and _count(made[0], "papers") == 4 and _count(made[0], "paper_tags") == 2
    assert _user_version(directory / "library.sqlite") == old + 1


def test_a_failing_migration_keeps_the_library_and_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
    old = len(MIGRATIONS)  # the schema features have reached; the failing one comes next
    _schema_v2(monkeypatch, "ALTER TABLE papers ADD COLUMN a INTEGER;\nALTER TABLE no_such_table ADD COLUMN b INTEGER;")
    with pytest.raises(LecternError, match=rf"cannot upgrade .* to schema {old + 1}: no such table: no_such_table"):
        Library.open(directory)
    assert _user_version(directory / "library.sqlite") == old
    conn = sqlite3.connect(directory / "library.sqlite")
    try:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(papers)")]
    finally:
        conn.close()
    assert "a" not in columns
    made = [p for p in backups.list_backups(directory / "backups") if p.name.endswith(f"-schema{old}to{old + 1}.sqlite")]
    assert len(made) == 1 and _count(made[0], "papers") == 4
    monkeypatch.undo()
    with Library.open(directory) as library:  # the lock was released and the data is intact
        assert library.count() == 4


def test_a_foreign_database_is_refused_untouched(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    directory.mkdir()
    conn = sqlite3.connect(directory / "library.sqlite")
    conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    conn.execute("INSERT INTO invoices(total) VALUES (12.5)")
    conn.commit()
    conn.close()
    with pytest.raises(LecternError, match=r"not a Lectern library .*invoices"):
        Library.open(directory)
    assert _user_version(directory / "library.sqlite") == 0
    conn = sqlite3.connect(directory / "library.sqlite")
    try:
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")] == ["invoices"]
    finally:
        conn.close()
    code, _, err = _run(directory, "stats")
    assert code == 1 and err.startswith("lectern: error:") and "not a Lectern library" in err


# -- rolling backups -----------------------------------------------------------------------------


def _age(paths: list[Path], days: float) -> None:
    then = time.time() - days * 86400
    for path in paths:
        os.utime(path, (then, then))


def test_daily_backup_once_a_day_while_writing(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        first = library.backups()
        assert [p.name.endswith("-daily.sqlite") for p in first] == [True]
        library.add_tags(library.all_ids()[:1], ["x"])
        assert library.backups() == first
    with Library.open(directory) as library:  # a new session within the day: still one
        library.set_status(library.all_ids()[:1], "read")
        assert library.backups() == first
    _age(first, 2)
    with Library.open(directory) as library:  # the next day's first write makes the next one
        library.set_status(library.all_ids()[:1], "reading")
        now = library.backups()
    assert len(now) == 2 and now[1] == first[0] and now[0].name.endswith("-daily.sqlite")
    assert _count(now[0], "paper_tags") == 1


def test_backups_are_pruned_to_the_newest_n(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        made = [library.backup(f"manual{n}") for n in range(backups.DEFAULT_KEEP + 3)]
        kept = library.backups()
    assert len(kept) == backups.DEFAULT_KEEP
    assert kept == sorted(made, reverse=True)[:backups.DEFAULT_KEEP]
    assert all(backups.verify_database(p) is None for p in kept)


def test_backups_left_half_written_by_a_killed_process_are_cleared(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        stale = directory / "backups" / "library-20200101T000000000000Z-daily.partial"
        fresh = directory / "backups" / "library-20990101T000000000000Z-manual.partial"
        stale.write_bytes(b"half a database")
        fresh.write_bytes(b"being written right now")
        _age([stale], 1)
        library.backup()
    assert not stale.exists() and fresh.exists()


def test_restore_command_brings_back_the_backup_and_keeps_the_present(tmp_path: Path) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        library.catch_up_index()
    code, out, _ = _run(directory, "backup")
    saved = Path(out.strip().removeprefix("backed up to "))
    with Library.open(directory) as library:
        library.delete_papers(library.all_ids()[:3])
    code, out, _ = _run(directory, "restore", str(saved))
    assert code == 0 and "4 papers" in out
    code, out, _ = _run(directory, "search", "prototypical", "--json")
    assert [hit["citekey"] for hit in json.loads(out)] == ["snell2017prototypical"]
    before_restore = [p for p in backups.list_backups(directory / "backups") if "before-restore" in p.name]
    assert len(before_restore) == 1 and _count(before_restore[0], "papers") == 1


def test_a_restore_killed_before_reindexing_leaves_an_index_that_is_rebuilt(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    directory = tmp_path / "lib"
    with Library.open(directory) as library:
        library.import_papers(sample_papers())
        saved = library.backup()
        library.update_paper("snell2017prototypical", title="Quokka Networks")
        library.catch_up_index()

        def killed() -> None:
            raise KeyboardInterrupt

        monkeypatch.setattr(library, "_reset_index", killed)
        with pytest.raises(KeyboardInterrupt):
            library.restore(saved)
    monkeypatch.undo()
    with Library.open(directory) as library:
        assert library.rebuild_reason == "the search index is missing"
        library.catch_up_index()
        assert library.paper("snell2017prototypical").title.startswith("Prototypical")
        assert library.search("title:quokka").ids == []
        assert library.search("title:prototypical").ids == [library.resolve("snell2017prototypical")]
