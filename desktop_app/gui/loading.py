"""What the table shows for a scope and a query, computed off the GUI thread (no Qt here).

``load_view`` runs in a worker: it asks the library for the scope's ids, runs
the search (if any), keeps the hits that belong to the scope in rank order and
prepares highlight marks for the first rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from desktop_app.core.library import InvalidQueryError, Library, SearchResult
from desktop_app.domain.errors import LecternError
from desktop_app.gui.sidebar_model import ReviewEntry, Scope, SidebarData
from desktop_app.gui.table_model import RowMarks

FIRST_MARKS = 40


@dataclass
class ViewContents:
    generation: int
    scope: Scope
    query: str
    ids: list[int] = field(default_factory=list)
    result: SearchResult | None = None
    error: str = ""
    notice: str = ""  # the search's one-line notice (repairs, ranking mode)
    pending: int = 0
    total: int = 0
    marks: dict[int, RowMarks] = field(default_factory=dict)


def scope_ids(library: Library, scope: Scope) -> tuple[list[int], SearchResult | None]:
    """A scope's papers in their natural order (and the search result of a saved search)."""
    if scope.kind == "unread":
        return library.unread_ids(), None
    if scope.kind == "recent":
        return library.recent_ids(), None
    if scope.kind == "list":
        return library.list_ids(scope.name), None
    if scope.kind == "tag":
        return list(reversed(library.papers_with_tag(scope.name))), None
    if scope.kind == "search":
        result = library.search(scope.query)
        return result.ids, result
    if scope.kind == "review":
        return library.reviews.record_ids(scope.name), None
    return library.all_ids(order="added", descending=True), None


def load_view(library: Library, generation: int, scope: Scope, query: str) -> ViewContents:
    contents = ViewContents(generation, scope, query, total=library.count())
    try:
        result: SearchResult | None
        if query:
            result = library.search(query)
            if scope.kind == "library":  # every paper is in scope: no need to list 100k ids
                ids = result.ids
            else:
                allowed = set(scope_ids(library, scope)[0])
                ids = [pid for pid in result.ids if pid in allowed]
        else:
            ids, result = scope_ids(library, scope)
    except InvalidQueryError as exc:
        contents.error = str(exc)
        return contents
    except LecternError as exc:
        contents.error = str(exc)
        return contents
    contents.ids = ids
    contents.result = result
    contents.pending = result.pending if result is not None else 0
    contents.notice = result.notice if result is not None and query else ""
    if result is not None:
        contents.marks = compute_marks(library, result, ids[:FIRST_MARKS])
    return contents


def compute_marks(library: Library, result: SearchResult, ids: Sequence[int]) -> dict[int, RowMarks]:
    """Title highlights and a best-field excerpt for each of ``ids``."""
    if not ids:
        return {}
    rows = library.rows(ids)
    excerpts = library.snippets(result, ids)
    pages = library.files.search.page_snippets(result.compiled, [p for p in ids if p in excerpts and not excerpts[p].spans])
    marks = {}
    for pid in ids:
        row = rows.get(pid)
        excerpt = pages[pid].as_snippet() if pid in pages else excerpts.get(pid)  # found in the PDF only
        if row is None or excerpt is None:
            continue
        marks[pid] = RowMarks(library.highlight(result, "title", row.title), excerpt)
    return marks


def review_entries(library: Library) -> list[ReviewEntry]:
    return [ReviewEntry(review.name, records, review.question, screened)
            for review, records, screened in library.reviews.progress()]


def load_sidebar(library: Library) -> SidebarData:
    return SidebarData(
        total=library.count(),
        unread=len(library.unread_ids()),
        recent=len(library.recent_ids()),
        trash=library.trash_count(),
        lists=library.reading_lists(),
        searches=library.saved_searches(),
        tags=library.tags(),
        reviews=review_entries(library),
    )
