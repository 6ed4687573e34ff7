"""CSL-JSON import and export (what Zotero, pandoc and citeproc read and write).

Types: article-journal <-> article, paper-conference <-> inproceedings,
book <-> book, chapter <-> incollection, thesis <-> phdthesis (a ``genre``
naming a master's thesis gives mastersthesis), report <-> techreport,
manuscript <-> unpublished, article (a preprint) <-> misc; other CSL types
are read as misc, magazine/newspaper articles as article.

Fields: ``id`` <-> citekey (ids that are not key-like, such as Zotero's
item URIs, are dropped so the library makes a key); ``title``; ``author``
(``family``/``given`` with particles and suffix folded into the family name,
or ``literal``); ``editor`` <-> ``extra_fields["editor"]``; ``issued``
(``date-parts``, or ``raw``/``literal`` text) <-> year and month;
``container-title`` <-> venue; ``volume``; ``issue`` <-> number (a report's
number is CSL ``number``); ``page`` (``283-292`` <-> ``283--292``);
``publisher``; ``DOI``; ``URL``; ``abstract``; ``keyword`` (one string,
``, ``-joined, split on commas and semicolons); ``note``,
``publisher-place`` (address), ``ISBN``, ``ISSN``, ``edition``,
``collection-title`` (series) and ``language`` <-> the same-named extra fields.

arXiv preprints follow Zotero's CSL export: ``"type": "article"``,
``"publisher": "arXiv"``, ``"number": "arXiv:2310.01234"`` and the abs page
as ``URL``. On import the id is also taken from an arXiv ``URL`` or a
``10.48550/arXiv.`` DOI, and a ``publisher`` of ``arXiv`` is dropped when
the id was found (it names the server, not a publisher). No DOI is invented.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from desktop_app.domain.models import Author, ImportReport, Paper, Problem
from desktop_app.formats import jsonpos
from desktop_app.formats.arxiv_ids import abs_url, canonical_id
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.extras import plain_extras, raw_extras
from desktop_app.formats.names import parse_display_name

CSL_TO_BIBTEX = {
    "article-journal": "article", "article-magazine": "article", "article-newspaper": "article",
    "paper-conference": "inproceedings", "book": "book", "collection": "book",
    "chapter": "incollection", "entry-encyclopedia": "incollection",
    "entry-dictionary": "incollection", "thesis": "phdthesis", "report": "techreport",
    "manuscript": "unpublished", "article": "misc",
}
BIBTEX_TO_CSL = {
    "article": "article-journal", "inproceedings": "paper-conference",
    "conference": "paper-conference", "proceedings": "book", "book": "book",
    "incollection": "chapter", "inbook": "chapter", "phdthesis": "thesis",
    "mastersthesis": "thesis", "techreport": "report", "unpublished": "manuscript",
    "misc": "article",
}
_EXTRA_VARIABLES = {
    "note": "note", "publisher-place": "address", "ISBN": "isbn", "ISSN": "issn",
    "edition": "edition", "collection-title": "series", "language": "language",
}
_KEY_LIKE = re.compile(r"^[A-Za-z0-9_][\w:.+\-]*$")
_DATE_TEXT = re.compile(r"(?<!\d)(\d{4})(?:[-/](\d{1,2}))?")
_KEYWORD_SPLIT = re.compile(r"\s*[,;]\s*")
_PAGE_DASH = re.compile(r"\s*(?:--|-|\u2013|\u2014)\s*")
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_NAME_KEYS = ("family", "given", "literal")


def is_csl_item(value: Any) -> bool:
    """Does ``value`` carry the markers of a CSL item (a type plus dates, names or a container)?"""
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        return False
    if isinstance(value.get("issued"), dict) or "container-title" in value:
        return True
    authors = value.get("author")
    return isinstance(authors, list) and any(
        isinstance(a, dict) and not set(_NAME_KEYS).isdisjoint(a) for a in authors
    )


def sniff(text: str) -> bool:
    return is_csl_item(jsonpos.first_value(text))


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    elements, trailing = jsonpos.read_elements(
        text, source, wanted=lambda v: isinstance(v, dict) and "type" in v, nothing="JSON holds no CSL items")
    for element in elements:
        _take(report, element, source)
    report.problems.extend(trailing)
    return report


def _take(report: ImportReport, element: jsonpos.Element, source: str) -> None:
    item = element.value
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        reason = "not a CSL item (no type)"
    else:
        try:
            paper = to_paper(item)
        except (ValidationError, ValueError, TypeError) as exc:
            reason = f"unreadable CSL item: {str(exc).splitlines()[0][:120]}"
        else:
            placeholder = placeholder_reason(paper)
            if (paper.title or paper.doi or paper.url or paper.arxiv_id) and placeholder is None:
                report.papers.append(paper)
                return
            reason = placeholder or "CSL item with no title, DOI or URL"
    report.problems.append(Problem(source=source, line=element.line, reason=reason, skipped=True))


def to_paper(item: dict[str, Any]) -> Paper:
    csl_type = _text(item.get("type"))
    entry_type = CSL_TO_BIBTEX.get(csl_type, "misc")
    if entry_type == "phdthesis" and "master" in _text(item.get("genre")).lower():
        entry_type = "mastersthesis"
    number, issue = _text(item.get("number")), _text(item.get("issue"))
    url, doi = _text(item.get("URL")), _text(item.get("DOI"))
    arxiv_id = _arxiv_id(number, url, doi)
    if arxiv_id and canonical_id(number):
        number = ""
    publisher = _text(item.get("publisher"))
    if arxiv_id and publisher.lower() == "arxiv":
        publisher = ""
    year, month = _issued(item.get("issued"))
    citekey = _text(item.get("id"))
    return Paper(
        entry_type=entry_type,
        citekey=citekey if _KEY_LIKE.match(citekey) else "",
        title=_text(item.get("title")),
        authors=_authors(item.get("author")),
        year=year,
        month=month,
        venue=_text(item.get("container-title")),
        volume=_text(item.get("volume")),
        number=issue or number,
        pages=_PAGE_DASH.sub("--", _text(item.get("page"))),
        publisher=publisher,
        doi=doi,
        arxiv_id=arxiv_id,
        url=url,
        abstract=_text(item.get("abstract")),
        keywords=[k for k in _KEYWORD_SPLIT.split(_text(item.get("keyword"))) if k],
        extra_fields=raw_extras(_extra(item)),
    )


def _text(value: Any) -> str:
    """A CSL string variable as text; numbers are fine and lists give their first item."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, bool) or value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return value.strip() if isinstance(value, str) else ""


def _arxiv_id(number: str, url: str, doi: str) -> str:
    doi_match = _ARXIV_DOI.match(doi)
    for candidate in (number, url, doi_match.group(1) if doi_match else ""):
        found = canonical_id(candidate) if candidate else None
        if found:
            return found
    return ""


def _issued(value: Any) -> tuple[int | None, int | None]:
    if not isinstance(value, dict):
        return None, None
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        year = _int(parts[0][0])
        month = _int(parts[0][1]) if len(parts[0]) > 1 else None
        return _plausible(year, month)
    match = _DATE_TEXT.search(_text(value.get("raw")) or _text(value.get("literal")))
    if match is None:
        return None, None
    return _plausible(int(match.group(1)), int(match.group(2)) if match.group(2) else None)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _plausible(year: int | None, month: int | None) -> tuple[int | None, int | None]:
    if year is None or not 0 < year < 10000:
        return None, None
    return year, month if month is not None and 1 <= month <= 12 else None


def _authors(value: Any) -> list[Author]:
    if not isinstance(value, list):
        return []
    authors = [_author(name) for name in value if isinstance(name, dict)]
    return [a for a in authors if a.family or a.literal or a.given]


def _author(name: dict[str, Any]) -> Author:
    literal = _text(name.get("literal"))
    if literal:
        return Author(literal=literal)
    family = " ".join(
        part for part in (_text(name.get("non-dropping-particle")), _text(name.get("family")),
                          _text(name.get("suffix"))) if part
    )
    given = " ".join(
        part for part in (_text(name.get("given")), _text(name.get("dropping-particle"))) if part
    )
    if not family and given:
        return parse_display_name(given)
    return Author(family=family, given=given)


def _extra(item: dict[str, Any]) -> dict[str, str]:
    extra = {
        name: _text(item.get(variable))
        for variable, name in _EXTRA_VARIABLES.items()
        if _text(item.get(variable))
    }
    editors = _authors(item.get("editor"))
    if editors:
        extra["editor"] = " and ".join(e.sort_name for e in editors)
    return extra


def render(papers: Sequence[Paper], **options: object) -> str:
    """CSL-JSON for ``papers``: a list of items, UTF-8, two-space indented."""
    items = [to_item(paper, index) for index, paper in enumerate(papers, start=1)]
    return json.dumps(items, ensure_ascii=False, indent=2) + "\n"


def to_item(paper: Paper, index: int = 1) -> dict[str, Any]:
    """One paper as a CSL item (variables left out when empty)."""
    item: dict[str, Any] = {
        "id": paper.citekey or f"item-{index}",
        "type": BIBTEX_TO_CSL.get(paper.entry_type, "article"),
        "title": paper.title,
        "author": [_name(a) for a in paper.authors],
        "container-title": paper.venue,
        "volume": paper.volume,
        "page": paper.pages.replace("--", "-"),
        "publisher": paper.publisher,
        "DOI": paper.doi,
        "URL": paper.url,
        "abstract": paper.abstract,
        "keyword": ", ".join(k for k in paper.keywords if k.strip()),
    }
    if paper.year:
        item["issued"] = {"date-parts": [[paper.year, paper.month] if paper.month else [paper.year]]}
    item["number" if paper.entry_type == "techreport" else "issue"] = paper.number
    if paper.entry_type == "mastersthesis":
        item["genre"] = "Master's thesis"
    _add_arxiv(item, paper)
    _add_extra(item, plain_extras(paper.extra_fields))
    return {key: value for key, value in item.items() if value not in ("", [], None)}


def _name(author: Author) -> dict[str, str]:
    if author.literal:
        return {"literal": author.literal}
    name = {"family": author.family}
    if author.given:
        name["given"] = author.given
    return name


def _add_arxiv(item: dict[str, Any], paper: Paper) -> None:
    if not paper.arxiv_id:
        return
    item["URL"] = item.get("URL") or abs_url(paper.arxiv_id)
    if paper.entry_type == "misc":
        item["publisher"] = item.get("publisher") or "arXiv"
    if not item.get("number"):
        item["number"] = f"arXiv:{paper.arxiv_id}"


def _add_extra(item: dict[str, Any], extra: dict[str, str]) -> None:
    for variable, name in _EXTRA_VARIABLES.items():
        if extra.get(name):
            item[variable] = extra[name]
    editors = extra.get("editor", "")
    if editors:
        item["editor"] = [_name(_editor(n)) for n in re.split(r"\s+and\s+", editors) if n.strip()]


def _editor(name: str) -> Author:
    family, comma, given = name.partition(",")
    if comma:
        return Author(family=family.strip(), given=given.strip())
    return parse_display_name(name)
