"""The Trash in SQLite: deleted papers and reading lists kept whole until the Trash is emptied.

A trashed paper's record is JSON: ``{"paper": <Paper as JSON>, "lists": [[created, position],
...], "note": body}``.  List places name the list by its ``created`` stamp, which survives a
rename and a trip through the Trash (list ids may be reused, paper ids never are).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from desktop_app.domain.models import Paper
from desktop_app.storage import organise
from desktop_app.storage.papers import chunks, get_papers


@dataclass(frozen=True)
class TrashedPaper:
    paper_id: int
    deletion: int
    deleted: str
    citekey: str
    title: str


@dataclass(frozen=True)
class TrashedList:
    trash_id: int
    deletion: int
    deleted: str
    name: str
    paper_count: int


@dataclass
class PaperRecord:
    """Everything needed to put one paper back as it was."""

    paper: Paper
    places: list[tuple[str, int]] = field(default_factory=list)  # (list created stamp, position)
    note: str = ""


def next_deletion(conn: sqlite3.Connection) -> int:
    row = conn.execute("SELECT max(d) FROM (SELECT max(deletion) AS d FROM trash_papers "
                       "UNION ALL SELECT max(deletion) FROM trash_lists)").fetchone()
    return int(row[0] or 0) + 1


def _in(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))


def trash_papers(conn: sqlite3.Connection, ids: Sequence[int], deletion: int, now: datetime) -> list[int]:
    """Move papers (with tags, list places and note) into the Trash; returns those moved."""
    moved: list[int] = []
    for part in chunks(list(ids)):
        papers = get_papers(conn, part)
        places: dict[int, list[tuple[str, int]]] = {}
        for pid, created, position in conn.execute(
                f"SELECT li.paper_id, l.created, li.position FROM list_items li JOIN lists l ON l.id = li.list_id "
                f"WHERE li.paper_id IN ({_in(part)})", tuple(part)):
            places.setdefault(pid, []).append((created, position))
        notes = organise.notes_of(conn, part)
        rows = []
        for paper in papers:
            pid = paper.id or 0
            record = {"paper": paper.model_dump(mode="json"), "lists": places.get(pid, []),
                      "note": notes.get(pid, "")}
            rows.append((pid, deletion, now.isoformat(), paper.citekey, paper.title,
                         json.dumps(record, ensure_ascii=False)))
        conn.executemany("INSERT OR REPLACE INTO trash_papers(paper_id, deletion, deleted, citekey, title, record) "
                         "VALUES (?, ?, ?, ?, ?, ?)", rows)
        present = [r[0] for r in rows]
        if present:
            conn.execute(f"DELETE FROM papers WHERE id IN ({_in(present)})", tuple(present))
        moved.extend(present)
    organise.drop_unused_tags(conn)
    return moved


def paper_records(conn: sqlite3.Connection, ids: Sequence[int]) -> list[PaperRecord]:
    """The trashed papers among ``ids``, in the order given."""
    found: dict[int, PaperRecord] = {}
    for part in chunks(list(ids)):
        for pid, raw in conn.execute(f"SELECT paper_id, record FROM trash_papers WHERE paper_id IN ({_in(part)})",
                                     tuple(part)):
            data: dict[str, Any] = json.loads(raw)
            found[pid] = PaperRecord(Paper.model_validate(data["paper"]),
                                     [(str(c), int(p)) for c, p in data.get("lists", [])], str(data.get("note", "")))
    return [found[i] for i in ids if i in found]


def forget_papers(conn: sqlite3.Connection, ids: Iterable[int]) -> int:
    """Remove papers from the Trash (restored, or deleted for good)."""
    ids = list(ids)
    removed = 0
    for part in chunks(ids):
        removed += conn.execute(f"DELETE FROM trash_papers WHERE paper_id IN ({_in(part)})", tuple(part)).rowcount
    return removed


def papers_of_deletion(conn: sqlite3.Connection, deletion: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT paper_id FROM trash_papers WHERE deletion = ? ORDER BY paper_id",
                                       (deletion,))]


def trashed_papers(conn: sqlite3.Connection) -> list[TrashedPaper]:
    """The Trash's papers, most recently deleted first."""
    return [TrashedPaper(*row) for row in conn.execute(
        "SELECT paper_id, deletion, deleted, citekey, title FROM trash_papers ORDER BY deletion DESC, paper_id")]


def trash_list(conn: sqlite3.Connection, list_id: int, deletion: int, now: datetime) -> int:
    """Move a reading list (its name, place and order of papers) into the Trash; returns its trash id."""
    row = conn.execute("SELECT name, position, created FROM lists WHERE id = ?", (list_id,)).fetchone()
    name, position, created = row
    items = organise.list_items(conn, list_id)
    trash_id = int(conn.execute(
        "INSERT INTO trash_lists(deletion, deleted, list_id, name, position, created, items) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        (deletion, now.isoformat(), list_id, name, position, created, json.dumps(items))).lastrowid or 0)
    conn.execute("DELETE FROM lists WHERE id = ?", (list_id,))
    return trash_id


def restore_list(conn: sqlite3.Connection, trash_id: int) -> int:
    """Put a trashed list back (renamed when its name is taken); returns its list id.

    Its papers still in the library are listed again in their order; those in the Trash
    remember their place, so restoring them later puts them back in the list too.
    """
    row = conn.execute("SELECT list_id, name, position, created, items FROM trash_lists WHERE id = ?",
                       (trash_id,)).fetchone()
    list_id, name, position, created, raw_items = row
    wanted, number = name, 1
    while organise.list_row(conn, wanted) is not None:
        number += 1
        wanted = f"{name} ({number})"
    if conn.execute("SELECT 1 FROM lists WHERE id = ?", (list_id,)).fetchone() is not None:
        list_id = None  # the id went to a newer list
    new_id = int(conn.execute("INSERT INTO lists(id, name, position, created) VALUES (?, ?, ?, ?)",
                              (list_id, wanted, position, created)).lastrowid or 0)
    items: list[int] = json.loads(raw_items)
    present: set[int] = set()
    for part in chunks(items):
        present.update(r[0] for r in conn.execute(f"SELECT id FROM papers WHERE id IN ({_in(part)})", tuple(part)))
    organise.write_list_items(conn, new_id, [i for i in items if i in present])
    for position_in_list, pid in enumerate(items):
        if pid not in present:
            _remember_place(conn, pid, created, position_in_list)
    conn.execute("DELETE FROM trash_lists WHERE id = ?", (trash_id,))
    return new_id


def _remember_place(conn: sqlite3.Connection, pid: int, created: str, position: int) -> None:
    row = conn.execute("SELECT record FROM trash_papers WHERE paper_id = ?", (pid,)).fetchone()
    if row is None:
        return
    record = json.loads(row[0])
    places = [p for p in record.get("lists", []) if p[0] != created]
    record["lists"] = [*places, [created, position]]
    conn.execute("UPDATE trash_papers SET record = ? WHERE paper_id = ?", (json.dumps(record, ensure_ascii=False), pid))


def list_for_created(conn: sqlite3.Connection, created: str) -> int | None:
    row = conn.execute("SELECT id FROM lists WHERE created = ?", (created,)).fetchone()
    return int(row[0]) if row else None


def trashed_lists(conn: sqlite3.Connection) -> list[TrashedList]:
    return [TrashedList(tid, deletion, deleted, name, len(json.loads(items))) for tid, deletion, deleted, name, items
            in conn.execute("SELECT id, deletion, deleted, name, items FROM trash_lists ORDER BY deletion DESC, id")]


def lists_of_deletion(conn: sqlite3.Connection, deletion: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT id FROM trash_lists WHERE deletion = ?", (deletion,))]


def forget_lists(conn: sqlite3.Connection, trash_ids: Iterable[int]) -> int:
    return sum(conn.execute("DELETE FROM trash_lists WHERE id = ?", (tid,)).rowcount for tid in trash_ids)


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """``(papers, lists)`` in the Trash."""
    papers = conn.execute("SELECT count(*) FROM trash_papers").fetchone()[0]
    lists = conn.execute("SELECT count(*) FROM trash_lists").fetchone()[0]
    return int(papers), int(lists)
