"""What of a paper goes into the index: text fields only; the index stores no text."""

from __future__ import annotations

from desktop_app.domain.models import Paper
from desktop_app.search.index import IndexDoc

# Fields whose text related-paper search and snippets read from SQLite.
TEXT_FIELDS = ("title", "abstract")


def paper_document(paper: Paper) -> IndexDoc:
    assert paper.id is not None
    authors = " ".join(a.display_name for a in paper.authors)
    return IndexDoc(
        pid=paper.id,
        fields={
            "title": paper.title,
            "title_all": paper.title,
            "authors": authors,
            "abstract": paper.abstract,
            "keywords": " ".join(paper.keywords),
            "venue": paper.venue,
        },
    )


def note_document(paper_id: int, body: str) -> IndexDoc:
    return IndexDoc(pid=paper_id, fields={"note": body})
