"""Citation keys: generated once from author, year and title, unique, never changed silently."""

from __future__ import annotations

import re
from collections.abc import Callable
from string import ascii_lowercase

from desktop_app.domain.models import Paper
from desktop_app.domain.text import ascii_words, significant_words

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
        return surname + year + (words[0] if words else "")
    if surname or year:
        return surname + year + "".join(words[:2])
    if words:
        return "".join(words[:2])[:40]
    if paper.arxiv_id:
        return "arxiv" + re.sub(r"[^0-9a-z]", "", paper.arxiv_id.lower())
    return "paper"


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


def assign_key(paper: Paper, is_taken: Callable[[str], bool]) -> str:
    """Keep a valid, free imported key; otherwise generate one."""
    if paper.citekey and is_valid_key(paper.citekey) and not is_taken(paper.citekey):
        return paper.citekey
    return unique_key(base_key(paper), is_taken)
