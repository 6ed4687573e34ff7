"""BibTeX and biblatex files: recognise them, import them into papers, export papers to them.

``parse`` lets bibtexparser 2 split the text into blocks (a chunk at a time,
in ``bibtex_blocks``) and interprets the blocks itself: ``@string`` macros and ``#`` concatenation, crossref
inheritance, LaTeX decoding, names, dates, arXiv identifiers. Fields Lectern
does not model are kept verbatim in ``Paper.extra_fields``. Anything that
cannot be imported becomes a ``Problem`` with the line where its entry starts;
``parse`` never raises on bad content. ``render`` (in ``bibtex_render``)
writes BibTeX or biblatex that the real clients load without errors.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

from pydantic import ValidationError

from desktop_app.domain.models import (
    ARXIV_NEW_ID,
    ARXIV_OLD_ID,
    ImportReport,
    Paper,
    strip_arxiv_version,
)
from desktop_app.formats import bibtex_values as values
from desktop_app.formats.bibtex_blocks import MAX_PROBLEMS, Problems, RawEntry, read_entries
from desktop_app.formats.bibtex_render import AUTHORS_FROM_KEY, SOURCE_PREFIX, render
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.entry_types import ORIGINAL_TYPE_FIELD, ORIGINAL_TYPE_KEY, imported_type
from desktop_app.formats.latex import unknown_macros
from desktop_app.formats.names import parse_bibtex_names

__all__ = ["MAX_PROBLEMS", "parse", "render", "sniff", "stream"]


_SNIFF_CHARS = 65536
_ENTRY_LINE = re.compile(r"[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]")
_ENTRY_WITH_KEY = re.compile(
    r"^[ \t]*@[ \t]*(?:article|book|booklet|inbook|incollection|inproceedings|conference|manual|"
    r"mastersthesis|misc|phdthesis|proceedings|techreport|unpublished|online|report|thesis|"
    r"string|preamble|comment)[ \t]*[{(][^,\n]*[,=]",
    re.I | re.M,
)
_RIS_START = re.compile(r"^TY  - ", re.M)
# Fields whose presence makes an entry worth a paper: it names a work or the people behind it.
_IDENTIFYING = ("title", "author", "editor", "shortauthor", "shorthand", "doi", "url", "eprint")

_ARTICLE_TYPES = frozenset({"article", "periodical", "suppperiodical"})
_ARXIV_FIELDS = ("eprint", "archiveprefix", "eprinttype", "primaryclass", "eprintclass")
# Fields a crossref child never takes from its parent (biblatex's inheritance rules).
_NOT_INHERITED = frozenset({"crossref", "xref", "ids", "entryset", "related", "key", "label",
                            "shorthand", "sortkey", "execute", "options", "xdata"})


def sniff(text: str) -> bool:
    """True if ``text`` starts like a .bib file (after a BOM, blank lines and ``%`` comments)."""
    head = text[:_SNIFF_CHARS].lstrip("\ufeff")
    start = head.lstrip()
    if not start or start[0] in "{[<" or _RIS_START.match(start):
        return False
    for line in head.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("%"):
            continue
        if _ENTRY_LINE.match(line):
            return True
        break
    return bool(_ENTRY_WITH_KEY.search(head))


def parse(text: str, *, source: str = "") -> ImportReport:
    """Papers from BibTeX/biblatex text, with a problem (and its line) for every entry not taken."""
    report, _expected, papers = stream(text, source=source)
    report.papers = list(papers)
    return report


def stream(text: str, *, source: str = "") -> tuple[ImportReport, int, Iterator[Paper]]:
    """``parse`` a paper at a time: the report (its problems complete once the papers are
    exhausted), how many entries will be read, and the papers. A large file never holds
    all its papers at once, only its raw entries, each freed as its paper is made."""
    report = ImportReport(format="bibtex")
    problems = Problems(source)
    entries = read_entries(text, problems)
    _report_duplicates(entries, problems)
    entries = _apply_xdata(entries, problems)
    _resolve_crossrefs(entries, problems)
    return report, len(entries), _papers(entries, problems, report)


def _papers(entries: list[RawEntry], problems: Problems, report: ImportReport) -> Iterator[Paper]:
    pending: list[RawEntry | None] = list(entries)
    entries.clear()
    macros_seen: dict[str, tuple[int, int]] = {}
    for index, raw in enumerate(pending):
        assert raw is not None
        paper = _to_paper(raw, problems)
        for name in raw.unknown_macros:
            first, count = macros_seen.get(name, (raw.line, 0))
            macros_seen[name] = (first, count + 1)
        pending[index] = None  # each entry freed once read: its paper takes its place
        if paper is not None:
            yield paper
    for name, (line, count) in macros_seen.items():
        times = "once" if count == 1 else f"in {count} entries"
        problems.add(line, f"unknown LaTeX macro \\{name} (used {times}, first here): shown as "
                           f"'{name}', exported as written")
    problems.into(report)


def _report_duplicates(entries: list[RawEntry], problems: Problems) -> None:
    first_line: dict[str, int] = {}
    for raw in entries:
        for name in raw.duplicates:
            problems.add(raw.line, f"{_label(raw)} has duplicate field '{name}'; kept the first")
        folded = raw.key.casefold()
        if not folded:
            continue
        if folded in first_line:
            problems.add(raw.line, f"entry key '{raw.key}' is used more than once (first at line "
                                   f"{first_line[folded]}); both entries kept")
        else:
            first_line[folded] = raw.line


def _resolve_crossrefs(entries: list[RawEntry], problems: Problems) -> None:
    """Children take the fields they lack from their parents (cascading, cycles cut)."""
    by_key: dict[str, RawEntry] = {}
    for raw in entries:
        by_key.setdefault(raw.key.casefold(), raw)
    for raw in entries:
        for alias in raw.fields.get("ids", "").split(","):
            if alias.strip():
                by_key.setdefault(alias.strip().casefold(), raw)
    done: set[int] = set()
    for raw in entries:
        _inherit(raw, by_key, done, problems, chain=set())


def _inherit(raw: RawEntry, by_key: Mapping[str, RawEntry], done: set[int],
             problems: Problems, chain: set[int]) -> None:
    if id(raw) in done or "crossref" not in raw.fields:
        return
    target = raw.fields.pop("crossref").strip()
    parent = by_key.get(target.casefold())
    if parent is None or id(parent) in chain or parent is raw:
        why = "which is not in this file" if parent is None else "which refers back to it"
        problems.add(raw.line, f"{_label(raw)} cross-references '{target}', {why}; "
                               "imported without its fields")
        done.add(id(raw))
        return
    _inherit(parent, by_key, done, problems, chain | {id(raw)})
    own = {name: value for name, value in parent.fields.items() if name not in (parent.inherited or ())}
    if "title" in own and "booktitle" not in own:
        own["booktitle"] = own["title"]
    for name, value in (*own.items(), *parent.fields.items()):
        if name not in _NOT_INHERITED and name != "title" and name not in raw.fields:
            raw.fields[name] = value
            raw.inherited = (raw.inherited or set()) | {name}
    done.add(id(raw))


def _apply_xdata(entries: list[RawEntry], problems: Problems) -> list[RawEntry]:
    """biblatex ``@xdata`` entries fill the entries naming them in ``xdata``; they are no papers."""
    containers = {raw.key.casefold(): raw for raw in entries if raw.entry_type == "xdata"}
    if not containers:
        return entries
    used: set[str] = set()
    for raw in entries:
        _fill_from_xdata(raw, containers, used, chain=set())
    for key, container in containers.items():
        if key not in used:
            problems.add(container.line, f"@xdata '{container.key}' is used by no entry; its fields "
                                         "were not imported")
    return [raw for raw in entries if raw.entry_type != "xdata"]


def _fill_from_xdata(raw: RawEntry, containers: Mapping[str, RawEntry], used: set[str],
                     chain: set[str]) -> None:
    for name in raw.fields.pop("xdata", "").split(","):
        key = name.strip().casefold()
        container = containers.get(key)
        if container is None or key in chain:
            continue
        used.add(key)
        _fill_from_xdata(container, containers, used, chain | {key})
        for field_name, value in container.fields.items():
            raw.fields.setdefault(field_name, value)


def _label(raw: RawEntry) -> str:
    return f"entry '{raw.key}'" if raw.key else "an entry without a key"


def _to_paper(raw: RawEntry, problems: Problems) -> Paper | None:
    if not any(raw.fields.get(name, "").strip() for name in _IDENTIFYING):
        problems.add(raw.line, f"{_label(raw)} has no title, author, editor, shorthand, DOI or URL; skipped",
                     skipped=True)
        return None
    try:
        paper = Paper.model_validate(_paper_fields(raw))
    except (ValidationError, ValueError, RecursionError) as error:
        problems.add(raw.line, f"{_label(raw)} is not a valid record ({_short(error)}); skipped",
                     skipped=True)
        return None
    placeholder = placeholder_reason(paper)
    if placeholder is not None:
        problems.add(raw.line, f"{_label(raw)} is a {placeholder}", skipped=True)
        return None
    return paper


def _short(error: Exception) -> str:
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return " ".join(str(error).split())[:200]


def _paper_fields(raw: RawEntry) -> dict[str, object]:
    fields = dict(raw.fields)
    entry_type, kept_type = imported_type(raw.entry_type, fields.pop(ORIGINAL_TYPE_FIELD, ""))
    own: dict[str, str] = {}

    def decoded(name: str, value: str, read: values.Reader = values.text) -> object:
        unknown = unknown_macros(value)
        if unknown:
            own[SOURCE_PREFIX + name] = value
            raw.unknown_macros += tuple(m for m in unknown if m not in raw.unknown_macros)
        return read(value)

    result: dict[str, object] = {"citekey": raw.key, "entry_type": entry_type}
    if kept_type:
        own[ORIGINAL_TYPE_KEY] = kept_type
    result["title"] = decoded("title", fields.pop("title", ""))
    people = "author"
    if not fields.get("author", "").strip():
        people = next((n for n in ("editor", "shortauthor") if fields.get(n, "").strip()), "author")
        if people != "author":
            own[AUTHORS_FROM_KEY] = people
    names = fields.pop("author", "") if people == "author" else fields[people]
    result["authors"] = decoded("authors", names, parse_bibtex_names)
    result.update(_dates(fields))
    result["venue"] = decoded("venue", _pop_first(fields, _venue_order(raw.entry_type)))
    result["volume"] = decoded("volume", fields.pop("volume", ""))
    result["number"] = decoded("number", _pop_first(fields, ("number", "issue")))
    result["pages"] = decoded("pages", fields.pop("pages", ""), values.read_pages)
    result["publisher"] = decoded("publisher", fields.pop("publisher", ""))
    result["doi"] = values.read_url(fields.pop("doi", ""))
    result["url"] = values.read_url(fields.pop("url", ""))
    result["abstract"] = decoded("abstract", fields.pop("abstract", ""))
    result["keywords"] = decoded("keywords", fields.pop("keywords", ""), values.read_keywords)
    result.update(_arxiv(fields))
    fields.update(own)
    result["extra_fields"] = fields
    return result


def _venue_order(entry_type: str) -> tuple[str, ...]:
    if entry_type in _ARTICLE_TYPES:
        return ("journaltitle", "journal", "booktitle")
    return ("booktitle", "journaltitle", "journal")


def _pop_first(fields: dict[str, str], names: tuple[str, ...]) -> str:
    for name in names:
        if fields.get(name, "").strip():
            return fields.pop(name)
    return ""


def _dates(fields: dict[str, str]) -> dict[str, int | None]:
    """``year``/``month`` fields, else biblatex ``date``; unreadable values stay in the extras."""
    year = month = None
    if "year" in fields:
        year = values.read_year(fields["year"])
        if year is not None:
            del fields["year"]
    if "month" in fields:
        month = values.read_month(fields["month"])
        if month is not None:
            del fields["month"]
    date = fields.get("date", "")
    if date and year is None and "year" not in fields:
        year, date_month = values.read_date(date)
        month = month if month is not None or "month" in fields else date_month
        if year is not None and values.is_simple_date(date) and "month" not in fields:
            del fields["date"]
    return {"year": year, "month": month}


def _arxiv(fields: dict[str, str]) -> dict[str, str]:
    """``eprint`` + ``archivePrefix=arXiv`` (or ``eprinttype=arxiv``) -> arXiv id and class."""
    eprint = values.read_url(fields.get("eprint", ""))
    prefix = values.text(fields.get("archiveprefix") or fields.get("eprinttype") or "").lower()
    if not eprint or prefix not in ("arxiv", "") or (not prefix and not _looks_like_arxiv(eprint)):
        return {}
    arxiv_class = values.text(fields.get("primaryclass") or fields.get("eprintclass") or "")
    for name in _ARXIV_FIELDS:
        fields.pop(name, None)
    return {"arxiv_id": strip_arxiv_version(eprint), "arxiv_class": arxiv_class}


def _looks_like_arxiv(eprint: str) -> bool:
    bare = strip_arxiv_version(eprint)
    return bool(ARXIV_NEW_ID.match(bare) or ARXIV_OLD_ID.match(bare))
