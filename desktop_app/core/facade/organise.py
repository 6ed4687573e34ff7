"""Organising papers: tags, reading lists, notes and saved searches."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Sequence

from desktop_app.core.changes import Changes
from desktop_app.core.facade.searching import Searching
from desktop_app.domain.errors import InvalidInputError, NotFoundError
from desktop_app.domain.models import (
    ReadingList,
    SavedSearch,
    TagCount,
)
from desktop_app.storage import organise, queue
from desktop_app.storage import papers as store

log = logging.getLogger(__name__)

_TAG_NAME = re.compile(r"^[^\s,;][^,;]{0,63}$")


class Organisation(Searching):
    """Organising papers: tags, reading lists, notes and saved searches."""

    def tags(self) -> list[TagCount]:
        return organise.tag_counts(self.db.conn)

    def papers_with_tag(self, name: str) -> list[int]:
        return organise.papers_with_tag(self.db.conn, name)

    def reading_lists(self) -> list[ReadingList]:
        return organise.reading_lists(self.db.conn)

    def reading_list(self, name: str) -> ReadingList:
        for reading_list in self.reading_lists():
            if reading_list.name.casefold() == name.casefold():
                return reading_list
        raise NotFoundError(f"no reading list named {name!r}")

    def list_ids(self, name: str) -> list[int]:
        return organise.list_items(self.db.conn, self._list_id(name))

    def lists_of(self, ref: int | str) -> list[str]:
        return organise.lists_of(self.db.conn, self.resolve(ref))

    def note(self, ref: int | str) -> str:
        return organise.note_body(self.db.conn, self.resolve(ref))

    def saved_searches(self) -> list[SavedSearch]:
        return organise.saved_searches(self.db.conn)


    # -- writes: tags -------------------------------------------------------------------

    @staticmethod
    def _check_tag(name: str) -> str:
        name = " ".join(name.split())
        if not _TAG_NAME.match(name):
            raise InvalidInputError(f"{name!r} is not a usable tag name (no commas or semicolons, 1-64 characters)")
        return name

    def add_tags(self, refs: Sequence[int | str], tags: Sequence[str]) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        names = [self._check_tag(t) for t in tags]
        added = self._raw_tag(ids, names, add=True)
        self.undo_stack.push("add tag", lambda: self._untag_pairs(added))
        return Changes(modified=frozenset(ids), tags=True, label="add tag")

    def remove_tags(self, refs: Sequence[int | str], tags: Sequence[str]) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        removed = self._raw_tag(ids, list(tags), add=False)
        self.undo_stack.push("remove tag", lambda: self._tag_pairs(removed))
        return Changes(modified=frozenset(ids), tags=True, label="remove tag")

    def _raw_tag(self, ids: Sequence[int], names: Sequence[str], *, add: bool) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {}
        with self.db.write() as conn:
            for name in names:
                tid = organise.tag_id(conn, name, create=add)
                if tid is None:
                    continue
                done[name] = organise.add_tag(conn, ids, tid) if add else organise.remove_tag(conn, ids, tid)
            if not add:
                organise.drop_unused_tags(conn)
        self._after_write()
        return done

    def _untag_pairs(self, pairs: dict[str, list[int]]) -> Changes:
        for name, ids in pairs.items():
            self._raw_tag(ids, [name], add=False)
        return Changes(modified=frozenset(i for ids in pairs.values() for i in ids), tags=True)

    def _tag_pairs(self, pairs: dict[str, list[int]]) -> Changes:
        for name, ids in pairs.items():
            self._raw_tag(ids, [name], add=True)
        return Changes(modified=frozenset(i for ids in pairs.values() for i in ids), tags=True)

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag; renaming onto an existing tag merges the two."""
        self._require_writable()
        new = self._check_tag(new)
        carriers = self.papers_with_tag(old)
        if not carriers and not any(t.name.casefold() == old.casefold() for t in self.tags()):
            raise NotFoundError(f"no tag named {old!r}")
        with self.db.write() as conn:
            old_id = organise.tag_id(conn, old, create=False)
            target = organise.tag_id(conn, new, create=False)
            if target is None or target == old_id:
                conn.execute("UPDATE tags SET name = ? WHERE id = ?", (new, old_id))
            else:
                organise.add_tag(conn, carriers, target)
                conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
        self.undo_stack.push("rename tag", lambda: self._undo_rename_tag(old, new, carriers))
        self._after_write()
        return Changes(modified=frozenset(carriers), tags=True, label="rename tag")

    def _undo_rename_tag(self, old: str, new: str, carriers: list[int]) -> Changes:
        self._raw_tag(carriers, [new], add=False)
        self._raw_tag(carriers, [old], add=True)
        return Changes(modified=frozenset(carriers), tags=True)

    # -- writes: reading lists ----------------------------------------------------------

    def create_list(self, name: str) -> Changes:
        self._require_writable()
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a reading list needs a name")
        with self.db.write() as conn:
            if organise.list_row(conn, name) is not None:
                raise InvalidInputError(f"a reading list named {name!r} exists already")
            organise.create_list(conn, name, self._now())
        self.undo_stack.push("create list", lambda: self._raw_delete_list(name))
        return Changes(lists=True, label="create list")

    def rename_list(self, old: str, new: str) -> Changes:
        self._require_writable()
        new = " ".join(new.split())
        if not new:
            raise InvalidInputError("a reading list needs a name")
        list_id = self._list_id(old)
        with self.db.write() as conn:
            clash = organise.list_row(conn, new)
            if clash is not None and clash[0] != list_id:
                raise InvalidInputError(f"a reading list named {new!r} exists already")
            conn.execute("UPDATE lists SET name = ? WHERE id = ?", (new, list_id))
        self.undo_stack.push("rename list", lambda: self._raw_rename_list(list_id, old))
        return Changes(lists=True, label="rename list")

    def _raw_rename_list(self, list_id: int, name: str) -> Changes:
        with self.db.write() as conn:
            conn.execute("UPDATE lists SET name = ? WHERE id = ?", (name, list_id))
        return Changes(lists=True)

    def _raw_delete_list(self, name: str) -> Changes:
        with self.db.write() as conn:
            conn.execute("DELETE FROM lists WHERE name = ?", (name,))
        return Changes(lists=True)

    def _append_to_list(self, conn: sqlite3.Connection, name: str, ids: Sequence[int], *, create: bool) -> None:
        row = organise.list_row(conn, name)
        if row is None:
            if not create:
                raise NotFoundError(f"no reading list named {name!r}")
            list_id = organise.create_list(conn, name, self._now())
        else:
            list_id = row[0]
        items = organise.list_items(conn, list_id)
        present = set(items)
        organise.write_list_items(conn, list_id, items + [i for i in dict.fromkeys(ids) if i not in present])

    def add_to_list(self, name: str, refs: Sequence[int | str], position: int | None = None) -> Changes:
        """Add papers to a list (at the end, or before ``position``); already listed ones stay put."""
        self._require_writable()
        ids = self.resolve_many(refs)
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        fresh = [i for i in dict.fromkeys(ids) if i not in set(before)]
        at = len(before) if position is None else max(0, min(position, len(before)))
        self._write_items(list_id, before[:at] + fresh + before[at:])
        self.undo_stack.push("add to list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, modified=frozenset(fresh), label="add to list")

    def remove_from_list(self, name: str, refs: Sequence[int | str]) -> Changes:
        self._require_writable()
        ids = set(self.resolve_many(refs))
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        self._write_items(list_id, [i for i in before if i not in ids])
        self.undo_stack.push("remove from list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, modified=frozenset(ids), label="remove from list")

    def move_in_list(self, name: str, ref: int | str, position: int) -> Changes:
        """Move a listed paper to ``position`` (0-based; past the end means last)."""
        self._require_writable()
        pid = self.resolve(ref)
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        if pid not in before:
            raise NotFoundError(f"paper {pid} is not in the list {name!r}")
        items = [i for i in before if i != pid]
        items.insert(max(0, min(position, len(items))), pid)
        self._write_items(list_id, items)
        self.undo_stack.push("move in list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, label="move in list")

    def set_list_order(self, name: str, ids: Sequence[int]) -> Changes:
        """Store a whole new order (drag and drop); the ids must be the list's own."""
        self._require_writable()
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        if sorted(before) != sorted(ids):
            raise InvalidInputError("the new order must hold exactly the list's papers")
        self._write_items(list_id, list(ids))
        self.undo_stack.push("reorder list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, label="reorder list")

    def reorder_lists(self, names: Sequence[str]) -> Changes:
        """Store the sidebar order of the reading lists (undoable)."""
        self._require_writable()
        before = [rl.name for rl in self.reading_lists()]
        self._raw_reorder_lists(names)
        self.undo_stack.push("reorder lists", lambda: self._raw_reorder_lists(before))
        return Changes(lists=True, label="reorder lists")

    def _raw_reorder_lists(self, names: Sequence[str]) -> Changes:
        with self.db.write() as conn:
            organise.reorder_lists(conn, names)
        return Changes(lists=True)


    def _write_items(self, list_id: int, items: Sequence[int]) -> Changes:
        with self.db.write() as conn:
            present = store.existing_ids(conn, items)
            organise.write_list_items(conn, list_id, [i for i in items if i in present])
        return Changes(lists=True)

    # -- writes: notes and saved searches ------------------------------------------------

    def set_note(self, ref: int | str, body: str) -> Changes:
        self._require_writable()
        pid = self.resolve(ref)
        with self.db.write() as conn:
            organise.write_note(conn, pid, body, self._now())
            queue.enqueue(conn, queue.NOTE_QUEUE, [pid], self.clock.next())
        self._after_write(notes_now=True)
        return Changes(notes=frozenset({pid}), label="edit note")

    def save_search(self, name: str, query: str) -> Changes:
        self._require_writable()
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a saved search needs a name")
        self.compile(query)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO saved_searches(name, query, position) VALUES (?, ?, "
                "(SELECT coalesce(max(position), -1) + 1 FROM saved_searches)) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query", (name, query))
        return Changes(searches=True)

    def delete_search(self, name: str) -> Changes:
        self._require_writable()
        with self.db.write() as conn:
            if conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount == 0:
                raise NotFoundError(f"no saved search named {name!r}")
        return Changes(searches=True)
