"""Reading import files and merging duplicates: the I/O side of the pure format parsers."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import formats
from desktop_app.core.changes import Changes
from desktop_app.domain.models import ImportReport, Paper, Problem
from desktop_app.formats.cleaning import MAX_LISTED_PROBLEMS
from desktop_app.formats.encoding import NotTextError, decode_bytes

log = logging.getLogger(__name__)

__all__ = ["MAX_LISTED_PROBLEMS", "FileAccount", "ImportOutcome", "OpenedFile", "merge_into", "open_file",
           "open_text", "parse_bytes", "parse_text", "read_file"]

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
    guesses: list[str] = field(default_factory=list)  # titles guessed from PDFs, for the user to check
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
        self.guesses.extend(other.guesses)
        self.changes = self.changes | other.changes


@dataclass
class OpenedFile:
    """A file read as far as its papers, which come a batch at a time (see ``batches``).

    ``report`` holds the file's problems once the papers are exhausted; ``expected`` is how
    many entries the parser will look at (for progress).
    """

    source: str
    report: ImportReport
    expected: int
    papers: Iterator[Paper]
    taken: int = 0

    def batches(self, size: int) -> Iterator[list[Paper]]:
        """The papers, ``size`` at a time; a parser crash ends them with a problem, not a traceback."""
        batch: list[Paper] = []
        try:
            for paper in self.papers:
                batch.append(paper)
                if len(batch) == size:
                    self.taken += len(batch)
                    yield batch
                    batch = []
        except Exception as exc:  # a parser bug must not lose the rest of an import
            log.exception("parser crashed on %s", self.source)
            self.report.problems.append(Problem(
                source=self.source, reason=f"could not be parsed past here ({type(exc).__name__}: {exc})"))
        if batch:
            self.taken += len(batch)
            yield batch

    def account(self, stored: ImportOutcome) -> FileAccount:
        """This file's accounting line, once its papers are stored."""
        store_failures = sum(1 for p in stored.problems if p.skipped)
        return FileAccount(source=self.source, entries=self.taken + self.report.skipped,
                           imported=len(stored.imported), merged=len(stored.merged),
                           problems=self.report.skipped + store_failures)

    @property
    def nothing_read(self) -> bool:
        """No paper came out and the file said why: it counts as unreadable."""
        return self.taken == 0 and self.report.problem_count > 0


def open_file(path: Path, fmt: str | None = None) -> tuple[OpenedFile | None, Problem | None]:
    """Read and start parsing one file; ``(None, problem)`` when it cannot be read at all."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return None, Problem(source=name, reason=f"file is too large ({size // 2**20} MB; "
                                 f"Lectern reads files up to {MAX_FILE_BYTES // 2**20} MB)")
        data = path.read_bytes()
    except OSError as exc:
        return None, Problem(source=name, reason=f"cannot read file: {exc.strerror or exc}")
    try:
        text, _encoding = decode_bytes(data)
    except NotTextError as exc:
        return None, Problem(source=name, line=1, reason=str(exc))
    del data  # the bytes are not needed while the text is parsed: on a 90 MB file, 90 MB less
    return open_text(text, source=name, fmt=fmt)


def open_text(text: str, *, source: str, fmt: str | None = None) -> tuple[OpenedFile | None, Problem | None]:
    if not text.strip():
        return None, Problem(source=source, line=1, reason="the file is empty")
    try:
        report, expected, papers = formats.stream(text, fmt=fmt, source=source)
    except formats.UnknownFormatError as exc:
        return None, Problem(source=source, reason=str(exc))
    except Exception as exc:  # a parser bug must not lose the rest of an import
        log.exception("parser crashed on %s", source)
        return None, Problem(source=source, reason=f"could not be parsed ({type(exc).__name__}: {exc})")
    if report.format == "" and len(report.problems) == 1:
        return None, report.problems[0]
    return OpenedFile(source, report, expected, papers), None


def read_file(path: Path, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    """Parse one file whole; ``(None, problem)`` when the file cannot be read at all."""
    opened, failure = open_file(path, fmt)
    return (None, failure) if opened is None else (_whole(opened), None)


def parse_bytes(data: bytes, *, source: str, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    try:
        text, _encoding = decode_bytes(data)
    except NotTextError as exc:
        return None, Problem(source=source, line=1, reason=str(exc))
    return parse_text(text, source=source, fmt=fmt)


def parse_text(text: str, *, source: str, fmt: str | None = None) -> tuple[ImportReport | None, Problem | None]:
    opened, failure = open_text(text, source=source, fmt=fmt)
    return (None, failure) if opened is None else (_whole(opened), None)


def _whole(opened: OpenedFile) -> ImportReport:
    papers = [paper for batch in opened.batches(1000) for paper in batch]
    opened.report.papers = papers
    return opened.report


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
