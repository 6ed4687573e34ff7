"""Searching PDF text alongside papers: ``fulltext:`` leaves, plain-query fallback, page snippets.

A plain query (no ``field:``) also looks in page text when the library's
setting says so; papers found only there follow every title/abstract/author
match, in the order of their best page.  Page snippets say where:
``p. 7: …negative results on ImageNet…``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from whoosh import query as wq

from desktop_app.core.fulltext import TextCache
from desktop_app.search.engine import Snippet
from desktop_app.search.fulltext import FulltextError, FulltextIndex
from desktop_app.search.query import CompiledQuery, QueryError
from desktop_app.storage import files as store
from desktop_app.storage import organise
from desktop_app.storage.db import Database

PLAIN_SETTING = "fulltext_in_plain_search"
_FIELD_NAME = re.compile(r"(?<![\w\"])[A-Za-z]+:(?=\S)")
FALLBACK_SHARE = 0.5  # a full-text-only paper scores at most half the weakest title/abstract match


@dataclass(frozen=True)
class PageSnippet:
    file_id: int
    page: int
    snippet: Snippet

    def text(self, before: str = "[", after: str = "]") -> str:
        return f"p. {self.page}: …{self.snippet.marked(before, after)}…"

    def html(self) -> str:
        return f"p. {self.page}: …{self.snippet.html()}…"

    def as_snippet(self) -> Snippet:
        """``p. 7: …fragment…`` as one snippet, its marks shifted past the page label."""
        label = f"p. {self.page}: …"
        spans = tuple((start + len(label), end + len(label)) for start, end in self.snippet.spans)
        return Snippet(label + self.snippet.text + "…", spans)


def is_plain(text: str) -> bool:
    """A query without ``field:`` parts (words, phrases, boolean operators)."""
    outside_quotes = re.sub(r'"[^"]*"', "x", text)  # field:"a phrase" stays a field
    return not _FIELD_NAME.search(outside_quotes)


class FulltextSearch:
    """The full-text side of a library's searches."""

    def __init__(self, db: Database, index: FulltextIndex, cache: TextCache) -> None:
        self.db = db
        self.index = index
        self.cache = cache

    # -- the setting -----------------------------------------------------------------

    def plain_enabled(self) -> bool:
        return organise.get_setting(self.db.conn, PLAIN_SETTING, "1") == "1"

    def set_plain(self, enabled: bool) -> None:
        with self.db.write() as conn:
            organise.set_setting(conn, PLAIN_SETTING, "1" if enabled else "0")

    def _usable(self) -> bool:
        return self.index.is_open() and self.index.page_count() > 0

    # -- searching ----------------------------------------------------------------------

    def paper_ids(self, node: wq.Query) -> set[int]:
        """Papers with a page matching ``node`` (the ``fulltext:`` field)."""
        if not self._usable():
            return set()
        try:
            return self.index.paper_ids(node)
        except FulltextError as exc:
            raise QueryError(str(exc)) from exc

    def extend(self, result: Any, limit: int | None, all_ids: Callable[[], list[int]]) -> Any:
        """``result`` (a ``SearchResult``) with the papers only the PDF text matches appended."""
        if not is_plain(result.text) or not self.plain_enabled() or not self._usable():
            return result
        if limit is not None and len(result.ids) >= limit:
            # Papers found only in PDFs rank below every title/abstract match, so none of them
            # can join a full page: their search waits until someone asks for the count.
            return dataclasses.replace(result, count=lambda: self._count_with_pages(result, all_ids), _total=None)
        pages = self._page_counts(result.text)
        if pages is None:
            return result
        present = _existing(self.db, set(pages))
        shown = set(result.ids)
        # papers whose PDFs match on more pages first
        extra = sorted((pid for pid in present if pid not in shown), key=lambda pid: (-pages[pid], pid))
        complete = limit is None or result._total is not None
        room = len(extra) if limit is None else max(0, limit - len(result.ids)) if complete else 0
        if not extra:
            return result
        floor = min(result.scores.values(), default=1.0) * FALLBACK_SHARE
        most = max(pages.values(), default=1)
        scores = dict(result.scores)
        for pid in extra[:room]:
            scores[pid] = floor * pages[pid] / most
        if complete:
            total = (result._total or 0) + len(extra)
            return dataclasses.replace(result, ids=result.ids + extra[:room], scores=scores, _total=total,
                                       count=lambda: total)
        def count() -> int:
            every = set(all_ids())
            return len(every) + len(present - every)

        return dataclasses.replace(result, scores=scores, count=count, _total=None)

    def _page_counts(self, text: str) -> dict[int, int] | None:
        """Matching pages per paper for a plain query's text (None: not a full-text query)."""
        try:
            return self.index.page_counts(self.index.parse(text))  # unscored: scoring cost 10x more
        except FulltextError:
            return None

    def _count_with_pages(self, result: Any, all_ids: Callable[[], list[int]]) -> int:
        """Every paper ``result``'s query finds, by its metadata or by its PDFs' text."""
        pages = self._page_counts(result.text)
        if pages is None:
            return int(result.total)
        return len(set(all_ids()) | _existing(self.db, set(pages)))

    def terms(self, compiled: CompiledQuery) -> frozenset[str]:
        """The words to look for in page text: ``fulltext:`` words, else a plain query's words."""
        words = compiled.terms_for("fulltext")
        if not words and is_plain(compiled.text) and self.plain_enabled():
            words = compiled.terms_for("abstract")
        return words

    def page_snippets(self, compiled: CompiledQuery, ids: Sequence[int]) -> dict[int, PageSnippet]:
        """For each of ``ids`` whose PDF text matches: the best page and its marked fragment."""
        words = self.terms(compiled)
        if not words or not self._usable():
            return {}
        found: dict[int, PageSnippet] = {}
        for pid in ids:
            hit = self.index.best_page(words, pid)
            if hit is None:
                continue
            row = store.get(self.db.conn, hit.file_id)
            if row is None:
                continue
            text = self.cache.page(row.sha256, hit.page)
            found[pid] = PageSnippet(row.id, hit.page, self.index.snippet(words, text))
        return found


def _existing(db: Database, ids: set[int]) -> set[int]:
    found: set[int] = set()
    ordered = sorted(ids)
    for start in range(0, len(ordered), 500):
        part = ordered[start:start + 500]
        marks = ",".join("?" * len(part))
        found.update(r[0] for r in db.conn.execute(f"SELECT id FROM papers WHERE id IN ({marks})", tuple(part)))
    return found
