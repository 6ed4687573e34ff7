"""Hugging Face papers JSON: ``/api/daily_papers`` listings and ``/api/papers/<id>`` objects.

A daily-papers listing is a list of ``{"paper": {...}, "title": ..., "publishedAt": ...}``;
a single such object and a bare paper object (the ``/api/papers/<id>`` shape:
``id``, ``title``, ``summary``, ``authors``...) are read as well.

Mapping: ``paper.id`` is the arXiv id (``url`` is its abs page);
``title``/``summary`` from the paper, falling back to the listing item;
authors from ``authors[].name``; year and month from the paper's
``publishedAt`` (the arXiv date), else the item's; ``code_url`` from
``githubRepo``, else ``projectPage``; ``ai_keywords`` become keywords.
Entries are ``misc`` (arXiv preprints). Upvotes, comments and media are not kept.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from desktop_app.domain.models import ImportReport, Paper, Problem
from desktop_app.formats import jsonpos
from desktop_app.formats.arxiv_ids import abs_url, canonical_id
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.dates import iso_year_month
from desktop_app.formats.names import parse_display_name


def _paper_object(item: Any) -> dict[str, Any] | None:
    """The paper dict inside a listing item, or the item itself when it is a bare paper."""
    if not isinstance(item, dict):
        return None
    inner = item.get("paper")
    if isinstance(inner, dict) and ("id" in inner or "title" in inner):
        return inner
    if isinstance(item.get("id"), str) and "summary" in item and isinstance(item.get("authors"), list):
        return item
    return None


def sniff(text: str) -> bool:
    return _paper_object(jsonpos.first_value(text)) is not None


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    scan = jsonpos.scan(text)
    if scan.kind == "scalar" or (scan.kind == "invalid" and not scan.elements):
        report.problems.append(Problem(source=source, line=scan.error_line or 1,
                                       reason=scan.error or "JSON holds no Hugging Face papers"))
        return report
    for element in scan.elements:
        _take(report, element, source)
    if scan.error:
        report.problems.append(Problem(source=source, line=scan.error_line, reason=scan.error))
    if not report.papers and not report.problems:
        report.problems.append(Problem(source=source, line=1, reason="JSON holds no Hugging Face papers"))
    return report


def _take(report: ImportReport, element: jsonpos.Element, source: str) -> None:
    paper_obj = _paper_object(element.value)
    if paper_obj is None:
        reason = "not a Hugging Face paper object"
    else:
        try:
            paper = to_paper(element.value, paper_obj)
            placeholder = placeholder_reason(paper)
            if placeholder is None:
                report.papers.append(paper)
                return
            reason = placeholder
        except (ValidationError, ValueError, TypeError, AttributeError) as exc:
            reason = f"unreadable paper: {_short(exc)}"
        except _NoTitle:
            reason = "paper without a title"
    report.problems.append(Problem(source=source, line=element.line, reason=reason, skipped=True))


class _NoTitle(Exception):
    pass


def to_paper(item: dict[str, Any], paper: dict[str, Any]) -> Paper:
    title = _text(paper.get("title")) or _text(item.get("title"))
    if not title:
        raise _NoTitle
    arxiv_id = canonical_id(_text(paper.get("id"))) or ""
    year, month = iso_year_month(_text(paper.get("publishedAt")) or _text(item.get("publishedAt")))
    return Paper(
        entry_type="misc",
        title=title,
        authors=[parse_display_name(name) for name in _author_names(paper.get("authors"))],
        year=year,
        month=month,
        abstract=_text(paper.get("summary")) or _text(item.get("summary")),
        arxiv_id=arxiv_id,
        url=abs_url(arxiv_id) if arxiv_id else "",
        code_url=_text(paper.get("githubRepo")) or _text(paper.get("projectPage")),
        keywords=[k for k in (_text(k) for k in _list(paper.get("ai_keywords"))) if k],
    )


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _author_names(authors: Any) -> list[str]:
    names = []
    for author in _list(authors):
        name = _text(author.get("name")) if isinstance(author, dict) else _text(author)
        if name:
            names.append(name)
    return names


def _short(exc: Exception) -> str:
    message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return message[:120]
