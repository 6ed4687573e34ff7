"""Simulated screening on a labelled file: the measure of the prioritisation.

Each run starts from one random relevant and one random irrelevant record (the priors),
then screens every other record in the order the ranker proposes, with the file's labels as
the reviewer's answers, retraining after each record (after 500, once per 1 % more; see
``ranker.retrain_due``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from desktop_app.domain.models import Problem
from desktop_app.review.metrics import RunMetrics
from desktop_app.review.ranker import (
    DEFAULT_MODEL,
    Ranker,
    Recipe,
    features_for,
    record_text,
    retrain_due,
)

REQUIRED_COLUMNS = ("record_id", "title", "abstract", "label_included")


@dataclass(frozen=True)
class LabelledRecord:
    record_id: str
    title: str
    abstract: str
    relevant: bool


@dataclass
class LabelledFile:
    records: list[LabelledRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class LabelledFileError(ValueError):
    """The file cannot be simulated at all (missing columns, no relevant or irrelevant record)."""


def read_labelled_csv(text: str, source: str) -> LabelledFile:
    """Records of a labelled screening CSV; bad rows become problems with their line numbers."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    missing = [c for c in REQUIRED_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise LabelledFileError(f"{source}: missing column(s) {', '.join(missing)} "
                                f"(a labelled file needs {', '.join(REQUIRED_COLUMNS)})")
    result = LabelledFile()
    seen: set[str] = set()
    for row in reader:
        line = reader.line_num
        record_id = (row.get("record_id") or "").strip()
        label = (row.get("label_included") or "").strip()
        if not record_id:
            result.problems.append(Problem(source=source, line=line, reason="row without a record_id (skipped)"))
        elif record_id in seen:
            result.problems.append(Problem(source=source, line=line,
                                           reason=f"record_id {record_id!r} appears again (skipped)"))
        elif label not in ("0", "1"):
            result.problems.append(Problem(source=source, line=line,
                                           reason=f"label_included must be 0 or 1, not {label!r} (skipped)"))
        else:
            seen.add(record_id)
            result.records.append(LabelledRecord(record_id, row.get("title") or "", row.get("abstract") or "",
                                                 label == "1"))
    relevant = sum(r.relevant for r in result.records)
    if relevant == 0 or relevant == len(result.records):
        raise LabelledFileError(f"{source}: a simulation needs at least one relevant and one irrelevant record "
                                f"({relevant} of {len(result.records)} are relevant)")
    return result


def simulate_run(ranker: Ranker, labels: Sequence[bool], seed: int,
                 cancel: Callable[[], bool] | None = None) -> list[int]:
    """One screening run from random priors; returns record positions in screening order."""
    rng = np.random.default_rng(seed)
    relevant = [i for i, label in enumerate(labels) if label]
    irrelevant = [i for i, label in enumerate(labels) if not label]
    order = [int(rng.choice(relevant)), int(rng.choice(irrelevant))]
    answers = [1, 0]
    screened = np.zeros(len(labels), dtype=bool)
    screened[order] = True
    scores = np.zeros(len(labels))
    fitted_at = -1
    while len(order) < len(labels):
        if cancel is not None and cancel():
            raise InterruptedError("simulation cancelled")
        if fitted_at < 0 or retrain_due(len(order), fitted_at):
            scores = ranker.scores(order, answers)
            fitted_at = len(order)
        scores[screened] = -np.inf
        pick = int(np.argmax(scores))
        order.append(pick)
        answers.append(int(labels[pick]))
        screened[pick] = True
    return order


@dataclass(frozen=True)
class SimulationResult:
    orders: list[list[str]]
    metrics: list[RunMetrics]

    def mean(self, name: str) -> float:
        return float(np.mean([getattr(m, name) for m in self.metrics]))

    def sd(self, name: str) -> float:
        return float(np.std([getattr(m, name) for m in self.metrics]))


def simulate(records: Sequence[LabelledRecord], seeds: int, model: str | Recipe = DEFAULT_MODEL, first_seed: int = 0,
             on_run: Callable[[int, RunMetrics], None] | None = None) -> SimulationResult:
    """``seeds`` runs (seed ``first_seed`` upwards); the orders as record ids, and each run's metrics."""
    features = features_for([record_text(r.title, r.abstract) for r in records], model)
    labels = [r.relevant for r in records]
    orders, metrics = [], []
    for seed in range(first_seed, first_seed + seeds):
        positions = simulate_run(Ranker(len(records), features, model, seed), labels, seed)
        run = RunMetrics.of([int(labels[i]) for i in positions])
        orders.append([records[i].record_id for i in positions])
        metrics.append(run)
        if on_run is not None:
            on_run(seed, run)
    return SimulationResult(orders, metrics)
