"""What resolvers exchange with the client and with matching: requests out, candidates back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.domain.models import Paper

HUGGINGFACE = "huggingface"
ARXIV = "arxiv"
SEMANTIC_SCHOLAR = "semanticscholar"
CROSSREF = "crossref"
ARXIV_PDF = "arxiv_pdf"  # arxiv.org/pdf/<id>: not a metadata service, but arXiv's host, limits and manners
SERVICES = (HUGGINGFACE, ARXIV, SEMANTIC_SCHOLAR, CROSSREF)
SERVICE_NAMES = {HUGGINGFACE: "Hugging Face", ARXIV: "arXiv", SEMANTIC_SCHOLAR: "Semantic Scholar",
                 CROSSREF: "Crossref", ARXIV_PDF: "arXiv"}


@dataclass(frozen=True)
class ApiRequest:
    """One HTTP request to one service, relative to the service's base URL."""

    service: str
    path: str
    params: tuple[tuple[str, str], ...] = ()
    method: str = "GET"
    json_body: Any = None


@dataclass(frozen=True)
class ApiResponse:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    from_cache: bool = False

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class ResponseError(ValueError):
    """A response body that does not have the service's format (truncated, HTML, wrong JSON)."""


@dataclass
class Candidate:
    """A service's record of one work, as a partial ``Paper`` plus where it came from."""

    source: str
    source_id: str
    paper: Paper
    published: bool = False  # a journal/proceedings version, not the preprint
    score: float | None = None
    journal_ref: str = ""  # arXiv's free-text reference to the published version

    @property
    def label(self) -> str:
        """``arXiv 2310.01234``, ``Crossref 10.1038/...``."""
        return f"{SERVICE_NAMES.get(self.source, self.source)} {self.source_id}".strip()
