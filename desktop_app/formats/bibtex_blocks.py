"""A .bib text as raw entries: bibtexparser splits it a chunk at a time, ``@string`` macros expanded.

A chunk ends where a line starts a new block (``@type{``), the same place
where bibtexparser's own splitter would abort an unclosed block, so chunked
splitting reads exactly what one pass over the whole text reads. Only one
chunk's blocks are alive at a time: on a 90 MB file that is the difference
between about 6x and 2x the file in memory. Values stay as written (LaTeX
untouched); macros are expanded once the whole file is read, as before.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterator
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

from desktop_app.domain.models import ImportReport, Problem
from desktop_app.formats import bibtex_values as values

# bibtexparser logs every block it gives up on (slowly, on junk input); those come back to the
# caller as Problems instead.
logging.getLogger("bibtexparser").addHandler(logging.NullHandler())
logging.getLogger("bibtexparser.splitter").setLevel(logging.ERROR)

MAX_PROBLEMS = 1000
CHUNK_CHARS = 1 << 20

_BLOCK_KEY = re.compile(r"@\s*([\w-]*)\s*[{(]\s*(?:([^,\s{}()=\"]+)\s*,)?")
# A line starting a block: where a chunk may end.
_BLOCK_AT_LINE_START = re.compile(r"\n[ \t]*@\w*[ \t]*[{(]")
# bibtexparser takes every type that merely starts with comment/string/preamble for that block
# (``@commented{`` becomes a comment); such types are renamed on the way in and back after.
_LOOKALIKE_TYPE = re.compile(r"@([ \t]*)((?:comment|string|preamble)\w+)(?=[ \t]*[{(])", re.I)
_LOOKALIKE_MARK = "lecternlookalike0"
NOT_ENTRIES = frozenset({"comment", "string", "preamble"})


@dataclass
class Problems:
    """Problems in file order; past ``MAX_PROBLEMS`` only counted, so junk files stay cheap."""

    source: str
    items: list[Problem] = field(default_factory=list)
    unlisted: int = 0
    unlisted_skipped: int = 0

    @property
    def full(self) -> bool:
        return len(self.items) >= MAX_PROBLEMS

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


@dataclass(slots=True)
class RawEntry:
    """One entry as written: type, key, first value of each field (macros expanded, LaTeX kept)."""

    entry_type: str
    key: str
    line: int
    fields: dict[str, str] = field(default_factory=dict)
    # Usually empty: empty tuples and no set cost nothing, on 100k entries that counts.
    duplicates: tuple[str, ...] = ()
    inherited: set[str] | None = None
    unknown_macros: tuple[str, ...] = ()


def read_entries(text: str, problems: Problems) -> list[RawEntry]:
    """Every entry of ``text`` in file order; unreadable blocks and repeated macros as problems."""
    entries: list[RawEntry] = []
    macros: dict[str, str] = {}
    for offset, chunk in _chunks(_normalise(text)):
        try:
            blocks = bibtexparser.parse_string(chunk, parse_stack=[]).blocks
        except Exception as error:  # the splitter gives up on states it considers its own bugs
            _unsplittable(chunk, offset, error, problems)
            continue
        _collect(blocks, offset, entries, macros, problems)
    for raw in entries:
        for name, value in raw.fields.items():
            raw.fields[name] = values.evaluate(value, macros)
    return entries


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _LOOKALIKE_TYPE.sub(rf"@\1{_LOOKALIKE_MARK}\2", text)


def _chunks(text: str) -> Iterator[tuple[int, str]]:
    """``(lines before it, chunk)`` pieces of about ``CHUNK_CHARS``, each ending before a block start."""
    start = lines = 0
    while start < len(text):
        cut = _BLOCK_AT_LINE_START.search(text, start + CHUNK_CHARS)
        end = cut.start() + 1 if cut else len(text)
        chunk = text[start:end]
        yield lines, chunk
        lines += chunk.count("\n")
        start = end


def _unsplittable(chunk: str, offset: int, error: Exception, problems: Problems) -> None:
    """Every entry of a chunk the splitter gave up on is a problem of its own."""
    found = False
    for match in re.finditer(r"(?<![^\n])[ \t]*@[ \t]*([\w-]+)[ \t]*[{(]", chunk):
        if match.group(1).lower() not in NOT_ENTRIES:
            found = True
            line = offset + chunk.count("\n", 0, match.start()) + 1
            problems.add(line, f"not readable as BibTeX ({error}); entry skipped", skipped=True)
    if not found:
        problems.add(offset + 1, f"not readable as BibTeX ({error})")


def _line(block: Block, offset: int) -> int | None:
    """bibtexparser counts lines from 0, within the chunk."""
    return None if block.start_line is None else offset + block.start_line + 1


def _collect(blocks: list[Block], offset: int, entries: list[RawEntry], macros: dict[str, str],
             problems: Problems) -> None:
    """Entries and ``@string`` macros of one chunk (a later definition of a macro wins)."""
    for block in blocks:
        if isinstance(block, DuplicateFieldKeyBlock | DuplicateBlockKeyBlock):
            inner = block.ignore_error_block
            if isinstance(inner, String | Entry):
                block = inner
        if isinstance(block, String):
            name = block.key.strip().lower()
            if name in macros:
                problems.add(_line(block, offset), f"@string '{block.key}' is defined more than once; "
                                                   "used the last definition")
            macros[name] = values.evaluate(str(block.value), macros)
        elif isinstance(block, Entry):
            entries.append(_raw_entry(block, offset))
        elif isinstance(block, ParsingFailedBlock):
            _forget_traceback(block.error)
            match = _BLOCK_KEY.match(block.raw or "")
            is_entry = match is None or match.group(1).lower() not in NOT_ENTRIES
            if problems.full:
                problems.add(None, "", skipped=is_entry)
            else:
                problems.add(_line(block, offset), _failed_block_reason(block), skipped=is_entry)


def _forget_traceback(error: BaseException | None) -> None:
    """A failed block's exception holds the splitter's frames, and they the whole chunk: a
    reference cycle that only a full garbage collection would free. Cut it."""
    while error is not None:
        error.__traceback__ = None
        error = error.__context__


def _raw_entry(entry: Entry, offset: int) -> RawEntry:
    entry_type = entry.entry_type.strip().lower().replace(_LOOKALIKE_MARK, "")
    raw = RawEntry(entry_type=sys.intern(entry_type), key=entry.key.strip(), line=_line(entry, offset) or 1)
    for item in entry.fields:
        name = sys.intern(item.key.strip().lower())
        if name in raw.fields:
            if name not in raw.duplicates:
                raw.duplicates += (name,)
            continue
        raw.fields[name] = str(item.value)
    return raw


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
