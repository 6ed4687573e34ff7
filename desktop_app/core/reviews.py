"""The systematic-review facade: reviews, their records, decisions, blind mode, agreement, PRISMA.

Reached as ``library.reviews``.  Decisions are append-only (a reviewer's latest counts,
undo withdraws it); while a review is blind a reviewer sees only their own decisions.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import ValidationError

from desktop_app.domain.errors import InvalidInputError, LecternError, NotFoundError
from desktop_app.domain.models import utc_now
from desktop_app.domain.screening import (
    Decision,
    RecordSource,
    Review,
    ReviewSource,
    Stage,
    Verdict,
)
from desktop_app.review import agreement, prisma
from desktop_app.storage import organise
from desktop_app.storage import reviews as store

if TYPE_CHECKING:
    from desktop_app.core.facade.transfer import Transfer as Library
    from desktop_app.core.importing import ImportOutcome

MAX_KEYED_REASONS = 9
"""The screening view picks an exclusion reason with keys 1-9; later reasons have no key."""

REVIEWER_SETTING = "review.reviewer"


class BlindReviewError(LecternError):
    """The review is blind: other reviewers' decisions stay hidden until it is unblinded."""


@dataclass(frozen=True)
class StageCounts:
    stage: Stage
    records: int
    decided: int
    included: int
    excluded: int
    maybe: int
    conflicts: int


@dataclass(frozen=True)
class ReviewStatus:
    review: Review
    records: int
    stages: list[StageCounts]
    per_reviewer: dict[str, dict[str, Counter[str]]]
    agreement: list[agreement.PairAgreement]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.review.name,
            "question": self.review.question,
            "blind": self.review.blind,
            "records": self.records,
            "stages": [{"stage": s.stage.value, "records": s.records, "decided": s.decided, "included": s.included,
                        "excluded": s.excluded, "maybe": s.maybe, "conflicts": s.conflicts} for s in self.stages],
            "reviewers": {name: {stage: dict(counts) for stage, counts in stages.items()}
                          for name, stages in self.per_reviewer.items()},
            "agreement": [{"reviewers": [p.first, p.second], "records": p.records, "agreed": p.agreed,
                           "kappa": None if p.kappa is None else round(p.kappa, 4)} for p in self.agreement],
        }


RecordKind = Literal["list", "saved-search", "query", "import"]


@dataclass(frozen=True)
class RecordChoice:
    """Where a batch of a review's records comes from.

    ``value`` is the reading list's, saved search's name or the query; ``files`` the search
    export(s) to import, and ``database`` the database they came from (PubMed, Scopus...),
    shown as the source in PRISMA's identification box.
    """

    kind: RecordKind
    value: str = ""
    files: tuple[Path, ...] = ()
    database: str = ""


@dataclass
class Gathered:
    """The papers a ``RecordChoice`` stands for, and how PRISMA will name their source."""

    ids: list[int]
    source: ReviewSource
    outcome: ImportOutcome | None = None
    new: list[int] = field(default_factory=list)


def checked_fields(fields: dict[str, Any]) -> dict[str, Any]:
    """Review fields tidied (spaces collapsed, blank entries dropped); duplicate reasons are an error."""
    tidy = dict(fields)
    for key in ("include_keywords", "exclude_keywords", "exclusion_reasons"):
        if key in tidy:
            tidy[key] = [" ".join(str(v).split()) for v in tidy[key] if str(v).strip()]
    seen: set[str] = set()
    for reason in tidy.get("exclusion_reasons", []):
        if reason.casefold() in seen:
            raise InvalidInputError(f"the exclusion reason {reason!r} is listed twice", field="exclusion_reasons")
        seen.add(reason.casefold())
    return tidy


class Reviews:
    """Every read and write of systematic reviews; one SQLite transaction per write."""

    def __init__(self, library: Library) -> None:
        self._library = library

    @property
    def _db(self) -> Any:
        return self._library.db

    # -- the reviewer ------------------------------------------------------------------------------

    def reviewer(self) -> str:
        """The name this library screens under (set once, in the settings)."""
        return organise.get_setting(self._db.conn, REVIEWER_SETTING)

    def set_reviewer(self, name: str) -> None:
        self._library._require_writable()
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a reviewer needs a name", field="reviewer")
        with self._db.write() as conn:
            organise.set_setting(conn, REVIEWER_SETTING, name)

    def who(self, reviewer: str | None = None) -> str:
        """The given reviewer name, else the library's; an error when neither is set."""
        name = " ".join((reviewer or self.reviewer()).split())
        if not name:
            raise InvalidInputError("no reviewer named: set one in the settings (or pass --reviewer NAME)",
                                    field="reviewer")
        return name

    # -- reviews ---------------------------------------------------------------------------------------

    def all(self) -> list[Review]:
        return store.reviews(self._db.conn)

    def get(self, name: str) -> Review:
        review = store.review_by_name(self._db.conn, name)
        if review is None:
            raise NotFoundError(f"no review named {name!r}")
        return review

    def _id(self, name: str) -> int:
        rid = self.get(name).id
        assert rid is not None
        return rid

    def _new_review(self, name: str, fields: dict[str, Any]) -> Review:
        try:
            review = Review(name=" ".join(name.split()), **checked_fields(fields))
        except ValidationError as exc:
            raise InvalidInputError(exc.errors()[0]["msg"].removeprefix("Value error, "), field="name") from exc
        self.check_name_free(review.name)
        return review

    def check_name_free(self, name: str, *, keep: str = "") -> None:
        """An error if another review (not ``keep``) has this name; names ignore case."""
        existing = store.review_by_name(self._db.conn, " ".join(name.split()))
        if existing is not None and existing.name.casefold() != keep.casefold():
            raise InvalidInputError(f"a review named {existing.name!r} exists already", field="name")

    def create(self, name: str, **fields: Any) -> Review:
        self._library._require_writable()
        review = self._new_review(name, fields)
        with self._db.write() as conn:
            if store.review_by_name(conn, review.name) is not None:
                raise InvalidInputError(f"a review named {review.name!r} exists already", field="name")
            store.create_review(conn, review, utc_now())
        return self.get(review.name)

    def create_with_records(self, name: str, choice: RecordChoice, *, cancel: Callable[[], bool] | None = None,
                            progress: Callable[[str, int, int], None] | None = None,
                            paper_progress: Callable[[int, int], None] | None = None,
                            **fields: Any) -> tuple[Review, Gathered]:
        """Create a review with its first records, or nothing: no review without records.

        The name and fields are checked before a search export is imported; papers an
        import stored stay in the library even when the review is then not created.
        """
        self._library._require_writable()
        self._new_review(name, fields)
        gathered = self.gather(choice, cancel=cancel, progress=progress, paper_progress=paper_progress)
        return self.create_from(name, gathered, **fields), gathered

    def create_from(self, name: str, gathered: Gathered, **fields: Any) -> Review:
        """Create a review with records gathered already (``gather``), in one transaction, or nothing."""
        self._library._require_writable()
        review = self._new_review(name, fields)
        if gathered.outcome is not None and gathered.outcome.cancelled:
            raise InvalidInputError("the import was cancelled: no review was created", field="records")
        if not gathered.ids:
            raise InvalidInputError(f"{gathered.source.label} has no papers: a review needs records",
                                    field="records")
        with self._db.write() as conn:
            if store.review_by_name(conn, review.name) is not None:
                raise InvalidInputError(f"a review named {review.name!r} exists already", field="name")
            review_id = store.create_review(conn, review, utc_now())
            gathered.new = store.add_records(conn, review_id, gathered.source, gathered.ids, utc_now())
        return self.get(review.name)

    def rename(self, name: str, new_name: str) -> Review:
        self._library._require_writable()
        review_id = self._id(name)
        new_name = " ".join(new_name.split())
        if not new_name:
            raise InvalidInputError("a review needs a name", field="name")
        self.check_name_free(new_name, keep=name)
        with self._db.write() as conn:
            store.rename_review(conn, review_id, new_name)
        return self.get(new_name)

    def update(self, name: str, *, renamed_reasons: Mapping[str, str] | None = None, **fields: Any) -> Review:
        """Change the review's fields; ``renamed_reasons`` (old -> new wording) carries reason renames
        over to the decisions made already (as ``rename_reason`` does), in the same transaction."""
        self._library._require_writable()
        review = self.get(name)
        assert review.id is not None
        fields = checked_fields(fields)
        try:
            Review(name=name, **fields)
        except ValidationError as exc:
            raise InvalidInputError(exc.errors()[0]["msg"]) from exc
        self._save(review, fields, renamed_reasons or {})
        return self.get(name)

    @staticmethod
    def _checked_renames(renamed: Mapping[str, str], reasons: Sequence[str]) -> dict[str, str]:
        tidy = {" ".join(old.split()): " ".join(new.split()) for old, new in renamed.items()}
        tidy = {old: new for old, new in tidy.items() if old and old != new}
        for new in tidy.values():
            if new not in reasons:
                raise InvalidInputError(f"{new!r} is not one of this review's exclusion reasons",
                                        field="exclusion_reasons")
        return tidy

    def rename_reason(self, name: str, old: str, new: str) -> int:
        """Rename an exclusion reason in the review's list and in every decision that carries it.

        Decisions never overwrite each other, and this keeps it so: it rewrites only the
        ``reason`` text of the rows that carry ``old`` (every reviewer's, withdrawn ones too), in
        one transaction with the list; verdicts, times, notes and undo history stay untouched,
        so PRISMA counts the reason as one row.  In a team library the new wording reaches the
        others through the review's list only: the rewritten decision rows are not queued for
        sync (the sync outbox ships a decision once, whole). Returns the decisions renamed.
        """
        review = self.get(name)
        old, new = " ".join(old.split()), " ".join(new.split())
        if old not in review.exclusion_reasons:
            raise NotFoundError(f"{old!r} is not one of this review's exclusion reasons")
        if not new:
            raise InvalidInputError("a reason needs a name", field="exclusion_reasons")
        reasons = [new if r == old else r for r in review.exclusion_reasons]
        return self._save(review, checked_fields({"exclusion_reasons": reasons}), {old: new})

    def _save(self, review: Review, fields: dict[str, Any], renamed: Mapping[str, str]) -> int:
        """Write checked fields and carry reason renames to the decisions, in one transaction."""
        self._library._require_writable()
        assert review.id is not None
        renamed = self._checked_renames(renamed, fields.get("exclusion_reasons", review.exclusion_reasons))
        with self._db.write() as conn:
            store.update_review(conn, review.id, fields)
            return store.rename_reasons(conn, review.id, dict(renamed))

    def delete(self, name: str) -> None:
        """Delete a review with its records' places, sources and every decision, for good (no Trash);
        the papers stay in the library."""
        self._library._require_writable()
        review_id = self._id(name)
        with self._db.write() as conn:
            store.delete_review(conn, review_id)

    def progress(self, reviewer: str | None = None) -> list[tuple[Review, int, int]]:
        """Every review with its record count and the records the reviewer (the library's, by
        default) has screened at title/abstract (0 with no reviewer named); one query for all."""
        counts = store.progress(self._db.conn, " ".join((reviewer or self.reviewer()).split()))
        return [(review, *counts.get(review.id or 0, (0, 0))) for review in self.all()]

    def decision_count(self, name: str) -> tuple[int, int]:
        """(standing decisions, reviewers) that deleting the review would lose; counts only, even when blind."""
        return store.decision_count(self._db.conn, self._id(name))

    # -- records -----------------------------------------------------------------------------------------

    def _add(self, name: str, source: ReviewSource, paper_ids: Sequence[int]) -> list[int]:
        self._library._require_writable()
        review_id = self._id(name)
        with self._db.write() as conn:
            return store.add_records(conn, review_id, source, paper_ids, utc_now())

    def gather(self, choice: RecordChoice, *, cancel: Callable[[], bool] | None = None,
               progress: Callable[[str, int, int], None] | None = None,
               paper_progress: Callable[[int, int], None] | None = None) -> Gathered:
        """The papers ``choice`` names (importing a search export first), with their PRISMA source."""
        library = self._library
        if choice.kind == "list":
            ids = library.list_ids(choice.value)
            return Gathered(ids, ReviewSource(kind=RecordSource.LIST, label=f"Reading list: {choice.value}",
                                              records=len(ids)))
        if choice.kind == "saved-search":
            query = next((s.query for s in library.saved_searches() if s.name.casefold() == choice.value.casefold()),
                         None)
            if query is None:
                raise NotFoundError(f"no saved search named {choice.value!r}")
            ids = library.search(query).ids
            return Gathered(ids, ReviewSource(kind=RecordSource.QUERY, label=f"Saved search: {choice.value}",
                                              records=len(ids)))
        if choice.kind == "query":
            if not choice.value.strip():
                raise InvalidInputError("type a search first", field="records")
            ids = library.search(choice.value).ids
            return Gathered(ids, ReviewSource(kind=RecordSource.QUERY, label=f"Search: {choice.value}",
                                              records=len(ids)))
        if not choice.files:
            raise InvalidInputError("choose the search export file to import", field="records")
        outcome = library.import_files(list(choice.files), cancel=cancel, progress=progress,
                                       paper_progress=paper_progress)
        found = outcome.imported + outcome.merged  # a merged duplicate counts as identified, then removed
        names = ", ".join(Path(f).name for f in choice.files)
        database = " ".join(choice.database.split())
        label = f"{database} ({names})" if database else names
        return Gathered(found, ReviewSource(kind=RecordSource.IMPORT, label=label, records=len(found)), outcome)

    def add_records(self, name: str, choice: RecordChoice, **import_options: Any) -> Gathered:
        """Add a batch of records to an existing review; ``new`` holds those not in it before."""
        self.get(name)
        gathered = self.gather(choice, **import_options)
        gathered.new = self.add_gathered(name, gathered)
        return gathered

    def add_gathered(self, name: str, gathered: Gathered) -> list[int]:
        """Add records gathered already (``gather``); returns those new to the review."""
        return self._add(name, gathered.source, gathered.ids)

    def add_from_list(self, name: str, list_name: str) -> list[int]:
        return self.add_records(name, RecordChoice("list", list_name)).new

    def add_from_query(self, name: str, query: str) -> list[int]:
        return self.add_records(name, RecordChoice("query", query)).new

    def add_from_import(self, name: str, files: Sequence[Path | str], label: str | None = None) -> tuple[list[int], Any]:
        """Import a database's search export and add its records; the file is remembered as the source."""
        gathered = self.add_records(name, RecordChoice("import", files=tuple(Path(f) for f in files),
                                                       database=label or ""))
        return gathered.new, gathered.outcome

    def sources(self, name: str) -> list[ReviewSource]:
        """Where the review's records came from, in the order they were added."""
        return store.sources(self._db.conn, self._id(name))

    def record_ids(self, name: str) -> list[int]:
        return store.record_ids(self._db.conn, self._id(name))

    def record_texts(self, name: str) -> list[tuple[int, str, str]]:
        return store.record_texts(self._db.conn, self._id(name))

    # -- decisions ------------------------------------------------------------------------------------------

    def decide(self, name: str, paper: int | str, verdict: Verdict | str, *, reason: str = "", note: str = "",
               reviewer: str | None = None, stage: Stage | str = Stage.TITLE_ABSTRACT,
               final: bool = False) -> Decision:
        """Record a decision (appended; an earlier one by the same reviewer stops counting)."""
        self._library._require_writable()
        review = self.get(name)
        assert review.id is not None
        who = self.who(reviewer)
        try:
            verdict, stage = Verdict(verdict), Stage(stage)
        except ValueError as exc:
            raise InvalidInputError(str(exc)) from exc
        pid = self._library.resolve(paper)
        reason = " ".join(reason.split())
        if reason and verdict is not Verdict.EXCLUDE:
            raise InvalidInputError("only an exclusion takes a reason", field="reason")
        if reason and reason not in review.exclusion_reasons:
            raise InvalidInputError(f"{reason!r} is not one of this review's exclusion reasons: "
                                    + "; ".join(review.exclusion_reasons), field="reason")
        with self._db.write() as conn:
            if pid not in set(store.record_ids(conn, review.id)):
                raise NotFoundError(f"paper {paper} is not a record of review {review.name!r}")
            if stage is Stage.FULL_TEXT and not self._passed_screening(conn, review.id, pid):
                raise InvalidInputError(f"paper {paper} has not passed title/abstract screening")
            decision = Decision(review_id=review.id, paper_id=pid, stage=stage, reviewer=who, verdict=verdict,
                                reason=reason, note=note.strip(), decided=utc_now(), final=final)
            return decision.model_copy(update={"id": store.add_decision(conn, decision)})

    @staticmethod
    def _passed_screening(conn: Any, review_id: int, pid: int) -> bool:
        standing = agreement.standings(store.decisions(conn, review_id, paper_ids=[pid])).get(
            (pid, Stage.TITLE_ABSTRACT))
        return standing is not None and standing.verdict in (Verdict.INCLUDE, Verdict.MAYBE)

    def undo(self, name: str, reviewer: str | None = None, *, final: bool = False) -> Decision | None:
        """Withdraw the reviewer's latest decision in this review; returns it (None if there is none)."""
        self._library._require_writable()
        review_id, who = self._id(name), self.who(reviewer)
        with self._db.write() as conn:
            return store.withdraw_latest(conn, review_id, who, final=final)

    def decisions(self, name: str, viewer: str | None = None) -> list[Decision]:
        """The decisions ``viewer`` may see: in a blind review only their own, else everyone's."""
        review = self.get(name)
        assert review.id is not None
        who = self.who(viewer)
        return store.decisions(self._db.conn, review.id, reviewer=who if review.blind else None)

    def set_blind(self, name: str, blind: bool) -> Review:
        return self.update(name, blind=blind)

    def _all_decisions(self, name: str) -> list[Decision]:
        return store.decisions(self._db.conn, self._id(name))

    def conflicts(self, name: str) -> list[agreement.Standing]:
        """Records the reviewers disagree on, for an arbiter; only once the review is unblinded."""
        if self.get(name).blind:
            raise BlindReviewError(f"review {name!r} is blind: unblind it to see the conflicts")
        return agreement.conflicts(self._all_decisions(name))

    def resolve(self, name: str, paper: int | str, verdict: Verdict | str, *, stage: Stage | str = Stage.TITLE_ABSTRACT,
                reason: str = "", arbiter: str | None = None) -> Decision:
        """An arbiter's ruling on a record (settles a conflict); only once the review is unblinded."""
        if self.get(name).blind:
            raise BlindReviewError(f"review {name!r} is blind: unblind it before resolving conflicts")
        return self.decide(name, paper, verdict, reason=reason, reviewer=arbiter, stage=stage, final=True)

    # -- summaries -------------------------------------------------------------------------------------------

    def status(self, name: str) -> ReviewStatus:
        review = self.get(name)
        decisions = self._all_decisions(name)
        records = self.record_ids(name)
        standing = agreement.standings(decisions)
        counts = prisma.prisma_counts([], records, decisions)
        stages = []
        for stage, pool in ((Stage.TITLE_ABSTRACT, len(records)), (Stage.FULL_TEXT, counts.reports_sought)):
            here = [s for (_, st), s in standing.items() if st is stage]
            verdicts = Counter(s.verdict for s in here)
            stages.append(StageCounts(stage, pool, sum(v is not None for v in (s.verdict for s in here)),
                                      verdicts[Verdict.INCLUDE], verdicts[Verdict.EXCLUDE], verdicts[Verdict.MAYBE],
                                      sum(s.conflict for s in here)))
        per_reviewer: dict[str, dict[str, Counter[str]]] = {}
        for (_, stage, reviewer), decision in agreement.latest_per_reviewer(decisions).items():
            per_reviewer.setdefault(reviewer, {}).setdefault(stage.value, Counter())[decision.verdict.value] += 1
        return ReviewStatus(review, len(records), stages, per_reviewer,
                            agreement.agreement(decisions, Stage.TITLE_ABSTRACT))

    def prisma(self, name: str) -> prisma.PrismaCounts:
        review_id = self._id(name)
        conn = self._db.conn
        return prisma.prisma_counts(store.sources(conn, review_id), store.record_ids(conn, review_id),
                                    store.decisions(conn, review_id))

    def included_ids(self, name: str) -> list[int]:
        """Studies included: records whose full-text verdict is include."""
        standing = agreement.standings(self._all_decisions(name))
        return sorted(pid for (pid, stage), s in standing.items()
                      if stage is Stage.FULL_TEXT and s.verdict is Verdict.INCLUDE)

    def decisions_csv(self, name: str, viewer: str | None = None) -> str:
        """Every decision ``viewer`` may see, one CSV row each, oldest first."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(["decision_id", "paper_id", "citekey", "title", "stage", "reviewer", "verdict", "reason",
                         "note", "decided", "arbiter_ruling"])
        decisions = self.decisions(name, viewer)
        rows = self._library.rows(sorted({d.paper_id for d in decisions}))
        for d in decisions:
            row = rows.get(d.paper_id)
            writer.writerow([d.id, d.paper_id, row.citekey if row else "", row.title if row else "", d.stage.value,
                             d.reviewer, d.verdict.value, d.reason, d.note, d.decided.isoformat(),
                             "yes" if d.final else ""])
        return buffer.getvalue()
