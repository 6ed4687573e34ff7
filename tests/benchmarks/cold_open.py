"""Open an existing library or index in this fresh process and answer one query (cold-ish: OS cache warm).

Run as ``python -m tests.benchmarks.cold_open SPEC_JSON``; prints one JSON
object.  Only the standard library is imported before the clock starts, so
``imports_ms`` is what the engine's own modules cost.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any


def _lectern(spec: dict[str, Any]) -> dict[str, float | int]:
    t0 = time.perf_counter()
    from desktop_app.core.library import Library

    t1 = time.perf_counter()
    library = Library.open(spec["path"])
    t2 = time.perf_counter()
    result = library.search(spec["query"], limit=20)
    t3 = time.perf_counter()
    hits = result.total
    library.close()
    return {"imports_ms": (t1 - t0) * 1e3, "open_ms": (t2 - t1) * 1e3, "first_query_ms": (t3 - t2) * 1e3,
            "hits": hits}


def _whoosh(spec: dict[str, Any]) -> dict[str, float | int]:
    t0 = time.perf_counter()
    from whoosh import index, qparser

    t1 = time.perf_counter()
    ix = index.open_dir(spec["path"])
    searcher = ix.searcher()
    t2 = time.perf_counter()
    parser = qparser.MultifieldParser(spec["fields"], ix.schema, group=qparser.AndGroup)
    results = searcher.search(parser.parse(spec["query"]), limit=20)
    [hit["pid"] for hit in results]
    t3 = time.perf_counter()
    hits = len(results)
    searcher.close()
    ix.close()
    return {"imports_ms": (t1 - t0) * 1e3, "open_ms": (t2 - t1) * 1e3, "first_query_ms": (t3 - t2) * 1e3,
            "hits": hits}


def _fts(spec: dict[str, Any]) -> dict[str, float | int]:
    t0 = time.perf_counter()
    import sqlite3

    t1 = time.perf_counter()
    conn = sqlite3.connect(spec["path"])
    t2 = time.perf_counter()
    rows = conn.execute(spec["sql"], (spec["query"],)).fetchall()
    t3 = time.perf_counter()
    conn.close()
    return {"imports_ms": (t1 - t0) * 1e3, "open_ms": (t2 - t1) * 1e3, "first_query_ms": (t3 - t2) * 1e3,
            "hits": len(rows)}


def main(argv: list[str]) -> int:
    spec = json.loads(argv[0])
    engine = {"lectern": _lectern, "whoosh": _whoosh, "fts": _fts}[spec["engine"]]
    result = engine(spec)
    result["open_plus_first_query_ms"] = result["open_ms"] + result["first_query_ms"]
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
