"""``Paper.extra_fields`` hold raw BibTeX values: what a .bib file has between the braces.

The BibTeX importer stores them as written and the exporter writes them back
as they are.  Importers of other formats hold plain text, so they store it
through ``from_plain`` (LaTeX specials escaped, Unicode kept) and their
exporters read it back through ``to_plain``.  URLs, file paths and
identifiers are verbatim in both directions.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from desktop_app.formats.bibtex_render import braces_balanced, escape
from desktop_app.formats.latex import latex_to_unicode

VERBATIM_NAMES = frozenset({
    "url", "pdf", "file", "doi", "eprint", "urldate", "isbn", "issn",
    "ris_ur", "ris_l1", "ris_l2", "ris_l3", "ris_l4", "ris_do", "ris_sn",
})
_URL_LINE = re.compile(r"^\s*(?:https?|ftp|file)://\S+\s*$", re.IGNORECASE)


def is_verbatim(name: str, value: str) -> bool:
    if name.lower() in VERBATIM_NAMES:
        return True
    lines = [line for line in value.split("\n") if line.strip()]
    return bool(lines) and all(_URL_LINE.match(line) for line in lines)


def from_plain(name: str, text: str) -> str:
    """Plain text -> the raw BibTeX value that reads back as the same text."""
    if is_verbatim(name, text):
        return text
    return escape(text, braces_balanced=braces_balanced(text))


def to_plain(name: str, raw: str) -> str:
    """A raw BibTeX value -> plain text (LaTeX decoded)."""
    if is_verbatim(name, raw):
        return raw
    return latex_to_unicode(raw)


def raw_extras(plain: Mapping[str, str]) -> dict[str, str]:
    return {name: from_plain(name, value) for name, value in plain.items()}


def plain_extras(raw: Mapping[str, str]) -> dict[str, str]:
    return {name: to_plain(name, value) for name, value in raw.items()}
