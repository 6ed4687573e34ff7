"""BibTeX and biblatex files: recognise them, import them into papers, export papers to them.

``parse`` lets bibtexparser 2 split the text into blocks and interprets the
blocks itself: ``@string`` macros and ``#`` concatenation, crossref
inheritance, LaTeX decoding, names, dates, arXiv identifiers. Fields Lectern
does not model are kept verbatim in ``Paper.extra_fields``. Anything that
cannot be imported becomes a ``Problem`` with the line where its entry starts;
``parse`` never raises on bad content. ``render`` (in ``bibtex_render``)
writes BibTeX or biblatex that the real clients load without errors.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import bibtexparser
from bibtexparser.exceptions import BlockAbortedException
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ParsingFailedBlock,
    String,
)
from pydantic import ValidationError

from desktop_app.domain.models import (
    ARXIV_NEW_ID,
    ARXIV_OLD_ID,
    ImportReport,
    Paper,
    Problem,
    strip_arxiv_version,
)
from desktop_app.formats import bibtex_values as values
from desktop_app.formats.bibtex_render import AUTHORS_FROM_KEY, SOURCE_PREFIX, render
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.entry_types import ORIGINAL_TYPE_FIELD, ORIGINAL_TYPE_KEY, imported_type
from desktop_app.formats.latex import unknown_macros
from desktop_app.formats.names import parse_bibtex_names

__all__ = ["parse", "render", "sniff"]

# bibtexparser logs every block it gives up on (slowly, on junk input); those come back to the
# caller as Problems instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

_SNIFF_CHARS = 65536
MAX_PROBLEMS = 1000
_ENTRY_LINE = re.compile(r"[ \t]*@[ \t]*[A-Za-z][\w-]*[ \t]*[{(]")
_ENTRY_WITH_KEY = re.compile(
    r"^[ \t]*@[ \t]*(?:article|book|booklet|inbook|incollection|inproceedings|conference|manual|"
    r"mastersthesis|misc|phdthesis|proceedings|techreport|unpublished|online|report|thesis|"
    r"string|preamble|comment)[ \t]*[{(][^,\n]*[,=]",
    re.I | re.M,
)
_RIS_START = re.compile(r"^TY  - ", re.M)
_BLOCK_KEY = re.compile(r"@\s*([\w-]*)\s*[{(]\s*(?:([^,\s{}()=\"]+)\s*,)?")
# bibtexparser takes every type that merely starts with comment/string/preamble for that block
# (``@commented{`` becomes a comment); such types are renamed on the way in and back after.
_LOOKALIKE_TYPE = re.compile(r"@([ \t]*)((?:comment|string|preamble)\w+)(?=[ \t]*[{(])", re.I)
_LOOKALIKE_MARK = "lecternlookalike0"
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
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


@dataclass
class _Problems:
    """Problems in file order; past ``MAX_PROBLEMS`` only counted, so junk files stay cheap."""

    source: str
    items: list[Problem] = field(default_factory=list)
    unlisted: int = 0

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

    unlisted_skipped: int = 0

    def add(self, line: int | None, reason: str, *, skipped: bool = False) -> None:
        if not self.full:
            self.items.append(Problem(source=self.source, line=line, reason=reason, skipped=skipped))
        else:
            self.unlisted += 1
            self.unlisted_skipped += skipped

    def into(self, report: ImportReport) -> None:
        report.problems = self.items
        report.unlisted = self.unlisted
        report.unlisted_skipped = self.unlisted_skipped


@dataclass
class _RawEntry:
    """One entry as written: type, key, first value of each field, evaluated but not decoded."""

    entry_type: str
    key: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    duplicates: list[str] = field(default_factory=list)
    inherited: set[str] = field(default_factory=set)
    unknown_macros: list[str] = field(default_factory=list)


def parse(text: str, *, source: str = "") -> ImportReport:
    """Papers from BibTeX/biblatex text, with a problem (and its line) for every entry not taken."""
    report = ImportReport(format="bibtex")
    problems = _Problems(source)
    try:
        library = bibtexparser.parse_string(_normalise(text), parse_stack=[])
    except Exception as error:  # the splitter gives up on states it considers its own bugs
        problems.add(1, f"not readable as BibTeX ({error})")
        problems.into(report)
        return report
    entries, macros = _collect(library.blocks, problems)
    del library
    raw_entries = [_read_entry(entry, macros) for entry in entries]
    del entries
    _report_duplicates(raw_entries, problems)
    raw_entries = _apply_xdata(raw_entries, problems)
    _resolve_crossrefs(raw_entries, problems)
    macros_seen: dict[str, tuple[int, int]] = {}
    for index, raw in enumerate(raw_entries):
        paper = _to_paper(raw, problems)
        for name in raw.unknown_macros:
            first, count = macros_seen.get(name, (raw.line, 0))
            macros_seen[name] = (first, count + 1)
        raw_entries[index] = None  # type: ignore[call-overload]  # free each entry once read
        if paper is not None:
            report.papers.append(paper)
    for name, (line, count) in macros_seen.items():
        times = "once" if count == 1 else f"in {count} entries"
        problems.add(line, f"unknown LaTeX macro \\{name} (used {times}, first here): shown as "
                           f"'{name}', exported as written")
    problems.into(report)
    return report


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _LOOKALIKE_TYPE.sub(rf"@\1{_LOOKALIKE_MARK}\2", text)


def _line(block: Block) -> int | None:
    """bibtexparser counts lines from 0."""
    return None if block.start_line is None else block.start_line + 1


def _collect(blocks: list[Block], problems: _Problems) -> tuple[list[Entry], dict[str, str]]:
    """The entries in file order and the ``@string`` macros (a later definition wins)."""
    entries: list[Entry] = []
    macros: dict[str, str] = {}
    for block in blocks:
        if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
            inner = block.ignore_error_block
            if isinstance(inner, String):
                problems.add(_line(block), f"@string '{inner.key}' is defined more than once; "
                                           "used the last definition")
                block = inner
            elif isinstance(inner, Entry):
                block = inner
        if isinstance(block, String):
            macros[block.key.strip().lower()] = values.evaluate(str(block.value), macros)
        elif isinstance(block, Entry):
            entries.append(block)
        elif isinstance(block, ParsingFailedBlock):
            match = _BLOCK_KEY.match(block.raw or "")
            is_entry = match is None or match.group(1).lower() not in _NOT_ENTRIES
            if problems.full:
                problems.add(None, "", skipped=is_entry)
            else:
                problems.add(_line(block), _failed_block_reason(block), skipped=is_entry)
    return entries, macros


def _failed_block_reason(block: ParsingFailedBlock) -> str:
    match = _BLOCK_KEY.match((block.raw or "").replace(_LOOKALIKE_MARK, ""))
    if match and match.group(2):
        what = f"entry '{match.group(2)}'"
    else:
        what = f"the @{match.group(1)} block" if match else "a block"
    error = block.error
    detail = error.abort_reason if isinstance(error, BlockAbortedException) else str(error)
    if "end of file" in detail:
        detail = "it is not closed before the end of the file"
    elif "after entry key" in detail:
        detail = "it has no citation key"
    elif "Unexpected block start" in detail:
        detail = "it is not closed before the next entry starts"
    else:
        detail = " ".join(detail.split())[:200]
    return f"{what} could not be read: {detail}; skipped"


def _read_entry(entry: Entry, macros: Mapping[str, str]) -> _RawEntry:
    entry_type = entry.entry_type.strip().lower().replace(_LOOKALIKE_MARK, "")
    raw = _RawEntry(entry_type=entry_type, key=entry.key.strip(), line=_line(entry) or 1)
    for item in entry.fields:
        name = item.key.strip().lower()
        if name in raw.fields:
            if name not in raw.duplicates:
                raw.duplicates.append(name)
            continue
        raw.fields[name] = values.evaluate(str(item.value), macros)
    return raw


def _report_duplicates(entries: list[_RawEntry], problems: _Problems) -> None:
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


def _resolve_crossrefs(entries: list[_RawEntry], problems: _Problems) -> None:
    """Children take the fields they lack from their parents (cascading, cycles cut)."""
    by_key: dict[str, _RawEntry] = {}
    for raw in entries:
        by_key.setdefault(raw.key.casefold(), raw)
    for raw in entries:
        for alias in raw.fields.get("ids", "").split(","):
            if alias.strip():
                by_key.setdefault(alias.strip().casefold(), raw)
    done: set[int] = set()
    for raw in entries:
        _inherit(raw, by_key, done, problems, chain=set())


def _inherit(raw: _RawEntry, by_key: Mapping[str, _RawEntry], done: set[int],
             problems: _Problems, chain: set[int]) -> None:
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
    own = {name: value for name, value in parent.fields.items() if name not in parent.inherited}
    if "title" in own and "booktitle" not in own:
        own["booktitle"] = own["title"]
    for name, value in (*own.items(), *parent.fields.items()):
        if name not in _NOT_INHERITED and name != "title" and name not in raw.fields:
            raw.fields[name] = value
            raw.inherited.add(name)
    done.add(id(raw))


def _apply_xdata(entries: list[_RawEntry], problems: _Problems) -> list[_RawEntry]:
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


def _fill_from_xdata(raw: _RawEntry, containers: Mapping[str, _RawEntry], used: set[str],
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


def _label(raw: _RawEntry) -> str:
    return f"entry '{raw.key}'" if raw.key else "an entry without a key"


def _to_paper(raw: _RawEntry, problems: _Problems) -> Paper | None:
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


def _paper_fields(raw: _RawEntry) -> dict[str, object]:
    fields = dict(raw.fields)
    entry_type, kept_type = imported_type(raw.entry_type, fields.pop(ORIGINAL_TYPE_FIELD, ""))
    own: dict[str, str] = {}

    def decoded(name: str, value: str, read: values.Reader = values.text) -> object:
        unknown = unknown_macros(value)
        if unknown:
            own[SOURCE_PREFIX + name] = value
            raw.unknown_macros.extend(m for m in unknown if m not in raw.unknown_macros)
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
