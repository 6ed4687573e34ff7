"""Systematic-review values: reviews, their stages, and reviewers' screening decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

DEFAULT_EXCLUSION_REASONS: tuple[str, ...] = (
    "Wrong population",
    "Wrong intervention",
    "Wrong comparator",
    "Wrong outcome",
    "Wrong study design",
    "Not primary research",
    "Duplicate",
    "Full text not available",
    "Not in the review's language",
)


class Stage(StrEnum):
    """Where a record is in the review: screened on title/abstract, then on full text."""

    TITLE_ABSTRACT = "title_abstract"
    FULL_TEXT = "full_text"

    @property
    def label(self) -> str:
        return "Title/abstract" if self is Stage.TITLE_ABSTRACT else "Full text"


class Verdict(StrEnum):
    INCLUDE = "include"
    EXCLUDE = "exclude"
    MAYBE = "maybe"


class RecordSource(StrEnum):
    """Where a review's records came from (a search export counts for PRISMA identification)."""

    LIST = "list"
    QUERY = "query"
    IMPORT = "import"


class Decision(BaseModel):
    """One reviewer's verdict on one record at one stage; later decisions supersede, never overwrite."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    review_id: int
    paper_id: int
    stage: Stage
    reviewer: str
    verdict: Verdict
    reason: str = ""
    note: str = ""
    decided: datetime
    final: bool = False
    """An arbiter's ruling, which settles the record whatever the reviewers said."""

    @field_validator("reviewer")
    @classmethod
    def _named(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a decision needs a reviewer's name")
        return value


class Review(BaseModel):
    """A systematic review: its question, criteria, keywords, reasons and settings."""

    id: int | None = None
    name: str
    question: str = ""
    inclusion_criteria: str = ""
    exclusion_criteria: str = ""
    include_keywords: list[str] = Field(default_factory=list)
    exclude_keywords: list[str] = Field(default_factory=list)
    exclusion_reasons: list[str] = Field(default_factory=lambda: list(DEFAULT_EXCLUSION_REASONS))
    blind: bool = True
    random_order: bool = False
    stop_after_irrelevant: int = Field(default=0, ge=0)
    created: datetime | None = None

    @field_validator("name")
    @classmethod
    def _name_given(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("a review needs a name")
        return value


class ReviewSource(BaseModel):
    """One batch of records added to a review, remembered for PRISMA's identification box."""

    model_config = ConfigDict(frozen=True)

    kind: RecordSource
    label: str
    records: int
    duplicates: int = 0
