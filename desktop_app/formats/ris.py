"""RIS import and export (and Web of Science tagged files, which share the shape).

Reading uses rispy's line grammar (``RisParser.parse_line`` and
``WokParser.parse_line``) and its tag tables (which tags repeat, which split
on ``;``), but splits records itself, so that every record keeps the line it
starts on and one broken record never costs the others: rispy's own
``loads`` has no line numbers and gives up a whole file on some inputs.

Record rules: text outside records (``1.``, ``Record #1 of 2``, a stray BOM)
is skipped; a continuation line extends the previous tag (a new item for
list tags such as ``AU``/``KW``/``N1``, joined with a space otherwise, as
rispy does); a record without ``TY`` or without ``ER`` is still read and
reported; a repeated ``TY`` inside a record is reported and the first one counts.

RIS mapping: ``TY`` JOUR/EJOUR/MGZN/NEWS -> article, CONF/CPAPER ->
inproceedings, BOOK/EBOOK/EDBOOK -> book, CHAP/ECHAP -> incollection, THES ->
phdthesis, RPRT -> techreport, UNPB -> unpublished, else misc (the original
``TY`` is kept as ``ris_TY`` when misc does not say it all). ``AU``/``A1``
authors (``Last, First[, Suffix]``); ``A2``/``ED`` -> ``editor``;
``TI``/``T1`` (``BT`` for books) title; ``PY``/``Y1``/``DA`` year and month;
venue from ``T2``, ``JF``, ``JO``, ``BT``, ``JA``, ``J1``, ``J2`` (first
present); ``VL``, ``IS``, ``SP``/``EP`` -> ``SP--EP``, ``PB``, ``DO``,
``UR`` (a doi.org URL also gives the DOI, an arXiv URL the arXiv id),
``AB``/``N2``, ``KW``; ``N1`` -> ``note``, ``CY`` -> ``address``, ``SN`` ->
``isbn`` for books and chapters else ``issn``, ``ET`` -> ``edition``,
``T3`` -> ``series``, ``LA`` -> ``language``, a key-like ``ID`` -> citekey.
Every other value, and every further value of a single-valued tag, is kept
in ``extra_fields`` as ``ris_<TAG>`` (values joined by newlines), and
``render`` writes those back, so nothing read is lost.

Web of Science mapping: ``PT`` J/B/S/P + ``DT`` (``Proceedings Paper`` ->
inproceedings), ``AF`` (else ``AU``) authors, ``TI``, ``SO`` venue, ``PY``,
``PD`` month, ``VL``, ``IS``, ``BP``/``EP``, ``PU``, ``DI``, ``AB``,
``DE``+``ID`` keywords, ``SN`` issn, ``LA`` language, ``UT`` as ``wos_UT``.
Citation counts, cited references and addresses are not kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError
from rispy import RisParser, WokParser
from rispy.config import DELIMITED_TAG_MAPPING, LIST_TYPE_TAGS, WOK_LIST_TYPE_TAGS

from desktop_app.domain.models import Author, ImportReport, Paper, Problem
from desktop_app.formats.arxiv_ids import canonical_id
from desktop_app.formats.cleaning import placeholder_reason
from desktop_app.formats.extras import plain_extras, raw_extras
from desktop_app.formats.names import parse_display_name

ENTRY_TYPES = {
    "JOUR": "article", "EJOUR": "article", "MGZN": "article", "NEWS": "article",
    "CONF": "inproceedings", "CPAPER": "inproceedings",
    "BOOK": "book", "EBOOK": "book", "EDBOOK": "book",
    "CHAP": "incollection", "ECHAP": "incollection",
    "THES": "phdthesis", "RPRT": "techreport", "UNPB": "unpublished", "GEN": "misc",
}
RIS_TYPES = {
    "article": "JOUR", "inproceedings": "CPAPER", "conference": "CPAPER", "book": "BOOK",
    "incollection": "CHAP", "inbook": "CHAP", "phdthesis": "THES", "mastersthesis": "THES",
    "techreport": "RPRT", "unpublished": "UNPB", "proceedings": "CONF", "misc": "GEN",
}
_BOOK_TYPES = frozenset({"BOOK", "EBOOK", "EDBOOK", "CHAP", "ECHAP"})
_VENUE_TAGS = ("T2", "JF", "JO", "BT", "JA", "J1", "J2")
_EXTRA_TAGS = {"N1": "note", "CY": "address", "ET": "edition", "T3": "series", "LA": "language"}
_EXTRA_RENDER = {
    "address": "CY", "edition": "ET", "series": "T3", "language": "LA",
    "isbn": "SN", "issn": "SN", "note": "N1", "pdf": "L1",
}
_KEY_LIKE = re.compile(r"^[A-Za-z][\w:.+-]*$")
_DATE = re.compile(r"^\s*(\d{4})(?:\s*[/\-.]\s*(\d{1,2}|[A-Za-z]{3,}))?")
_WOS_MONTH = re.compile(r"\b([A-Za-z]{3})")
_PAGE_RANGE = re.compile(r"^\s*(\S+?)\s*(?:-+|\u2013|\u2014)\s*(\S+)\s*$")
_DOI_URL = re.compile(r"^(?:https?://)?(?:dx\.)?doi\.org/(10\.\S+)$", re.IGNORECASE)
_INITIALS = re.compile(r"^(?:[A-Z]\.?){1,3}$|^(?:[A-Z]\.)+[A-Z]?\.?$")
_TYPE_LINE = re.compile(r"^\ufeff?[ \t]*TY  - ?\S", re.MULTILINE)
_TAG_LINE = re.compile(r"^[A-Z][A-Z0-9]  - ", re.MULTILINE)
_END_LINE = re.compile(r"^ER  -", re.MULTILINE)
_MONTH_NAMES = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


@dataclass
class _Record:
    line: int
    entries: list[tuple[str, int, str]] = field(default_factory=list)
    type_lines: list[int] = field(default_factory=list)
    closed: bool = False
    used: set[int] = field(default_factory=set)

    def add(self, tag: str, line: int, value: str) -> None:
        self.entries.append((tag, line, value))

    def extend_last(self, value: str, list_tags: frozenset[str]) -> None:
        if not self.entries or not value:
            return
        tag, line, previous = self.entries[-1]
        if tag in list_tags:
            self.entries.append((tag, line, value))
        else:
            self.entries[-1] = (tag, line, f"{previous} {value}".strip())

    def values(self, *tags: str) -> list[str]:
        """Non-empty values of ``tags`` in file order; they count as used."""
        found = []
        for index, (tag, _, value) in enumerate(self.entries):
            if tag in tags and value:
                self.used.add(index)
                found.append(value)
        return found

    def first(self, *tags: str) -> str:
        """The first non-empty value among ``tags``, in the order the tags are given."""
        for tag in tags:
            for index, (entry_tag, _, value) in enumerate(self.entries):
                if entry_tag == tag and value:
                    self.used.add(index)
                    return value
        return ""

    def leftovers(self) -> dict[str, str]:
        grouped: dict[str, list[str]] = {}
        for index, (tag, _, value) in enumerate(self.entries):
            if index not in self.used and value and tag not in ("TY", "ER"):
                grouped.setdefault(f"ris_{tag}", []).append(value)
        return {name: "\n".join(values) for name, values in grouped.items()}


@dataclass(frozen=True)
class _Dialect:
    start: str
    classify: Callable[[str], tuple[str | None, str]]
    list_tags: frozenset[str]
    ignore: frozenset[str]


_RIS = _Dialect("TY", RisParser().parse_line, frozenset(LIST_TYPE_TAGS), frozenset())
_WOS = _Dialect("PT", WokParser().parse_line, frozenset(WOK_LIST_TYPE_TAGS),
                frozenset({"FN", "VR", "EF"}))


def sniff(text: str) -> bool:
    head = text[:20000].lstrip("\ufeff \n\t")
    if head[:1] in ("{", "[", "<", "@"):
        return False
    if _TYPE_LINE.search(head) or _is_wos(head):
        return True
    return _END_LINE.search(head) is not None and len(_TAG_LINE.findall(head)) >= 3


def _is_wos(text: str) -> bool:
    return text.startswith("FN ") and bool(re.search(r"^PT [A-Z]\s*$", text[:4000], re.MULTILINE))


def parse(text: str, *, source: str = "") -> ImportReport:
    report = ImportReport()
    text = text.lstrip("\ufeff")
    dialect = _WOS if _is_wos(text.lstrip()) else _RIS
    records = _split_records(text, dialect)
    convert = _wos_paper if dialect is _WOS else _ris_paper
    for record in records:
        _take(report, record, dialect, convert, source)
    if not records:
        report.problems.append(Problem(source=source, line=1, reason="no RIS records (no TY  - lines)"))
    return report


def _split_records(text: str, dialect: _Dialect) -> list[_Record]:
    records: list[_Record] = []
    current: _Record | None = None
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.removeprefix("\ufeff").rstrip("\r")
        if not line.strip():
            continue
        tag, content = dialect.classify(line)
        if tag is None or not tag.strip():
            if current is not None:
                current.extend_last(content, dialect.list_tags)
            continue
        if tag in dialect.ignore:
            continue
        if tag == "ER":
            if current is not None:
                current.closed = True
                records.append(current)
                current = None
            continue
        if current is None:
            current = _Record(number)
        if tag == dialect.start:
            current.type_lines.append(number)
        current.add(tag, number, content)
    if current is not None:
        records.append(current)
    return records


def _take(report: ImportReport, record: _Record, dialect: _Dialect,
          convert: Callable[[_Record], Paper], source: str) -> None:
    def problem(reason: str, line: int = record.line, *, skipped: bool = False) -> None:
        report.problems.append(Problem(source=source, line=line, reason=reason, skipped=skipped))

    if not record.type_lines:
        problem(f"record without a {dialect.start} line (read as misc)")
    for extra_line in record.type_lines[1:]:
        problem(f"a second {dialect.start} line inside the record that starts at line {record.line} "
                "(no ER before it): no new record started, its tags went to that record",
                extra_line, skipped=True)
    if not record.closed:
        problem("record not closed by ER (read anyway)")
    try:
        paper = convert(record)
    except (ValidationError, ValueError) as exc:
        problem(f"unreadable record: {str(exc).splitlines()[0][:120]}", skipped=True)
        return
    placeholder = placeholder_reason(paper)
    if placeholder is not None:
        problem(placeholder, skipped=True)
    elif paper.title or paper.doi or paper.url or paper.arxiv_id or paper.authors:
        report.papers.append(paper)
    else:
        problem("record with no title, authors, DOI or URL (skipped)", skipped=True)


def _ris_paper(record: _Record) -> Paper:
    written_type = record.first("TY").strip()
    ris_type = written_type.upper()
    entry_type = ENTRY_TYPES.get(ris_type, "misc")
    is_book = ris_type in _BOOK_TYPES
    urls = _urls(record.values("UR"))
    doi = record.first("DO") or _doi_from_urls(urls)
    year, month = _date(record, "PY", "Y1", "DA")
    paper = Paper(
        entry_type=entry_type,
        citekey=_citekey(record),
        title=record.first("TI", "T1") or (record.first("BT") if is_book else ""),
        authors=[_name(v) for v in record.values("AU", "A1")],
        year=year,
        month=month,
        venue=record.first(*_VENUE_TAGS),
        volume=record.first("VL"),
        number=record.first("IS"),
        pages=_pages(record),
        publisher=record.first("PB"),
        doi=doi,
        arxiv_id=_arxiv_id(urls, doi),
        url=urls[0] if urls else "",
        abstract=record.first("AB", "N2"),
        keywords=record.values("KW"),
    )
    extra = _ris_extra(record, written_type, entry_type, is_book)
    if len(urls) > 1:
        extra["ris_UR"] = "\n".join(urls[1:])
    paper.extra_fields = raw_extras(extra)
    return paper


def _citekey(record: _Record) -> str:
    citekey = record.first("ID")
    if citekey and not _KEY_LIKE.match(citekey):
        record.used.discard(_index_of(record, "ID", citekey))
        return ""
    return citekey


def _ris_extra(record: _Record, ris_type: str, entry_type: str, is_book: bool) -> dict[str, str]:
    """BibTeX-named extras (editor, note, address...) and ``ris_<TAG>`` for everything unused."""
    extra: dict[str, str] = {}
    if ris_type and ris_type.upper() != "GEN" and RIS_TYPES.get(entry_type) != ris_type.upper():
        extra["ris_TY"] = ris_type
    editors = [_name(v) for v in record.values("A2", "ED")]
    if editors:
        extra["editor"] = " and ".join(a.sort_name for a in editors)
    for tag, name in _EXTRA_TAGS.items():
        values = record.values(tag)
        if values:
            extra[name] = "\n".join(values)
    serial = record.first("SN")
    if serial:
        extra["isbn" if is_book else "issn"] = serial
    extra.update(record.leftovers())
    return extra


def _index_of(record: _Record, tag: str, value: str) -> int:
    for index, (entry_tag, _, entry_value) in enumerate(record.entries):
        if entry_tag == tag and entry_value == value:
            return index
    return -1


def _wos_paper(record: _Record) -> Paper:
    publication_type = record.first("PT").strip().upper()
    document_type = record.first("DT").lower()
    if "proceedings" in document_type:
        entry_type = "inproceedings"
    else:
        entry_type = {"J": "article", "B": "book", "S": "incollection"}.get(publication_type, "misc")
    year, _ = _date(record, "PY")
    month = _month_word(record.first("PD"))
    extra = {name: value for name, value in (
        ("issn", record.first("SN")), ("language", record.first("LA")), ("wos_UT", record.first("UT")),
    ) if value}
    keywords = [k.strip() for value in record.values("DE", "ID") for k in value.split(";") if k.strip()]
    start, end = record.first("BP"), record.first("EP")
    return Paper(
        entry_type=entry_type,
        title=record.first("TI"),
        authors=[_name(v) for v in (record.values("AF") or record.values("AU"))],
        year=year,
        month=month,
        venue=record.first("SO"),
        volume=record.first("VL"),
        number=record.first("IS"),
        pages=f"{start}--{end}" if start and end else start,
        publisher=record.first("PU"),
        doi=record.first("DI"),
        abstract=record.first("AB"),
        keywords=keywords,
        extra_fields=extra,
    )


def _name(value: str) -> Author:
    """``Last, First[, Suffix]``; without a comma, ``First Last`` or ``Last F.``."""
    if "," in value:
        family, _, rest = value.partition(",")
        given, _, suffix = rest.partition(",")
        family = f"{family.strip()} {suffix.strip()}".strip()
        if family:
            return Author(family=family, given=given.strip())
        return parse_display_name(given)
    words = value.split()
    if len(words) > 1 and all(_INITIALS.match(w) for w in words[1:]):
        return Author(family=words[0], given=" ".join(words[1:]))
    return parse_display_name(value)


def _urls(values: list[str]) -> list[str]:
    delimiter = DELIMITED_TAG_MAPPING.get("UR", ";")
    return [part.strip() for value in values for part in value.split(delimiter) if part.strip()]


def _doi_from_urls(urls: list[str]) -> str:
    for url in urls:
        match = _DOI_URL.match(url)
        if match:
            return match.group(1)
    return ""


def _arxiv_id(urls: list[str], doi: str) -> str:
    for url in urls:
        found = canonical_id(url)
        if found:
            return found
    if doi.lower().startswith("10.48550/arxiv."):
        return canonical_id(doi[len("10.48550/arxiv."):]) or ""
    return ""


def _date(record: _Record, *tags: str) -> tuple[int | None, int | None]:
    year: int | None = None
    month: int | None = None
    for tag in tags:
        for value in record.values(tag):
            match = _DATE.match(value)
            if match is None or int(match.group(1)) == 0:
                continue
            year = year or int(match.group(1))
            month = month or _month_value(match.group(2) or "")
    return year, month


def _month_value(value: str) -> int | None:
    if value.isdigit():
        number = int(value)
        return number if 1 <= number <= 12 else None
    return _month_word(value)


def _month_word(value: str) -> int | None:
    match = _WOS_MONTH.match(value.strip())
    if match is None:
        return None
    name = match.group(1).lower()
    return _MONTH_NAMES.index(name) + 1 if name in _MONTH_NAMES else None


def _pages(record: _Record) -> str:
    start, end = record.first("SP"), record.first("EP")
    if start and end:
        return f"{start}--{end}"
    if not start:
        if end:
            record.used.discard(_index_of(record, "EP", end))
        return ""
    match = _PAGE_RANGE.match(start)
    return f"{match.group(1)}--{match.group(2)}" if match else start


def render(papers: Sequence[Paper], **options: object) -> str:
    """RIS for ``papers``: one ``TY`` ... ``ER`` block each, one line per author and keyword."""
    return "".join(_render_one(paper) for paper in papers)


def _line(tag: str, value: str) -> str:
    return f"{tag}  - {' '.join(value.split())}\n"


def _render_one(paper: Paper) -> str:
    extra = plain_extras(paper.extra_fields)
    ris_type = extra.pop("ris_TY", "") or RIS_TYPES.get(paper.entry_type, "GEN")
    lines = [_line("TY", ris_type)]
    if paper.citekey:
        lines.append(_line("ID", paper.citekey))
    lines += [_line("AU", _author_text(a)) for a in paper.authors]
    editors = extra.pop("editor", "")
    lines += [_line("A2", name) for name in re.split(r"\s+and\s+", editors) if name.strip()]
    lines += _fields(paper)
    lines += [_line("KW", keyword) for keyword in paper.keywords if keyword.strip()]
    lines += _extra_lines(extra)
    lines.append("ER  - \n\n")
    return "".join(lines)


def _author_text(author: Author) -> str:
    if author.literal:
        return author.literal
    return f"{author.family}, {author.given}" if author.given else author.family


def _fields(paper: Paper) -> list[str]:
    start, _, end = paper.pages.partition("--")
    date = f"{paper.year:04d}/{paper.month:02d}//" if paper.year and paper.month else ""
    pairs = (
        ("TI", paper.title), ("T2", paper.venue), ("PY", str(paper.year) if paper.year else ""),
        ("DA", date), ("VL", paper.volume), ("IS", paper.number), ("SP", start.strip()),
        ("EP", end.strip()), ("PB", paper.publisher), ("DO", paper.doi), ("UR", paper.url),
        ("AB", paper.abstract),
    )
    return [_line(tag, value) for tag, value in pairs if value.strip()]


def _extra_lines(extra: dict[str, str]) -> list[str]:
    lines = []
    for name, value in extra.items():
        lowered = name.lower()
        tag = name[4:].upper() if lowered.startswith("ris_") and len(name) == 6 else _EXTRA_RENDER.get(lowered)
        if tag is None or not re.fullmatch(r"[A-Z][A-Z0-9]", tag) or tag in ("TY", "ER"):
            continue
        lines += [_line(tag, part) for part in value.split("\n") if part.strip()]
    return lines
