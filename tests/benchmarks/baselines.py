"""The baselines on the same documents: raw Whoosh the way a plain user builds it, and SQLite FTS5 with bm25.

Raw Whoosh: Lectern's ``paper_schema()`` fields with Whoosh's stock analyzers, with
``title`` and ``abstract`` stored (for highlights and ``more_like``) and a
``year`` NUMERIC field; ``ix.writer()`` with default settings, one commit.
Queries go through a ``MultifieldParser`` over Lectern's default fields with
an AND group and the fuzzy plugin (phrases: the same fields but ``ids``, since
Whoosh refuses a phrase on a field without positions; Lectern turns that
part into an AND of terms) (``word~2`` is a ``FuzzyTerm``, ``pre*`` a
``Prefix`` per field); top 20 (the total is counted once, untimed, for the report, as
for Lectern); highlights are ``hit.highlights("abstract", top=1)``; related papers are
``searcher.more_like(docnum, "abstract", top=10)``.

FTS5: one table over the same six text fields (``porter unicode61
remove_diacritics 2``, the nearest to Lectern's stemmed, accent-folded
analysis), rowid = paper id, years in a normal table joined on rowid; ranked
by ``bm25`` with the title weighted like Lectern's title boost; ``snippet()``
for highlights.  Both baselines index whatever fields ``paper_document``
gives now (the document dump carries them), so they follow schema changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import qparser
from whoosh.analysis import CharsetFilter, StandardAnalyzer, StemmingAnalyzer
from whoosh.fields import NUMERIC, TEXT, Schema
from whoosh.searching import Searcher
from whoosh.support.charset import accent_map

from desktop_app.search.schema import DEFAULT_FIELDS, TITLE_BOOST, paper_schema
from tests.benchmarks import queries as query_set
from tests.benchmarks.docs import BenchDoc, read_docs
from tests.benchmarks.measure import Stopwatch, dir_bytes, run_query_set

FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class FtsSql:
    """The FTS5 statements for a table whose columns are Lectern's indexed fields."""

    top: str
    snippet: str
    years: str
    count: str
    count_years: str


def fts_sql(columns: Sequence[str]) -> FtsSql:
    bm25 = "bm25(fts, " + ", ".join(str(TITLE_BOOST) if c == "title" else "1.0" for c in columns) + ")"
    join = "FROM fts JOIN paper_year ON paper_year.rowid = fts.rowid WHERE fts MATCH ? AND paper_year.year BETWEEN ? AND ?"
    return FtsSql(
        top=f"SELECT rowid FROM fts WHERE fts MATCH ? ORDER BY {bm25} LIMIT 20",
        snippet=f"SELECT rowid, snippet(fts, -1, '<b>', '</b>', '…', 32) FROM fts WHERE fts MATCH ? ORDER BY {bm25} LIMIT 20",
        years=f"SELECT fts.rowid {join} ORDER BY {bm25} LIMIT 20",
        count="SELECT count(*) FROM fts WHERE fts MATCH ?",
        count_years=f"SELECT count(*) {join}",
    )


LECTERN_ONLY_FIELDS = frozenset({"title_all"})  # Lectern's second copy of the title (stop words kept)


def text_fields(docs: Sequence[BenchDoc]) -> list[str]:
    return [name for name in docs[0]["fields"] if name not in LECTERN_ONLY_FIELDS] if docs else []


def raw_schema() -> Schema:
    """Lectern's fields, written the way a plain Whoosh user would: stock analyzers, default pid.

    ``StemmingAnalyzer`` (plus accent folding, so the same queries find the same
    papers) stands in for Lectern's one-loop analyzer; the paper id is a default
    ``NUMERIC`` (tiered range terms included); title and abstract are stored.
    """
    ours = paper_schema()
    fold = CharsetFilter(accent_map)
    schema = Schema(pid=NUMERIC(int, stored=True, unique=True), year=NUMERIC(int, bits=32))
    for name in ours.names():
        if name == "pid" or name in LECTERN_ONLY_FIELDS:
            continue
        phrase = ours[name].format.supports("positions")
        boost = TITLE_BOOST if name == "title" else 1.0
        analyzer = (StandardAnalyzer(stoplist=None) if name == "authors" else StemmingAnalyzer()) | fold
        schema.add(name, TEXT(analyzer=analyzer, phrase=phrase, field_boost=boost,
                              stored=name in ("title", "abstract")))
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
    schema = raw_schema()
    names = [n for n in text_fields(docs) if n in schema]
    clock = Stopwatch()
    ix = whoosh_index.create_in(str(path), schema)
    writer = ix.writer()
    for doc in docs:
        fields: dict[str, Any] = {name: doc["fields"][name] for name in names}
        if doc["year"] is not None:
            fields["year"] = doc["year"]
        writer.add_document(pid=doc["pid"], **fields)
    writer.commit()
    wall, cpu = clock.wall(), clock.cpu()
    ix.close()
    return {"docs": len(docs), "wall_s": wall, "cpu_s": cpu, "size_bytes": dir_bytes(path), "fields": names}


def whoosh_executor(searcher: Searcher, schema: Schema) -> Callable[[query_set.BenchQuery], tuple[list[int], Callable[[], int]]]:
    parser = raw_parser(schema)
    phrase_parser = raw_parser(schema, phrase_fields(schema))
    or_parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), schema, group=qparser.OrGroup)

    def execute(q: query_set.BenchQuery) -> tuple[list[int], Callable[[], int]]:
        if q.cls == "related":
            docnum = searcher.document_number(pid=q.pid)
            related = searcher.more_like(docnum, "abstract", top=10)
            pids = [hit["pid"] for hit in related]
            return pids, lambda: len(pids)
        chosen = phrase_parser if q.cls == "phrase" else or_parser if q.cls in query_set.OR_CLASSES else parser
        results = searcher.search(chosen.parse(q.whoosh), limit=20)
        pids = [hit["pid"] for hit in results]
        if q.cls == "highlight":
            for hit in results:
                hit.highlights("abstract", top=1)
        return pids, lambda: len(results)

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
    columns = text_fields(docs)
    path = Path(spec["database"])
    path.unlink(missing_ok=True)
    clock = Stopwatch()
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE TABLE paper_year(rowid INTEGER PRIMARY KEY, year INTEGER)")
        conn.execute(f"CREATE VIRTUAL TABLE fts USING fts5({', '.join(columns)}, tokenize='{FTS_TOKENIZER}')")
        with conn:
            conn.executemany(
                f"INSERT INTO fts(rowid, {', '.join(columns)}) VALUES (?{', ?' * len(columns)})",
                ((d["pid"], *(d["fields"][c] for c in columns)) for d in docs),
            )
            conn.executemany("INSERT INTO paper_year(rowid, year) VALUES (?, ?)",
                             ((d["pid"], d["year"]) for d in docs))
    finally:
        conn.close()
    wall, cpu = clock.wall(), clock.cpu()
    return {"docs": len(docs), "wall_s": wall, "cpu_s": cpu, "size_bytes": dir_bytes(path),
            "sqlite": sqlite3.sqlite_version, "columns": columns, "top_sql": fts_sql(columns).top}


def fts_columns(conn: sqlite3.Connection) -> list[str]:
    return [str(row[1]) for row in conn.execute("PRAGMA table_info(fts)")]


def fts_executor(conn: sqlite3.Connection) -> Callable[[query_set.BenchQuery], tuple[list[int], Callable[[], int]]]:
    sql = fts_sql(fts_columns(conn))

    def count(q: query_set.BenchQuery) -> int:
        assert q.fts is not None
        if q.years is not None:
            return int(conn.execute(sql.count_years, (q.fts, *q.years)).fetchone()[0])
        return int(conn.execute(sql.count, (q.fts,)).fetchone()[0])

    def execute(q: query_set.BenchQuery) -> tuple[list[int], Callable[[], int]]:
        assert q.fts is not None
        if q.years is not None:
            rows = conn.execute(sql.years, (q.fts, *q.years)).fetchall()
        elif q.cls == "highlight":
            rows = conn.execute(sql.snippet, (q.fts,)).fetchall()
        else:
            rows = conn.execute(sql.top, (q.fts,)).fetchall()
        return [int(r[0]) for r in rows], lambda: count(q)

    return execute


def fts_queries(spec: dict[str, Any]) -> dict[str, Any]:
    conn = sqlite3.connect(spec["database"])
    try:
        queries = [q for q in query_set.load(Path(spec["queries"])) if q.fts is not None]
        timings = run_query_set(queries, fts_executor(conn), int(spec["passes"]))
        return {"queries": [dict(t.as_dict(), cls=q.cls, text=q.text) for q, t in zip(queries, timings, strict=True)]}
    finally:
        conn.close()


PHASES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "whoosh-build": whoosh_build,
    "whoosh-queries": whoosh_queries,
    "fts-build": fts_build,
    "fts-queries": fts_queries,
}
