"""Shared helpers for the sync tests: seed a library, read a replica's state, sync until quiet."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.core import sync_ops
from desktop_app.core.library import Library

SYNCED_FIELDS = ("title", "year", "venue", "pages", "volume", "number", "publisher", "abstract", "status",
                 "priority", "doi", "authors")


def seed(directory: Path, count: int = 10) -> Library:
    library = Library.open(directory)
    bib = "\n".join(
        f"@article{{key{i}, title={{Paper number {i}}}, author={{Smith, John and Doe, Jane}}, "
        f"year={{{2000 + i}}}, journal={{Journal {i % 3}}}}}" for i in range(count))
    library.import_text(bib, fmt="bibtex")
    return library


def state(library: Library) -> dict[str, Any]:
    """Everything a replica shows, keyed by citation key and names (local ids differ); screening
    decisions as sorted (review, citekey, reviewer, verdict, withdrawn) rows."""
    papers = {}
    for paper in library.papers(library.all_ids()):
        data = paper.model_dump(mode="json", exclude={"id", "modified"})
        data["note"] = library.note(paper.id or 0)
        data["tags"] = sorted(paper.tags)
        papers[paper.citekey] = data
    lists = {}
    conn = library.db.conn
    for reading_list in library.reading_lists():
        lists[reading_list.name] = dict(conn.execute(
            "SELECT p.citekey, li.position FROM list_items li JOIN papers p ON p.id = li.paper_id "
            "WHERE li.list_id = ?", (reading_list.id,)).fetchall())
    searches = {s.name: s.query for s in library.saved_searches()}
    decisions = sorted(conn.execute(
        "SELECT r.name, p.citekey, d.reviewer, d.verdict, d.withdrawn FROM review_decisions d "
        "JOIN reviews r ON r.id = d.review_id JOIN papers p ON p.id = d.paper_id").fetchall())
    return {"papers": papers, "lists": lists, "searches": searches, "decisions": decisions}


def sync_all(*libraries: Library, rounds: int = 2) -> None:
    for _ in range(rounds):
        for library in libraries:
            sync_ops.sync_once(library)
