"""Where the time goes: pyinstrument over one benchmark target, against a work dir a run kept (``--workdir``).

    python -m tests.benchmarks.profiling --workdir DIR --target prefix [--engine whoosh] [--out FILE]

Targets: a query class (its queries from ``queries.json``, a warm-up pass
then ``--passes`` profiled passes), ``open`` (``Library.open`` + the first
query), ``edit-note``, ``edit-tag``, ``edit-title`` (the edit until a search
returns the paper, with the background indexer), ``export`` (10k BibTeX) and
``index`` (``catch_up_index`` of ``--papers`` papers copied into a fresh
library through ``import_papers``) and ``store`` (``import_files`` of
``--papers`` fresh perturbed records into a copy of the kept library).  The report has the call tree (percent
of total) and two flat tables: self time and total time per function.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pyinstrument import Profiler

from desktop_app.core.library import Library
from tests.benchmarks import queries as query_set
from tests.benchmarks.baselines import whoosh_executor
from tests.benchmarks.corpus import _Grower, importable_files, load_records, write_records
from tests.benchmarks.lectern_bench import EXPORT_PAPERS

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "paperlists"


def _lectern_queries(library: Library, cls: str, queries: list[query_set.BenchQuery]) -> Callable[[], None]:
    chosen = [q for q in queries if q.cls == cls]

    def run() -> None:
        for q in chosen:
            if q.cls == "related":
                assert q.pid is not None
                library.related(q.pid, limit=10)
                continue
            result = library.search(q.text, limit=None if cls in query_set.LECTERN_ONLY else 20)
            if cls == "highlight":
                library.snippets(result, result.ids[:20])

    return run


def _edit(library: Library, kind: str) -> Callable[[], None]:
    ids = library.all_ids(order="added", descending=False)
    library.start_background_indexing()
    library.wait_for_index(120)
    counter = iter(range(10**6))

    def run() -> None:
        n = next(counter)
        pid = ids[(n * 7919) % len(ids)]
        word = "zqprof" + "".join(chr(97 + int(d)) for d in str(n))
        if kind == "note":
            library.set_note(pid, f"profiling note {word}")
            text = word
        elif kind == "tag":
            library.add_tags([pid], [word])
            text = f"tag:{word}"
        else:
            library.update_paper(pid, title=f"{library.paper(pid).title} {word}")
            text = f"title:{word}"
        deadline = time.perf_counter() + 60
        while pid not in library.search(text, limit=None).ids and time.perf_counter() < deadline:
            time.sleep(0.002)

    return run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.benchmarks.profiling", description=__doc__.split("\n\n")[0])
    parser.add_argument("--workdir", type=Path, required=True)
    parser.add_argument("--target", required=True)
    parser.add_argument("--engine", choices=("lectern", "whoosh"), default="lectern")
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--papers", type=int, default=5000)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="records for the store target")
    args = parser.parse_args(argv)
    work: Path = args.workdir
    queries = query_set.load(work / "queries.json")
    cleanup: list[Callable[[], None]] = []
    profiler = Profiler(interval=0.0005)
    if args.target == "open":
        first = next(q for q in queries if q.cls == "common")
        profiler.start()
        library = Library.open(work / "lectern-library")
        library.search(first.text, limit=20)
        profiler.stop()
        library.close()
    elif args.target == "store":
        scratch = Path(tempfile.mkdtemp(prefix="lectern-profile-"))
        shutil.copytree(work / "lectern-library", scratch / "lib")
        (scratch / "lib" / "lectern.lock").unlink(missing_ok=True)
        records = load_records(importable_files(args.corpus))[: args.papers]
        if not records:
            raise SystemExit(f"no records under {args.corpus}")
        grower = _Grower(records, seed=99)
        fresh = write_records(iter([grower.copy(r, 1000) for r in records]), scratch / "records")
        library = Library.open(scratch / "lib")
        profiler.start()
        library.import_files(fresh)
        profiler.stop()
        library.close()
        shutil.rmtree(scratch, ignore_errors=True)
    elif args.target == "index":
        origin = Library.open(work / "lectern-library")
        papers = origin.papers(origin.all_ids(order="added", descending=False)[: args.papers])
        origin.close()
        scratch = Path(tempfile.mkdtemp(prefix="lectern-profile-"))
        library = Library.open(scratch / "lib")
        library.import_papers(papers)
        profiler.start()
        library.catch_up_index()
        profiler.stop()
        library.close()
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        if args.engine == "whoosh":
            from whoosh import index as whoosh_index

            ix = whoosh_index.open_dir(str(work / "raw-whoosh"))
            searcher = ix.searcher()
            execute = whoosh_executor(searcher, ix.schema)
            chosen = [q for q in queries if q.cls == args.target]

            def run() -> None:
                for q in chosen:
                    execute(q)

            cleanup += [searcher.close, ix.close]
        else:
            library = Library.open(work / "lectern-library")
            cleanup.append(library.close)
            if args.target.startswith("edit-"):
                run = _edit(library, args.target.removeprefix("edit-"))
            elif args.target == "export":
                ids = library.all_ids(order="added", descending=False)[:EXPORT_PAPERS]

                def run() -> None:
                    library.export(ids, "bibtex")
            else:
                run = _lectern_queries(library, args.target, queries)
        run()
        profiler.start()
        for _ in range(args.passes):
            run()
        profiler.stop()
        for close in cleanup:
            close()
    text = "\n".join([
        f"# profile of {args.target} ({args.engine}), {args.passes} passes, workdir {work}",
        profiler.output_text(unicode=True, color=False, time="percent_of_total", short_mode=False),
        "## flat: self time per function",
        profiler.output_text(unicode=True, color=False, flat=True, time="percent_of_total"),
        "## flat: total time per function",
        profiler.output_text(unicode=True, color=False, flat=True, flat_time="total", time="percent_of_total"),
    ])
    out = args.out or RESULTS / f"profile-{args.target}{'-whoosh' if args.engine == 'whoosh' else ''}.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
