"""Issue 6's benchmark: Lectern end to end against raw Whoosh and SQLite FTS5, on the same documents, in one run.

    python -m tests.benchmarks.run [--corpus DIR] [--scale N] [--passes K] [--out DIR] [--skip-baselines]
                                   [--workdir DIR [--reuse]] [--classes title,sentence,...]

The sources (``desktop_app`` and this harness) are copied into the work
dir first and every phase imports that copy, so one run measures one version
of the code even while the working tree changes.  Every phase runs in a
fresh subprocess (its peak RSS and CPU time are its own): Lectern store, parse, index (which also dumps the indexed documents),
the query set is drawn from that dump, then cold opens, queries, edits,
export; then the raw Whoosh and FTS5 builds, cold opens and queries on the
dumped documents.  Markdown and JSON go to ``--out``
(``tests/benchmarks/results/`` by default).

``--classes`` times only those query classes (the others are left out of
the report).  ``--reuse`` (with ``--workdir``) keeps what an earlier run
there built: a phase or cold open whose result file is in the work dir is
read back instead of run again, except the query phases, which always run.
The library is then in the state the earlier run left it (after its edits).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from desktop_app.search.schema import DEFAULT_FIELDS
from tests.benchmarks import queries as query_set
from tests.benchmarks import report
from tests.benchmarks.corpus import prepare
from tests.benchmarks.docs import read_docs
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = CORPUS / "paperlists"  # beside the checkout, /work/shared or $LECTERN_SHARED (tests/conftest.py)
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
PHASE_TIMEOUT_S = 6 * 3600


def _log(message: str) -> None:
    print(f"[{datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


SOURCES = ROOT


def snapshot_sources(work: Path, app: Path | None = None) -> tuple[Path, str]:
    """Copy ``desktop_app`` (from ``app``, else this checkout) and the harness into ``work/src``; the copy and a hash."""
    src = work / "src"
    if src.exists():
        shutil.rmtree(src)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "results")
    shutil.copytree(app or ROOT / "desktop_app", src / "desktop_app", ignore=ignore)
    shutil.copytree(ROOT / "tests" / "benchmarks", src / "tests" / "benchmarks", ignore=ignore)
    shutil.copy2(ROOT / "tests" / "__init__.py", src / "tests" / "__init__.py")
    digest = hashlib.sha1()
    for path in sorted((src / "desktop_app").rglob("*.py")):
        digest.update(path.relative_to(src).as_posix().encode())
        digest.update(path.read_bytes())
    return src, digest.hexdigest()[:12]


def _env() -> dict[str, str]:
    env = dict(os.environ)
    paths = [str(SOURCES)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    env["PYTHONPATH"] = os.pathsep.join(paths)
    env.setdefault("PYTHONHASHSEED", "0")
    return env


REUSE = False  # --reuse: read back the result of a phase an earlier run in the work dir finished
ALWAYS_RUN = frozenset({"lectern-queries", "whoosh-queries", "fts-queries"})


def run_phase(phase: str, spec: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run one phase in a subprocess; its result dict (with ``process`` wall, CPU and peak RSS)."""
    spec_path = work / f"{phase}.spec.json"
    out_path = work / f"{phase}.result.json"
    if REUSE and phase not in ALWAYS_RUN and out_path.exists():
        _log(f"{phase}: reusing {out_path.name}")
        kept: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
        return kept
    spec_path.write_text(json.dumps(spec), encoding="utf-8")
    out_path.unlink(missing_ok=True)
    _log(f"{phase} ...")
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "tests.benchmarks.worker", phase, str(spec_path), str(out_path)],
        cwd=SOURCES, env=_env(), capture_output=True, text=True, timeout=PHASE_TIMEOUT_S, check=False,
    )
    if proc.returncode != 0 or not out_path.exists():
        raise RuntimeError(f"benchmark phase {phase} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    _log(f"{phase} done in {time.perf_counter() - started:.1f} s (peak RSS {result['process']['peak_rss_mb']:.0f} MB)")
    return result


def cold_open(spec: dict[str, Any], repeats: int) -> list[dict[str, Any]]:
    """Open + first query in ``repeats`` fresh processes (the OS file cache stays warm: cold-ish)."""
    kept = Path(spec["path"]).parent / f"open-{spec['engine']}.result.json"
    if REUSE and kept.exists():
        _log(f"cold open {spec['engine']}: reusing {kept.name}")
        reused: list[dict[str, Any]] = json.loads(kept.read_text(encoding="utf-8"))
        return reused
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "tests.benchmarks.cold_open", json.dumps(spec)],
            cwd=SOURCES, env=_env(), capture_output=True, text=True, timeout=600, check=False,
        )
        process_ms = (time.perf_counter() - started) * 1000.0
        if proc.returncode != 0:
            raise RuntimeError(f"cold open of {spec['engine']} failed:\n{proc.stderr[-4000:]}")
        run = json.loads(proc.stdout.strip().splitlines()[-1])
        run.update(process_ms=process_ms, query=spec["query"])
        runs.append(run)
    _log(f"cold open {spec['engine']}: {[round(r['open_plus_first_query_ms']) for r in runs]} ms")
    kept.write_text(json.dumps(runs), encoding="utf-8")
    return runs


def _meta(args: argparse.Namespace) -> dict[str, Any]:
    import sqlite3

    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                                text=True, check=False).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "desktop_app"], cwd=ROOT,
                               capture_output=True, text=True, check=False).stdout.strip()
        commit += " + uncommitted changes in desktop_app" if dirty else ""
    except OSError:
        commit = "unknown"
    try:
        whoosh = version("whoosh-reloaded")
    except PackageNotFoundError:
        whoosh = "unknown"
    return {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "commit": commit,
        "cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
        "whoosh": whoosh, "sqlite": sqlite3.sqlite_version, "passes": args.passes,
        "load_before": ", ".join(f"{x:.2f}" for x in os.getloadavg()), "argv": sys.argv[1:],
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="a folder of files Lectern imports")
    parser.add_argument("--scale", type=int, default=None, help="grow the corpus to N papers (perturbed copies)")
    parser.add_argument("--passes", type=int, default=5, help="timed passes per query (after one warm-up)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the markdown and JSON go")
    parser.add_argument("--skip-baselines", action="store_true", help="Lectern only (no raw Whoosh, no FTS5)")
    parser.add_argument("--opens", type=int, default=3, help="fresh-process opens per engine")
    parser.add_argument("--workdir", type=Path, default=None,
                        help="keep libraries, indexes, documents and queries here (default: a temp dir, removed)")
    parser.add_argument("--reuse", action="store_true",
                        help="with --workdir: reuse what an earlier run there built; only the query phases run again")
    parser.add_argument("--app", type=Path, default=None,
                        help="measure this desktop_app folder (another version) instead of the checkout's")
    parser.add_argument("--classes", default="",
                        help="comma-separated query classes to time (default: all): " + ", ".join(query_set.CLASSES))
    args = parser.parse_args(argv)
    unknown = set(filter(None, args.classes.split(","))) - set(query_set.CLASSES)
    if unknown:
        parser.error(f"unknown query classes: {', '.join(sorted(unknown))}")
    if args.reuse and args.workdir is None:
        parser.error("--reuse needs --workdir")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.passes < 1:
        raise SystemExit("--passes must be at least 1")
    keep = args.workdir is not None
    global REUSE
    REUSE = args.reuse
    work = args.workdir.resolve() if keep else Path(tempfile.mkdtemp(prefix="lectern-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    began = time.perf_counter()
    meta = _meta(args)
    global SOURCES
    SOURCES, meta["source_hash"] = snapshot_sources(work, args.app)
    try:
        results = _run(args, work, meta)
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    meta["load_after"] = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    meta["elapsed_s"] = time.perf_counter() - began
    papers = results["lectern"]["index"]["papers"]
    stem = f"bench-{round(papers / 1000)}k-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    md_path, json_path = report.write(results, args.out, stem)
    _log(f"wrote {md_path} and {json_path}")
    print(md_path)
    return 0


def _run(args: argparse.Namespace, work: Path, meta: dict[str, Any]) -> dict[str, Any]:
    _log(f"preparing the corpus from {args.corpus}" + (f", grown to {args.scale:,}" if args.scale else ""))
    corpus = prepare(args.corpus.resolve(), args.scale, work)
    files = [str(f) for f in corpus.files]
    library = work / "lectern-library"
    docs = work / "docs.jsonl"
    queries_path = work / "queries.json"
    if library.exists() and not REUSE:
        shutil.rmtree(library)
    lectern: dict[str, Any] = {}
    lectern["store"] = run_phase("lectern-store", {"library": str(library), "files": files}, work)
    lectern["parse"] = run_phase("lectern-parse", {"files": files}, work)
    lectern["index"] = run_phase("lectern-index", {"library": str(library), "docs": str(docs)}, work)
    documents = read_docs(docs)
    queries = query_set.build(documents)
    del documents
    first = next(q for q in queries if q.cls == "common")
    if args.classes:
        chosen = set(args.classes.split(","))
        queries = [q for q in queries if q.cls in chosen]
    query_set.save(queries, queries_path)
    lectern["open"] = cold_open({"engine": "lectern", "path": str(library), "query": first.text}, args.opens)
    spec = {"library": str(library), "queries": str(queries_path), "passes": args.passes}
    lectern["queries"] = run_phase("lectern-queries", spec, work)
    lectern["edits"] = run_phase("lectern-edits", {"library": str(library)}, work)
    lectern["export"] = run_phase("lectern-export", {"library": str(library)}, work)
    results: dict[str, Any] = {
        "meta": meta,
        "corpus": {"source": corpus.source, "files": len(corpus.files), "grown": corpus.grown, "how": corpus.how,
                   "records": corpus.records},
        "queries": [q.__dict__ for q in queries],
        "lectern": lectern,
        "whoosh": None,
        "fts": None,
    }
    if args.skip_baselines:
        return results
    index = work / "raw-whoosh"
    if index.exists() and not REUSE:
        shutil.rmtree(index)
    whoosh: dict[str, Any] = {"build": run_phase("whoosh-build", {"docs": str(docs), "index": str(index)}, work)}
    whoosh["open"] = cold_open({"engine": "whoosh", "path": str(index), "query": first.whoosh,
                                "fields": list(DEFAULT_FIELDS)}, args.opens)
    whoosh["queries"] = run_phase("whoosh-queries", {"index": str(index), "queries": str(queries_path),
                                                     "passes": args.passes}, work)
    results["whoosh"] = whoosh
    database = work / "fts5.sqlite"
    fts: dict[str, Any] = {"build": run_phase("fts-build", {"docs": str(docs), "database": str(database)}, work)}
    fts["open"] = cold_open({"engine": "fts", "path": str(database), "query": first.fts,
                             "sql": fts["build"]["top_sql"]}, args.opens)
    fts["queries"] = run_phase("fts-queries", {"database": str(database), "queries": str(queries_path),
                                               "passes": args.passes}, work)
    results["fts"] = fts
    return results


if __name__ == "__main__":
    sys.exit(main())
