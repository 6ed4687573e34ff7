"""Reading papers and editing, deleting and restoring them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import timedelta
from typing import Any

from pydantic import ValidationError

from desktop_app.core.changes import Changes
from desktop_app.core.facade.base import LibraryBase
from desktop_app.domain.citekeys import is_valid_key
from desktop_app.domain.errors import InvalidInputError
from desktop_app.domain.models import (
    Paper,
    ReadStatus,
    utc_now,
)
from desktop_app.storage import papers as store
from desktop_app.storage.papers import PaperRow

log = logging.getLogger(__name__)

SORT_COLUMNS = {
    "title": "title COLLATE NOCASE",
    "authors": "author_line COLLATE NOCASE",
    "year": "year",
    "venue": "venue COLLATE NOCASE",
    "status": "CASE status WHEN 'unread' THEN 0 WHEN 'reading' THEN 1 ELSE 2 END",
    "priority": "priority",
    "added": "added",
    "citekey": "citekey COLLATE NOCASE",
    "note": store.HAS_NOTE,
}


class PaperOps(LibraryBase):
    """Reading papers and editing, deleting and restoring them."""

    # -- reads -------------------------------------------------------------------

    def paper(self, ref: int | str) -> Paper:
        pid = self.resolve(ref)
        return store.get_papers(self.db.conn, [pid])[0]

    def papers(self, ids: Sequence[int]) -> list[Paper]:
        return store.get_papers(self.db.conn, ids)

    def iter_papers(self) -> Iterator[list[Paper]]:
        with self.db.read() as conn:
            yield from store.iter_all_papers(conn)


    def all_ids(self, order: str = "added", descending: bool = True) -> list[int]:
        clause = SORT_COLUMNS.get(order, "added")
        direction = "DESC" if descending else "ASC"
        return [r[0] for r in self.db.conn.execute(f"SELECT id FROM papers ORDER BY {clause} {direction}, id")]

    def unread_ids(self) -> list[int]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT id FROM papers WHERE status != 'read' ORDER BY added DESC, id")]

    def recent_ids(self, days: int = 7) -> list[int]:
        since = (utc_now() - timedelta(days=days)).isoformat()
        return [r[0] for r in self.db.conn.execute(
            "SELECT id FROM papers WHERE added >= ? ORDER BY added DESC, id", (since,))]

    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        return store.table_rows(self.db.conn, ids)

    def sort_ids(self, ids: Sequence[int], column: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a table column (ties by id), done in SQLite."""
        if column == "tags":
            clause = "(SELECT group_concat(t.name) FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id = papers.id)"
        else:
            clause = SORT_COLUMNS.get(column, "")
        if not clause:
            raise InvalidInputError(f"cannot sort by {column!r}")
        direction = "DESC" if descending else "ASC"
        wanted = set(ids)
        ordered = [r[0] for r in self.db.conn.execute(f"SELECT id FROM papers ORDER BY {clause} {direction}, id")]
        return [pid for pid in ordered if pid in wanted]


    # -- writes: papers -----------------------------------------------------------------

    def update_paper(self, ref: int | str, **fields: Any) -> Changes:
        """Edit a paper's fields (the citation key only when asked for and valid)."""
        self._require_writable()
        pid = self.resolve(ref)
        current = self.paper(pid)
        if "citekey" in fields:
            key = str(fields["citekey"])
            if not is_valid_key(key):
                raise InvalidInputError(f"{key!r} is not a valid citation key", field="citekey")
            other = store.id_for_citekey(self.db.conn, key)
            if other is not None and other != pid:
                raise InvalidInputError(f"the citation key {key!r} is taken", field="citekey")
        fields.pop("id", None)
        fields.pop("tags", None)
        try:
            updated = Paper.model_validate({**current.model_dump(), **fields})
        except ValidationError as exc:
            where = exc.errors()[0].get("loc", ())
            raise InvalidInputError(str(exc), field=str(where[0]) if where else None) from exc
        updated.id = pid
        with self.db.write() as conn:
            store.update_paper(conn, updated, self._now())
            self._touch(conn, [pid])
        before = {name: getattr(current, name) for name in fields}
        self.undo_stack.push("edit paper", lambda: self._raw_update(pid, before))
        self._after_write()
        return Changes(modified=frozenset({pid}), label="edit paper")

    def _raw_update(self, pid: int, fields: dict[str, Any]) -> Changes:
        current = self.paper(pid)
        updated = Paper.model_validate({**current.model_dump(), **fields})
        updated.id = pid
        with self.db.write() as conn:
            store.update_paper(conn, updated, self._now())
            self._touch(conn, [pid])
        self._after_write()
        return Changes(modified=frozenset({pid}))

    def set_status(self, ids: Sequence[int | str], status: ReadStatus | str) -> Changes:
        return self._set_column(ids, "status", ReadStatus(status).value, "mark " + ReadStatus(status).value)

    def set_priority(self, ids: Sequence[int | str], priority: int) -> Changes:
        if not 0 <= int(priority) <= 3:
            raise InvalidInputError("priority goes from 0 (none) to 3 (high)")
        return self._set_column(ids, "priority", int(priority), "set priority")

    def _set_column(self, refs: Sequence[int | str], column: str, value: object, label: str) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        conn = self.db.conn
        before = {pid: conn.execute(f"SELECT {column} FROM papers WHERE id = ?", (pid,)).fetchone()[0] for pid in ids}
        changes = self._write_column(before.keys(), column, lambda _pid: value, label)
        self.undo_stack.push(label, lambda: self._write_column(before.keys(), column, before.__getitem__, "undo " + label))
        return changes

    def _write_column(self, ids: Iterable[int], column: str, value_of: Callable[[int], object], label: str) -> Changes:
        ids = list(ids)
        now = self._now().isoformat()
        with self.db.write() as conn:
            conn.executemany(f"UPDATE papers SET {column} = ?, modified = ? WHERE id = ?",
                             [(value_of(pid), now, pid) for pid in ids])
        self._after_write()
        return Changes(modified=frozenset(ids), lists=True, label=label)
