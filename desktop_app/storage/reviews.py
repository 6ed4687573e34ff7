"""Systematic reviews in SQLite: reviews, their record sources and records, append-only decisions."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from desktop_app.domain.screening import (
    Decision,
    RecordSource,
    Review,
    ReviewSource,
    Stage,
    Verdict,
)
from desktop_app.storage.papers import chunks

_REVIEW_COLUMNS = ("id, name, question, inclusion_criteria, exclusion_criteria, include_keywords, "
                   "exclude_keywords, exclusion_reasons, blind, random_order, stop_after_irrelevant, created")
_DECISION_COLUMNS = "id, review_id, paper_id, stage, reviewer, verdict, reason, note, decided, final"
EDITABLE = ("question", "inclusion_criteria", "exclusion_criteria", "include_keywords", "exclude_keywords",
            "exclusion_reasons", "blind", "random_order", "stop_after_irrelevant")
_LIST_FIELDS = {"include_keywords", "exclude_keywords", "exclusion_reasons"}


def _review(row: Sequence[Any]) -> Review:
    (rid, name, question, inc, exc, inc_kw, exc_kw, reasons, blind, random_order, stop, created) = row
    return Review(id=rid, name=name, question=question, inclusion_criteria=inc, exclusion_criteria=exc,
                  include_keywords=json.loads(str(inc_kw)), exclude_keywords=json.loads(str(exc_kw)),
                  exclusion_reasons=json.loads(str(reasons)), blind=bool(blind), random_order=bool(random_order),
                  stop_after_irrelevant=stop, created=datetime.fromisoformat(str(created)))


def _decision(row: Sequence[Any]) -> Decision:
    did, review_id, paper_id, stage, reviewer, verdict, reason, note, decided, final = row
    return Decision(id=did, review_id=review_id, paper_id=paper_id, stage=Stage(str(stage)), reviewer=reviewer,
                    verdict=Verdict(str(verdict)), reason=reason, note=note,
                    decided=datetime.fromisoformat(str(decided)), final=bool(final))


def _value(column: str, value: object) -> object:
    if column in _LIST_FIELDS:
        return json.dumps(list(value), ensure_ascii=False)  # type: ignore[call-overload]
    if isinstance(value, bool):
        return int(value)
    return value


# -- reviews ----------------------------------------------------------------------------------


def create_review(conn: sqlite3.Connection, review: Review, now: datetime) -> int:
    values = [_value(c, getattr(review, c)) for c in EDITABLE]
    marks = ", ".join("?" * (len(EDITABLE) + 2))
    return int(conn.execute(
        f"INSERT INTO reviews(name, {', '.join(EDITABLE)}, created) VALUES ({marks})",
        (review.name, *values, now.isoformat()),
    ).lastrowid or 0)


def review_by_name(conn: sqlite3.Connection, name: str) -> Review | None:
    row = conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews WHERE name = ?", (name,)).fetchone()
    return _review(row) if row else None


def reviews(conn: sqlite3.Connection) -> list[Review]:
    return [_review(r) for r in conn.execute(f"SELECT {_REVIEW_COLUMNS} FROM reviews ORDER BY name COLLATE NOCASE")]


def update_review(conn: sqlite3.Connection, review_id: int, fields: dict[str, object]) -> None:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not an editable review field: {', '.join(sorted(unknown))}")
    for column, value in fields.items():
        conn.execute(f"UPDATE reviews SET {column} = ? WHERE id = ?", (_value(column, value), review_id))


def rename_review(conn: sqlite3.Connection, review_id: int, name: str) -> None:
    conn.execute("UPDATE reviews SET name = ? WHERE id = ?", (name, review_id))


def delete_review(conn: sqlite3.Connection, review_id: int) -> None:
    conn.execute("DELETE FROM reviews WHERE id = ?", (review_id,))


# -- records and their sources ------------------------------------------------------------------


def add_records(conn: sqlite3.Connection, review_id: int, source: ReviewSource, paper_ids: Sequence[int],
                now: datetime) -> list[int]:
    """Add the source's papers; returns those new to the review (the rest count as duplicates)."""
    present = set(record_ids(conn, review_id))
    new = [pid for pid in dict.fromkeys(paper_ids) if pid not in present]
    duplicates = source.duplicates + (len(paper_ids) - len(new))
    source_id = conn.execute(
        "INSERT INTO review_sources(review_id, kind, label, records, duplicates, added) VALUES (?, ?, ?, ?, ?, ?)",
        (review_id, source.kind.value, source.label, source.records, duplicates, now.isoformat()),
    ).lastrowid
    conn.executemany("INSERT INTO review_records(review_id, paper_id, source_id) VALUES (?, ?, ?)",
                     [(review_id, pid, source_id) for pid in new])
    return new


def sources(conn: sqlite3.Connection, review_id: int) -> list[ReviewSource]:
    return [ReviewSource(kind=RecordSource(str(kind)), label=label, records=records, duplicates=dups)
            for kind, label, records, dups in conn.execute(
                "SELECT kind, label, records, duplicates FROM review_sources WHERE review_id = ? ORDER BY id",
                (review_id,))]


def record_ids(conn: sqlite3.Connection, review_id: int) -> list[int]:
    return [r[0] for r in conn.execute(
        "SELECT r.paper_id FROM review_records r JOIN papers p ON p.id = r.paper_id "
        "WHERE r.review_id = ? ORDER BY r.paper_id", (review_id,))]


def record_texts(conn: sqlite3.Connection, review_id: int) -> list[tuple[int, str, str]]:
    """(paper id, title, abstract) of every record, for the ranker."""
    return [(int(pid), str(title), str(abstract)) for pid, title, abstract in conn.execute(
        "SELECT p.id, p.title, p.abstract FROM review_records r JOIN papers p ON p.id = r.paper_id "
        "WHERE r.review_id = ? ORDER BY p.id", (review_id,))]


# -- decisions ------------------------------------------------------------------------------------


def add_decision(conn: sqlite3.Connection, decision: Decision) -> int:
    return int(conn.execute(
        "INSERT INTO review_decisions(review_id, paper_id, stage, reviewer, verdict, reason, note, decided, final) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (decision.review_id, decision.paper_id, decision.stage.value, decision.reviewer, decision.verdict.value,
         decision.reason, decision.note, decision.decided.isoformat(), int(decision.final)),
    ).lastrowid or 0)


def decisions(conn: sqlite3.Connection, review_id: int, *, reviewer: str | None = None,
              paper_ids: Sequence[int] | None = None) -> list[Decision]:
    """Standing (not withdrawn) decisions in the order they were made; optionally one reviewer's only."""
    # papers in the Trash keep their decisions, set aside until they are restored
    where, params = "review_id = ? AND withdrawn = 0 AND paper_id IN (SELECT id FROM papers)", [review_id]
    if reviewer is not None:
        where += " AND reviewer = ?"
        params.append(reviewer)  # type: ignore[arg-type]
    sql = f"SELECT {_DECISION_COLUMNS} FROM review_decisions WHERE {where}"
    if paper_ids is None:
        return [_decision(r) for r in conn.execute(sql + " ORDER BY id", params)]
    found: list[Decision] = []
    for part in chunks(list(paper_ids)):
        marks = ",".join("?" * len(part))
        found.extend(_decision(r) for r in conn.execute(f"{sql} AND paper_id IN ({marks})", (*params, *part)))
    return sorted(found, key=lambda d: d.id or 0)


def withdraw_latest(conn: sqlite3.Connection, review_id: int, reviewer: str, *, final: bool = False) -> Decision | None:
    """Withdraw the reviewer's most recent standing decision (undo); returns it."""
    row = conn.execute(
        f"SELECT {_DECISION_COLUMNS} FROM review_decisions WHERE review_id = ? AND reviewer = ? AND withdrawn = 0 "
        "AND final = ? ORDER BY id DESC LIMIT 1", (review_id, reviewer, int(final))).fetchone()
    if row is None:
        return None
    conn.execute("UPDATE review_decisions SET withdrawn = 1 WHERE id = ?", (row[0],))
    return _decision(row)


def decision_count(conn: sqlite3.Connection, review_id: int) -> tuple[int, int]:
    """(standing decisions, reviewers who made them) of a review, every reviewer's, blind or not."""
    count, people = conn.execute(
        "SELECT count(*), count(DISTINCT reviewer) FROM review_decisions WHERE review_id = ? AND withdrawn = 0",
        (review_id,)).fetchone()
    return int(count), int(people)


def progress(conn: sqlite3.Connection, reviewer: str) -> dict[int, tuple[int, int]]:
    """Per review id: (records, records this reviewer has a standing title/abstract decision on).

    One query for every review (the sidebar asks after each change); only the reviewer's own
    decisions are counted, so it is blind-safe.  Papers in the Trash are not records.
    """
    return {review_id: (int(records), int(screened)) for review_id, records, screened in conn.execute(
        "SELECT rv.id, "
        " (SELECT count(*) FROM review_records r JOIN papers p ON p.id = r.paper_id WHERE r.review_id = rv.id), "
        " (SELECT count(DISTINCT d.paper_id) FROM review_decisions d JOIN papers p ON p.id = d.paper_id "
        "  WHERE d.review_id = rv.id AND d.reviewer = ? AND d.stage = 'title_abstract' "
        "  AND d.withdrawn = 0 AND d.final = 0) "
        "FROM reviews rv", (reviewer,))}


def rename_reasons(conn: sqlite3.Connection, review_id: int, renamed: dict[str, str]) -> int:
    """Give the decisions carrying an old exclusion reason its new wording; returns the rows changed.

    One statement with a CASE, so swapped names (A->B, B->A) do not merge.  Only ``reason``
    changes: a decision's verdict, time, reviewer, note and withdrawn state stay as they were.
    """
    if not renamed:
        return 0
    cases = " ".join("WHEN ? THEN ?" for _ in renamed)
    marks = ",".join("?" * len(renamed))
    pairs = [value for old_new in renamed.items() for value in old_new]
    return conn.execute(
        f"UPDATE review_decisions SET reason = CASE reason {cases} ELSE reason END "
        f"WHERE review_id = ? AND reason IN ({marks})",
        (*pairs, review_id, *renamed)).rowcount


def reviewers(conn: sqlite3.Connection, review_id: int) -> list[str]:
    return [r[0] for r in conn.execute(
        "SELECT DISTINCT reviewer FROM review_decisions WHERE review_id = ? AND withdrawn = 0 AND final = 0 "
        "ORDER BY reviewer", (review_id,))]
