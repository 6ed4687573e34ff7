"""The library facade: storing, merging, organising, undo, locking, backups."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.errors import InvalidInputError, LibraryLockedError, NotFoundError
from desktop_app.domain.models import Author, Paper, ReadStatus
from desktop_app.storage.schema import SCHEMA_VERSION

from .conftest import sample_papers


def test_import_assigns_stable_citation_keys(library: Library) -> None:
    outcome = library.import_papers(sample_papers())
    assert len(outcome.imported) == 4
    keys = sorted(p.citekey for p in library.papers(outcome.imported))
    assert keys == ["khaki2024need", "sanh2020movement", "snell2017prototypical", "vaswani2017attention"]
    library.update_paper("vaswani2017attention", title="Attention Is All You Need (revised)")
    assert library.paper("vaswani2017attention").title.endswith("(revised)")


def test_clashing_keys_get_suffixes(library: Library) -> None:
    twins = [Paper(title="Deep Learning", authors=[Author(family="LeCun")], year=2015, venue=v)
             for v in ("Nature", "Other")]
    twins[1] = twins[1].model_copy(update={"title": "Deep Learning Revisited"})
    outcome = library.import_papers(twins)
    keys = [p.citekey for p in library.papers(outcome.imported)]
    assert keys == ["lecun2015deep", "lecun2015deepa"]


def test_duplicates_merge_by_arxiv_doi_and_title(library: Library) -> None:
    first = library.import_papers(sample_papers())
    library.add_tags([first.imported[1]], ["classic"])
    library.set_note(first.imported[1], "keep me")
    again = [
        Paper(title="Attention is all you need!", arxiv_id="1706.03762v1", venue="NeurIPS"),
        Paper(title="Something else entirely", doi="10.5555/3294996.3295163".upper()),
        Paper(title="movement pruning - adaptive sparsity by fine tuning",
              authors=[Author(family="Sanh", given="V.")], year=2020, pages="20378--20389"),
    ]
    outcome = library.import_papers(again)
    assert outcome.imported == []
    assert sorted(outcome.merged) == sorted([first.imported[1], first.imported[2], first.imported[3]])
    vaswani = library.paper(first.imported[1])
    assert vaswani.venue == "NeurIPS"  # an empty field was filled in
    assert vaswani.title == "Attention Is All You Need"  # a filled one was kept
    assert vaswani.tags == ["classic"] and library.note(vaswani.id or 0) == "keep me"
    assert library.paper(first.imported[3]).pages == "20378--20389"
    assert library.count() == 4


def test_same_title_different_authors_is_not_a_duplicate(library: Library) -> None:
    library.import_papers([Paper(title="A Survey of Graph Neural Networks", authors=[Author(family="Wu")], year=2020)])
    outcome = library.import_papers([Paper(title="A Survey of Graph Neural Networks",
                                           authors=[Author(family="Zhou")], year=2020)])
    assert len(outcome.imported) == 1 and library.count() == 2


def test_imported_valid_key_is_kept(library: Library) -> None:
    outcome = library.import_papers([Paper(citekey="Vaswani:2017", title="Attention")])
    assert library.paper(outcome.imported[0]).citekey == "Vaswani:2017"
    assert library.resolve("vaswani:2017") == outcome.imported[0]


def test_tags_add_remove_rename_and_merge(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags(ids[:2], ["ml", "to-read"])
    library.add_tags(ids[2:], ["ML-theory"])
    assert {t.name: t.count for t in library.tags()} == {"ml": 2, "ML-theory": 2, "to-read": 2}
    library.rename_tag("ML-theory", "ml")  # merges
    assert {t.name: t.count for t in library.tags()} == {"ml": 4, "to-read": 2}
    library.remove_tags(ids, ["to-read"])
    assert [t.name for t in library.tags()] == ["ml"]
    with pytest.raises(InvalidInputError):
        library.add_tags(ids, ["bad,tag"])
    with pytest.raises(NotFoundError):
        library.rename_tag("nope", "x")


def test_reading_list_order_and_progress(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.create_list("Thesis")
    library.add_to_list("Thesis", ids)
    library.move_in_list("Thesis", ids[3], 0)
    assert library.list_ids("Thesis") == [ids[3], ids[0], ids[1], ids[2]]
    library.set_status([ids[3], ids[1]], ReadStatus.READ)
    thesis = library.reading_list("thesis")
    assert (thesis.paper_count, thesis.read_count) == (4, 2)
    assert thesis.progress_text == "2 of 4 read"
    library.remove_from_list("Thesis", [ids[0]])
    assert library.list_ids("Thesis") == [ids[3], ids[1], ids[2]]
    library.rename_list("Thesis", "Chapter 2")
    assert [rl.name for rl in library.reading_lists()] == ["Chapter 2"]
    with pytest.raises(InvalidInputError):
        library.create_list("chapter 2")


def test_delete_then_undo_restores_tags_lists_and_notes(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags([ids[1]], ["classic"])
    library.create_list("Reading")
    library.add_to_list("Reading", ids)
    library.set_note(ids[1], "# Notes\nimportant")
    library.delete_papers([ids[1]])
    assert library.count() == 3 and library.list_ids("Reading") == [ids[0], ids[2], ids[3]]
    assert library.tags() == []
    changes = library.undo()
    assert changes is not None and ids[1] in changes.added
    restored = library.paper(ids[1])
    assert restored.citekey == "vaswani2017attention" and restored.tags == ["classic"]
    assert library.list_ids("Reading") == ids
    assert library.note(ids[1]) == "# Notes\nimportant"


def test_undo_of_tag_and_list_changes(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags(ids[:2], ["x"])
    library.create_list("L")
    library.add_to_list("L", ids[:3])
    library.move_in_list("L", ids[2], 0)
    library.undo()
    assert library.list_ids("L") == ids[:3]
    library.undo()
    assert library.list_ids("L") == []
    library.undo()
    assert library.reading_lists() == []
    library.undo()
    assert library.tags() == []
    assert library.undo() is None


def test_status_undo_restores_each_papers_previous_status(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.set_status([ids[0]], "reading")
    library.set_status(ids[:2], "read")
    library.undo()
    assert [library.paper(i).status for i in ids[:2]] == [ReadStatus.READING, ReadStatus.UNREAD]


def test_second_writer_gets_a_clear_error(library: Library) -> None:
    with pytest.raises(LibraryLockedError, match="in use by another Lectern process"):
        Library.open(library.directory)
    reader = Library.open(library.directory, readonly=True)
    try:
        assert reader.count() == 0
    finally:
        reader.close()


def test_lock_is_released_on_close(tmp_path: Path) -> None:
    Library.open(tmp_path).close()
    Library.open(tmp_path).close()


def test_schema_version_and_wal(library: Library) -> None:
    conn = sqlite3.connect(library.directory / "library.sqlite")
    try:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_backup_and_restore(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    backup = library.backup()
    library.delete_papers(ids[:3])
    assert library.count() == 1
    library.restore(backup)
    library.catch_up_index()
    assert library.count() == 4
    assert library.search("prototypical").ids == [ids[2]]
    assert any("before-restore" in p.name for p in library.backups())


def test_restore_rejects_a_file_that_is_not_a_library(library: Library, tmp_path: Path) -> None:
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not sqlite at all" * 100)
    library.import_papers(sample_papers())
    with pytest.raises(InvalidInputError):
        library.restore(junk)
    assert library.count() == 4


def test_update_paper_validates(library: Library) -> None:
    pid = library.import_papers(sample_papers()).imported[0]
    with pytest.raises(InvalidInputError):
        library.update_paper(pid, year=123456)
    with pytest.raises(InvalidInputError):
        library.update_paper(pid, citekey="has space")
    assert library.paper(pid).year == 2024


def test_export_scopes(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags(ids[:2], ["t"])
    library.create_list("L")
    library.add_to_list("L", [ids[3], ids[0]])
    assert library.ids_for_export(tag="t") == ids[:2]
    assert library.ids_for_export(list_name="L") == [ids[3], ids[0]]
    assert library.ids_for_export() == ids
    with pytest.raises(NotFoundError):
        library.ids_for_export(tag="missing")


def test_sort_by_every_table_column(library: Library) -> None:
    ids = library.import_papers(sample_papers()).imported
    library.add_tags([ids[2]], ["alpha"])
    library.add_tags([ids[0]], ["beta"])
    assert library.sort_ids(ids, "year") == [ids[1], ids[2], ids[3], ids[0]]
    assert library.sort_ids(ids, "title", descending=True)[0] == ids[0]
    assert library.sort_ids(ids, "tags")[-2:] == [ids[2], ids[0]]
    with pytest.raises(InvalidInputError):
        library.sort_ids(ids, "nonsense")


def test_import_reports_papers_of_a_big_file_a_batch_at_a_time(library: Library, tmp_path: Path) -> None:
    import json

    records = [{"title": f"Paper number {i} about graphs", "author": f"Ann Author{i}", "abstract": "x"}
               for i in range(1200)]
    path = tmp_path / "big.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    seen: list[tuple[int, int]] = []
    outcome = library.import_files([path], paper_progress=lambda done, total: seen.append((done, total)))
    assert len(outcome.imported) == 1200
    assert seen == [(500, 1200), (1000, 1200), (1200, 1200)]


def test_validation_errors_name_their_field_and_list_order_is_undoable(library: Library) -> None:
    pid = library.import_papers(sample_papers()).imported[0]
    with pytest.raises(InvalidInputError) as bad_year:
        library.update_paper(pid, year=0)
    assert bad_year.value.field == "year"
    with pytest.raises(InvalidInputError) as bad_key:
        library.update_paper(pid, citekey="has space")
    assert bad_key.value.field == "citekey"
    for name in ("A", "B", "C"):
        library.create_list(name)
    library.reorder_lists(["C", "A", "B"])
    assert [rl.name for rl in library.reading_lists()] == ["C", "A", "B"]
    library.undo()
    assert [rl.name for rl in library.reading_lists()] == ["A", "B", "C"]
    assert not library.background_indexing


def test_table_rows_carry_the_columns_and_tags_in_case_blind_order(filled: Library) -> None:
    ids = filled.all_ids(order="added", descending=False)
    filled.add_tags([ids[0]], ["beta", "Alpha", "gamma", "Éclair"])
    filled.set_status([ids[1]], ReadStatus.READ)
    rows = filled.rows([*ids, 999_999])
    assert set(rows) == set(ids)
    first, second = rows[ids[0]], rows[ids[1]]
    assert first.tags == "Alpha, beta, gamma, Éclair"
    assert first.title == "The Need for Speed: Pruning Transformers with One Recipe"
    assert (first.year, first.citekey, first.status) == (2024, "khaki2024need", "unread")
    assert first.authors == "Khaki, Plataniotis"
    assert second.status == "read" and second.tags == "" and second.year == 2017
