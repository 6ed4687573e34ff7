"""Answers for query leaves on fields kept outside the paper index (tags, lists, status, year, notes)."""

from __future__ import annotations

from collections.abc import Callable

from whoosh import query as wq

from desktop_app.domain.models import normalise_doi, strip_arxiv_version
from desktop_app.search.engine import SearchEngine
from desktop_app.search.query import QueryError
from desktop_app.storage.db import Database

STATUS_WORDS = {"unread": "unread", "new": "unread", "reading": "reading", "read": "read", "done": "read"}


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class SqlSideLookup:
    """The ``SideLookup`` the query compiler uses: SQLite plus the notes index."""

    def __init__(self, db: Database, engine: SearchEngine,
                 fulltext: Callable[[wq.Query], set[int]] | None = None) -> None:
        self.db = db
        self.engine = engine
        self.fulltext = fulltext

    def _ids(self, sql: str, params: tuple[object, ...]) -> set[int]:
        return {r[0] for r in self.db.conn.execute(sql, params)}

    def ids_for_term(self, field: str, text: str) -> set[int]:
        if field == "tag":
            return self._ids("SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                             "WHERE t.name = ?", (text,))
        if field == "list":
            return self._ids("SELECT li.paper_id FROM list_items li JOIN lists l ON l.id = li.list_id "
                             "WHERE l.name = ?", (text,))
        if field == "status":
            status = STATUS_WORDS.get(text.lower())
            if status is None:
                raise QueryError(f"status: takes unread, reading or read, not {text!r}")
            return self._ids("SELECT id FROM papers WHERE status = ?", (status,))
        if field in ("year", "priority"):
            number = _number(field, text)
            return self._ids(f"SELECT id FROM papers WHERE {field} = ?", (number,))
        if field == "ids":
            return self._ids(
                "SELECT id FROM papers WHERE citekey = ? UNION SELECT id FROM papers WHERE arxiv_id != '' AND arxiv_id = ? "
                "UNION SELECT id FROM papers WHERE doi != '' AND lower(doi) = ?",
                (text, strip_arxiv_version(text), normalise_doi(text).lower()))
        raise QueryError(f"{field}: cannot be searched this way")

    def ids_for_prefix(self, field: str, prefix: str) -> set[int]:
        pattern = _like_escape(prefix) + "%"
        if field == "tag":
            return self._ids("SELECT pt.paper_id FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id "
                             "WHERE t.name LIKE ? ESCAPE '\\'", (pattern,))
        if field == "list":
            return self._ids("SELECT li.paper_id FROM list_items li JOIN lists l ON l.id = li.list_id "
                             "WHERE l.name LIKE ? ESCAPE '\\'", (pattern,))
        if field == "ids":
            # Ranges, not LIKE: they walk the citekey (NOCASE), arXiv and DOI indexes instead of
            # scanning every paper (20 ms a prefix at 100k papers).
            lower = prefix.lower()
            return self._ids(
                "SELECT id FROM papers WHERE citekey >= ?1 AND citekey < ?1 || ?5 "
                "UNION SELECT id FROM papers WHERE arxiv_id != '' AND arxiv_id >= ?2 AND arxiv_id < ?2 || ?5 "
                "UNION SELECT id FROM papers WHERE arxiv_id != '' AND arxiv_id >= ?3 AND arxiv_id < ?3 || ?5 "
                "UNION SELECT id FROM papers WHERE doi != '' AND lower(doi) >= ?4 AND lower(doi) < ?4 || ?5",
                (prefix, prefix, lower, lower, _AFTER_EVERY_CHARACTER))
        raise QueryError(f"{field}: does not take a prefix*")

    def ids_for_range(self, field: str, start: int | None, end: int | None) -> set[int]:
        if field not in ("year", "priority"):
            raise QueryError(f"ranges work on year and priority, not on {field}:")
        low = start if start is not None else -1
        high = end if end is not None else 99999
        if low > high:
            raise QueryError(f"{field}: the range {start}..{end} is empty (start after end)")
        return self._ids(f"SELECT id FROM papers WHERE {field} BETWEEN ? AND ?", (low, high))

    def ids_for_note_query(self, query: wq.Query) -> set[int]:
        return self.engine.note_pids(query)

    def ids_for_fulltext_query(self, query: wq.Query) -> set[int]:
        return self.fulltext(query) if self.fulltext is not None else set()


_AFTER_EVERY_CHARACTER = "\U0010ffff"  # prefix + this sorts after every string that starts with prefix


def _number(field: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise QueryError(f"{field}: takes a number or a range like {field}:2020..2024, not {text!r}") from None
