"""JSON paper records: lists of flat dicts like the Paper Copilot conference lists.

A record has ``title``, ``author`` (``;``-separated display names),
``abstract``, ``keywords`` (``;``-separated), ``site``, ``pdf``, ``github``,
``project``, sometimes ``arxiv`` and ``doi``, and usually a ``bibtex`` string.
The record's own keys win; the embedded BibTeX entry fills in what they lack
(year, month, venue from ``booktitle``/``journal``, volume, number, pages,
publisher, DOI, authors, title) and gives the entry type (default
``inproceedings``). ``editor``, ``address``, ``series``, ``organization``,
``edition``, ``isbn``, ``issn`` and ``note`` from it go to ``extra_fields``
verbatim (LaTeX as written, whitespace collapsed), as the BibTeX importer
keeps them; so does the ``pdf`` link when ``url`` is the landing page.

Mapping: ``url`` is ``site``, else ``pdf``, else the BibTeX ``url``;
``arxiv`` gives ``arxiv_id``; ``github`` (else ``project``) gives ``code_url``.
Review scores, affiliations, track and status are not kept.

The embedded entry is read by a small regex scanner, not the BibTeX
importer: it handles ``{...}`` values with nested braces, ``"..."`` values,
bare numbers, month macros and ``#`` concatenation, which is all these
entries use, and it reads the 12,345 corpus records in about a second.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from pydantic import ValidationError

from desktop_app.domain.models import Author, ImportReport, Paper, Problem
from desktop_app.formats import jsonpos
from desktop_app.formats.arxiv_ids import canonical_id
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.latex import latex_to_unicode
from desktop_app.formats.names import parse_bibtex_names, parse_display_name

RECORD_KEYS = frozenset({"title", "author", "abstract", "bibtex"})
_SNIFF_KEYS = ("author", "abstract", "site", "pdf", "bibtex", "arxiv", "doi")
EXTRA_BIBTEX_FIELDS = ("editor", "address", "series", "organization", "edition", "isbn", "issn", "note")
MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_ENTRY_HEAD = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*[^,\s{}()=]*\s*,")
_FIELD_NAME = re.compile(r"[\s,]*([A-Za-z][\w:.+/-]*)\s*=\s*")
_BRACE = re.compile(r"[{}]")
_QUOTED_END = re.compile(r'[{}"]')
_BARE = re.compile(r"[^\s,#{}\"()]+")
_CONCAT = re.compile(r"\s*#\s*")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_SEMICOLON = re.compile(r"\s*;\s*")
_NAME_SUFFIX = re.compile(r"^(?:jr|sr|ii|iii|iv)\.?$", re.I)
_LIST_SEPARATOR = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*")
_KEYWORD_SPLIT = re.compile(r"\s*[;,]\s*")


def _is_record(value: Any) -> bool:
    return isinstance(value, dict) and not RECORD_KEYS.isdisjoint(value)


def sniff(text: str) -> bool:
    first = jsonpos.first_value(text)
    if not isinstance(first, dict) or "paper" in first:
        return False
    if not isinstance(first.get("title"), str) or not isinstance(first.get("author", ""), str):
        return False
    return any(key in first for key in _SNIFF_KEYS)


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    elements, trailing = jsonpos.read_elements(text, source, wanted=_is_record, nothing="JSON holds no paper records")
    for element in elements:
        _take(report, element, source)
    report.problems.extend(trailing)
    return report


def _take(report: ImportReport, element: jsonpos.Element, source: str) -> None:
    if not _is_record(element.value):
        reason = "not a paper record"
    else:
        try:
            paper = to_paper(element.value)
        except (ValidationError, ValueError, TypeError) as exc:
            reason = f"unreadable record: {str(exc).splitlines()[0][:120]}"
        else:
            placeholder = placeholder_reason(paper)
            if paper.title and placeholder is None:
                report.papers.append(paper)
                return
            reason = placeholder or "record without a title"
    report.problems.append(Problem(source=source, line=element.line, reason=reason, skipped=True))


def to_paper(record: dict[str, Any]) -> Paper:
    """One record as a paper; the embedded BibTeX fills the gaps."""
    entry_type, bib = embedded_fields(_text(record.get("bibtex")))
    url = _text(record.get("site")) or _text(record.get("pdf")) or _plain(bib.get("url", ""))
    pdf = _text(record.get("pdf"))
    extra = {name: " ".join(bib[name].split()) for name in EXTRA_BIBTEX_FIELDS if bib.get(name)}
    if pdf and pdf != url:
        extra["pdf"] = pdf
    return Paper(
        entry_type=entry_type or "inproceedings",
        title=_text(record.get("title")) or _decoded(bib.get("title", "")),
        authors=_authors(_text(record.get("author")), bib.get("author", "")),
        year=_year(bib.get("year", "")),
        month=_month(bib.get("month", "")),
        venue=_decoded(bib.get("booktitle") or bib.get("journal") or ""),
        volume=_plain(bib.get("volume", "")),
        number=_plain(bib.get("number", "")),
        pages=_plain(bib.get("pages", "")),
        publisher=_decoded(bib.get("publisher", "")),
        doi=_text(record.get("doi")) or _plain(bib.get("doi", "")),
        arxiv_id=canonical_id(_text(record.get("arxiv"))) or "",
        url=url,
        code_url=_text(record.get("github")) or _text(record.get("project")),
        abstract=_text(record.get("abstract")) or _decoded(bib.get("abstract", "")),
        keywords=_keywords(_text(record.get("keywords")), bib.get("keywords", "")),
        extra_fields=extra,
    )


def embedded_fields(bibtex: str) -> tuple[str, dict[str, str]]:
    """``(entry type, {field: value})`` of the first entry in a BibTeX string.

    Values lose their delimiters; ``#`` parts are joined; bare macros stay as
    their name (``aug``). LaTeX is left as written. Unreadable text gives
    ``("", {})``; a value cut short ends the fields read so far.
    """
    head = _ENTRY_HEAD.search(bibtex)
    if head is None:
        return "", {}
    fields: dict[str, str] = {}
    pos = head.end()
    while True:
        name = _FIELD_NAME.match(bibtex, pos)
        if name is None:
            break
        value, pos = _value(bibtex, name.end())
        if value is None:
            break
        fields.setdefault(name.group(1).lower(), value)
    return head.group(1).lower(), fields


def _value(text: str, pos: int) -> tuple[str | None, int]:
    parts: list[str] = []
    while True:
        part, pos = _value_part(text, pos)
        if part is None:
            return None, pos
        parts.append(part)
        concat = _CONCAT.match(text, pos)
        if concat is None or concat.end() == pos:
            return "".join(parts), pos
        pos = concat.end()


def _value_part(text: str, pos: int) -> tuple[str | None, int]:
    if pos >= len(text):
        return None, pos
    opener = text[pos]
    if opener == "{":
        end = _closing(text, pos + 1, _BRACE, "}")
    elif opener == '"':
        end = _closing(text, pos + 1, _QUOTED_END, '"')
    else:
        bare = _BARE.match(text, pos)
        return (bare.group(0), bare.end()) if bare else (None, pos)
    return (text[pos + 1 : end], end + 1) if end >= 0 else (None, pos)


def _closing(text: str, pos: int, pattern: re.Pattern[str], closer: str) -> int:
    """Offset of the ``closer`` that ends a value at brace depth zero, or -1."""
    depth = 0
    for match in pattern.finditer(text, pos):
        char = match.group(0)
        if char == "{":
            depth += 1
        elif char == "}" and depth > 0:
            depth -= 1
        elif char == closer and depth == 0:
            return match.start()
    return -1


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _plain(value: str) -> str:
    return " ".join(value.replace("{", "").replace("}", "").split())


def _decoded(value: str) -> str:
    return " ".join(latex_to_unicode(value).split()) if value else ""


def _year(value: str) -> int | None:
    match = _YEAR.search(value)
    return int(match.group(1)) if match else None


def _month(value: str) -> int | None:
    value = _plain(value).lower().rstrip(".")
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return MONTHS.get(value)


def split_author_list(text: str) -> list[str]:
    """A record's author string as names: ``;``-separated, else ``,``/`` and ``-separated.

    ``Maki, Nahomi`` (two single words around one comma) is one inverted name,
    never two authors; a whole list never becomes one author.
    """
    text = " ".join(text.split())
    if ";" in text:
        return [name for name in _SEMICOLON.split(text) if name.strip(" ,")]
    names: list[str] = []
    for name in _LIST_SEPARATOR.split(text):
        if names and _NAME_SUFFIX.match(name):
            names[-1] = f"{names[-1]}, {name}"
        elif name.strip():
            names.append(name)
    if len(names) == 2 and "," in text and " and " not in text and all(" " not in n.strip() for n in names):
        return [text]
    return names


def _authors(record_authors: str, bibtex_authors: str) -> list[Author]:
    if record_authors:
        return [_display_name(name.strip()) for name in split_author_list(record_authors)]
    if bibtex_authors:
        return parse_bibtex_names(bibtex_authors)
    return []


@lru_cache(maxsize=65536)
def _display_name(name: str) -> Author:
    return parse_display_name(name)


def _keywords(record_keywords: str, bibtex_keywords: str) -> list[str]:
    if record_keywords:
        return [k for k in _SEMICOLON.split(record_keywords) if k]
    if bibtex_keywords:
        return [k for k in _KEYWORD_SPLIT.split(_decoded(bibtex_keywords)) if k]
    return []
