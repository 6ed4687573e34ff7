"""Crossref REST API: a DOI's published metadata, and title search for papers without an arXiv id.

A title search never answers "no match": for works Crossref lacks, the top hit is a
different paper, so its candidates carry their relevance ``score`` and matching
decides.  arXiv's DataCite DOIs (``10.48550/...``) are unknown here (404, plain text).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from desktop_app.domain.models import Author, Paper
from desktop_app.metadata import jsonbody
from desktop_app.metadata.dates import from_date_parts
from desktop_app.metadata.records import CROSSREF, ApiRequest, Candidate, ResponseError

SEARCH_ROWS = 3
_TYPES = {"journal-article": "article", "proceedings-article": "inproceedings",
          "book-chapter": "incollection", "book": "book", "posted-content": "misc",
          "report": "techreport", "dissertation": "phdthesis"}
_DATE_FIELDS = ("published-print", "published-online", "issued", "published", "posted")


def work_request(doi: str) -> ApiRequest:
    return ApiRequest(CROSSREF, f"/works/{quote(doi, safe='')}")


def title_search_request(title: str, rows: int = SEARCH_ROWS) -> ApiRequest:
    # query.bibliographic is what Crossref recommends for matching a reference (title, authors, year)
    return ApiRequest(CROSSREF, "/works", (("query.bibliographic", " ".join(title.split())), ("rows", str(rows))))


def _message(body: bytes | str, kind: str) -> dict[str, Any]:
    data = jsonbody.load(body, "Crossref", dict)
    message = data.get("message")
    if data.get("status") != "ok" or not isinstance(message, dict):
        raise ResponseError(f"Crossref answered without a {kind} (status {data.get('status')!r})")
    return message


def parse_work(body: bytes | str) -> Candidate:
    candidate = _candidate(_message(body, "work"))
    if candidate is None:
        raise ResponseError("Crossref sent a work without a DOI")
    return candidate


def parse_search(body: bytes | str) -> list[Candidate]:
    items = _message(body, "work list").get("items")
    if not isinstance(items, list):
        raise ResponseError("Crossref sent a work list without items")
    return [c for item in items if isinstance(item, dict) and (c := _candidate(item)) is not None]


def _first(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return jsonbody.text(value)


def _authors(raw: Any) -> list[Author]:
    authors = []
    for person in raw if isinstance(raw, list) else []:
        if not isinstance(person, dict):
            continue
        family, given = jsonbody.text(person.get("family")), jsonbody.text(person.get("given"))
        if family:
            authors.append(Author(family=family, given=given))
        elif jsonbody.text(person.get("name")):
            authors.append(Author(literal=jsonbody.text(person.get("name"))))
    return authors


def _candidate(raw: dict[str, Any]) -> Candidate | None:
    doi = jsonbody.text(raw.get("DOI"))
    if not doi:
        return None
    year = month = None
    for name in _DATE_FIELDS:
        year, month = from_date_parts(raw.get(name))
        if year:
            break
    kind = jsonbody.text(raw.get("type"))
    entry_type = _TYPES.get(kind, "misc")
    paper = Paper(
        entry_type=entry_type,
        title=_first(raw.get("title")),
        authors=_authors(raw.get("author")),
        year=year,
        month=month,
        venue=_first(raw.get("container-title")) if entry_type != "misc" else "",
        volume=jsonbody.text(raw.get("volume")),
        number=jsonbody.text(raw.get("issue")),
        pages=jsonbody.text(raw.get("page")),
        publisher=jsonbody.text(raw.get("publisher")),
        doi=doi,
    )
    score = raw.get("score")
    return Candidate(CROSSREF, doi, paper, published=kind != "posted-content",
                     score=float(score) if isinstance(score, int | float) else None)
