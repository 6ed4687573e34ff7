"""Apply what the shared library sent to the local SQLite library, field by field.

The caller holds the write transaction and has muted the outbox triggers.
Fields with a local edit still waiting to be pushed are left alone (the push
settles them); derived columns and the index queues follow like any write.
Screening decisions are not fields: they arrive as whole append-only rows
(``Applier.decisions``), each added once by its shared id.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any

from desktop_app.storage import files, organise
from desktop_app.storage import outbox as box
from desktop_app.storage import papers as store

log = logging.getLogger(__name__)

DELETED = "_deleted"
Group = tuple[str, str, dict[str, Any]]
"""(kind, shared id, {field: value}) for one entity."""
COLUMNS = {"paper": box.PAPER_COLUMNS, "list": box.LIST_COLUMNS, "search": box.SEARCH_COLUMNS,
           "review": box.REVIEW_COLUMNS, "file": box.FILE_COLUMNS}
REQUIRED = {"paper": ("citekey",), "list": ("name",), "search": ("name",), "review": ("name",),
            "file": ("paper", "sha256", "size")}
ORDER = ("search", "paper", "list", "review", "file")  # lists, reviews and files name papers: papers first
DECISION_COLUMNS = ("stage", "reviewer", "verdict", "reason", "note", "decided", "final", "withdrawn")
_CHUNK = 500


class _Skip(Exception):
    """An entity the server sent that cannot have a row here (the message says why)."""


class Applier:
    """Applies groups of server values; ``touched``/``notes`` say what the index must catch up with."""

    def __init__(self, conn: sqlite3.Connection, pending: set[tuple[str, int, str]],
                 fetch_entity: Callable[[str, str], dict[str, Any]] | None,
                 fetch_places: Callable[[str], dict[str, int]] | None = None) -> None:
        self.conn = conn
        self.pending = pending
        self.fetch_entity = fetch_entity
        self.fetch_places = fetch_places
        self.touched: set[int] = set()
        self.notes: set[int] = set()
        self.tags_changed = False
        self.now = datetime.now(UTC)

    def apply(self, groups: list[Group]) -> None:
        for kind in ORDER:
            batch = [(uid, fields) for k, uid, fields in groups if k == kind]
            if batch:
                known = self._known(kind, [uid for uid, _ in batch])
                for uid, fields in batch:  # one uid may come several times (several revisions)
                    after = self._apply_one(kind, uid, dict(fields), known.get(uid))
                    if after is not None:
                        known[uid] = after

    def finish(self) -> None:
        if self.tags_changed:
            organise.drop_unused_tags(self.conn)

    def _known(self, kind: str, uids: list[str]) -> dict[str, tuple[int, bool]]:
        """uid -> (local id, whether its row exists) for the uids this desktop has seen."""
        table = box.ENTITY_TABLES[kind]
        found: dict[str, tuple[int, bool]] = {}
        for start in range(0, len(uids), _CHUNK):
            part = uids[start:start + _CHUNK]
            marks = ",".join("?" * len(part))
            for uid, local, exists in self.conn.execute(
                    f"SELECT k.uid, k.local_id, t.id IS NOT NULL FROM sync_keys k LEFT JOIN {table} t "
                    f"ON t.id = k.local_id WHERE k.kind = ? AND k.uid IN ({marks})", (kind, *part)):
                found[uid] = (int(local), bool(exists))
        return found

    def _apply_one(self, kind: str, uid: str, fields: dict[str, Any],
                   known: tuple[int, bool] | None) -> tuple[int, bool] | None:
        """Apply one entity's fields; returns what is known about it afterwards."""
        local = None
        if known is not None:
            if (kind, known[0], DELETED) in self.pending:
                return known  # deleted here; the tombstone goes with the next push
            local = known[0] if known[1] else None
        if fields.get(DELETED) is True:
            if local is not None:
                self._delete(kind, local)
                return local, False
            return known
        if local is None:
            if any(n not in fields for n in REQUIRED[kind]) and self.fetch_entity is not None:
                fields = {**self.fetch_entity(kind, uid), **fields}
            if fields.get(DELETED) is True:
                return known  # an edit of something deleted meanwhile: the server kept it as a conflict
            if any(n not in fields for n in REQUIRED[kind]):
                log.warning("skipped a %s the server sent without %s (%s)", kind, REQUIRED[kind], uid)
                return known
            if kind == "paper" and all(c in fields for c in COLUMNS["paper"]):
                local = self._insert_paper(uid, fields, known[0] if known else None)
                if known is not None and self.fetch_places is not None:  # back from a Trash: its list places
                    self._places(local, self.fetch_places(uid))
                self._extras(local, {n: v for n, v in fields.items() if n not in COLUMNS["paper"]})
                return local, True
            try:
                local = self._create(kind, uid, fields)
            except _Skip as skip:
                log.warning("skipped %s", skip)
                return known
        fields = {n: v for n, v in fields.items() if (kind, local, n) not in self.pending}
        self.update(kind, local, fields)
        return local, True

    def _delete(self, kind: str, local: int) -> None:
        self.conn.execute(f"DELETE FROM {box.ENTITY_TABLES[kind]} WHERE id = ?", (local,))
        if kind == "file":  # its pages leave the full-text index
            files.enqueue_text(self.conn, [local])
        if kind == "paper":
            self.tags_changed = True
            self.touched.add(local)
            self.notes.add(local)

    def _unique(self, table: str, column: str, wanted: str, suffix: str) -> str:
        if self.conn.execute(f"SELECT 1 FROM {table} WHERE {column} = ?", (wanted,)).fetchone() is None:
            return wanted
        log.warning("%s %r is taken here; the shared one is called %r on this desktop", column, wanted,
                    wanted + suffix)
        return wanted + suffix

    def _insert_paper(self, uid: str, fields: dict[str, Any], local: int | None) -> int:
        """Insert a paper; one this desktop had before (restored from a Trash elsewhere) comes back
        under its old id, so its files, review records and decisions are its own again."""
        values: dict[str, Any] = {"id": local} if local is not None else {}
        values.update({c: fields[c] for c in COLUMNS["paper"]})
        values["citekey"] = self._unique("papers", "citekey", str(values["citekey"]), "-" + uid[:4])
        values.update(store.derived_values(str(values["title"] or ""), str(values["authors"] or "[]")))
        values["modified"] = self.now.isoformat()
        names = list(values)
        cur = self.conn.execute(f"INSERT INTO papers({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                [values[n] for n in names])
        local = int(cur.lastrowid or 0)
        box.set_key(self.conn, "paper", local, uid)
        self.touched.add(local)
        return local

    def _create(self, kind: str, uid: str, fields: dict[str, Any]) -> int:
        now = self.now.isoformat()
        if kind == "paper":
            fields["citekey"] = self._unique("papers", "citekey", str(fields["citekey"]), "-" + uid[:4])
            cur = self.conn.execute("INSERT INTO papers(citekey, added, modified) VALUES (?, ?, ?)",
                                    (fields["citekey"], fields.get("added") or now, now))
        elif kind == "list":
            fields["name"] = self._unique("lists", "name", str(fields["name"]), f" ({uid[:4]})")
            cur = self.conn.execute("INSERT INTO lists(name, created) VALUES (?, ?)",
                                    (fields["name"], fields.get("created") or now))
        elif kind == "review":
            fields["name"] = self._unique("reviews", "name", str(fields["name"]), f" ({uid[:4]})")
            cur = self.conn.execute("INSERT INTO reviews(name, created) VALUES (?, ?)",
                                    (fields["name"], fields.get("created") or now))
        elif kind == "file":
            return self._create_file(uid, fields)
        else:
            fields["name"] = self._unique("saved_searches", "name", str(fields["name"]), f" ({uid[:4]})")
            cur = self.conn.execute("INSERT INTO saved_searches(name, query) VALUES (?, '')", (fields["name"],))
        local = int(cur.lastrowid or 0)
        box.set_key(self.conn, kind, local, uid)
        return local

    def _review_source(self, review_id: int, source: dict[str, Any]) -> None:
        known = self.conn.execute("SELECT 1 FROM review_sources WHERE review_id = ? AND kind = ? AND label = ? "
                                  "AND added = ?", (review_id, source["kind"], source["label"], source["added"]))
        if known.fetchone() is None:
            self.conn.execute("INSERT INTO review_sources(review_id, kind, label, records, duplicates, added) "
                              "VALUES (?, ?, ?, ?, ?, ?)", (review_id, source["kind"], source["label"],
                                                            int(source["records"]), int(source["duplicates"]),
                                                            source["added"]))

    def _places(self, pid: int, places: dict[str, int]) -> None:
        for list_uid, position in places.items():
            list_id = box.local_id(self.conn, "list", list_uid)
            if list_id is not None and self.conn.execute("SELECT 1 FROM lists WHERE id = ?", (list_id,)).fetchone():
                self.conn.execute("INSERT OR IGNORE INTO list_items(list_id, paper_id, position) VALUES (?, ?, ?)",
                                  (list_id, pid, int(position)))

    def _create_file(self, uid: str, fields: dict[str, Any]) -> int:
        """A file another member attached: its row (listed, marked absent), not its bytes."""
        paper = box.local_id(self.conn, "paper", str(fields["paper"]))
        if paper is None:
            raise _Skip(f"a file of a paper this desktop never had ({uid})")
        same = self.conn.execute("SELECT id FROM files WHERE paper_id = ? AND sha256 = ?",
                                 (paper, fields["sha256"])).fetchone()
        if same is not None:
            raise _Skip(f"the same file is attached here already as file {same[0]} ({uid})")
        cur = self.conn.execute(
            "INSERT INTO files(paper_id, path, name, kind, sha256, size, linked, text_status, added) "
            "VALUES (?, '', ?, ?, ?, ?, 0, ?, ?)",
            (paper, fields.get("name") or "", fields.get("kind") or "paper", fields["sha256"], int(fields["size"]),
             box.ABSENT, fields.get("added") or self.now.isoformat()))
        local = int(cur.lastrowid or 0)
        box.set_key(self.conn, "file", local, uid)
        return local

    def decisions(self, rows: Iterable[tuple[str, dict[str, Any]]]) -> int:
        """Append the screening decisions pulled (each once, by shared id); withdrawals follow. Returns
        the decisions added."""
        added = 0
        for uid, row in rows:
            local = box.local_id(self.conn, "decision", uid)
            if local is not None:
                if row["withdrawn"]:
                    self.conn.execute("UPDATE review_decisions SET withdrawn = 1 WHERE id = ?", (local,))
                continue
            review = box.local_id(self.conn, "review", str(row["review"]))
            paper = box.local_id(self.conn, "paper", str(row["paper"]))
            if review is None or paper is None or self.conn.execute(
                    "SELECT 1 FROM reviews WHERE id = ?", (review,)).fetchone() is None:
                log.warning("skipped a screening decision of a review or paper not here (%s)", uid)
                continue
            cur = self.conn.execute(
                f"INSERT INTO review_decisions(review_id, paper_id, {', '.join(DECISION_COLUMNS)}) "
                f"VALUES (?, ?, {', '.join('?' * len(DECISION_COLUMNS))})",
                (review, paper, *(int(row[c]) if c in ("final", "withdrawn") else row[c] for c in DECISION_COLUMNS)))
            box.set_key(self.conn, "decision", int(cur.lastrowid or 0), uid)
            added += 1
        return added

    def update(self, kind: str, local: int, fields: dict[str, Any]) -> None:
        """Write some fields of an existing entity (also used to resolve a conflict, captured)."""
        table = box.ENTITY_TABLES[kind]
        if kind == "paper" and "citekey" in fields:
            other = store.id_for_citekey(self.conn, str(fields["citekey"]))
            if other is not None and other != local:
                fields["citekey"] = self._unique("papers", "citekey", str(fields["citekey"]), f"-{local}")
        columns = [n for n in fields if n in COLUMNS[kind] and n not in ("added", "paper")]
        if columns:
            assignments = ", ".join(f"{c} = ?" for c in columns)
            self.conn.execute(f"UPDATE {table} SET {assignments} WHERE id = ?",
                              (*(fields[c] for c in columns), local))
        if kind == "paper":
            if columns:
                title, authors = self.conn.execute("SELECT title, authors FROM papers WHERE id = ?",
                                                   (local,)).fetchone()
                derived = store.derived_values(title, authors)
                self.conn.execute(
                    "UPDATE papers SET author_line = ?, title_key = ?, author_key = ?, modified = ? WHERE id = ?",
                    (derived["author_line"], derived["title_key"], derived["author_key"], self.now.isoformat(),
                     local))
                self.touched.add(local)
            self._extras(local, fields)
        elif kind == "list":
            self._list_items(local, fields)
        elif kind == "review":
            self._review_records(local, fields)

    def _review_records(self, review_id: int, fields: dict[str, Any]) -> None:
        for name, present in fields.items():
            if name.startswith("source:") and isinstance(present, dict):
                self._review_source(review_id, present)
            if not name.startswith("record:"):
                continue
            pid = box.local_id(self.conn, "paper", name[7:])
            if pid is None:
                continue
            if present:
                self.conn.execute("INSERT OR IGNORE INTO review_records(review_id, paper_id) VALUES (?, ?)",
                                  (review_id, pid))
            else:
                self.conn.execute("DELETE FROM review_records WHERE review_id = ? AND paper_id = ?",
                                  (review_id, pid))

    def _extras(self, pid: int, fields: dict[str, Any]) -> None:
        """A paper's note and tags."""
        if "note" in fields:
            organise.write_note(self.conn, pid, str(fields["note"] or ""), self.now)
            self.notes.add(pid)
        for name in sorted(fields, key=lambda n: fields[n] is True):  # removals before additions
            if not name.startswith("tag:"):
                continue
            if fields[name] is True:
                tid = organise.tag_id(self.conn, name[4:], create=True)
                self.conn.execute("INSERT OR IGNORE INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", (pid, tid))
            else:
                tid = organise.tag_id(self.conn, name[4:], create=False)
                if tid is not None:
                    self.conn.execute("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", (pid, tid))
                self.tags_changed = True
            self.touched.add(pid)

    def _list_items(self, list_id: int, fields: dict[str, Any]) -> None:
        for name, position in fields.items():
            if not name.startswith("item:"):
                continue
            pid = box.local_id(self.conn, "paper", name[5:])
            if pid is None or not self.conn.execute("SELECT 1 FROM papers WHERE id = ?", (pid,)).fetchone():
                continue
            if position is None:
                self.conn.execute("DELETE FROM list_items WHERE list_id = ? AND paper_id = ?", (list_id, pid))
            else:
                self.conn.execute("INSERT INTO list_items(list_id, paper_id, position) VALUES (?, ?, ?) "
                                  "ON CONFLICT (list_id, paper_id) DO UPDATE SET position = excluded.position",
                                  (list_id, pid, int(position)))
