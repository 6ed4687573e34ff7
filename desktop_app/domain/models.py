"""The domain models every layer shares: papers, authors, notes, lists, import reports.

Text fields hold plain Unicode (LaTeX markup is decoded on import and encoded
again on export); ``extra_fields`` keeps the BibTeX fields Lectern does not
model, verbatim, so nothing a user imported is lost on export.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

ARXIV_NEW_ID = re.compile(r"^\d{4}\.\d{4,5}$")
ARXIV_OLD_ID = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/\d{7}$")
ARXIV_VERSION = re.compile(r"v\d+$")


def utc_now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def strip_arxiv_version(arxiv_id: str) -> str:
    """``2310.01234v3`` -> ``2310.01234``; also drops an ``arXiv:`` prefix and URL parts."""
    value = arxiv_id.strip()
    value = re.sub(r"^(https?://)?(www\.)?(export\.)?arxiv\.org/(abs|pdf)/", "", value, flags=re.I)
    value = re.sub(r"^arxiv:", "", value, flags=re.I)
    value = re.sub(r"\.pdf$", "", value)
    return ARXIV_VERSION.sub("", value)


def normalise_doi(doi: str) -> str:
    """A DOI without resolver prefix; case is kept (comparison case-folds it)."""
    value = doi.strip()
    value = re.sub(r"^(https?://)?(dx\.)?doi\.org/", "", value, flags=re.I)
    value = re.sub(r"^doi:\s*", "", value, flags=re.I)
    return value


def normal_text(value: str) -> str:
    """Whitespace collapsed to single spaces and Unicode in NFC, whichever importer read it."""
    collapsed = " ".join(value.split())
    return collapsed if collapsed.isascii() else unicodedata.normalize("NFC", collapsed)


class ReadStatus(StrEnum):
    UNREAD = "unread"
    READING = "reading"
    READ = "read"


class Author(BaseModel):
    """A person (``family``/``given``) or an organisation (``literal``)."""

    model_config = ConfigDict(frozen=True)

    family: str = ""
    given: str = ""
    literal: str = ""

    @field_validator("family", "given", "literal")
    @classmethod
    def _normal_text(cls, value: str) -> str:
        return normal_text(value)

    @property
    def is_organisation(self) -> bool:
        return bool(self.literal)

    @property
    def display_name(self) -> str:
        """``Ashish Vaswani`` or the organisation's name."""
        if self.literal:
            return self.literal
        return f"{self.given} {self.family}".strip()

    @property
    def sort_name(self) -> str:
        """``Vaswani, Ashish``: the form reference lists sort and BibTeX writes."""
        if self.literal:
            return self.literal
        return f"{self.family}, {self.given}" if self.given else self.family

    @property
    def surname(self) -> str:
        return self.literal or self.family


class Paper(BaseModel):
    """One bibliographic record and the user's reading state for it."""

    model_config = ConfigDict(validate_assignment=True)

    id: int | None = None
    citekey: str = ""
    entry_type: str = "article"
    title: str = ""
    authors: list[Author] = Field(default_factory=list)
    year: int | None = None
    month: int | None = None
    venue: str = ""
    volume: str = ""
    number: str = ""
    pages: str = ""
    publisher: str = ""
    doi: str = ""
    arxiv_id: str = ""
    arxiv_class: str = ""
    url: str = ""
    code_url: str = ""
    abstract: str = ""
    keywords: list[str] = Field(default_factory=list)
    extra_fields: dict[str, str] = Field(default_factory=dict)
    added: datetime | None = None
    modified: datetime | None = None
    status: ReadStatus = ReadStatus.UNREAD
    priority: int = Field(default=0, ge=0, le=3)
    tags: list[str] = Field(default_factory=list)

    @field_validator("entry_type")
    @classmethod
    def _entry_type_lower(cls, value: str) -> str:
        value = value.strip().lower()
        return value or "misc"

    @field_validator("year")
    @classmethod
    def _plausible_year(cls, value: int | None) -> int | None:
        if value is not None and not (0 < value < 10000):
            raise ValueError(f"year {value} is not a four-digit year")
        return value

    @field_validator("month")
    @classmethod
    def _month_range(cls, value: int | None) -> int | None:
        if value is not None and not (1 <= value <= 12):
            raise ValueError(f"month {value} is not between 1 and 12")
        return value

    @field_validator("arxiv_id")
    @classmethod
    def _arxiv_without_version(cls, value: str) -> str:
        return strip_arxiv_version(value) if value else ""

    @field_validator("doi")
    @classmethod
    def _doi_without_resolver(cls, value: str) -> str:
        return normalise_doi(value) if value else ""

    @field_validator("title", "venue", "abstract", "publisher")
    @classmethod
    def _collapse_whitespace(cls, value: str) -> str:
        return normal_text(value)

    @property
    def first_author(self) -> Author | None:
        return self.authors[0] if self.authors else None

    @property
    def author_line(self) -> str:
        """Short author line for tables: ``Vaswani, Shazeer, Parmar et al.``"""
        names = [a.surname for a in self.authors]
        if len(names) > 3:
            return ", ".join(names[:3]) + " et al."
        return ", ".join(names)


class Note(BaseModel):
    """A markdown note attached to one paper."""

    paper_id: int
    body: str = ""
    modified: datetime | None = None


class TagCount(BaseModel):
    name: str
    count: int


class ReadingList(BaseModel):
    """A user-ordered list of papers, with its reading progress."""

    id: int
    name: str
    position: int = 0
    paper_count: int = 0
    read_count: int = 0

    @property
    def progress_text(self) -> str:
        return f"{self.read_count} of {self.paper_count} read"


class SavedSearch(BaseModel):
    id: int
    name: str
    query: str


class Problem(BaseModel):
    """One thing an importer could not take, said so a person can find and fix it."""

    source: str = ""
    line: int | None = None
    reason: str
    # True when an entry of the file was left out because of this problem: it counts in the
    # file's accounting (entries = imported + merged + skipped).
    skipped: bool = False

    def __str__(self) -> str:
        where = self.source or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


class ImportReport(BaseModel):
    """What a parser returns: the papers it read and the problems it met."""

    papers: list[Paper] = Field(default_factory=list)
    problems: list[Problem] = Field(default_factory=list)
    format: str = ""
    # Problems counted but not listed (a junk file lists only its first ones), and how many of
    # those left an entry out.
    unlisted: int = 0
    unlisted_skipped: int = 0

    @property
    def problem_count(self) -> int:
        """The true number of problems, listed or not."""
        return len(self.problems) + self.unlisted

    @property
    def skipped(self) -> int:
        """Entries left out, each because of a problem."""
        return sum(1 for p in self.problems if p.skipped) + self.unlisted_skipped

    def extend(self, other: ImportReport) -> None:
        self.papers.extend(other.papers)
        self.problems.extend(other.problems)
        self.unlisted += other.unlisted
        self.unlisted_skipped += other.unlisted_skipped
