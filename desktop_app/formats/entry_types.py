"""Entry types: which ones BibTeX and biblatex know, and how a biblatex type is written for BibTeX.

A paper keeps the type its file gave it: a BibTeX or biblatex type in
``Paper.entry_type``; any other type imports as ``misc`` with the type as
written in ``extra_fields[ORIGINAL_TYPE_KEY]``. The biblatex export writes the
original type back; the BibTeX export writes a type the standard styles know
and the original one in the ``originaltype`` field, which the BibTeX importer
reads back (BibTeX and biber ignore a field they do not know).
"""

from __future__ import annotations

from desktop_app.domain.models import Paper

# Lectern's own notes in ``extra_fields`` start with "_": no exporter writes them as fields.
ORIGINAL_TYPE_KEY = "_type"
ORIGINAL_TYPE_FIELD = "originaltype"

BIBTEX_TYPES = frozenset("""
    article book booklet conference inbook incollection inproceedings manual mastersthesis misc
    phdthesis proceedings techreport unpublished""".split())
BIBLATEX_TYPES = frozenset("""
    article book mvbook inbook bookinbook suppbook booklet collection mvcollection incollection
    suppcollection dataset manual misc online patent periodical suppperiodical proceedings
    mvproceedings inproceedings reference mvreference inreference report set software thesis
    unpublished xdata conference electronic mastersthesis phdthesis techreport www artwork audio
    bibnote commentary image jurisdiction legislation legal letter movie music performance review
    standard video""".split())

# biblatex types (and aliases) written for BibTeX: the nearest type the standard styles define.
TO_BIBTEX = {
    "mvbook": "book", "bookinbook": "inbook", "suppbook": "inbook", "collection": "book",
    "mvcollection": "book", "suppcollection": "incollection", "reference": "book",
    "mvreference": "book", "inreference": "incollection", "mvproceedings": "proceedings",
    "report": "techreport", "thesis": "phdthesis", "online": "misc", "electronic": "misc",
    "www": "misc", "periodical": "misc", "suppperiodical": "article", "dataset": "misc",
    "software": "misc", "patent": "misc", "set": "misc", "standard": "misc",
}


def is_known(entry_type: str) -> bool:
    return entry_type in BIBLATEX_TYPES or entry_type in BIBTEX_TYPES


def original_type(paper: Paper) -> str:
    """The type the paper was imported with: a kept unknown type, else ``entry_type``."""
    kept = paper.extra_fields.get(ORIGINAL_TYPE_KEY, "").strip().lower()
    if kept and paper.entry_type == "misc":
        return kept
    return paper.entry_type


def bibtex_type(entry_type: str) -> str:
    """The type written in the BibTeX dialect: standard BibTeX types only."""
    if entry_type in BIBTEX_TYPES:
        return entry_type
    return TO_BIBTEX.get(entry_type, "misc")


def imported_type(written: str, original: str = "") -> tuple[str, str]:
    """``(entry_type, kept original type or "")`` for a type read from a file.

    ``original`` is an ``originaltype`` field that a BibTeX export wrote beside a mapped type.
    """
    written = written.strip().lower()
    original = original.strip().lower()
    wanted = original or written
    if not wanted:
        return "misc", ""
    if is_known(wanted):
        return wanted, ""
    return "misc", wanted
