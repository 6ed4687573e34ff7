"""BibTeX field values: evaluating ``{...}``/``"..."``/macro ``#`` expressions and reading typed fields.

The splitter hands over each value as written (``"Proc. of " # acl # {, 2020}``).
``evaluate`` turns that into the text BibTeX itself would see, with ``@string``
macros expanded and LaTeX left untouched. The ``read_*`` helpers turn such
text into the typed values a ``Paper`` holds.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any

from desktop_app.formats.latex import latex_to_unicode

MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)
MONTH_MACROS = tuple(name[:3] for name in MONTH_NAMES)
# A reader turns a field's LaTeX text into what a Paper holds (text, pages, keywords, names).
Reader = Callable[[str], Any]
# BibTeX's styles predefine the month macros; other names are defined by @string.
PREDEFINED_MACROS: dict[str, str] = {
    abbr: name.capitalize() for abbr, name in zip(MONTH_MACROS, MONTH_NAMES, strict=True)
}

_BRACE_OR_QUOTE = re.compile(r'(?<!\\)[{}"]')
_UNESCAPED_BRACE = re.compile(r"(?<!\\)[{}]")
_CONCAT = re.compile(r"\s*#\s*")
_BARE_TOKEN = re.compile(r"[^\s#{}\"]+")
_YEAR = re.compile(r"(?<!\d)(\d{4})(?!\d)")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2}))?")
_SIMPLE_DATE = re.compile(r"^\d{4}(?:-\d{2})?$")
_DASHES = re.compile(r"\s*(?:-+|\u2013|\u2014|\u2012|\u2010|\u2011)\s*")
_KEYWORD_SPLIT = re.compile(r"[,;]")
_URL_ESCAPES = re.compile(r"\\([_%#&$~])(?:\{\})?")
_URL_TILDE = re.compile(r"\{?\\(?:textasciitilde|~)\s*(?:\{\})?\}?")
_URL_MACRO = re.compile(r"^\\url\s*\{(.*)\}$", re.S)


def evaluate(raw: str, macros: Mapping[str, str]) -> str:
    """The text of a value as written in a .bib file: delimiters dropped, ``#`` joined, macros expanded.

    Undefined macros stand for their own name (BibTeX warns and uses nothing;
    keeping the name loses less). Malformed values come back stripped, as written.
    """
    raw = raw.strip()
    if _is_single_group(raw, "{", "}"):
        return raw[1:-1]
    if _is_single_group(raw, '"', '"'):
        return raw[1:-1]
    parts = _split_concatenation(raw)
    if parts is None:
        return raw
    return "".join(_evaluate_part(part, macros) for part in parts)


def _evaluate_part(part: str, macros: Mapping[str, str]) -> str:
    if part[0] in '{"':
        return part[1:-1]
    if part.isdigit():
        return part
    key = part.lower()
    if key in macros:
        return macros[key]
    return PREDEFINED_MACROS.get(key, part)


def _is_single_group(raw: str, opener: str, closer: str) -> bool:
    """``{a {b} c}`` is one group; ``{a} # {b}`` is not."""
    if len(raw) < 2 or raw[0] != opener or raw[-1] != closer:
        return False
    end = _group_end(raw, 0)
    return end == len(raw) - 1


def _group_end(raw: str, start: int) -> int:
    """Index of the delimiter closing the ``{...}`` or ``"..."`` group opened at ``start``, or -1."""
    quoted = raw[start] == '"'
    depth = 0 if quoted else 1
    for match in _BRACE_OR_QUOTE.finditer(raw, start + 1):
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return -1
            if depth == 0 and not quoted:
                return match.start()
        elif quoted and depth == 0:
            return match.start()
    return -1


def _split_concatenation(raw: str) -> list[str] | None:
    """``"a" # b # {c}`` -> ``['"a"', 'b', '{c}']``; None if the value is not such an expression."""
    parts: list[str] = []
    position = 0
    while True:
        if position >= len(raw):
            return None
        if raw[position] in '{"':
            end = _group_end(raw, position)
            if end < 0:
                return None
            parts.append(raw[position:end + 1])
            position = end + 1
        else:
            token = _BARE_TOKEN.match(raw, position)
            if token is None:
                return None
            parts.append(token.group())
            position = token.end()
        if position == len(raw):
            return parts
        separator = _CONCAT.match(raw, position)
        if separator is None or separator.end() == position:
            return None
        position = separator.end()


def text(value: str) -> str:
    """LaTeX text -> plain Unicode (NFC), braces dropped, whitespace collapsed."""
    decoded = latex_to_unicode(value)
    return " ".join(unicodedata.normalize("NFC", decoded).split())


def read_year(value: str) -> int | None:
    """``{2017}``, ``2017a``, ``c. 2017`` -> 2017; ``in press`` -> None."""
    bare = _UNESCAPED_BRACE.sub("", value).strip()
    if bare.isdigit() and len(bare) <= 4:
        return int(bare) or None
    match = _YEAR.search(value)
    if match is None:
        return None
    year = int(match.group(1))
    return year if 0 < year < 10000 else None


def read_month(value: str) -> int | None:
    """``aug``, ``August``, ``Aug.``, ``8``, ``{08}`` -> 8; anything else -> None."""
    cleaned = _UNESCAPED_BRACE.sub("", value).strip().rstrip(".").lower()
    if cleaned.isdigit():
        number = int(cleaned)
        return number if 1 <= number <= 12 else None
    if len(cleaned) >= 3:
        for index, name in enumerate(MONTH_NAMES, start=1):
            if name.startswith(cleaned) or (cleaned == "sept" and index == 9):
                return index
    return None


def read_date(value: str) -> tuple[int | None, int | None]:
    """biblatex ``date``: ``2020-05-17`` or ``2020-05`` or ``2020/2021`` -> (year, month)."""
    match = _DATE.match(_UNESCAPED_BRACE.sub("", value))
    if match is None:
        return None, None
    year = int(match.group(1)) or None
    month = int(match.group(2)) if match.group(2) else None
    if month is not None and not 1 <= month <= 12:
        month = None
    return year, month


def is_simple_date(value: str) -> bool:
    """True for ``2020`` and ``2020-05``: dates ``year``/``month`` carry without loss."""
    return bool(_SIMPLE_DATE.match(value.strip()))


def read_pages(value: str) -> str:
    """``12-15``, ``12\u201315`` (en dash), ``12 -- 15`` -> ``12--15``; lists keep their commas."""
    decoded = text(value)
    ranges = [_page_range(part) for part in decoded.split(",")]
    return ", ".join(r for r in ranges if r)


def _page_range(part: str) -> str:
    pieces = [p for p in _DASHES.split(part.strip())]
    if len(pieces) == 2 and all(pieces):
        return f"{pieces[0]}--{pieces[1]}"
    return part.strip()


def read_keywords(value: str) -> list[str]:
    """``deep learning; NLP, transformers`` -> three keywords, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _KEYWORD_SPLIT.split(text(value)):
        word = word.strip()
        if word:
            seen.setdefault(word, None)
    return list(seen)


def read_url(value: str) -> str:
    """A URL or DOI as written, minus the escapes BibTeX files put in them (``\\_``, ``\\url{}``)."""
    value = value.strip()
    wrapped = _URL_MACRO.match(value)
    if wrapped:
        value = wrapped.group(1).strip()
    value = _URL_TILDE.sub("~", value)
    value = _URL_ESCAPES.sub(r"\1", value)
    return "".join(value.split())
