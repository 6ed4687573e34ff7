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


def parse_bibtex_name(raw: str) -> Author:
    """One BibTeX name (``von Last, Jr, First`` forms); a fully braced name is an organisation."""
    raw = raw.strip()
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
