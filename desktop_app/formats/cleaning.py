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
# ``\\u0006`` in a JSON string (not ``\\\\u0006``, an escaped backslash); tab, newline and
# carriage return stay (JSON writes line breaks so).
_JSON_CONTROL_ESCAPE = re.compile(
    r"(?<!\\)((?:\\\\)*)\\u(00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|[fF]{3}[cCeEfF])")
_PLACEHOLDER_TITLES = frozenset({"title", "[withdrawn]", "withdrawn", "untitled", "[no title]"})
_PLACEHOLDER_AUTHORS = frozenset({"authors", "author", "anonymous authors"})
_PLACEHOLDER_ABSTRACTS = frozenset({"abstract", "[withdrawn]"})


def remove_control_characters(text: str, source: str) -> tuple[str, list[Problem]]:
    """``text`` without control characters, and one problem per line that held some.

    In JSON text the ``\\u0006`` escapes of such characters go too (what they stand for
    would otherwise reach the papers with no line to report).
    """
    if "\x0c" in text:
        text = text.replace("\x0c", " ")  # a form feed is only a page break between entries
    is_json = text.lstrip("\ufeff \t\n")[:1] in ("[", "{")
    patterns = (_CONTROL, _JSON_CONTROL_ESCAPE) if is_json else (_CONTROL,)
    found_on: dict[int, dict[str, None]] = {}
    for pattern in patterns:
        if not pattern.search(text):
            continue
        line, counted_to = 1, 0
        for match in pattern.finditer(text):
            line += text.count("\n", counted_to, match.start())
            counted_to = match.start()
            code = int(match.group(2), 16) if pattern is _JSON_CONTROL_ESCAPE else ord(match.group())
            found_on.setdefault(line, {})[f"U+{code:04X}"] = None
        text = pattern.sub(lambda m: m.group(1) if m.re is _JSON_CONTROL_ESCAPE else "", text)
    problems = [Problem(source=source, line=number,
                        reason=f"removed control character(s) {', '.join(names)} from the entry here")
                for number, names in sorted(found_on.items())]
    return text, problems


def without_control_characters(paper: Paper, source: str) -> tuple[Paper, Problem | None]:
    """Control characters that came in escaped (``\\u0006`` in JSON) leave the paper too, with a problem."""
    texts = (paper.title, paper.abstract, paper.venue, paper.publisher,
             *(a.family + a.given + a.literal for a in paper.authors))
    found = sorted({c for text in texts for c in _CONTROL.findall(text)})
    if not found:
        return paper, None
    authors = [{k: _CONTROL.sub("", getattr(a, k)) for k in ("family", "given", "literal")} for a in paper.authors]
    cleaned = paper.model_validate({
        **paper.model_dump(), "authors": authors,
        **{k: _CONTROL.sub("", getattr(paper, k)) for k in ("title", "abstract", "venue", "publisher")}})
    chars = ", ".join(f"U+{ord(c):04X}" for c in found)
    return cleaned, Problem(source=source, reason=f"removed control character(s) {chars} from {cleaned.title[:60]!r}")


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
