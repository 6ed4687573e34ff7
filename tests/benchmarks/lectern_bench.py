"""Lectern end to end, through the public facade only (``Library``), one phase per subprocess.

Phases: ``parse`` (the importer alone, for the split), ``store``
(``import_files``), ``index`` (``catch_up_index``, then the document dump the
baselines and the query set are made from), ``queries`` (every class through
``search``/``snippets``/``related``), ``edits`` (tag, note and title edits
until a search returns the paper) and ``export`` (10k papers to BibTeX).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop_app.core import importing
from desktop_app.core.indexing import IndexProgress
from desktop_app.core.library import Library
from desktop_app.core.paths import BACKUP_DIR, DATABASE, INDEX_DIR
from desktop_app.search.documents import paper_document
from tests.benchmarks import queries as query_set
from tests.benchmarks.docs import BenchDoc, write_docs
from tests.benchmarks.measure import (
    Sample,
    Stopwatch,
    dir_bytes,
    median,
    peak_rss_mb,
    percentile,
    run_query_set,
    timed,
)

EDIT_TRIALS = 5
EDIT_TIMEOUT_S = 60.0
EXPORT_PAPERS = 10_000
EXPORT_PASSES = 3


def sizes(lib_dir: Path) -> dict[str, int]:
    database = sum(dir_bytes(lib_dir / (DATABASE + s)) for s in ("", "-wal", "-shm"))
    index = dir_bytes(lib_dir / INDEX_DIR)
    backups = dir_bytes(lib_dir / BACKUP_DIR)
    return {"database": database, "index": index, "backups": backups, "total": database + index,
            "total_with_backups": database + index + backups}


def index_segments(lib_dir: Path) -> int:
    """How many segments the paper index has (read-only look at the derived data; a diagnostic)."""
    from whoosh import index as whoosh_index

    ix = whoosh_index.open_dir(str(lib_dir / INDEX_DIR / "papers"))
    try:
        with ix.reader() as reader:
            return len(reader.leaf_readers())
    finally:
        ix.close()


def phase_parse(spec: dict[str, Any]) -> dict[str, Any]:
    clock = Stopwatch()
    papers = problems = 0
    for name in spec["files"]:
        report, failure = importing.read_file(Path(name))
        if report is not None:
            papers += len(report.papers)
            problems += len(report.problems)
        elif failure is not None:
            problems += 1
    return {"papers": papers, "problems": problems, "wall_s": clock.wall(), "cpu_s": clock.cpu()}


def phase_store(spec: dict[str, Any]) -> dict[str, Any]:
    lib_dir = Path(spec["library"])
    library = Library.open(lib_dir)
    try:
        clock = Stopwatch()
        outcome = library.import_files([Path(f) for f in spec["files"]])
        wall, cpu = clock.wall(), clock.cpu()
        return {
            "imported": len(outcome.imported), "merged": len(outcome.merged),
            "problems": len(outcome.problems), "unreadable": len(outcome.unreadable),
            "problem_samples": [str(p.reason)[:160] for p in outcome.problems[:5]],
            "wall_s": wall, "cpu_s": cpu, "pending_index": library.pending_index(),
        }
    finally:
        library.close()


def _docs(library: Library) -> Iterator[BenchDoc]:
    for batch in library.iter_papers():
        for paper in batch:
            doc = paper_document(paper)
            yield BenchDoc(pid=doc.pid, year=paper.year, fields={k: str(v) for k, v in doc.fields.items()})


def phase_index(spec: dict[str, Any]) -> dict[str, Any]:
    lib_dir = Path(spec["library"])
    library = Library.open(lib_dir)
    try:
        batches: list[tuple[int, float, float]] = []
        clock = Stopwatch()

        def progress(p: IndexProgress) -> None:
            batches.append((p.done, clock.wall(), clock.cpu()))

        written = library.catch_up_index(progress)
        wall, cpu = clock.wall(), clock.cpu()
        rss = peak_rss_mb()
        result = {
            "written": written, "wall_s": wall, "cpu_s": cpu, "batches": batches,
            "papers": library.count(), "peak_rss_mb_index": rss,
        }
        result["docs"] = write_docs(_docs(library), Path(spec["docs"]))
    finally:
        library.close()
    result["sizes"] = sizes(lib_dir)
    result["segments"] = index_segments(lib_dir)
    return result


def phase_queries(spec: dict[str, Any]) -> dict[str, Any]:
    segments = index_segments(Path(spec["library"]))
    library = Library.open(Path(spec["library"]))
    try:
        queries = query_set.load(Path(spec["queries"]))

        def execute(q: query_set.BenchQuery) -> tuple[list[int], Callable[[], int]]:
            if q.cls == "related":
                assert q.pid is not None
                hits = library.related(q.pid, limit=10)
                return [h.pid for h in hits], lambda: len(hits)
            limit = None if q.cls in query_set.LECTERN_ONLY else 20
            result = library.search(q.text, limit=limit)
            if q.cls == "highlight":
                library.snippets(result, result.ids[:20])
            return result.ids[:20], lambda: result.total

        timings = run_query_set(queries, execute, int(spec["passes"]))
        return {"queries": [dict(t.as_dict(), cls=q.cls, text=q.text) for q, t in zip(queries, timings, strict=True)],
                "segments": segments}
    finally:
        library.close()


def _until_found(library: Library, text: str, pid: int, start: float) -> tuple[float, int]:
    """Milliseconds from ``start`` to the first search for ``text`` that returns ``pid``, and searches run."""
    searches = 0
    while True:
        searches += 1
        if pid in library.search(text, limit=None).ids:
            return (time.perf_counter() - start) * 1000.0, searches
        if time.perf_counter() - start > EDIT_TIMEOUT_S:
            return float("inf"), searches
        time.sleep(0.002)


def _edit_trials(library: Library, pids: list[int], edit: Callable[[int, int], str]) -> dict[str, Any]:
    samples: list[float] = []
    cpu: list[float] = []
    searches: list[int] = []
    edit_ms: list[float] = []
    for trial, pid in enumerate(pids):
        cpu0 = time.process_time()
        start = time.perf_counter()
        text = edit(trial, pid)
        edit_ms.append((time.perf_counter() - start) * 1000.0)
        elapsed, runs = _until_found(library, text, pid, start)
        cpu.append((time.process_time() - cpu0) * 1000.0)
        samples.append(elapsed)
        searches.append(runs)
    finite = [s for s in samples if s != float("inf")]
    return {
        "visible_ms": [s if s != float("inf") else -1.0 for s in samples],
        "median_ms": median(finite) if finite else -1.0,
        "max_ms": max(finite) if len(finite) == len(samples) else -1.0,
        "p95_ms": percentile(finite, 95) if len(finite) == len(samples) else -1.0,
        "cpu_median_ms": median(cpu), "edit_call_ms": median(edit_ms),
        "searches": searches, "timed_out": len(samples) - len(finite),
    }


def _word(prefix: str, n: int) -> str:
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(97 + rest) + letters
    return f"{prefix}{letters}"


def phase_edits(spec: dict[str, Any]) -> dict[str, Any]:
    library = Library.open(Path(spec["library"]))
    try:
        ids = library.all_ids(order="added", descending=False)
        step = max(1, len(ids) // (EDIT_TRIALS * 4 + 1))
        picks = ids[step::step][: EDIT_TRIALS * 4]
        groups = [picks[i::4] for i in range(4)]
        library.search("common", limit=20)
        results: dict[str, Any] = {}

        def tag(trial: int, pid: int, mode: str) -> str:
            name = _word(f"benchtag{mode}", trial)
            library.add_tags([pid], [name])
            return f"tag:{name}"

        def note(trial: int, pid: int, mode: str) -> str:
            word = _word(f"zqbenchnote{mode}", trial)
            library.set_note(pid, f"Reading notes: {word} matters for the related-work section.")
            return word

        def title(trial: int, pid: int) -> str:
            word = _word("zqbenchtitle", trial)
            paper = library.paper(pid)
            library.update_paper(pid, title=f"{paper.title} {word}")
            return f"title:{word}"

        results["tag (foreground)"] = _edit_trials(library, groups[0], lambda t, p: tag(t, p, "fg"))
        results["note (foreground)"] = _edit_trials(library, groups[1], lambda t, p: note(t, p, "fg"))
        library.start_background_indexing()
        library.wait_for_index(60)
        results["tag (background indexer)"] = _edit_trials(library, groups[0], lambda t, p: tag(t, p, "bg"))
        results["note (background indexer)"] = _edit_trials(library, groups[2], lambda t, p: note(t, p, "bg"))
        results["title (background indexer)"] = _edit_trials(library, groups[3], title)
        library.stop_background_indexing()
    finally:
        library.close()
    return {"edits": results, "trials": EDIT_TRIALS, "segments_after": index_segments(Path(spec["library"]))}


def phase_export(spec: dict[str, Any]) -> dict[str, Any]:
    library = Library.open(Path(spec["library"]))
    try:
        ids = library.all_ids(order="added", descending=False)[:EXPORT_PAPERS]
        runs: list[Sample] = []
        size = 0
        for _ in range(EXPORT_PASSES):
            text, sample = timed(lambda: library.export(ids, "bibtex"))
            size = len(text.encode("utf-8"))
            runs.append(sample)
            del text
        return {
            "papers": len(ids), "bytes": size,
            "wall_ms": median([s.wall_ms for s in runs]), "cpu_ms": median([s.cpu_ms for s in runs]),
            "runs": [s.__dict__ for s in runs],
        }
    finally:
        library.close()


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "lectern-parse": phase_parse,
    "lectern-store": phase_store,
    "lectern-index": phase_index,
    "lectern-queries": phase_queries,
    "lectern-edits": phase_edits,
    "lectern-export": phase_export,
}
