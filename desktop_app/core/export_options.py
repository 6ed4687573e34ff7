"""Export options that add the user's own organisation to the records: tags as ``keywords``
and notes as ``annote``.

They change copies of the papers before a format renders them, so the format modules stay
pure and unaware of tags and notes.  Tags join the keywords in every format.  A note becomes
BibTeX/biblatex ``annote`` as escaped LaTeX text (one paragraph: whitespace is collapsed);
an imported ``annote`` is kept in front of it.  Other formats have no such field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from desktop_app.domain.models import Paper
from desktop_app.formats.bibtex_render import braces_balanced, escape
from desktop_app.formats.latex import unicode_to_latex

ANNOTE_FORMATS = ("bibtex", "biblatex")


def with_tags_as_keywords(paper: Paper) -> Paper:
    seen = {k.casefold() for k in paper.keywords}
    extra = [t for t in paper.tags if t.casefold() not in seen]
    return paper.model_copy(update={"keywords": [*paper.keywords, *extra]}) if extra else paper


def annote_value(note: str, fmt: str) -> str:
    """A note as LaTeX text for an ``annote`` field (the renderer passes extra fields through)."""
    text = " ".join(note.split())
    latex = escape(text, braces_balanced=braces_balanced(text))
    return unicode_to_latex(latex) if fmt == "bibtex" else latex


def with_note_as_annote(paper: Paper, note: str, fmt: str) -> Paper:
    if not note.strip() or fmt not in ANNOTE_FORMATS:
        return paper
    value = annote_value(note, fmt)
    current = {k.lower(): k for k in paper.extra_fields}
    extra = dict(paper.extra_fields)
    if "annote" in current:
        name = current["annote"]
        extra[name] = f"{extra[name]} {value}".strip()
    else:
        extra["annote"] = value
    return paper.model_copy(update={"extra_fields": extra})


def apply(papers: Sequence[Paper], fmt: str, *, tags_as_keywords: bool = False,
          notes: Mapping[int, str] | None = None) -> list[Paper]:
    """The papers with the chosen additions (``notes`` by paper id, when notes go out as annote)."""
    result = []
    for paper in papers:
        if tags_as_keywords:
            paper = with_tags_as_keywords(paper)
        if notes:
            paper = with_note_as_annote(paper, notes.get(paper.id or 0, ""), fmt)
        result.append(paper)
    return result
