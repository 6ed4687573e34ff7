"""arXiv API (``/api/query``): ``id_list`` batches for authors, dates, categories, DOI, journal_ref.

Parsed with the standard library's ElementTree (expat refuses entity-expansion bombs).
All three feed generations are read (legacy, late-2025 transitional, current): nothing
keys on element order or link titles; error entries and legacy empty entries are skipped.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence

from desktop_app.domain.models import Paper, strip_arxiv_version
from desktop_app.metadata.dates import year_month
from desktop_app.metadata.names import split_names
from desktop_app.metadata.records import ARXIV, ARXIV_PDF, ApiRequest, Candidate, ResponseError

MAX_BATCH = 100  # ids per request; arXiv pages results at 2,000 but asks for small slices
_ATOM = "{http://www.w3.org/2005/Atom}"
_ARXIV = "{http://arxiv.org/schemas/atom}"
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+)$")
_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
_OLD_ID = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")


def is_well_formed(arxiv_id: str) -> bool:
    """Whether arXiv would accept the id (a malformed one makes the whole batch fail with 400)."""
    return bool(_NEW_ID.match(arxiv_id) or _OLD_ID.match(arxiv_id))


def id_list_request(ids: Sequence[str]) -> ApiRequest:
    if not ids or len(ids) > MAX_BATCH:
        raise ValueError(f"an id_list batch holds 1 to {MAX_BATCH} ids, not {len(ids)}")
    return ApiRequest(ARXIV, "/query", (("id_list", ",".join(ids)), ("max_results", str(len(ids)))))


def pdf_request(arxiv_id: str) -> ApiRequest:
    """``arxiv.org/pdf/<id>``: the paper's PDF (the latest version unless the id names one)."""
    if not is_well_formed(arxiv_id):
        raise ValueError(f"{arxiv_id!r} is not an arXiv id")
    return ApiRequest(ARXIV_PDF, f"/pdf/{arxiv_id}")


def _text(element: ET.Element | None) -> str:
    return " ".join((element.text or "").split()) if element is not None else ""


def _root(body: bytes | str) -> ET.Element:
    try:
        root = ET.fromstring(body)
    except ET.ParseError as exc:
        raise ResponseError(f"arXiv sent a body that is not XML ({exc})") from exc
    if root.tag != f"{_ATOM}feed":
        raise ResponseError(f"arXiv sent XML that is not an Atom feed (<{root.tag}>)")
    return root


def parse_errors(body: bytes | str) -> list[str]:
    """The messages of error entries (``incorrect id format for abc``) in a 400 feed."""
    return [_text(entry.find(f"{_ATOM}summary")) for entry in _root(body).iter(f"{_ATOM}entry")
            if "/api/errors" in _text(entry.find(f"{_ATOM}id"))]


def parse_feed(body: bytes | str) -> list[Candidate]:
    """One candidate per real entry; error entries and legacy empty entries are skipped."""
    found = []
    for entry in _root(body).iter(f"{_ATOM}entry"):
        candidate = _entry(entry)
        if candidate is not None:
            found.append(candidate)
    return found


def _entry(entry: ET.Element) -> Candidate | None:
    raw_id = _text(entry.find(f"{_ATOM}id"))
    match = _ID_IN_URL.search(raw_id)
    if not raw_id or "/api/errors" in raw_id or not match:
        return None
    arxiv_id = strip_arxiv_version(match.group(1))
    names = [_text(a.find(f"{_ATOM}name")) for a in entry.findall(f"{_ATOM}author")]
    year, month = year_month(_text(entry.find(f"{_ATOM}published")))
    primary = entry.find(f"{_ARXIV}primary_category")
    doi = _text(entry.find(f"{_ARXIV}doi"))
    journal_ref = _text(entry.find(f"{_ARXIV}journal_ref"))
    paper = Paper(
        entry_type="misc",
        title=_text(entry.find(f"{_ATOM}title")),
        abstract=_text(entry.find(f"{_ATOM}summary")),
        authors=split_names(names),
        year=year,
        month=month,
        arxiv_id=arxiv_id,
        arxiv_class=primary.get("term", "") if primary is not None else "",
        doi=doi.split()[0] if doi else "",
        url=f"https://arxiv.org/abs/{arxiv_id}",
    )
    return Candidate(ARXIV, arxiv_id, paper, published=bool(doi or journal_ref), journal_ref=journal_ref)
