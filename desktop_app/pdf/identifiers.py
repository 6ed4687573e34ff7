"""Finding a DOI and an arXiv id in a PDF's metadata and first-page text (pure functions)."""

from __future__ import annotations

import re
from collections.abc import Iterable

# A DOI as Crossref describes it: 10.<registrant>/<suffix>; trailing punctuation is prose, not DOI.
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>{}]+)", re.I)
_DOI_TAIL = ".,;:)]}'"
# New-style ids (2104.01234, 0704.0001) and old-style (hep-th/9901001), after "arXiv:" or an arxiv URL.
_ARXIV_TAGGED = re.compile(
    r"(?:arxiv\s*:\s*|arxiv\.org/(?:abs|pdf)/)"
    r"((?:\d{4}\.\d{4,5})|(?:[a-z-]+(?:\.[A-Z]{2})?/\d{7}))(v\d+)?", re.I)
# arXiv stamps its PDFs' margins with "arXiv:2104.01234v2 [cs.LG] 3 Apr 2021"; a bare new-style id
# with a version is also specific enough to trust.
_ARXIV_BARE = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})v\d+\b")


def _clean_doi(raw: str) -> str:
    doi = raw.rstrip(_DOI_TAIL)
    # a DOI followed directly by text in parentheses: "10.1/abc(2020)" keeps balanced brackets only
    while doi.count("(") < doi.count(")") and doi.endswith(")"):
        doi = doi[:-1]
    return doi


def find_doi(texts: Iterable[str]) -> str:
    """The first DOI in ``texts`` (checked in order), or ''."""
    for text in texts:
        match = _DOI.search(text or "")
        if match:
            doi = _clean_doi(match.group(1))
            if "/" in doi and len(doi.split("/", 1)[1]) >= 1:
                return doi
    return ""


def _plausible_new_id(arxiv_id: str) -> bool:
    if "/" in arxiv_id:
        return True
    yymm = arxiv_id.split(".")[0]
    month = int(yymm[2:])
    return 1 <= month <= 12 and int(yymm[:2]) >= 7


def find_arxiv_id(texts: Iterable[str]) -> str:
    """The first arXiv id (without version) in ``texts``, or ''."""
    for text in texts:
        for pattern in (_ARXIV_TAGGED, _ARXIV_BARE):
            for match in pattern.finditer(text or ""):
                candidate = match.group(1)
                if _plausible_new_id(candidate):
                    return candidate
    return ""
