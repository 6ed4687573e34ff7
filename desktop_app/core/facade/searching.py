"""Searching: compiling queries, ranked hits, snippets and related papers."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop_app.core.facade.base import LibraryBase
from desktop_app.core.sidelookup import SqlSideLookup
from desktop_app.domain.errors import LecternError
from desktop_app.search.engine import Hit, SearchOutcome, Snippet
from desktop_app.search.query import CompiledQuery, QueryError
from desktop_app.storage import organise, queue
from desktop_app.storage import papers as store

log = logging.getLogger(__name__)

class InvalidQueryError(LecternError):
    """The search text cannot be run; the message says why."""


@dataclass
class SearchResult:
    text: str
    ids: list[int]
    scores: dict[int, float]
    pending: int
    compiled: CompiledQuery
    count: Callable[[], int] = field(repr=False, compare=False, default=lambda: 0)
    _total: int | None = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        """How many papers match in all (counted on first use when ``limit`` cut the hits)."""
        if self._total is None:
            self._total = self.count()
        return self._total

    @property
    def catching_up(self) -> bool:
        return self.pending > 0



class Searching(LibraryBase):
    """Searching: compiling queries, ranked hits, snippets and related papers."""

    # -- search ----------------------------------------------------------------------

    def _require_index(self) -> None:
        if self.index_problem or not self.index.is_open():
            raise LecternError(f"search is unavailable: {self.index_problem or 'the index is not open'}"
                               " (run `lectern reindex`)")

    def compile(self, text: str) -> CompiledQuery:
        self._require_index()
        try:
            return self.engine.compile(text, SqlSideLookup(self.db, self.engine))
        except QueryError as exc:
            raise InvalidQueryError(str(exc)) from exc

    def search(self, text: str, limit: int | None = None) -> SearchResult:
        """Ranked paper ids for a query; raises ``InvalidQueryError`` with a readable message."""
        compiled = self.compile(text)
        try:
            outcome: SearchOutcome = self.engine.search(compiled, limit)
        except QueryError as exc:
            raise InvalidQueryError(str(exc)) from exc
        conn = self.db.conn
        gone = queue.removed_but_queued(conn)
        hits = [h for h in outcome.hits if h.pid not in gone]
        dropped = len(outcome.hits) - len(hits)
        return SearchResult(
            text=text,
            ids=[h.pid for h in hits],
            scores={h.pid: h.score for h in hits},
            pending=queue.pending(conn, queue.PAPER_QUEUE),
            compiled=compiled,
            count=lambda: outcome.count() - dropped,
            _total=None if outcome.total is None else outcome.total - dropped,
        )

    def snippets(self, result: SearchResult | CompiledQuery, ids: Sequence[int]) -> dict[int, Snippet]:
        """Highlighted fragments for the rows a view shows (abstract, else title, else note)."""
        compiled = result.compiled if isinstance(result, SearchResult) else result
        texts = {pid: (title, abstract) for pid, title, abstract in self._texts(ids)}
        notes = organise.notes_of(self.db.conn, ids)
        return {
            pid: self.engine.best_snippet(compiled, {"abstract": abstract, "title": title,
                                                     "note": notes.get(pid, "")})
            for pid, (title, abstract) in texts.items()
        }

    def highlight(self, result: SearchResult | CompiledQuery, field_name: str, text: str) -> Snippet:
        """All of ``text`` with the query's matches marked (for a detail pane)."""
        compiled = result.compiled if isinstance(result, SearchResult) else result
        return self.engine.snippet(compiled, field_name, text, whole=True)

    def related(self, ref: int | str, limit: int = 10) -> list[Hit]:
        self._require_index()
        pid = self.resolve(ref)
        rows = self._texts([pid])
        if not rows:
            return []
        _, title, abstract = rows[0]
        gone = queue.removed_but_queued(self.db.conn)
        hits = self.engine.related(pid, {"title": title, "abstract": abstract}, limit + len(gone))
        return [h for h in hits if h.pid not in gone and h.pid != pid][:limit]

    def related_reasons(self, ref: int | str, ids: Sequence[int]) -> dict[int, list[str]]:
        """Why each of ``ids`` is related to a paper: the paper's key terms it shares (readable words)."""
        self._require_index()
        pid = self.resolve(ref)
        texts = {i: (title, abstract) for i, title, abstract in self._texts([pid, *ids])}
        if pid not in texts:
            return {}
        title, abstract = texts.pop(pid)
        others = {i: f"{t} {a}" for i, (t, a) in texts.items()}
        return self.engine.related_reasons({"title": title, "abstract": abstract}, others)

    def _texts(self, ids: Sequence[int]) -> list[tuple[int, str, str]]:
        result: list[tuple[int, str, str]] = []
        for part in store.chunks(list(ids)):
            marks = ",".join("?" * len(part))
            result.extend(self.db.conn.execute(
                f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", tuple(part)))
        return result
