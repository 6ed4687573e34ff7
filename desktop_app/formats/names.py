"""Person and organisation names: BibTeX ``and`` lists and free-form display names."""

from __future__ import annotations

import re

from bibtexparser.middlewares.names import (
    InvalidNameError,
    parse_single_name_into_parts,
    split_multiple_persons_names,
)

from desktop_app.domain.models import Author
from desktop_app.formats.latex import latex_to_unicode

_ORGANISATION_WORDS = re.compile(
    r"\b(university|universit[äa]t|institute|institut|consortium|team|group|laboratory|"
    r"lab|labs|organi[sz]ation|association|committee|council|collaboration|project|"
    r"foundation|society|agency|corporation|inc\.?|ltd\.?|company|ministry|department|"
    r"google|deepmind|openai|microsoft|meta|anthropic|nvidia|alibaba|deepseek)\b",
    re.I,
)


def _clean(part: list[str]) -> str:
    return latex_to_unicode(" ".join(part)).strip()


_EXTENDED_PART = re.compile(r"\s*(family|given|prefix|suffix|useprefix|sortingnamekeytemplatename|"
                            r"[a-z-]*-i)\s*=\s*", re.I)


def _extended_parts(raw: str) -> dict[str, str] | None:
    """biblatex's ``family=Oord, given=Aaron, prefix=van den`` name as its parts, else None."""
    if not _EXTENDED_PART.match(raw) or "=" not in raw:
        return None
    parts: dict[str, str] = {}
    for piece in _split_top_level(raw, ","):
        name, sep, value = piece.partition("=")
        if not sep:
            return None
        value = value.strip()
        if len(value) >= 2 and value[0] == "{" and value[-1] == "}" and _balanced_inside(value[1:-1]):
            value = value[1:-1]
        parts[name.strip().lower()] = value.strip().strip('"')
    return parts if "family" in parts or "given" in parts else None


def _split_top_level(text: str, separator: str) -> list[str]:
    pieces, depth, start = [], 0, 0
    for index, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == separator and depth == 0:
            pieces.append(text[start:index])
            start = index + 1
    pieces.append(text[start:])
    return pieces


def _extended_name(parts: dict[str, str]) -> Author:
    family = " ".join(latex_to_unicode(parts[k]).strip() for k in ("prefix", "family") if parts.get(k))
    if parts.get("suffix"):
        family = f"{family} {latex_to_unicode(parts['suffix']).strip()}".strip()
    given = latex_to_unicode(parts.get("given", "")).strip()
    if not family and given:
        family, given = given, ""
    return Author(family=family, given=given)


def parse_bibtex_name(raw: str) -> Author:
    """One BibTeX name (``von Last, Jr, First`` forms); a fully braced name is an organisation.

    biblatex's extended form (``family=Oord, given=Aaron, prefix=van den``) is read too.
    """
    raw = raw.strip()
    extended = _extended_parts(raw)
    if extended is not None:
        return _extended_name(extended)
    if raw.startswith("{") and raw.endswith("}") and _balanced_inside(raw[1:-1]):
        return Author(literal=latex_to_unicode(raw[1:-1]).strip())
    try:
        parts = parse_single_name_into_parts(raw, strict=False)
    except InvalidNameError:
        return Author(literal=latex_to_unicode(raw))
    family = " ".join(p for p in (_clean(parts.von), _clean(parts.last)) if p)
    if parts.jr:
        family = f"{family} {_clean(parts.jr)}".strip()
    given = _clean(parts.first)
    if not family and given:
        family, given = given, ""
    return Author(family=family, given=given)


def parse_bibtex_names(value: str) -> list[Author]:
    """``Vaswani, Ashish and Shazeer, Noam and {OpenAI}`` -> authors; ``and others`` dropped."""
    names = [n for n in split_multiple_persons_names(value) if n.strip()]
    return [parse_bibtex_name(n) for n in names if n.strip().lower() != "others"]


def parse_display_name(name: str) -> Author:
    """``Josef van Genabith`` (or ``van Genabith, Josef``); organisations become literal names."""
    name = " ".join(name.split())
    if not name:
        return Author()
    if _ORGANISATION_WORDS.search(name) and "," not in name and len(name.split()) != 2:
        return Author(literal=name)
    if "{" in name or "\\" in name:
        return parse_bibtex_name(name)
    try:
        parts = parse_single_name_into_parts(name.replace("{", "").replace("}", ""), strict=False)
    except InvalidNameError:
        return Author(literal=name)
    family = " ".join(p for p in (" ".join(parts.von), " ".join(parts.last)) if p)
    if parts.jr:
        family = f"{family} {' '.join(parts.jr)}"
    given = " ".join(parts.first)
    if not family:
        family, given = given, ""
    return Author(family=family.strip(), given=given.strip())


def _balanced_inside(text: str) -> bool:
    depth = 0
    for char in text:
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
