"""The baselines on the same documents: raw Whoosh the way a plain user builds it, and SQLite FTS5 with bm25.

Raw Whoosh: Lectern's ``paper_schema()`` (same fields and analyzers) with
``title`` and ``abstract`` stored (for highlights and ``more_like``) and a
``year`` NUMERIC field; ``ix.writer()`` with default settings, one commit.
Queries go through a ``MultifieldParser`` over Lectern's default fields with
an AND group and the fuzzy plugin (phrases: the same fields but ``ids``, since
Whoosh refuses a phrase on a field without positions; Lectern turns that
part into an AND of terms) (``word~2`` is a ``FuzzyTerm``, ``pre*`` a
``Prefix`` per field); top 20 with ``len(results)`` (Lectern reports the total
too); highlights are ``hit.highlights("abstract", top=1)``; related papers are
``searcher.more_like(docnum, "abstract", top=10)``.

FTS5: one table over the same six text fields (``porter unicode61
remove_diacritics 2``, the nearest to Lectern's stemmed, accent-folded
analysis), rowid = paper id, years in a normal table joined on rowid; ranked
by ``bm25`` with the title weighted like Lectern's title boost; ``snippet()``
for highlights.  A timed FTS5 query fetches the top 20 only; the hit count is
taken once, untimed, for the report.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.fields import NUMERIC, Schema
from whoosh.searching import Searcher

from desktop_app.search.schema import DEFAULT_FIELDS, TITLE_BOOST, paper_schema
from tests.benchmarks import queries as query_set
from tests.benchmarks.docs import read_docs
from tests.benchmarks.measure import Stopwatch, dir_bytes, run_query_set

TEXT_FIELDS = ("title", "authors", "abstract", "keywords", "venue", "ids")
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
BM25 = "bm25(fts, " + ", ".join(str(TITLE_BOOST) if f == "title" else "1.0" for f in TEXT_FIELDS) + ")"
FTS_TOP = f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY {BM25} LIMIT 20"
FTS_SNIPPET = (f"SELECT rowid, snippet(fts, -1, '<b>', '</b>', '…', 32) FROM fts WHERE fts MATCH ? "
               f"ORDER BY {BM25} LIMIT 20")
FTS_YEARS = (f"SELECT fts.rowid FROM fts JOIN paper_year ON paper_year.rowid = fts.rowid "
             f"WHERE fts MATCH ? AND paper_year.year BETWEEN ? AND ? ORDER BY {BM25} LIMIT 20")
FTS_COUNT = "SELECT count(*) FROM fts WHERE fts MATCH ?"
FTS_COUNT_YEARS = ("SELECT count(*) FROM fts JOIN paper_year ON paper_year.rowid = fts.rowid "
                   "WHERE fts MATCH ? AND paper_year.year BETWEEN ? AND ?")


def raw_schema() -> Schema:
    schema = paper_schema()
    schema["title"].stored = True
    schema["abstract"].stored = True
    schema.add("year", NUMERIC(int, bits=32))
    return schema


def raw_parser(schema: Schema, fields: Sequence[str] = DEFAULT_FIELDS) -> qparser.MultifieldParser:
    parser = qparser.MultifieldParser(list(fields), schema, group=qparser.AndGroup)
    parser.add_plugin(qparser.FuzzyTermPlugin())
    return parser


def phrase_fields(schema: Schema) -> list[str]:
    """The default fields a phrase can run on (Whoosh refuses a phrase over ``ids``, which has no positions)."""
    return [f for f in DEFAULT_FIELDS if schema[f].format.supports("positions")]


def whoosh_build(spec: dict[str, Any]) -> dict[str, Any]:
    docs = read_docs(Path(spec["docs"]))
    path = Path(spec["index"])
    path.mkdir(parents=True, exist_ok=True)
    clock = Stopwatch()
    ix = whoosh_index.create_in(str(path), raw_schema())
    writer = ix.writer()
    for doc in docs:
        fields: dict[str, Any] = {name: doc[name] for name in TEXT_FIELDS}  # type: ignore[literal-required]
        if doc["year"] is not None:
            fields["year"] = doc["year"]
        writer.add_document(pid=doc["pid"], **fields)
    writer.commit()
    wall, cpu = clock.wall(), clock.cpu()
    ix.close()
    return {"docs": len(docs), "wall_s": wall, "cpu_s": cpu, "size_bytes": dir_bytes(path)}


def whoosh_executor(searcher: Searcher, schema: Schema) -> Callable[[query_set.BenchQuery], tuple[int, list[int]]]:
    parser = raw_parser(schema)
    phrase_parser = raw_parser(schema, phrase_fields(schema))

    def execute(q: query_set.BenchQuery) -> tuple[int, list[int]]:
        if q.cls == "related":
            docnum = searcher.document_number(pid=q.pid)
            related = searcher.more_like(docnum, "abstract", top=10)
            pids = [hit["pid"] for hit in related]
            return len(pids), pids
        chosen = phrase_parser if q.cls == "phrase" else parser
        results = searcher.search(chosen.parse(q.whoosh), limit=20)
        pids = [hit["pid"] for hit in results]
        if q.cls == "highlight":
            for hit in results:
                hit.highlights("abstract", top=1)
        return len(results), pids

    return execute


def whoosh_queries(spec: dict[str, Any]) -> dict[str, Any]:
    ix = whoosh_index.open_dir(spec["index"])
    searcher = ix.searcher()
    try:
        queries = [q for q in query_set.load(Path(spec["queries"])) if q.cls not in query_set.LECTERN_ONLY]
        timings = run_query_set(queries, whoosh_executor(searcher, ix.schema), int(spec["passes"]))
        return {"queries": [dict(t.as_dict(), cls=q.cls, text=q.text) for q, t in zip(queries, timings, strict=True)]}
    finally:
        searcher.close()
        ix.close()


def fts_build(spec: dict[str, Any]) -> dict[str, Any]:
    docs = read_docs(Path(spec["docs"]))
    path = Path(spec["database"])
    path.unlink(missing_ok=True)
    clock = Stopwatch()
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE paper_year(rowid INTEGER PRIMARY KEY, year INTEGER)")
        conn.execute(f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(TEXT_FIELDS)}, tokenize='{FTS_TOKENIZER}')")
        with conn:
            conn.executemany(
                f"INSERT INTO fts(rowid, {', '.join(TEXT_FIELDS)}) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((d["pid"], *(d[f] for f in TEXT_FIELDS)) for d in docs),  # type: ignore[literal-required]
            )
            conn.executemany("INSERT INTO paper_year(rowid, year) VALUES (?, ?)",
                             ((d["pid"], d["year"]) for d in docs))
    finally:
        conn.close()
    wall, cpu = clock.wall(), clock.cpu()
    return {"docs": len(docs), "wall_s": wall, "cpu_s": cpu, "size_bytes": dir_bytes(path),
            "sqlite": sqlite3.sqlite_version}


def fts_executor(conn: sqlite3.Connection) -> Callable[[query_set.BenchQuery], tuple[int, list[int]]]:
    def execute(q: query_set.BenchQuery) -> tuple[int, list[int]]:
        assert q.fts is not None
        if q.years is not None:
            rows = conn.execute(FTS_YEARS, (q.fts, *q.years)).fetchall()
        elif q.cls == "highlight":
            rows = conn.execute(FTS_SNIPPET, (q.fts,)).fetchall()
        else:
            rows = conn.execute(FTS_TOP, (q.fts,)).fetchall()
        pids = [int(r[0]) for r in rows]
        return len(pids), pids

    return execute


def fts_count(conn: sqlite3.Connection, q: query_set.BenchQuery) -> int:
    assert q.fts is not None
    if q.years is not None:
        return int(conn.execute(FTS_COUNT_YEARS, (q.fts, *q.years)).fetchone()[0])
    return int(conn.execute(FTS_COUNT, (q.fts,)).fetchone()[0])


def fts_queries(spec: dict[str, Any]) -> dict[str, Any]:
    conn = sqlite3.connect(spec["database"])
    try:
        queries = [q for q in query_set.load(Path(spec["queries"])) if q.fts is not None]
        timings = run_query_set(queries, fts_executor(conn), int(spec["passes"]))
        out = []
        for q, t in zip(queries, timings, strict=True):
            if not t.error:
                t.hits = fts_count(conn, q)
            out.append(dict(t.as_dict(), cls=q.cls, text=q.text))
        return {"queries": out}
    finally:
        conn.close()


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "whoosh-build": whoosh_build,
    "whoosh-queries": whoosh_queries,
    "fts-build": fts_build,
    "fts-queries": fts_queries,
}
