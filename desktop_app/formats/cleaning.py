"""Text every importer gets clean: control characters out, each removal reported, junk records named.

A NUL or another control character in an entry would pass into the library and
from there into exported BibTeX, where it stops pdflatex. They are removed from
the text before parsing, one problem per line they sat on, so one bad byte
damages nothing but itself. Placeholder records (title ``title``, author
``authors``, abstract ``abstract``, ``[Withdrawn]``) hold no paper and are
reported instead of stored.
"""

from __future__ import annotations

import re

from desktop_app.domain.models import ImportReport, Paper, Problem

MAX_LISTED_PROBLEMS = 1000

# C0 controls except tab and newline (a CR is already a newline here), DEL, C1 controls,
# the object replacement character and non-characters.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffc\ufffe\uffff]")
_PLACEHOLDER_TITLES = frozenset({"title", "[withdrawn]", "withdrawn", "untitled", "[no title]"})
_PLACEHOLDER_AUTHORS = frozenset({"authors", "author", "anonymous authors"})
_PLACEHOLDER_ABSTRACTS = frozenset({"abstract", "[withdrawn]"})


def remove_control_characters(text: str, source: str) -> tuple[str, list[Problem]]:
    """``text`` without control characters, and one problem per line that held some."""
    if not _CONTROL.search(text):
        return text, []
    problems: list[Problem] = []
    text = text.replace("\x0c", " ")  # a form feed is only a page break between entries
    if not _CONTROL.search(text):
        return text, []
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        found = _CONTROL.findall(line)
        if found:
            names = ", ".join(dict.fromkeys(f"U+{ord(c):04X}" for c in found))
            problems.append(Problem(source=source, line=number,
                                    reason=f"removed control character(s) {names} from the entry here"))
            lines[number - 1] = _CONTROL.sub("", line)
    return "\n".join(lines), problems


def remove_control_characters_from_papers(report: ImportReport, source: str) -> None:
    """Control characters that came in escaped (``\\u0006`` in JSON) leave the papers too, with a problem."""
    for index, paper in enumerate(report.papers):
        names = [a.family + a.given + a.literal for a in paper.authors]
        if not _CONTROL.search("".join((paper.title, paper.abstract, paper.venue, paper.publisher, *names))):
            continue
        found = sorted(set(_CONTROL.findall("".join((paper.title, paper.abstract, paper.venue,
                                                      paper.publisher, *names)))))
        authors = [a.model_copy(update={k: _CONTROL.sub("", getattr(a, k)) for k in ("family", "given", "literal")})
                   for a in paper.authors]
        report.papers[index] = paper.model_validate({
            **paper.model_dump(), "authors": [a.model_dump() for a in authors],
            **{k: _CONTROL.sub("", getattr(paper, k)) for k in ("title", "abstract", "venue", "publisher")}})
        chars = ", ".join(f"U+{ord(c):04X}" for c in found)
        report.problems.append(Problem(source=source, reason=f"removed control character(s) {chars} "
                                                             f"from {paper.title[:60]!r}"))


def placeholder_reason(paper: Paper) -> str | None:
    """Why ``paper`` is a placeholder rather than a paper, or None for a real record."""
    title = paper.title.strip().casefold()
    if title in _PLACEHOLDER_TITLES or title.startswith("[withdrawn]"):
        return f"placeholder record (title {paper.title!r}); not stored"
    names = " ".join(a.display_name for a in paper.authors).strip().casefold()
    if names in _PLACEHOLDER_AUTHORS:
        return f"placeholder record (author {names!r}); not stored"
    if not paper.authors and paper.abstract.strip().casefold() in _PLACEHOLDER_ABSTRACTS:
        return f"placeholder record (abstract {paper.abstract!r}); not stored"
    return None


def cap_problems(report: ImportReport, limit: int = MAX_LISTED_PROBLEMS) -> None:
    """List the first ``limit`` problems; count the rest (skipped entries among them too)."""
    extra = report.problems[limit:]
    if not extra:
        return
    report.unlisted += len(extra)
    report.unlisted_skipped += sum(1 for p in extra if p.skipped)
    del report.problems[limit:]
