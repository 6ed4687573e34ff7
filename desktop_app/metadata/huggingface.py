"""Hugging Face papers API: title search -> arXiv id, and ``/api/papers/{id}``.

HF knows the arXiv id, title, abstract, authors (as printed on the paper) and the
arXiv v1 date; no DOI, venue or categories.  Hidden authors are left out.
"""

from __future__ import annotations

from typing import Any

from desktop_app.domain.models import Paper, strip_arxiv_version
from desktop_app.metadata import jsonbody
from desktop_app.metadata.dates import year_month
from desktop_app.metadata.names import split_names
from desktop_app.metadata.records import HUGGINGFACE, ApiRequest, Candidate, ResponseError

SEARCH_LIMIT = 5


def search_request(title: str, limit: int = SEARCH_LIMIT) -> ApiRequest:
    return ApiRequest(HUGGINGFACE, "/api/papers/search", (("q", " ".join(title.split())), ("limit", str(limit))))


def paper_request(arxiv_id: str) -> ApiRequest:
    return ApiRequest(HUGGINGFACE, f"/api/papers/{strip_arxiv_version(arxiv_id)}")


def parse_search(body: bytes | str) -> list[Candidate]:
    """Search items (``{paper: {...}, ...}``) to candidates, best first as HF ranks them."""
    items = jsonbody.load(body, "Hugging Face", list)
    found = []
    for item in items:
        paper = item.get("paper") if isinstance(item, dict) else None
        if isinstance(paper, dict):
            candidate = _candidate(paper)
            if candidate is not None:
                found.append(candidate)
    return found


def parse_paper(body: bytes | str) -> Candidate:
    """The bare paper object of ``/api/papers/{id}``."""
    paper = jsonbody.load(body, "Hugging Face", dict)
    candidate = _candidate(paper)
    if candidate is None:
        raise ResponseError("Hugging Face sent a paper without an id")
    return candidate


def _candidate(raw: dict[str, Any]) -> Candidate | None:
    arxiv_id = jsonbody.text(raw.get("id"))
    if not arxiv_id:
        return None
    names = [a.get("name", "") for a in raw.get("authors") or []
             if isinstance(a, dict) and not a.get("hidden") and isinstance(a.get("name"), str)]
    year, month = year_month(raw.get("publishedAt"))
    paper = Paper(
        entry_type="misc",
        title=jsonbody.text(raw.get("title")),
        abstract=jsonbody.text(raw.get("summary")),
        authors=split_names(names),
        year=year,
        month=month,
        arxiv_id=arxiv_id,
        url=f"https://arxiv.org/abs/{strip_arxiv_version(arxiv_id)}",
        code_url=jsonbody.text(raw.get("githubRepo")),
    )
    return Candidate(HUGGINGFACE, paper.arxiv_id, paper)
