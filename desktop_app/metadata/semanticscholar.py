"""Semantic Scholar Graph API: batches by arXiv id or DOI, title match; the published version.

S2 merges a preprint with its journal version (both ids in ``externalIds``); an
arXiv-only record names the journal ``ArXiv`` and carries the DataCite DOI
``10.48550/arXiv.<id>``, neither of which is a published version.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from desktop_app.domain.models import Paper
from desktop_app.metadata import jsonbody
from desktop_app.metadata.dates import year_month
from desktop_app.metadata.names import split_names
from desktop_app.metadata.records import SEMANTIC_SCHOLAR, ApiRequest, Candidate, ResponseError

MAX_BATCH = 500
FIELDS = "paperId,externalIds,title,authors,year,publicationDate,venue,journal,publicationTypes"
ARXIV_DOI_PREFIX = "10.48550/"
_PREPRINT_VENUES = {"arxiv", "arxiv.org", "corr", ""}


def arxiv_ref(arxiv_id: str) -> str:
    return f"arXiv:{arxiv_id}"


def doi_ref(doi: str) -> str:
    return f"DOI:{doi}"


def batch_request(refs: Sequence[str]) -> ApiRequest:
    """``refs`` like ``arXiv:2310.01234`` or ``DOI:10.1038/...`` (at most ``MAX_BATCH``)."""
    if not refs or len(refs) > MAX_BATCH:
        raise ValueError(f"a batch holds 1 to {MAX_BATCH} ids, not {len(refs)}")
    return ApiRequest(SEMANTIC_SCHOLAR, "/paper/batch", (("fields", FIELDS),), method="POST",
                      json_body={"ids": list(refs)})


def match_request(title: str) -> ApiRequest:
    return ApiRequest(SEMANTIC_SCHOLAR, "/paper/search/match",
                      (("query", " ".join(title.split())), ("fields", FIELDS)))


def parse_batch(body: bytes | str, refs: Sequence[str]) -> list[Candidate | None]:
    """Candidates aligned with ``refs``; S2 answers ``null`` for ids it does not know."""
    items = jsonbody.load(body, "Semantic Scholar", list)
    if len(items) != len(refs):
        raise ResponseError(f"Semantic Scholar answered {len(items)} records for {len(refs)} ids")
    return [_candidate(item) if isinstance(item, dict) else None for item in items]


def parse_match(status: int, body: bytes | str) -> Candidate | None:
    """The best title match; HTTP 404 ``Title match not found`` means none."""
    if status == 404:
        return None
    data = jsonbody.load(body, "Semantic Scholar", dict).get("data")
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return None
    candidate = _candidate(data[0])
    score = data[0].get("matchScore")
    if candidate is not None and isinstance(score, int | float):
        candidate.score = float(score)
    return candidate


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _candidate(raw: dict[str, Any]) -> Candidate | None:
    paper_id = jsonbody.text(raw.get("paperId"))
    if not paper_id:
        return None
    ids = _dict(raw.get("externalIds"))
    doi = jsonbody.text(ids.get("DOI"))
    journal = _dict(raw.get("journal"))
    journal_name = jsonbody.text(journal.get("name"))
    venue = jsonbody.text(raw.get("venue"))
    raw_types = raw.get("publicationTypes")
    types: list[Any] = raw_types if isinstance(raw_types, list) else []
    published_doi = doi if doi and not doi.lower().startswith(ARXIV_DOI_PREFIX) else ""
    published_venue = ""
    entry_type = "misc"
    if "Conference" in types and venue.lower() not in _PREPRINT_VENUES:
        published_venue, entry_type = venue, "inproceedings"
    elif journal_name.lower() not in _PREPRINT_VENUES:
        published_venue, entry_type = journal_name, "article"
    elif venue.lower() not in _PREPRINT_VENUES:
        published_venue, entry_type = venue, "article" if "JournalArticle" in types else "inproceedings"
    volume = jsonbody.text(journal.get("volume")) if published_venue else ""
    year = raw.get("year") if isinstance(raw.get("year"), int) else None
    date_year, month = year_month(raw.get("publicationDate"))
    authors = [a.get("name", "") for a in raw.get("authors") or [] if isinstance(a, dict)
               and isinstance(a.get("name"), str)]
    paper = Paper(
        entry_type=entry_type,
        title=jsonbody.text(raw.get("title")),
        authors=split_names(authors),
        year=year or date_year,
        month=month if (year or date_year) == date_year else None,
        venue=published_venue,
        volume="" if volume.startswith("abs/") else volume,
        pages=" ".join(jsonbody.text(journal.get("pages")).replace(" - ", "-").split()) if published_venue else "",
        doi=published_doi,
        arxiv_id=jsonbody.text(ids.get("ArXiv")),
        abstract=jsonbody.text(raw.get("abstract")),
    )
    return Candidate(SEMANTIC_SCHOLAR, paper_id, paper, published=bool(published_venue or published_doi))
