"""The Trash and Redo: deleting moves papers and lists to the Trash, restorable across a
restart until emptied; undone steps can be redone."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.domain.errors import NotFoundError
from tests.unit.conftest import sample_papers


def _fill(library: Library) -> list[int]:
    ids = library.import_papers(sample_papers()).imported
    library.catch_up_index()
    return ids


def test_deleted_papers_leave_every_view_search_count_and_export(library: Library) -> None:
    ids = _fill(library)
    library.add_tags([ids[0]], ["pruning-papers"])
    library.create_list("Thesis")
    library.add_to_list("Thesis", ids)
    library.set_note(ids[0], "prune *first*")
    changes = library.delete_papers([ids[0]])
    library.catch_up_index()
    assert changes.removed == {ids[0]}
    assert library.count() == 3
    assert ids[0] not in library.all_ids() and ids[0] not in library.unread_ids()
    assert library.list_ids("Thesis") == ids[1:]
    assert library.tags() == []  # the tag had only that paper
    assert ids[0] not in library.search("pruning").ids
    assert ids[0] not in library.search("note:first").ids
    assert "Need for Speed" not in library.export(library.ids_for_export(), "bibtex")
    assert library.stats().papers == 3
    trash = library.trash()
    assert [p.paper_id for p in trash.papers] == [ids[0]] and library.trash_count() == 1
    with pytest.raises(NotFoundError):
        library.paper(ids[0])


def test_restore_after_a_restart_brings_back_tags_list_place_and_note(tmp_path: Path) -> None:
    with Library.open(tmp_path / "lib") as library:
        ids = _fill(library)
        library.add_tags([ids[1]], ["attention"])
        library.create_list("Thesis")
        library.add_to_list("Thesis", ids)
        library.set_note(ids[1], "the transformer paper")
        key = library.paper(ids[1]).citekey
        library.delete_papers([ids[1], ids[2]])
    with Library.open(tmp_path / "lib") as library:  # a new process: the Trash is on disk
        assert {p.paper_id for p in library.trash().papers} == {ids[1], ids[2]}
        changes = library.restore_from_trash(papers=[ids[1]])
        library.catch_up_index()
        assert changes.added == {ids[1]}
        paper = library.paper(ids[1])
        assert paper.citekey == key and paper.tags == ["attention"]
        assert library.list_ids("Thesis") == [ids[0], ids[1], ids[3]]
        assert library.note(ids[1]) == "the transformer paper"
        assert ids[1] in library.search("transformer").ids
        assert [p.paper_id for p in library.trash().papers] == [ids[2]]


def test_empty_trash_deletes_for_good(library: Library) -> None:
    ids = _fill(library)
    library.delete_papers(ids[:2])
    library.create_list("Old")
    library.delete_list("Old")
    assert library.trash_count() == 3
    assert library.empty_trash() == 3
    assert library.trash_count() == 0 and library.count() == 2
    with pytest.raises(NotFoundError):
        library.restore_from_trash(papers=ids[:2])
    with pytest.raises(NotFoundError):
        library.undo()  # the deletion can no longer be undone; it says so


def test_empty_selected_items_only(library: Library) -> None:
    ids = _fill(library)
    library.delete_papers(ids[:3])
    assert library.empty_trash(papers=[ids[0]]) == 1
    assert {p.paper_id for p in library.trash().papers} == set(ids[1:3])


def test_deleted_list_goes_to_trash_and_comes_back_with_its_order(library: Library) -> None:
    ids = _fill(library)
    library.create_list("Thesis")
    library.add_to_list("Thesis", [ids[2], ids[0], ids[1]])
    library.delete_list("Thesis")
    assert [rl.name for rl in library.reading_lists()] == []
    assert library.count() == 4  # its papers stay in the library
    trashed = library.trash().lists
    assert [(t.name, t.paper_count) for t in trashed] == [("Thesis", 3)]
    library.create_list("Thesis")  # the name is taken meanwhile
    library.restore_from_trash(lists=[trashed[0].trash_id])
    assert library.list_ids("Thesis (2)") == [ids[2], ids[0], ids[1]]


def test_a_paper_deleted_after_its_list_gets_its_place_back(library: Library) -> None:
    ids = _fill(library)
    library.create_list("Thesis")
    library.add_to_list("Thesis", ids)
    library.delete_list("Thesis")
    library.delete_papers([ids[1]])
    trash = library.trash()
    library.restore_from_trash(lists=[trash.lists[0].trash_id])
    assert library.list_ids("Thesis") == [ids[0], ids[2], ids[3]]
    library.restore_from_trash(papers=[ids[1]])
    assert library.list_ids("Thesis") == ids


def test_restore_when_the_key_was_taken_meanwhile(library: Library) -> None:
    ids = _fill(library)
    key = library.paper(ids[1]).citekey
    library.delete_papers([ids[1]])
    again = library.import_papers([sample_papers()[1]]).imported
    assert library.paper(again[0]).citekey == key
    library.restore_from_trash(papers=[ids[1]])
    assert library.paper(ids[1]).citekey not in ("", key)


def test_undo_delete_restores_and_redo_deletes_again(library: Library) -> None:
    ids = _fill(library)
    library.delete_papers([ids[0]])
    assert library.undo_label == "delete 1 paper" and library.redo_label is None
    library.undo()
    assert library.count() == 4 and library.trash_count() == 0
    assert library.redo_label == "delete 1 paper"
    changes = library.redo()
    assert changes is not None and changes.removed == {ids[0]}
    assert library.count() == 3 and library.trash_count() == 1
    library.undo()  # the redone step can be undone again
    assert library.count() == 4


def test_redo_of_tags_lists_and_status_and_new_work_clears_redo(library: Library) -> None:
    ids = _fill(library)
    library.add_tags(ids[:2], ["ml"])
    library.set_status([ids[0]], "read")
    library.undo()
    library.undo()
    assert library.papers_with_tag("ml") == [] and library.paper(ids[0]).status.value == "unread"
    library.redo()
    assert library.papers_with_tag("ml") == ids[:2]
    assert library.redo_label == "mark read"
    library.create_list("New")  # a new change: nothing left to redo
    assert library.redo_label is None and library.redo() is None


def test_undo_restore_puts_papers_back_in_the_trash(library: Library) -> None:
    ids = _fill(library)
    library.delete_papers(ids[:2])
    library.restore_from_trash(papers=ids[:2])
    assert library.count() == 4
    library.undo()
    assert library.count() == 2 and {p.paper_id for p in library.trash().papers} == set(ids[:2])
