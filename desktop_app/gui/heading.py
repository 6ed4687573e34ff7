"""The line above the table: what the view shows and how it is ordered, true after any sort."""

from __future__ import annotations

from desktop_app.gui.sidebar_model import Scope

NAMES = {"library": "Library", "unread": "Unread", "recent": "Recently added"}
WHAT = {"library": "every paper", "unread": "papers not marked read", "recent": "added in the last 7 days",
        "tag": "papers with this tag", "review": "the review's records (Enter in the sidebar screens them)"}
NATURAL = {"library": "newest first", "unread": "newest first", "recent": "newest first"}
# (ascending, descending) in words, per column key.
ORDER_WORDS = {
    "title": ("by title, A to Z", "by title, Z to A"),
    "authors": ("by authors, A to Z", "by authors, Z to A"),
    "year": ("by year, oldest first", "by year, newest first"),
    "venue": ("by venue, A to Z", "by venue, Z to A"),
    "tags": ("by tags, A to Z", "by tags, Z to A"),
    "status": ("by status, unread first", "by status, read first"),
    "added": ("by date added, oldest first", "by date added, newest first"),
    "priority": ("by priority, lowest first", "by priority, highest first"),
    "note": ("papers without a note first", "papers with a note first"),
    "position": ("in list order", "in reverse list order"),
    "citekey": ("by citation key, A to Z", "by citation key, Z to A"),
}


def order_text(sort: tuple[str, bool] | None) -> str:
    """``("priority", True)`` -> ``"by priority, highest first"``; "" for the view's own order."""
    if sort is None:
        return ""
    key, descending = sort
    words = ORDER_WORDS.get(key)
    return words[1 if descending else 0] if words else f"sorted by {key}"


def view_heading(scope: Scope, query: str, sort: tuple[str, bool] | None, *, list_progress: str = "",
                 reorderable: bool = False) -> tuple[str, str]:
    """The title and the hint for a view; ``sort`` is the table's sort column key and direction."""
    title = NAMES.get(scope.kind, scope.name)
    order = order_text(sort)
    if query:
        where = "" if scope.kind == "library" else f" in {title}"
        return (f"Results for “{query}”{where}",
                f"{order}; matched words highlighted" if order else "best matches first; matched words highlighted")
    if scope.kind == "list":
        parts = ["reading list", list_progress] if list_progress else ["reading list"]
        if order:
            parts.append(order)
        elif reorderable:
            parts.append("drag rows or press Alt+↑/↓ to reorder")
        return title, " · ".join(parts)
    if scope.kind == "search":
        return title, f"smart list: {scope.query}" + (f" · {order}" if order else "")
    if scope.kind == "tag":
        title = f"#{scope.name}"
    what = WHAT.get(scope.kind, "")
    how = order or NATURAL.get(scope.kind, "")
    return title, ", ".join(p for p in (what, how) if p)
