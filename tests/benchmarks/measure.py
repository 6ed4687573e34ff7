"""Timing and memory primitives shared by every benchmark phase: wall and CPU per call, stats, RSS."""

from __future__ import annotations

import os
import resource
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

SLOW_QUERY_SECONDS = 2.0
MIN_SLOW_PASSES = 3


@dataclass(frozen=True)
class Sample:
    """One measured call: wall and process CPU milliseconds."""

    wall_ms: float
    cpu_ms: float


def timed(fn: Callable[[], T]) -> tuple[T, Sample]:
    """Call ``fn`` once; its result and how long it took (wall and process CPU)."""
    cpu0 = time.process_time()
    wall0 = time.perf_counter()
    value = fn()
    wall1 = time.perf_counter()
    cpu1 = time.process_time()
    return value, Sample((wall1 - wall0) * 1000.0, (cpu1 - cpu0) * 1000.0)


class Stopwatch:
    """Wall and CPU seconds since creation (for phases longer than a call)."""

    def __init__(self) -> None:
        self.wall0 = time.perf_counter()
        self.cpu0 = time.process_time()

    def wall(self) -> float:
        return time.perf_counter() - self.wall0

    def cpu(self) -> float:
        return time.process_time() - self.cpu0


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    if len(ordered) == 1:
        return ordered[0]
    rank = (len(ordered) - 1) * q / 100.0
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


@dataclass
class QueryTiming:
    """All runs of one query on one engine: the first (warm-up) run apart from the timed passes."""

    first: Sample
    runs: list[Sample] = field(default_factory=list)
    hits: int = 0
    top: list[int] = field(default_factory=list)
    error: str = ""

    @property
    def wall_median(self) -> float:
        return median([s.wall_ms for s in self.runs]) if self.runs else self.first.wall_ms

    @property
    def cpu_median(self) -> float:
        return median([s.cpu_ms for s in self.runs]) if self.runs else self.first.cpu_ms

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": asdict(self.first),
            "runs": [asdict(s) for s in self.runs],
            "wall_median_ms": self.wall_median,
            "cpu_median_ms": self.cpu_median,
            "hits": self.hits,
            "top": self.top,
            "error": self.error,
        }


def wanted_passes(first: Sample, passes: int) -> int:
    """Timed passes for a query: all of them, unless one run is so slow that three tell enough."""
    if first.wall_ms / 1000.0 > SLOW_QUERY_SECONDS:
        return min(passes, MIN_SLOW_PASSES)
    return passes


def peak_rss_mb() -> float:
    """This process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_rss_mb() -> float:
    try:
        with open(f"/proc/{os.getpid()}/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return float("nan")


def dir_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


Q = TypeVar("Q")


def run_query_set(
    queries: Sequence[Q], execute: Callable[[Q], tuple[list[int], Callable[[], int]]], passes: int
) -> list[QueryTiming]:
    """A warm-up run of every query, then ``passes`` timed rounds over the whole set (interleaved).

    ``execute`` returns the top ids and a function counting all hits, which
    is called once after the warm-up run, outside the timing.  A query that
    raises is recorded with its error and not run again.
    """
    timings: list[QueryTiming] = []
    for query in queries:
        try:
            (top, count), first = timed(partial(execute, query))
            hits = count()
        except Exception as exc:
            timings.append(QueryTiming(Sample(0.0, 0.0), error=f"{type(exc).__name__}: {exc}"[:300]))
            continue
        timings.append(QueryTiming(first, hits=hits, top=list(top[:20])))
    for _ in range(passes):
        for query, timing in zip(queries, timings, strict=True):
            if timing.error or len(timing.runs) >= wanted_passes(timing.first, passes):
                continue
            _, sample = timed(partial(execute, query))
            timing.runs.append(sample)
    return timings
