"""arXiv API responses: the Atom feed ``export.arxiv.org/api/query`` returns.

Mapping, per ``<entry>``:

* ``<id>`` (``http://arxiv.org/abs/2310.01234v2``, ``.../abs/hep-th/9901001v1``)
  gives ``arxiv_id`` without its version; ``url`` is the abs page.
* ``<title>`` and ``<summary>`` with whitespace collapsed; ``<author><name>``
  through ``names.parse_display_name``.
* ``<published>`` (first version) gives year and month.
* ``arxiv:primary_category`` is ``arxiv_class``; every ``<category>`` term
  (primary included) becomes a keyword, as Zotero's arXiv import makes them tags.
* ``arxiv:doi`` is the DOI; ``arxiv:journal_ref`` is kept verbatim in
  ``extra_fields["journal_ref"]`` (it is a whole citation, not a venue name);
  ``arxiv:comment`` goes to ``extra_fields["comment"]`` (JabRef's comment field).
* The PDF link is not stored: it is derived from the id.
* Entries are ``misc`` (as arXiv's own BibTeX export), also when published.

The feed is untrusted input: a document with a DOCTYPE or ENTITY declaration
is refused (no entity expansion can happen), malformed XML is reported with
its line, and an arXiv error entry (``<id>`` under ``/api/errors``) is a problem.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from pydantic import ValidationError

from desktop_app.domain.models import ImportReport, Paper, Problem
from desktop_app.formats.arxiv_ids import abs_url, canonical_id
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.dates import iso_year_month
from desktop_app.formats.extras import raw_extras
from desktop_app.formats.names import parse_display_name

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"

_DECLARATION = re.compile(r"<!\s*(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ENTRY_START = re.compile(r"<(?:[\w.-]+:)?entry[\s>/]")
_ID_FROM_URL = re.compile(r"arxiv\.org/abs/(?P<id>.+?)/?$", re.IGNORECASE)


def sniff(text: str) -> bool:
    head = text[:4096].lstrip("\ufeff").lstrip()
    if not head.startswith("<"):
        return False
    return "http://www.w3.org/2005/Atom" in head and "arxiv" in head.lower()


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    declaration = _DECLARATION.search(text)
    if declaration:
        _problem(report, source, _line_at(text, declaration.start()),
                 "XML with a DOCTYPE or ENTITY declaration refused (not an arXiv feed)")
        return report
    try:
        root = ET.fromstring(text.lstrip("\ufeff"))
    except ET.ParseError as exc:
        _problem(report, source, exc.position[0], f"not well-formed XML ({_xml_reason(exc)})")
        return report
    if root.tag != f"{ATOM}feed" and root.tag != f"{ATOM}entry":
        _problem(report, source, 1, "XML is not an Atom feed")
        return report
    entries = [root] if root.tag == f"{ATOM}entry" else root.findall(f"{ATOM}entry")
    lines = _entry_lines(text, len(entries))
    for entry, line in zip(entries, lines, strict=True):
        _take(report, entry, line, source)
    return report


def _take(report: ImportReport, entry: ET.Element, line: int, source: str) -> None:
    raw_id = _text(entry, f"{ATOM}id")
    if "/api/errors" in raw_id:
        reason = _text(entry, f"{ATOM}summary") or "unknown error"
        _problem(report, source, line, f"arXiv API error: {reason}", skipped=True)
        return
    try:
        paper = to_paper(entry)
    except (ValidationError, ValueError) as exc:
        _problem(report, source, line, f"unreadable entry: {str(exc).splitlines()[0][:120]}", skipped=True)
        return
    if not paper.title:
        _problem(report, source, line, "entry without a title", skipped=True)
        return
    placeholder = placeholder_reason(paper)
    if placeholder is not None:
        _problem(report, source, line, placeholder, skipped=True)
        return
    report.papers.append(paper)


def to_paper(entry: ET.Element) -> Paper:
    arxiv_id = _arxiv_id(_text(entry, f"{ATOM}id"))
    year, month = iso_year_month(_text(entry, f"{ATOM}published") or _text(entry, f"{ATOM}updated"))
    primary = entry.find(f"{ARXIV}primary_category")
    extra = {
        key: value
        for key, value in (
            ("journal_ref", _text(entry, f"{ARXIV}journal_ref")),
            ("comment", _text(entry, f"{ARXIV}comment")),
        )
        if value
    }
    return Paper(
        entry_type="misc",
        title=_text(entry, f"{ATOM}title"),
        authors=[parse_display_name(name) for name in _author_names(entry)],
        year=year,
        month=month,
        abstract=_text(entry, f"{ATOM}summary"),
        arxiv_id=arxiv_id,
        arxiv_class=(primary.get("term") or "").strip() if primary is not None else "",
        url=abs_url(arxiv_id) if arxiv_id else _alternate_link(entry),
        doi=_text(entry, f"{ARXIV}doi"),
        keywords=_categories(entry),
        extra_fields=raw_extras(extra),
    )


def _text(element: ET.Element, tag: str) -> str:
    found = element.find(tag)
    if found is None:
        return ""
    return " ".join("".join(found.itertext()).split())


def _arxiv_id(raw: str) -> str:
    match = _ID_FROM_URL.search(raw)
    found = canonical_id(match.group("id") if match else raw)
    return found or ""


def _author_names(entry: ET.Element) -> list[str]:
    names = (_text(author, f"{ATOM}name") for author in entry.findall(f"{ATOM}author"))
    return [name for name in names if name]


def _categories(entry: ET.Element) -> list[str]:
    terms: list[str] = []
    for category in entry.findall(f"{ATOM}category"):
        term = (category.get("term") or "").strip()
        if term and term not in terms:
            terms.append(term)
    return terms


def _alternate_link(entry: ET.Element) -> str:
    for link in entry.findall(f"{ATOM}link"):
        if link.get("rel", "alternate") == "alternate" and link.get("href"):
            return link.get("href", "")
    return ""


def _entry_lines(text: str, count: int) -> list[int]:
    """The line of each ``<entry>`` start tag, in document order (1 when it cannot be told)."""
    starts = [_line_at(text, m.start()) for m in _ENTRY_START.finditer(text)]
    if len(starts) != count:
        return [1] * count
    return starts


def _line_at(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def _xml_reason(exc: ET.ParseError) -> str:
    return str(exc).split(":")[0]


def _problem(report: ImportReport, source: str, line: int, reason: str, *, skipped: bool = False) -> None:
    report.problems.append(Problem(source=source, line=line, reason=reason, skipped=skipped))
