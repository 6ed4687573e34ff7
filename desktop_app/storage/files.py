"""SQL for attached files and the full-text queue (rows only; copying files is core's job).

A file row names its paper by id without a foreign key: deleting a paper leaves
its files for an undo or the Trash to bring back, and ``orphaned`` finds the
rows of papers that are gone for good.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

FILE_KINDS = ("paper", "supplement", "slides")
_COLUMNS = "id, paper_id, path, name, kind, sha256, size, linked, pages, text_status, added"


@dataclass(frozen=True)
class FileRow:
    id: int
    paper_id: int
    path: str  # relative to <library>/files when copied, absolute when linked
    name: str  # the name the user attached it under
    kind: str
    sha256: str
    size: int
    linked: bool
    pages: int | None
    text_status: str
    added: str


def _row(values: Sequence[object]) -> FileRow:
    fid, pid, path, name, kind, sha, size, linked, pages, status, added = values
    return FileRow(int(fid), int(pid), str(path), str(name), str(kind), str(sha), int(size),  # type: ignore[call-overload]
                   bool(linked), None if pages is None else int(pages), str(status), str(added))  # type: ignore[call-overload]


def insert(conn: sqlite3.Connection, *, paper_id: int, path: str, name: str, kind: str, sha256: str,
           size: int, linked: bool, added: str) -> int:
    cursor = conn.execute(
        "INSERT INTO files(paper_id, path, name, kind, sha256, size, linked, added) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (paper_id, path, name, kind, sha256, size, int(linked), added))
    return int(cursor.lastrowid or 0)


def fill_in(conn: sqlite3.Connection, file_id: int, path: str, linked: bool) -> None:
    """Give a file row known only by its metadata (a shared library's) its bytes here."""
    conn.execute("UPDATE files SET path = ?, linked = ?, pages = NULL, text_status = 'pending' WHERE id = ?",
                 (path, int(linked), file_id))


def get(conn: sqlite3.Connection, file_id: int) -> FileRow | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM files WHERE id = ?", (file_id,)).fetchone()
    return _row(row) if row else None


def of_paper(conn: sqlite3.Connection, paper_id: int) -> list[FileRow]:
    return [_row(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM files WHERE paper_id = ? ORDER BY CASE kind WHEN 'paper' THEN 0 "
        "WHEN 'supplement' THEN 1 ELSE 2 END, id", (paper_id,))]


def with_hash(conn: sqlite3.Connection, sha256: str) -> list[FileRow]:
    return [_row(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM files WHERE sha256 = ? ORDER BY id", (sha256,))]


def users_of_path(conn: sqlite3.Connection, path: str, linked: bool) -> int:
    return int(conn.execute("SELECT count(*) FROM files WHERE path = ? AND linked = ?",
                            (path, int(linked))).fetchone()[0])


def delete(conn: sqlite3.Connection, file_ids: Iterable[int]) -> None:
    conn.executemany("DELETE FROM files WHERE id = ?", [(f,) for f in file_ids])


def set_kind(conn: sqlite3.Connection, file_id: int, kind: str) -> None:
    conn.execute("UPDATE files SET kind = ? WHERE id = ?", (kind, file_id))


def set_text(conn: sqlite3.Connection, file_id: int, pages: int | None, status: str) -> None:
    conn.execute("UPDATE files SET pages = ?, text_status = ? WHERE id = ?", (pages, status, file_id))


def orphaned(conn: sqlite3.Connection, paper_ids: Iterable[int] | None = None) -> list[FileRow]:
    """File rows whose paper row is gone (of ``paper_ids`` only, when given)."""
    rows = [_row(r) for r in conn.execute(
        f"SELECT {_COLUMNS} FROM files WHERE paper_id NOT IN (SELECT id FROM papers) ORDER BY id")]
    if paper_ids is None:
        return rows
    wanted = set(paper_ids)
    return [r for r in rows if r.paper_id in wanted]


def papers_with_files(conn: sqlite3.Connection) -> set[int]:
    return {r[0] for r in conn.execute("SELECT DISTINCT paper_id FROM files")}


def papers_with_pdf(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> set[int]:
    """Papers with a ``.pdf`` whose bytes are here (a shared library's row of a file elsewhere has no path)."""
    found: set[int] = set()
    for start in range(0, len(paper_ids), 500):
        chunk = paper_ids[start:start + 500]
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in conn.execute(
            f"SELECT DISTINCT paper_id FROM files WHERE paper_id IN ({marks}) AND lower(name) LIKE '%.pdf' "
            "AND path != ''", chunk))
    return found


def counts(conn: sqlite3.Connection, paper_ids: Sequence[int]) -> dict[int, int]:
    if not paper_ids:
        return {}
    result: dict[int, int] = {}
    for start in range(0, len(paper_ids), 500):
        part = paper_ids[start:start + 500]
        marks = ",".join("?" * len(part))
        result.update(conn.execute(
            f"SELECT paper_id, count(*) FROM files WHERE paper_id IN ({marks}) GROUP BY paper_id", tuple(part)))
    return result


# -- the full-text queue ----------------------------------------------------------------

def enqueue_text(conn: sqlite3.Connection, file_ids: Iterable[int]) -> None:
    seq = int(conn.execute("SELECT coalesce(max(seq), 0) + 1 FROM fulltext_queue").fetchone()[0])
    conn.executemany("INSERT INTO fulltext_queue(file_id, seq) VALUES (?, ?) "
                     "ON CONFLICT(file_id) DO UPDATE SET seq = excluded.seq", [(f, seq) for f in file_ids])


def enqueue_all_text(conn: sqlite3.Connection) -> None:
    """Queue every file whose bytes are here (a shared library's row of a file not on this
    computer has no path)."""
    enqueue_text(conn, [r[0] for r in conn.execute("SELECT id FROM files WHERE path != ''")])


def peek_text(conn: sqlite3.Connection, limit: int) -> list[tuple[int, int]]:
    return [(int(f), int(s)) for f, s in conn.execute(
        "SELECT file_id, seq FROM fulltext_queue ORDER BY seq, file_id LIMIT ?", (limit,))]


def forget_text(conn: sqlite3.Connection, done: Iterable[tuple[int, int]]) -> None:
    conn.executemany("DELETE FROM fulltext_queue WHERE file_id = ? AND seq = ?", list(done))


def pending_text(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM fulltext_queue").fetchone()[0])
