"""Search quality, measured: known-item and sentence queries for Lectern, SQLite FTS5 bm25 and raw Whoosh (OR).

    python -m tests.benchmarks.eval_search [--corpus DIR] [--known N] [--sentences N] [--workdir DIR] [--out DIR]

The corpus (``../shared/corpus/paperlists`` by default) is imported into a
Lectern library; the documents Lectern indexed are dumped and indexed by the
two baselines of ``baselines.py`` (same fields, the title weighted alike).
Queries, drawn with a fixed seed:

* known-item: ``--known`` papers found by their own title, as typed and
  with noise: ``lower`` (lower case), ``nopunct`` (``:;,.?!()"'`` dropped,
  hyphens and slashes become spaces), ``typo`` (one word of 5+ letters with
  one letter changed), ``british`` (American spellings written the British
  way: -ise, -our, -re, -ogue, -lled, haem-/-aemia/paed-/oes-, grey,
  defence, ageing; only titles that have such a word);
* ``sentence``: one sentence (10-30 words) of a paper's abstract.

Every engine gets the query text as typed: Lectern through ``Library.search``
(top 10); FTS5 as an OR of the quoted words (an AND finds nothing once one
word is off); raw Whoosh through a ``MultifieldParser`` with an OR group.
A hit counts when its title equals the target's (after lower-casing and
dropping punctuation: the corpus holds a few papers twice).  Reported per
class: success@1, success@10 and MRR (over the top 10).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh import qparser

from desktop_app.core.library import InvalidQueryError, Library
from desktop_app.search.schema import DEFAULT_FIELDS
from tests.benchmarks import baselines
from tests.benchmarks.corpus import importable_files
from tests.benchmarks.docs import BenchDoc, read_docs, text, write_docs
from tests.benchmarks.lectern_bench import _docs
from tests.conftest import CORPUS

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CORPUS = CORPUS / "paperlists"
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
SEED = 10
TOP = 10
KNOWN_CLASSES = ("typed", "lower", "nopunct", "typo", "british")
CLASSES = (*KNOWN_CLASSES, "sentence")
ENGINES = ("lectern", "fts5", "whoosh")

Search = Callable[[str], list[int]]


@dataclass(frozen=True)
class EvalQuery:
    cls: str
    text: str
    pid: int


# -- noise ----------------------------------------------------------------------------------------

_BRITISH_WORDS = {
    "color": "colour", "colors": "colours", "behavior": "behaviour", "behaviors": "behaviours",
    "behavioral": "behavioural", "favor": "favour", "honor": "honour", "labor": "labour",
    "neighbor": "neighbour", "neighbors": "neighbours", "neighborhood": "neighbourhood", "rumor": "rumour",
    "tumor": "tumour", "tumors": "tumours", "vapor": "vapour", "humor": "humour", "flavor": "flavour",
    "odor": "odour", "harbor": "harbour", "center": "centre", "centers": "centres", "centered": "centred",
    "fiber": "fibre", "fibers": "fibres", "meter": "metre", "meters": "metres", "liter": "litre",
    "theater": "theatre", "catalog": "catalogue", "dialog": "dialogue", "dialogs": "dialogues",
    "analog": "analogue", "gray": "grey", "defense": "defence", "defenses": "defences", "aging": "ageing",
    "judgment": "judgement", "judgments": "judgements", "anemia": "anaemia", "leukemia": "leukaemia",
    "ischemia": "ischaemia", "ischemic": "ischaemic", "pediatric": "paediatric", "fetal": "foetal",
    "estrogen": "oestrogen", "esophageal": "oesophageal", "anesthesia": "anaesthesia",
}
_LL = re.compile(r"^(model|label|travel|level|channel|tunnel|signal|cancel|fuel|total|jewel|marshal|counsel)"
                 r"(ed|ing|er|ers)$")
_IZE = re.compile(r"^([a-z]{2,})(i|y)z(e|ed|es|ing|er|ers|ation|ations|able)$")
_HEMA = re.compile(r"^hem(a|o)")
_PUNCT = re.compile(r"[:;,.?!()\"']")


def _keep_case(original: str, new: str) -> str:
    return new[:1].upper() + new[1:] if original[:1].isupper() else new


def british_word(word: str) -> str:
    low = word.lower()
    if low in _BRITISH_WORDS:
        return _keep_case(word, _BRITISH_WORDS[low])
    if _LL.match(low):
        return _keep_case(word, _LL.sub(r"\1l\2", low))
    if _IZE.match(low) and low not in {"size", "sized", "sizes", "prize", "seize", "seized", "citizen"}:
        return _keep_case(word, _IZE.sub(r"\1\2s\3", low))
    if _HEMA.match(low):
        return _keep_case(word, "haem" + low[3:])
    return word


def british(title: str) -> str:
    return re.sub(r"[A-Za-z]+", lambda m: british_word(m.group(0)), title)


def lower(title: str) -> str:
    return title.lower()


def nopunct(title: str) -> str:
    return " ".join(_PUNCT.sub("", title).replace("-", " ").replace("/", " ").split())


def typo(title: str, rng: random.Random) -> str:
    words = list(re.finditer(r"[A-Za-z]{5,}", title))
    if not words:
        return title
    match = rng.choice(words)
    word = match.group(0)
    at = rng.randrange(1, len(word) - 1)
    letters = [c for c in "abcdefghijklmnopqrstuvwxyz" if c != word[at].lower()]
    changed = word[:at] + rng.choice(letters) + word[at + 1:]
    return title[: match.start()] + changed + title[match.end():]


def _sentence(abstract: str, rng: random.Random) -> str | None:
    sentences = [s for s in re.split(r"(?<=[.!?])\s+", abstract) if 10 <= len(s.split()) <= 30]
    return rng.choice(sentences) if sentences else None


def build_queries(docs: Sequence[BenchDoc], known: int, sentences: int, seed: int = SEED) -> list[EvalQuery]:
    rng = random.Random(seed)
    titled = [d for d in docs if len(text(d, "title").split()) >= 2]
    out: list[EvalQuery] = []
    for doc in rng.sample(titled, min(known, len(titled))):
        title = text(doc, "title")
        out.append(EvalQuery("typed", title, doc["pid"]))
        out.append(EvalQuery("lower", lower(title), doc["pid"]))
        out.append(EvalQuery("nopunct", nopunct(title), doc["pid"]))
        out.append(EvalQuery("typo", typo(title, rng), doc["pid"]))
    spelled = [d for d in titled if british(text(d, "title")) != text(d, "title")]
    for doc in rng.sample(spelled, min(known, len(spelled))):
        out.append(EvalQuery("british", british(text(doc, "title")), doc["pid"]))
    with_abstract = [d for d in docs if len(text(d, "abstract").split()) >= 30]
    for doc in rng.sample(with_abstract, min(sentences * 2, len(with_abstract))):
        sentence = _sentence(text(doc, "abstract"), rng)
        if sentence is not None and sum(q.cls == "sentence" for q in out) < sentences:
            out.append(EvalQuery("sentence", sentence, doc["pid"]))
    return out


# -- engines --------------------------------------------------------------------------------------


def lectern_search(library: Library) -> Search:
    def search(query: str) -> list[int]:
        try:
            return library.search(query, limit=TOP).ids
        except InvalidQueryError:
            return []

    return search


def fts_search(conn: sqlite3.Connection) -> Search:
    sql = baselines.fts_sql(baselines.fts_columns(conn)).top

    def search(query: str) -> list[int]:
        words = re.findall(r"\w+", query)
        if not words:
            return []
        match = " OR ".join(f'"{w}"' for w in words)
        return [int(r[0]) for r in conn.execute(sql, (match,)).fetchall()[:TOP]]

    return search


def whoosh_search(path: Path) -> tuple[Search, Callable[[], None]]:
    ix = whoosh_index.open_dir(str(path))
    searcher = ix.searcher()
    parser = qparser.MultifieldParser(list(DEFAULT_FIELDS), ix.schema, group=qparser.OrGroup)

    def search(query: str) -> list[int]:
        try:
            parsed = parser.parse(query)
        except Exception:  # raw Whoosh's parser fails on some pasted text; a miss
            return []
        return [hit["pid"] for hit in searcher.search(parsed, limit=TOP)]

    def close() -> None:
        searcher.close()
        ix.close()

    return search, close


# -- scoring --------------------------------------------------------------------------------------


def _norm(title: str) -> str:
    return " ".join(re.sub(r"\W+", " ", title.lower()).split())


def _same_title(docs: Sequence[BenchDoc]) -> dict[int, set[int]]:
    by_title: dict[str, set[int]] = {}
    for doc in docs:
        by_title.setdefault(_norm(text(doc, "title")), set()).add(doc["pid"])
    return {doc["pid"]: by_title[_norm(text(doc, "title"))] for doc in docs}


def sweep_markdown(swept: dict[str, dict[str, Any]]) -> str:
    classes = [c for c in CLASSES if c in next(iter(swept.values()))]
    lines = ["| setting | " + " | ".join(classes) + " | mean ms |", "|" + "---|" * (len(classes) + 2)]
    for name, table in swept.items():
        lines.append(f"| {name} | " + " | ".join(f"{table[c]['mrr']:.3f}" for c in classes)
                     + f" | {table['_ms']['mean']:.1f} |")
    return "\n".join(lines)


def evaluate(search: Search, queries: Sequence[EvalQuery], same_title: dict[int, set[int]]) -> dict[str, Any]:
    per: dict[str, list[int | None]] = {c: [] for c in CLASSES}
    took: list[float] = []
    for q in queries:
        start = time.perf_counter()
        found = search(q.text)[:TOP]
        took.append(time.perf_counter() - start)
        targets = same_title[q.pid]
        rank = next((i for i, pid in enumerate(found) if pid in targets), None)
        per[q.cls].append(rank)
    table: dict[str, Any] = {}
    for cls, ranks in per.items():
        if not ranks:
            continue
        n = len(ranks)
        table[cls] = {
            "n": n,
            "s1": sum(r == 0 for r in ranks) / n,
            "s10": sum(r is not None for r in ranks) / n,
            "mrr": sum(1 / (r + 1) for r in ranks if r is not None) / n,
        }
    took.sort()
    table["_ms"] = {"mean": 1000 * sum(took) / len(took), "p95": 1000 * took[int(0.95 * (len(took) - 1))]}
    return table


def markdown(results: dict[str, dict[str, Any]]) -> str:
    head = "| queries | n | " + " | ".join(f"{e} s@1 | {e} s@10 | {e} MRR" for e in results) + " |"
    lines = [head, "|" + "---|" * (2 + 3 * len(results))]
    first = next(iter(results.values()))
    for cls in CLASSES:
        if cls not in first:
            continue
        cells = [cls, str(first[cls]["n"])]
        for table in results.values():
            row = table[cls]
            cells += [f"{row['s1']:.3f}", f"{row['s10']:.3f}", f"{row['mrr']:.3f}"]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines.append("| engine | mean ms/query | p95 ms |")
    lines.append("|---|---|---|")
    for engine, table in results.items():
        lines.append(f"| {engine} | {table['_ms']['mean']:.1f} | {table['_ms']['p95']:.1f} |")
    return "\n".join(lines)


# -- the run --------------------------------------------------------------------------------------


def prepare(corpus: Path, work: Path) -> tuple[Path, Path]:
    """A Lectern library of the corpus and its document dump in ``work`` (kept and reused when there)."""
    lib_dir, docs_path = work / "lectern-library", work / "docs.jsonl"
    if not importable_files(corpus):
        raise SystemExit(f"no files under {corpus}")
    if not docs_path.exists() or not docs_path.stat().st_size:
        library = Library.open(lib_dir)
        try:
            library.import_files(importable_files(corpus))
            library.catch_up_index()
            write_docs(_docs(library), docs_path)
        finally:
            library.close()
    return lib_dir, docs_path


def baselines_for(docs_path: Path, work: Path) -> tuple[Path, Path]:
    index, database = work / "raw-whoosh", work / "fts5.sqlite"
    if not index.exists():
        baselines.whoosh_build({"docs": str(docs_path), "index": str(index)})
    if not database.exists():
        baselines.fts_build({"docs": str(docs_path), "database": str(database)})
    return index, database


def run(corpus: Path, work: Path, known: int, sentences: int,
        baseline_engines: bool = True) -> tuple[dict[str, dict[str, Any]], list[EvalQuery]]:
    lib_dir, docs_path = prepare(corpus, work)
    index, database = baselines_for(docs_path, work)
    docs = read_docs(docs_path)
    queries = build_queries(docs, known, sentences)
    same_title = _same_title(docs)
    del docs
    results: dict[str, dict[str, Any]] = {}
    library = Library.open(lib_dir, readonly=True)
    try:
        results["lectern"] = evaluate(lectern_search(library), queries, same_title)
    finally:
        library.close()
    if not baseline_engines:
        return results, queries
    conn = sqlite3.connect(database)
    try:
        results["fts5"] = evaluate(fts_search(conn), queries, same_title)
    finally:
        conn.close()
    search, close = whoosh_search(index)
    try:
        results["whoosh"] = evaluate(search, queries, same_title)
    finally:
        close()
    return results, queries


SWEEP: tuple[tuple[str, dict[str, float]], ...] = (
    ("default", {}),
    ("title 1.5", {"title": 1.5}), ("title 4", {"title": 4.0}),
    ("coordination 0", {"coordination": 0.0}), ("coordination 1", {"coordination": 1.0}),
    ("coordination 3", {"coordination": 3.0}),
    ("b 0.4", {"b": 0.4}), ("b 0.9", {"b": 0.9}), ("k1 0.8", {"k1": 0.8}), ("k1 1.8", {"k1": 1.8}),
    ("stop words 0", {"stop": 0.0}), ("stop words 1", {"stop": 1.0}),
)


def sweep(lib_dir: Path, queries: Sequence[EvalQuery], same_title: dict[int, set[int]]) -> dict[str, dict[str, Any]]:
    """Lectern alone with one knob changed at a time (field weights, BM25's k1 and b, coordination)."""
    import dataclasses

    from desktop_app.search import query as query_module
    from desktop_app.search import ranked, schema

    base_params, base_title, base_stop = ranked.PARAMS, schema.FIELD_WEIGHTS["title"], query_module.STOP_WORD_WEIGHT
    out: dict[str, dict[str, Any]] = {}
    library = Library.open(lib_dir, readonly=True)
    try:
        for name, change in SWEEP:
            knobs = {k: v for k, v in change.items() if k in ("k1", "b", "coordination")}
            ranked.PARAMS = dataclasses.replace(base_params, **knobs)
            schema.FIELD_WEIGHTS["title"] = change.get("title", base_title)
            query_module.STOP_WORD_WEIGHT = change.get("stop", base_stop)
            out[name] = evaluate(lectern_search(library), queries, same_title)
            print(f"sweep {name}: " + ", ".join(f"{c} {out[name][c]['mrr']:.3f}" for c in CLASSES
                                                 if c in out[name]), file=sys.stderr, flush=True)
    finally:
        ranked.PARAMS, schema.FIELD_WEIGHTS["title"], query_module.STOP_WORD_WEIGHT = base_params, base_title, base_stop
        library.close()
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--known", type=int, default=400, help="papers searched by their title (x5 noise classes)")
    parser.add_argument("--sentences", type=int, default=300, help="abstract sentences searched")
    parser.add_argument("--workdir", type=Path, default=None, help="keep the library and baselines here for reuse")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--sweep", action="store_true", help="also run Lectern with each ranking knob changed")
    parser.add_argument("--skip-baselines", action="store_true", help="Lectern only (for a quick sweep)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lectern-eval-") as tmp:
        work = args.workdir or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results, queries = run(args.corpus.resolve(), work, args.known, args.sentences, not args.skip_baselines)
        if args.sweep:
            same = _same_title(read_docs(work / "docs.jsonl"))
            swept = sweep(work / "lectern-library", queries, same)
    table = markdown(results)
    if args.sweep:
        table += "\n\nLectern with one knob changed (MRR per class):\n\n" + sweep_markdown(swept)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.out / f"eval-search-{stamp}.md").write_text(table + "\n", encoding="utf-8")
    (args.out / f"eval-search-{stamp}.json").write_text(
        json.dumps({"results": results, "queries": [q.__dict__ for q in queries]}, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
