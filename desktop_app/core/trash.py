"""The Trash: deleting papers and reading lists moves them there; they come back on Restore
(or Undo), and leave for good only when the Trash is emptied.

The ``Library`` facade's ``delete_papers``, ``delete_list``, ``trash``, ``restore_from_trash``
and ``empty_trash`` call these functions; each write is one transaction and returns ``Changes``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from desktop_app.core.changes import Changes
from desktop_app.domain.citekeys import assign_key
from desktop_app.domain.errors import NotFoundError
from desktop_app.storage import organise, queue
from desktop_app.storage import papers as store
from desktop_app.storage import trash as stored
from desktop_app.storage.trash import TrashedList, TrashedPaper

if TYPE_CHECKING:
    from desktop_app.core.facade.organise import Organisation as Library


def _plural(count: int, word: str) -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclass
class TrashContents:
    """What the Trash holds, most recently deleted first."""

    papers: list[TrashedPaper] = field(default_factory=list)
    lists: list[TrashedList] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.papers) + len(self.lists)


def delete_papers(library: Library, refs: Sequence[int | str]) -> Changes:
    """Move papers to the Trash (undoable: Undo restores them)."""
    library._require_writable()
    changes, moved = _trash_papers(library, library.resolve_many(refs))
    library.undo_stack.push(changes.label, lambda: _restore(library, moved, [])[0])
    return changes


def _trash_papers(library: Library, ids: Sequence[int]) -> tuple[Changes, list[int]]:
    with library.db.write() as conn:
        notes = organise.notes_of(conn, ids)
        moved = stored.trash_papers(conn, ids, stored.next_deletion(conn), library._now())
        library._touch(conn, moved)
        queue.enqueue(conn, queue.NOTE_QUEUE, notes, library.clock.next())
    library._after_write()
    label = f"delete {_plural(len(moved), 'paper')}"
    return Changes(removed=frozenset(moved), tags=True, lists=True, label=label), moved


def delete_list(library: Library, name: str) -> Changes:
    """Move a reading list to the Trash (its papers stay in the library; undoable)."""
    library._require_writable()
    trash_id = _trash_list(library, library._list_id(name))
    library.undo_stack.push("delete list", lambda: _restore(library, [], [trash_id])[0])
    return Changes(lists=True, label="delete list")


def _trash_list(library: Library, list_id: int) -> int:
    with library.db.write() as conn:
        return stored.trash_list(conn, list_id, stored.next_deletion(conn), library._now())


def contents(library: Library) -> TrashContents:
    conn = library.db.conn
    return TrashContents(stored.trashed_papers(conn), stored.trashed_lists(conn))


def count(library: Library) -> int:
    return sum(stored.counts(library.db.conn))


def restore(library: Library, *, papers: Sequence[int] = (), lists: Sequence[int] = ()) -> Changes:
    """Put trashed papers (by paper id) and lists (by trash id) back where they were (undoable)."""
    library._require_writable()
    changes, list_ids = _restore(library, papers, lists)
    restored = sorted(changes.added)

    def trash_again() -> Changes:
        again = _trash_papers(library, restored)[0] if restored else Changes(lists=True)
        for list_id in list_ids:
            _trash_list(library, list_id)
        return again | Changes(lists=True)

    library.undo_stack.push("restore from the Trash", trash_again)
    return changes


def _restore(library: Library, papers: Sequence[int], lists: Sequence[int]) -> tuple[Changes, list[int]]:
    """Lists first, so papers deleted with their lists find them again.  A paper whose
    citation key has been taken meanwhile (the same paper imported again) gets a free one.
    Returns the changes and the ids of the lists restored."""
    list_ids: list[int] = []
    with library.db.write() as conn:
        for trash_id in lists:
            if conn.execute("SELECT 1 FROM trash_lists WHERE id = ?", (trash_id,)).fetchone() is not None:
                list_ids.append(stored.restore_list(conn, trash_id))
        records = stored.paper_records(conn, list(papers))
        now = library._now()
        restored: list[int] = []
        noted: list[int] = []
        for record in records:
            paper = record.paper
            key = assign_key(paper, lambda k: store.citekey_taken(conn, k))
            pid = store.insert_paper(conn, paper.model_copy(update={"citekey": key}), now)
            restored.append(pid)
            for tag in paper.tags:
                tid = organise.tag_id(conn, tag, create=True)
                assert tid is not None
                organise.add_tag(conn, [pid], tid)
            for created, position in record.places:
                list_id = stored.list_for_created(conn, created)
                if list_id is not None:
                    items = organise.list_items(conn, list_id)
                    items.insert(min(position, len(items)), pid)
                    organise.write_list_items(conn, list_id, items)
            if record.note:
                organise.write_note(conn, pid, record.note, now)
                noted.append(pid)
        stored.forget_papers(conn, [r.paper.id or 0 for r in records])
        library._touch(conn, restored)
        queue.enqueue(conn, queue.NOTE_QUEUE, noted, library.clock.next())
    if not restored and not list_ids:
        raise NotFoundError("nothing to restore: those papers and lists are no longer in the Trash")
    library._after_write(notes_now=bool(noted))
    changes = Changes(added=frozenset(restored), notes=frozenset(noted), tags=True, lists=True,
                      label="restore from the Trash")
    return changes, list_ids


def empty(library: Library, *, papers: Sequence[int] | None = None, lists: Sequence[int] | None = None) -> int:
    """Delete for good: the given trashed papers and lists, or everything when neither is given.

    Not undoable (the window asks first).  Returns how many items left the Trash.
    """
    library._require_writable()
    everything = papers is None and lists is None
    with library.db.write() as conn:
        if everything:
            removed = conn.execute("DELETE FROM trash_papers").rowcount + conn.execute("DELETE FROM trash_lists").rowcount
        else:
            removed = stored.forget_papers(conn, papers or ()) + stored.forget_lists(conn, lists or ())
    return int(removed)
