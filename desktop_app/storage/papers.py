"""Papers in SQLite: rows to models and back, lookups for duplicates, table rows."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop_app.domain.models import Author, Paper, ReadStatus
from desktop_app.domain.text import fold_ascii, normalise_title

# Columns a paper is stored in, in insert order (id, added and modified handled apart).
FIELD_COLUMNS: tuple[str, ...] = (
    "citekey", "entry_type", "title", "authors", "author_line", "year", "month", "venue",
    "volume", "number", "pages", "publisher", "doi", "arxiv_id", "arxiv_class", "url",
    "code_url", "abstract", "keywords", "extra_fields", "status", "priority",
    "title_key", "author_key",
)
_SELECT = "SELECT id, added, modified, " + ", ".join(FIELD_COLUMNS) + " FROM papers"
CHUNK = 900  # stay under SQLite's host-parameter limit


def chunks(values: Sequence[int], size: int = CHUNK) -> Iterator[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def author_key(paper: Paper) -> str:
    first = paper.first_author
    return fold_ascii(first.surname).lower() if first else ""


def _authors_json(authors: Sequence[Author]) -> str:
    return json.dumps(
        [[a.family, a.given, a.literal] for a in authors], ensure_ascii=False, separators=(",", ":")
    )


def _authors_from_json(raw: str) -> list[Author]:
    return [Author(family=f, given=g, literal=lit) for f, g, lit in json.loads(raw)]


def field_values(paper: Paper) -> dict[str, object]:
    """The stored column values of a paper (no id, no timestamps)."""
    return {
        "citekey": paper.citekey,
        "entry_type": paper.entry_type,
        "title": paper.title,
        "authors": _authors_json(paper.authors),
        "author_line": paper.author_line,
        "year": paper.year,
        "month": paper.month,
        "venue": paper.venue,
        "volume": paper.volume,
        "number": paper.number,
        "pages": paper.pages,
        "publisher": paper.publisher,
        "doi": paper.doi,
        "arxiv_id": paper.arxiv_id,
        "arxiv_class": paper.arxiv_class,
        "url": paper.url,
        "code_url": paper.code_url,
        "abstract": paper.abstract,
        "keywords": json.dumps(paper.keywords, ensure_ascii=False),
        "extra_fields": json.dumps(paper.extra_fields, ensure_ascii=False, sort_keys=True),
        "status": paper.status.value,
        "priority": paper.priority,
        "title_key": normalise_title(paper.title),
        "author_key": author_key(paper),
    }


def insert_paper(conn: sqlite3.Connection, paper: Paper, now: datetime) -> int:
    values = field_values(paper)
    stamp = now.isoformat()
    added = paper.added.isoformat() if paper.added else stamp
    columns = ("id", "added", "modified", *FIELD_COLUMNS)
    params = (paper.id, added, stamp, *(values[c] for c in FIELD_COLUMNS))
    placeholders = ", ".join("?" * len(columns))
    cursor = conn.execute(f"INSERT INTO papers ({', '.join(columns)}) VALUES ({placeholders})", params)
    return int(cursor.lastrowid or 0)


def update_paper(conn: sqlite3.Connection, paper: Paper, now: datetime) -> None:
    """Write every field of ``paper`` (which must have an id) back to its row."""
    values = field_values(paper)
    assignments = ", ".join(f"{c} = ?" for c in FIELD_COLUMNS)
    conn.execute(
        f"UPDATE papers SET {assignments}, modified = ? WHERE id = ?",
        (*(values[c] for c in FIELD_COLUMNS), now.isoformat(), paper.id),
    )


def _row_to_paper(row: sqlite3.Row | tuple, tags: list[str]) -> Paper:
    (pid, added, modified, citekey, entry_type, title, authors, _line, year, month, venue, volume,
     number, pages, publisher, doi, arxiv_id, arxiv_class, url, code_url, abstract, keywords,
     extra, status, priority, _tk, _ak) = row
    return Paper.model_construct(
        id=pid, citekey=citekey, entry_type=entry_type, title=title,
        authors=_authors_from_json(authors), year=year, month=month, venue=venue, volume=volume,
        number=number, pages=pages, publisher=publisher, doi=doi, arxiv_id=arxiv_id,
        arxiv_class=arxiv_class, url=url, code_url=code_url, abstract=abstract,
        keywords=json.loads(keywords), extra_fields=json.loads(extra),
        added=datetime.fromisoformat(added), modified=datetime.fromisoformat(modified),
        status=ReadStatus(status), priority=priority, tags=tags,
    )


def tags_of(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, list[str]]:
    result: dict[int, list[str]] = {}
    for part in chunks(list(ids)):
        marks = ",".join("?" * len(part))
        for pid, name in conn.execute(
            f"SELECT pt.paper_id, t.name FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
            f"WHERE pt.paper_id IN ({marks}) ORDER BY t.name COLLATE NOCASE",
            tuple(part),
        ):
            result.setdefault(pid, []).append(name)
    return result


def get_papers(conn: sqlite3.Connection, ids: Sequence[int]) -> list[Paper]:
    """Papers in the order of ``ids``; ids that do not exist are left out."""
    found: dict[int, tuple] = {}
    for part in chunks(list(ids)):
        marks = ",".join("?" * len(part))
        for row in conn.execute(f"{_SELECT} WHERE id IN ({marks})", tuple(part)):
            found[row[0]] = row
    tags = tags_of(conn, list(found))
    return [_row_to_paper(found[i], tags.get(i, [])) for i in ids if i in found]


def iter_all_papers(conn: sqlite3.Connection, batch: int = 2000) -> Iterator[list[Paper]]:
    """Every paper, in id order, a batch at a time (for export and reindexing)."""
    last = 0
    while True:
        rows = conn.execute(f"{_SELECT} WHERE id > ? ORDER BY id LIMIT ?", (last, batch)).fetchall()
        if not rows:
            return
        tags = tags_of(conn, [r[0] for r in rows])
        yield [_row_to_paper(r, tags.get(r[0], [])) for r in rows]
        last = rows[-1][0]


def id_for_citekey(conn: sqlite3.Connection, citekey: str) -> int | None:
    row = conn.execute("SELECT id FROM papers WHERE citekey = ?", (citekey,)).fetchone()
    return int(row[0]) if row else None


def citekey_taken(conn: sqlite3.Connection, citekey: str) -> bool:
    return conn.execute("SELECT 1 FROM papers WHERE citekey = ?", (citekey,)).fetchone() is not None


def existing_ids(conn: sqlite3.Connection, ids: Iterable[int]) -> set[int]:
    wanted = list(ids)
    result: set[int] = set()
    for part in chunks(wanted):
        marks = ",".join("?" * len(part))
        result.update(r[0] for r in conn.execute(f"SELECT id FROM papers WHERE id IN ({marks})", tuple(part)))
    return result


def find_duplicate(conn: sqlite3.Connection, paper: Paper) -> int | None:
    """The id of a stored paper that is the same work: arXiv id, DOI, or title+author+year.

    Never a paper whose arXiv id or DOI differs from this one's, or whose year is more than
    one off. A short title ("Gates") matches only with the same first author and year, or
    the same citation key.
    """
    columns = "id, author_key, year, arxiv_id, doi, citekey"
    if paper.arxiv_id:
        # "!= ''" lets SQLite use the partial index (else: a full scan per imported paper)
        for row in conn.execute(f"SELECT {columns} FROM papers WHERE arxiv_id != '' AND arxiv_id = ?",
                                (paper.arxiv_id,)):
            if _compatible(paper, row):
                return int(row[0])
    if paper.doi:
        for row in conn.execute(f"SELECT {columns} FROM papers WHERE doi != '' AND lower(doi) = ?",
                                (paper.doi.casefold(),)):
            if _compatible(paper, row):
                return int(row[0])
    title_key = normalise_title(paper.title)
    if not title_key:
        return None
    surname = author_key(paper)
    short = len(title_key) < 8
    for row in conn.execute(f"SELECT {columns} FROM papers WHERE title_key = ?", (title_key,)):
        _pid, other_author, other_year, _arxiv, _doi, other_key = row
        if not _compatible(paper, row):
            continue
        same_key = bool(paper.citekey) and paper.citekey.casefold() == (other_key or "").casefold()
        if short and not same_key and not (surname and paper.year and surname == other_author
                                           and paper.year == other_year):
            continue
        if surname and other_author and surname != other_author:
            continue
        if paper.year and other_year and paper.year != other_year:
            continue
        return int(row[0])
    return None


def _compatible(paper: Paper, row: tuple[Any, ...]) -> bool:
    """False when identifiers or years say two records are different works."""
    _pid, _author, year, arxiv_id, doi, _key = row
    if paper.arxiv_id and arxiv_id and paper.arxiv_id != arxiv_id:
        return False
    if paper.doi and doi and paper.doi.casefold() != doi.casefold():
        return False
    return not (paper.year and year and abs(paper.year - year) > 1)


@dataclass(frozen=True, slots=True)
class PaperRow:
    """What the paper table shows for one paper: cheap to fetch, no pydantic."""

    id: int
    title: str
    authors: str
    year: int | None
    venue: str
    status: str
    priority: int
    added: str
    tags: str
    citekey: str
    has_note: bool = False
    arxiv_id: str = ""  # for "(waiting for metadata: arXiv ...)" when the title is still missing


HAS_NOTE = "EXISTS (SELECT 1 FROM notes n WHERE n.paper_id = papers.id AND n.body != '')"
"""SQL over ``papers``: 1 when the paper has a note with text (the table's note marker, its sort)."""

_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def table_rows(conn: sqlite3.Connection, ids: Sequence[int]) -> dict[int, PaperRow]:
    """The table's rows for ``ids``, each chunk fetched as one JSON value.

    The window calls this on its GUI thread while an import runs Python on a
    worker thread.  Every SQLite row step hands the GIL over and waits up to a
    switch interval to get it back, so a few hundred rows read one by one
    stalled the window for 100-150 ms; one row per chunk costs two hand-overs.
    """
    rows: dict[int, PaperRow] = {}
    tags: dict[int, list[str]] = {}
    for part in chunks(list(ids)):
        marks = ",".join("?" * len(part))
        (found,) = conn.execute(
            f"SELECT json_group_array(json_array(pt.paper_id, t.name)) FROM paper_tags pt "
            f"JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id IN ({marks})", tuple(part)).fetchone()
        for pid, name in json.loads(found):
            tags.setdefault(pid, []).append(name)
        (found,) = conn.execute(
            f"SELECT json_group_array(json_array(id, title, author_line, year, venue, status, priority, "
            f"added, citekey, {HAS_NOTE}, arxiv_id)) FROM papers WHERE id IN ({marks})", tuple(part)).fetchone()
        for pid, title, authors, year, venue, status, priority, added, citekey, has_note, arxiv_id in json.loads(found):
            names = sorted(tags.get(pid, ()), key=lambda name: name.translate(_ASCII_LOWER))  # COLLATE NOCASE
            rows[pid] = PaperRow(pid, title, authors, year, venue, status, priority, added, ", ".join(names),
                                 citekey, bool(has_note), arxiv_id)
    return rows


def derived_values(title: str, authors_json: str) -> dict[str, str]:
    """The columns computed from a paper's title and authors (for rows written column by column).

    Same results as ``field_values`` without building a ``Paper`` (pydantic's construct is slow here).
    """
    authors = _authors_from_json(authors_json)
    names = [a.surname for a in authors]
    line = ", ".join(names[:3]) + " et al." if len(names) > 3 else ", ".join(names)
    first = fold_ascii(authors[0].surname).lower() if authors else ""
    return {"author_line": line, "title_key": normalise_title(title), "author_key": first}
