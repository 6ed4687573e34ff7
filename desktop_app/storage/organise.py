"""Tags, reading lists, notes, saved searches and settings in SQLite."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from datetime import datetime

from desktop_app.domain.models import ReadingList, SavedSearch, TagCount
from desktop_app.storage.papers import chunks

# -- tags -------------------------------------------------------------------


def tag_id(conn: sqlite3.Connection, name: str, *, create: bool) -> int | None:
    row = conn.execute("SELECT id FROM tags WHERE name = ?", (name,)).fetchone()
    if row:
        return int(row[0])
    if not create:
        return None
    return int(conn.execute("INSERT INTO tags(name) VALUES (?)", (name,)).lastrowid or 0)


def tag_pairs(conn: sqlite3.Connection, ids: Sequence[int], tag: int) -> set[int]:
    """Which of ``ids`` carry the tag."""
    result: set[int] = set()
    for part in chunks(list(ids)):
        marks = ",".join("?" * len(part))
        result.update(r[0] for r in conn.execute(
            f"SELECT paper_id FROM paper_tags WHERE tag_id = ? AND paper_id IN ({marks})", (tag, *part)
        ))
    return result


def add_tag(conn: sqlite3.Connection, ids: Sequence[int], tag: int) -> list[int]:
    """Tag the papers (each once, however often it is named); returns those that did not carry it before."""
    carriers = tag_pairs(conn, ids, tag)
    new = [i for i in dict.fromkeys(ids) if i not in carriers]
    conn.executemany("INSERT INTO paper_tags(paper_id, tag_id) VALUES (?, ?)", [(i, tag) for i in new])
    return new


def remove_tag(conn: sqlite3.Connection, ids: Sequence[int], tag: int) -> list[int]:
    had = tag_pairs(conn, ids, tag)
    conn.executemany("DELETE FROM paper_tags WHERE paper_id = ? AND tag_id = ?", [(i, tag) for i in had])
    return sorted(had)


def drop_unused_tags(conn: sqlite3.Connection) -> None:
    conn.execute("DELETE FROM tags WHERE id NOT IN (SELECT DISTINCT tag_id FROM paper_tags)")


def tag_counts(conn: sqlite3.Connection) -> list[TagCount]:
    return [
        TagCount(name=name, count=count)
        for name, count in conn.execute(
            "SELECT t.name, count(pt.paper_id) FROM tags t JOIN paper_tags pt ON pt.tag_id = t.id "
            "GROUP BY t.id ORDER BY t.name COLLATE NOCASE"
        )
    ]


def papers_with_tag(conn: sqlite3.Connection, name: str) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE t.name = ? "
        "ORDER BY pt.paper_id", (name,)
    )]


# -- reading lists ------------------------------------------------------------


def list_row(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, name FROM lists WHERE name = ?", (name,)).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def create_list(conn: sqlite3.Connection, name: str, now: datetime) -> int:
    position = conn.execute("SELECT coalesce(max(position), -1) + 1 FROM lists").fetchone()[0]
    return int(conn.execute(
        "INSERT INTO lists(name, position, created) VALUES (?, ?, ?)", (name, position, now.isoformat())
    ).lastrowid or 0)


def reading_lists(conn: sqlite3.Connection) -> list[ReadingList]:
    return [
        ReadingList(id=lid, name=name, position=pos, paper_count=count, read_count=read or 0)
        for lid, name, pos, count, read in conn.execute(
            "SELECT l.id, l.name, l.position, count(li.paper_id), "
            "sum(CASE WHEN p.status = 'read' THEN 1 ELSE 0 END) "
            "FROM lists l LEFT JOIN list_items li ON li.list_id = l.id "
            "LEFT JOIN papers p ON p.id = li.paper_id GROUP BY l.id ORDER BY l.position, l.id"
        )
    ]


def list_items(conn: sqlite3.Connection, list_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT paper_id FROM list_items WHERE list_id = ? ORDER BY position", (list_id,)
    )]


def write_list_items(conn: sqlite3.Connection, list_id: int, paper_ids: Sequence[int]) -> None:
    """Store the list's whole order (positions 0..n-1)."""
    conn.execute("DELETE FROM list_items WHERE list_id = ?", (list_id,))
    conn.executemany(
        "INSERT INTO list_items(list_id, paper_id, position) VALUES (?, ?, ?)",
        [(list_id, pid, pos) for pos, pid in enumerate(paper_ids)],
    )


def lists_of(conn: sqlite3.Connection, paper_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT l.name FROM lists l JOIN list_items li ON li.list_id = l.id WHERE li.paper_id = ? "
        "ORDER BY l.position", (paper_id,)
    )]


def reorder_lists(conn: sqlite3.Connection, names_in_order: Sequence[str]) -> None:
    conn.executemany("UPDATE lists SET position = ? WHERE name = ?",
                     [(pos, name) for pos, name in enumerate(names_in_order)])


# -- notes --------------------------------------------------------------------


def note_body(conn: sqlite3.Connection, paper_id: int) -> str:
    row = conn.execute("SELECT body FROM notes WHERE paper_id = ?", (paper_id,)).fetchone()
    return str(row[0]) if row else ""


def write_note(conn: sqlite3.Connection, paper_id: int, body: str, now: datetime) -> None:
    if body.strip():
        conn.execute(
            "INSERT INTO notes(paper_id, body, modified) VALUES (?, ?, ?) "
            "ON CONFLICT(paper_id) DO UPDATE SET body = excluded.body, modified = excluded.modified",
            (paper_id, body, now.isoformat()),
        )
    else:
        conn.execute("DELETE FROM notes WHERE paper_id = ?", (paper_id,))


def notes_of(conn: sqlite3.Connection, ids: Iterable[int]) -> dict[int, str]:
    wanted = list(ids)
    result: dict[int, str] = {}
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        result.update(conn.execute(f"SELECT paper_id, body FROM notes WHERE paper_id IN ({marks})", tuple(part)))
    return result


# -- saved searches and settings ---------------------------------------------------


def saved_searches(conn: sqlite3.Connection) -> list[SavedSearch]:
    return [SavedSearch(id=i, name=n, query=q) for i, n, q in conn.execute(
        "SELECT id, name, query FROM saved_searches ORDER BY position, name COLLATE NOCASE"
    )]


def get_setting(conn: sqlite3.Connection, key: str, default: str = "") -> str:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", (key,)).fetchone()
    return str(row[0]) if row else default


def set_setting(conn: sqlite3.Connection, key: str, value: str) -> None:
    conn.execute("INSERT INTO settings(key, value) VALUES (?, ?) "
                 "ON CONFLICT(key) DO UPDATE SET value = excluded.value", (key, value))
