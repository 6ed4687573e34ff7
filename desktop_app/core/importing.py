"""Reading import files and merging duplicates: the I/O side of the pure format parsers."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import formats
from desktop_app.core.changes import Changes
from desktop_app.domain.models import ImportReport, Paper, Problem
from desktop_app.formats.encoding import NotTextError, decode_bytes

log = logging.getLogger(__name__)

# Parsing holds a file and its papers in memory (a 90 MB .bib peaks near 4x its size): refuse larger.
MAX_FILE_BYTES = 100 * 1024 * 1024

# Fields a duplicate may fill in when the stored paper has them empty.
FILLABLE = (
    "title", "year", "month", "venue", "volume", "number", "pages", "publisher", "doi",
    "arxiv_id", "arxiv_class", "url", "code_url", "abstract",
)


@dataclass
class FileAccount:
    """One input file's accounting: every entry found ends imported, merged or a problem."""

    source: str
    entries: int = 0
    imported: int = 0
    merged: int = 0
    problems: int = 0
    readable: bool = True

    def summary(self) -> str:
        """``"18 entries: 15 imported, 2 merged, 1 problem"``."""
        if not self.readable:
            return "could not be read"
        def plural(n: int, word: str) -> str:
            return f"{n} {word}" + ("" if n == 1 else "s")
        return (f"{plural(self.entries, 'entry').replace('entrys', 'entries')}: {self.imported} imported, "
                f"{self.merged} merged, {plural(self.problems, 'problem')}")

    @property
    def balanced(self) -> bool:
        """Every entry found ended imported, merged or reported."""
        return self.entries == self.imported + self.merged + self.problems


@dataclass
class ImportOutcome:
    """What an import did, for the CLI's one-line summary and the GUI's report."""

    imported: list[int] = field(default_factory=list)
    merged: list[int] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    files: list[FileAccount] = field(default_factory=list)
    cancelled: bool = False
    changes: Changes = field(default_factory=Changes)
    # Problems counted but not listed: a file lists its first MAX_LISTED_PROBLEMS only.
    unlisted: int = 0

    @property
    def problem_count(self) -> int:
        """The true number of problems, listed or not."""
        return len(self.problems) + self.unlisted

    def summary(self) -> str:
        text = (f"imported {len(self.imported)}, merged {len(self.merged)} duplicates, "
                f"{self.problem_count} problems")
        return text + (" (cancelled)" if self.cancelled else "")

    def absorb(self, other: ImportOutcome) -> None:
        self.imported.extend(other.imported)
        self.merged.extend(other.merged)
        self.problems.extend(other.problems)
        self.unlisted += other.unlisted
        self.unreadable.extend(other.unreadable)
        self.files.extend(other.files)
        self.cancelled = self.cancelled or other.cancelled
        self.changes = self.changes | other.changes


def read_file(path: Path, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    """Parse one file; ``(None, problem)`` when the file cannot be read at all."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(source=name, reason=f"file is too large ({size // 2**20} MB; "
                                 f"Lectern reads files up to {MAX_FILE_BYTES // 2**20} MB)")
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(source=name, reason=f"cannot read file: {exc.strerror or exc}")
    return parse_bytes(data, source=name, fmt=fmt)


def parse_bytes(data: bytes, *, source: str, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    try:
        text, _encoding = decode_bytes(data)
    except NotTextError as exc:
        return None, Problem(source=source, line=1, reason=str(exc))
    return parse_text(text, source=source, fmt=fmt)


def parse_text(text: str, *, source: str, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    if not text.strip():
        return None, Problem(source=source, line=1, reason="the file is empty")
    try:
        report = formats.parse(text, fmt=fmt, source=source)
    except formats.UnknownFormatError as exc:
        return None, Problem(source=source, reason=str(exc))
    except Exception as exc:  # a parser bug must not lose the rest of an import
        log.exception("parser crashed on %s", source)
        return None, Problem(source=source, reason=f"could not be parsed ({type(exc).__name__}: {exc})")
    if not report.papers and report.problems and report.format == "" and len(report.problems) == 1:
        return None, report.problems[0]
    return report, None


def nothing_read(report: ImportReport) -> bool:
    """True when a parsed file gave no paper and said why: it counts as unreadable."""
    return not report.papers and report.problem_count > 0


def account(source: str, report: ImportReport, stored: ImportOutcome) -> FileAccount:
    """One file's accounting: entries the parser found, and where each ended."""
    store_failures = sum(1 for p in stored.problems if p.skipped)
    return FileAccount(source=source, entries=len(report.papers) + report.skipped,
                       imported=len(stored.imported), merged=len(stored.merged),
                       problems=report.skipped + store_failures)


def merge_into(existing: Paper, incoming: Paper) -> Paper | None:
    """``existing`` with its empty fields filled from ``incoming``; None when nothing is new."""
    updates: dict[str, object] = {}
    for name in FILLABLE:
        if not getattr(existing, name) and getattr(incoming, name):
            updates[name] = getattr(incoming, name)
    if not existing.authors and incoming.authors:
        updates["authors"] = incoming.authors
    if existing.entry_type == "misc" and incoming.entry_type not in ("misc", ""):
        updates["entry_type"] = incoming.entry_type
    seen = {k.casefold() for k in existing.keywords}
    extra_keywords = [k for k in incoming.keywords if k.casefold() not in seen]
    if extra_keywords:
        updates["keywords"] = [*existing.keywords, *extra_keywords]
    extra_fields = {k: v for k, v in incoming.extra_fields.items() if k not in existing.extra_fields}
    if extra_fields:
        updates["extra_fields"] = {**existing.extra_fields, **extra_fields}
    if not updates:
        return None
    return existing.model_copy(update=updates)
