"""Text forms of a paper's fields for the edit dialog, and back (no Qt here).

Authors are one per line as ``Family, Given`` (BibTeX's order) or
``{Organisation Name}`` and are read with ``parse_bibtex_name``, so a line
typed the BibTeX way means what it would mean in a .bib file.  A line the user
did not touch keeps its original ``Author`` exactly, so editing one author
never rewrites the others through a lossy round trip.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from desktop_app.core.vocabulary import parse_bibtex_name
from desktop_app.domain.models import Author

ENTRY_TYPES = ("article", "inproceedings", "incollection", "inbook", "book", "booklet", "proceedings",
               "phdthesis", "mastersthesis", "techreport", "manual", "unpublished", "misc", "online")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
FIELD_LABELS = {
    "entry_type": "Entry type", "citekey": "Citation key", "title": "Title", "authors": "Authors",
    "year": "Year", "month": "Month", "venue": "Venue", "volume": "Volume", "number": "Number",
    "pages": "Pages", "publisher": "Publisher", "doi": "DOI", "arxiv_id": "arXiv id",
    "arxiv_class": "Primary class", "url": "URL", "code_url": "Code URL", "keywords": "Keywords",
    "abstract": "Abstract",
}
_PYDANTIC_LINE = re.compile(r"^\s+(?:Value error, )?(?P<message>.*?)(?: \[type=.*)?$")


def author_line(author: Author) -> str:
    """``Vaswani, Ashish``, ``{OpenAI}``; a multi-word family name alone keeps its comma (``Da Silva,``)."""
    if author.literal:
        return "{" + author.literal + "}"
    if author.given:
        return f"{author.family}, {author.given}"
    return f"{author.family}," if " " in author.family.strip() else author.family


def authors_text(authors: Sequence[Author]) -> str:
    return "\n".join(author_line(a) for a in authors)


def parse_author(line: str) -> Author:
    """One line of the authors box: a BibTeX name; ``Family,`` with nothing after the comma is a family name."""
    line = line.strip()
    if line.endswith(",") and not line.startswith("{"):
        family = parse_bibtex_name(line[:-1].strip() + ", X").family  # decode LaTeX the same way
        return Author(family=family)
    return parse_bibtex_name(line)


def parse_authors(text: str, original: Sequence[Author] = ()) -> list[Author]:
    """The authors box as ``Author`` values; unchanged lines give back their original author."""
    known = {author_line(a): a for a in original}
    authors = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        author = known.get(line) or parse_author(line)
        if author.literal or author.family or author.given:
            authors.append(author)
    return authors


def keywords_text(keywords: Sequence[str]) -> str:
    return ", ".join(keywords)


def parse_keywords(text: str) -> list[str]:
    """``"a, b ,, a"`` -> ``["a", "b"]`` (order kept, exact duplicates dropped)."""
    out: list[str] = []
    for part in text.split(","):
        word = " ".join(part.split())
        if word and word not in out:
            out.append(word)
    return out


def parse_year(text: str) -> int | None:
    """Empty is no year; anything else must be a whole number (the core checks the range)."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"{text!r} is not a year")
    return int(text)


def explain(message: str) -> tuple[str | None, str]:
    """The field an ``InvalidInputError`` message is about (if it says) and the message made readable.

    The core passes pydantic's text through (``1 validation error for Paper\\nyear\\n  Value error,
    year 0 is ...``): keep the field name and the sentence, drop the rest.
    """
    if "citation key" in message:
        return "citekey", message
    lines = message.splitlines()
    if len(lines) >= 3 and "validation error" in lines[0]:
        field = lines[1].strip()
        match = _PYDANTIC_LINE.match(lines[2])
        text = match.group("message") if match else lines[2].strip()
        if field in FIELD_LABELS:
            return field, text[:1].upper() + text[1:]
        return None, f"{field}: {text}"
    return None, message
