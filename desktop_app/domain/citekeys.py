"""Citation keys: generated once from author, year and title, unique, never changed silently."""

from __future__ import annotations

import re
from collections.abc import Callable
from string import ascii_lowercase

from desktop_app.domain.models import Paper
from desktop_app.domain.text import STOP_WORDS, ascii_words, significant_words

# What bibtex, biber, pandoc and JabRef all accept in a key without complaint.
VALID_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_:.+\-/]{0,99}$")


def is_valid_key(key: str) -> bool:
    return bool(VALID_KEY.match(key))


def base_key(paper: Paper) -> str:
    """``snell2017prototypical``; without author or year still readable (``sentinellmsencrypted``)."""
    surname = ""
    if paper.authors:
        surname = "".join(ascii_words(paper.authors[0].surname)).lower()
    year = str(paper.year) if paper.year else ""
    words = significant_words(paper.title)
    if surname and year:
        return surname + year + first_key_word(paper.title)
    if surname or year:
        return surname + year + "".join(words[:2])
    if words:
        return "".join(words[:2])[:40]
    if paper.arxiv_id:
        return "arxiv" + re.sub(r"[^0-9a-z]", "", paper.arxiv_id.lower())
    return "paper"


def first_key_word(title: str) -> str:
    """The first significant title word, a hyphenated compound kept whole (``Three-Regime`` -> ``threeregime``)."""
    for token in title.split():
        word = "".join(ascii_words(token)).lower()
        if word and word not in STOP_WORDS and not word.isdigit():
            return word
    return ""


def _suffixes() -> list[str]:
    single = list(ascii_lowercase)
    return single + [a + b for a in ascii_lowercase for b in ascii_lowercase]


def unique_key(base: str, is_taken: Callable[[str], bool]) -> str:
    """``base`` itself if free, else ``basea``, ``baseb``, ... ``baseaa`` ..."""
    base = base[:90] or "paper"
    if not is_taken(base):
        return base
    for suffix in _suffixes():
        candidate = base + suffix
        if not is_taken(candidate):
            return candidate
    counter = 1
    while is_taken(f"{base}{counter}"):
        counter += 1
    return f"{base}{counter}"


def assign_key(paper: Paper, is_taken: Callable[[str], bool], formula: str | None = None) -> str:
    """Keep a valid, free imported key; otherwise generate one (from ``formula`` if given)."""
    if paper.citekey and is_valid_key(paper.citekey) and not is_taken(paper.citekey):
        return paper.citekey
    return unique_key(formula_key(paper, formula) if formula else base_key(paper), is_taken)


# -- key formulas (JabRef / Better BibTeX style) ---------------------------------------------

DEFAULT_FORMULA = "[auth:lower][year][veryshorttitle:lower]"
_FORMULA_PART = re.compile(r"\[([^\[\]]*)\]|([^\[\]]+)")
_MODIFIERS = {"lower": str.lower, "upper": str.upper, "capitalize": str.capitalize}
FORMULA_FIELDS = ("auth", "authors", "authorsN", "authN", "year", "shortyear", "veryshorttitle",
                  "shorttitle", "title", "arxiv")


class KeyFormulaError(ValueError):
    """A key formula that names an unknown field or modifier, or is unbalanced."""


def _surnames(paper: Paper) -> list[str]:
    return ["".join(ascii_words(a.surname)) for a in paper.authors]


def _field_value(paper: Paper, name: str) -> str:
    surnames = _surnames(paper)
    words = significant_words(paper.title)
    if name == "auth":
        return surnames[0] if surnames else ""
    if name.startswith("auth") and name[4:].isdigit():  # authN: first N letters of the first surname
        return surnames[0][:int(name[4:])] if surnames else ""
    if name == "authors":
        return "".join(surnames) if len(surnames) <= 2 else surnames[0] + "EtAl"
    if name.startswith("authors") and name[7:].isdigit():
        count = int(name[7:])
        return "".join(surnames[:count]) + ("EtAl" if len(surnames) > count else "")
    if name == "year":
        return str(paper.year) if paper.year else ""
    if name == "shortyear":
        return str(paper.year)[-2:] if paper.year else ""
    if name == "veryshorttitle":
        return first_key_word(paper.title)
    if name == "shorttitle":
        return "".join(w.capitalize() for w in words[:3])
    if name == "title":
        return "".join(w.capitalize() for w in ascii_words(paper.title))[:60]
    if name == "arxiv":
        return re.sub(r"[^0-9A-Za-z.]", "", paper.arxiv_id)
    raise KeyFormulaError(f"unknown key field [{name}] (known: {', '.join(FORMULA_FIELDS)})")


def check_formula(formula: str) -> None:
    """Raise ``KeyFormulaError`` with a readable reason unless ``formula`` can make keys."""
    if not formula.strip():
        raise KeyFormulaError("a key formula cannot be empty")
    if formula.count("[") != formula.count("]"):
        raise KeyFormulaError(f"unbalanced brackets in {formula!r}")
    formula_key(Paper(title="Check Formula", authors=[], year=2000), formula)


def formula_key(paper: Paper, formula: str = DEFAULT_FORMULA) -> str:
    """The key ``formula`` gives ``paper``; when the data give nothing usable, ``base_key``'s fallback."""
    if formula == DEFAULT_FORMULA:
        return base_key(paper)
    pieces: list[str] = []
    for match in _FORMULA_PART.finditer(formula):
        spec, literal = match.groups()
        if literal is not None:
            pieces.append(literal)
            continue
        name, *modifiers = spec.split(":")
        value = _field_value(paper, name)
        for modifier in modifiers:
            if modifier not in _MODIFIERS:
                raise KeyFormulaError(f"unknown modifier :{modifier} (known: {', '.join(_MODIFIERS)})")
            value = _MODIFIERS[modifier](value)
        pieces.append(value)
    key = re.sub(r"[^A-Za-z0-9_:.+\-/]", "", "".join(pieces))
    return key if key and is_valid_key(key) and is_complete_for_key(paper) else base_key(paper)


def is_complete_for_key(paper: Paper) -> bool:
    """A key made from this paper is final (author and year known), else provisional."""
    return bool(paper.authors) and paper.year is not None


def looks_generated(key: str, paper: Paper, formula: str = DEFAULT_FORMULA) -> bool:
    """Whether ``key`` is what the formula (plus a clash suffix) gives ``paper`` now."""
    base = formula_key(paper, formula)[:90]
    if not key.startswith(base):
        return False
    suffix = key[len(base):]
    return suffix == "" or (suffix.isalpha() and suffix.islower() and len(suffix) <= 2) or suffix.isdigit()
