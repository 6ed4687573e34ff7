"""Free-form author names (``Kees A. Schouhamer Immink``, ``Peter H. N. de With``) to ``Author``."""

from __future__ import annotations

from desktop_app.domain.models import Author

_PARTICLES = {"van", "von", "der", "den", "de", "del", "della", "di", "da", "dos", "du", "la", "le",
              "ter", "ten", "bin", "ibn", "al"}
_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}


def split_name(name: str) -> Author:
    """Family name = last word plus lower-case particles before it; ``Last, First`` is honoured."""
    name = " ".join(name.split())
    if not name:
        return Author()
    if "," in name:
        family, _, given = name.partition(",")
        return Author(family=family.strip(), given=given.strip())
    words = name.split(" ")
    suffix = ""
    if len(words) > 2 and words[-1].lower() in _SUFFIXES:
        suffix = " " + words.pop()
    if len(words) == 1:
        return Author(family=words[0] + suffix)
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Author(family=" ".join(words[start:]) + suffix, given=" ".join(words[:start]))


def split_names(names: list[str]) -> list[Author]:
    return [split_name(n) for n in names if n and n.strip()]
