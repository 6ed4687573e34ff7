"""What a paper lacks for a citable entry: the rule export warnings and completion share."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from desktop_app.domain.models import Paper

# Entry types whose styles print a container; an arXiv paper without one is exported as @misc.
NEEDS_VENUE = {"article": "journal", "inproceedings": "booktitle", "incollection": "booktitle",
               "conference": "booktitle"}


def missing_fields(paper: Paper) -> list[str]:
    """The fields BibTeX styles need and ``paper`` lacks: author/editor, year, journal/booktitle."""
    missing: list[str] = []
    if not paper.authors and not paper.extra_fields.get("editor"):
        missing.append("author")
    if paper.year is None and not paper.extra_fields.get("date"):
        missing.append("year")
    if not paper.title:
        missing.append("title")
    venue_field = NEEDS_VENUE.get(paper.entry_type)
    if venue_field and not paper.venue and not paper.arxiv_id:
        missing.append(venue_field)
    return missing


def needs_completion(paper: Paper) -> bool:
    """No title, no author or no year: what online completion exists to fill."""
    return not paper.title or not paper.authors or paper.year is None


@dataclass(frozen=True)
class ExportWarning:
    paper_id: int | None
    citekey: str
    missing: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.citekey}: {self.missing and 'no ' + ', no '.join(self.missing)}"


def export_warnings(papers: Iterable[Paper]) -> list[ExportWarning]:
    """One warning per paper that bibtex would complain about (``empty author``, ``empty year``)."""
    return [ExportWarning(p.id, p.citekey, tuple(m)) for p in papers if (m := missing_fields(p))]


def display_title(title: str, arxiv_id: str = "", doi: str = "") -> str:
    """What to show for a title: a paper known only by an identifier is waiting for its metadata."""
    if title:
        return title
    if arxiv_id or doi:
        return f"(waiting for metadata: {'arXiv ' + arxiv_id if arxiv_id else 'DOI ' + doi})"
    return "(untitled)"
