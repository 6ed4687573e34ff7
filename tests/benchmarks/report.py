"""Turn one run's raw results into the summary tables, ratios and target checks (markdown and JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.benchmarks.measure import median, percentile
from tests.benchmarks.queries import CLASSES, LECTERN_ONLY

LARGE_LIBRARY = 50_000
STORE_TARGET = 1000.0
INDEX_RATIO_TARGET = 2.0
EDIT_TARGET_MS = 200.0
OPEN_TARGET_MS = 1000.0
EXPORT_BYTES_MB = 2**20


@dataclass(frozen=True)
class ClassStats:
    n: int
    errors: int
    p50: float
    p95: float
    cpu_p50: float
    p95_samples: float


def class_stats(entries: Sequence[dict[str, Any]]) -> ClassStats | None:
    valid = [e for e in entries if not e["error"]]
    if not entries:
        return None
    walls = [e["wall_median_ms"] for e in valid]
    cpus = [e["cpu_median_ms"] for e in valid]
    samples = [r["wall_ms"] for e in valid for r in (e["runs"] or [e["first"]])]
    nan = float("nan")
    return ClassStats(
        n=len(valid), errors=len(entries) - len(valid),
        p50=median(walls) if walls else nan, p95=percentile(walls, 95) if walls else nan,
        cpu_p50=median(cpus) if cpus else nan, p95_samples=percentile(samples, 95) if samples else nan,
    )


def budget_ms(cls: str, papers: int) -> float:
    """The issue's p95 budget for a class at this library size."""
    large = papers >= LARGE_LIBRARY
    base = cls.removesuffix("_all")
    if base in ("title", "sentence"):  # issue 10: ranked 10-25 word queries
        return 150.0
    if large:
        return 500.0 if base in ("prefix", "fuzzy") else 150.0
    return 150.0 if base in ("prefix", "fuzzy", "related") else 50.0


def _by_class(entries: Sequence[dict[str, Any]] | None) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for e in entries or []:
        out.setdefault(e["cls"], []).append(e)
    return out


def _ms(value: float | None) -> str:
    if value is None or value != value or value < 0:
        return "—"
    if value < 10:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or a != a or b != b or b <= 0:
        return "—"
    return f"{a / b:.2f}x"


def _rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("nan")


def _mark(ok: bool | None) -> str:
    return "n/a" if ok is None else ("**met**" if ok else "**MISSED**")


def _mb(n: float) -> str:
    return f"{n / 2**20:,.1f}"


def summarise(results: dict[str, Any]) -> dict[str, Any]:
    """Class statistics, per-query comparisons, ratios and target checks, all from this run."""
    lectern = results["lectern"]
    whoosh = results.get("whoosh")
    fts = results.get("fts")
    papers = int(lectern["index"]["papers"])
    by = {"lectern": _by_class(lectern["queries"]["queries"]),
          "whoosh": _by_class(whoosh["queries"]["queries"]) if whoosh else {},
          "fts": _by_class(fts["queries"]["queries"]) if fts else {}}
    classes: dict[str, Any] = {}
    slower: dict[str, list[str]] = {}
    for cls in CLASSES:
        row: dict[str, Any] = {"label": CLASSES[cls], "budget_p95_ms": budget_ms(cls, papers)}
        for engine in by:
            stats = class_stats(by[engine].get(cls, []))
            row[engine] = stats.__dict__ if stats else None
        pairs = list(zip(by["lectern"].get(cls, []), by["whoosh"].get(cls, []), strict=False))
        slower[cls] = [le["text"] for le, we in pairs
                       if not le["error"] and not we["error"] and le["wall_median_ms"] > we["wall_median_ms"]]
        row["slower_than_whoosh"] = len(slower[cls])
        row["compared_with_whoosh"] = len(pairs)
        overlaps = [_overlap(le["top"], we["top"]) for le, we in pairs if not le["error"] and not we["error"]]
        row["top_overlap_with_whoosh"] = median(overlaps) if overlaps else None
        lp95 = row["lectern"]["p95"] if row["lectern"] else None
        row["met"] = None if lp95 is None else lp95 <= row["budget_p95_ms"]
        classes[cls] = row
    return {"papers": papers, "classes": classes, "slower_queries": slower, "targets": _targets(results, classes, papers)}


def _overlap(a: Sequence[int], b: Sequence[int]) -> float:
    if not a and not b:
        return 1.0
    return len(set(a) & set(b)) / max(1, min(max(len(a), len(b)), 20))


def _targets(results: dict[str, Any], classes: dict[str, Any], papers: int) -> list[dict[str, Any]]:
    lectern = results["lectern"]
    whoosh = results.get("whoosh")
    large = papers >= LARGE_LIBRARY
    out: list[dict[str, Any]] = []

    def add(name: str, measured: str, ok: bool | None, note: str = "") -> None:
        out.append({"target": name, "measured": measured, "met": ok, "note": note})

    store = lectern["store"]
    store_rate = _rate(store["imported"] + store["merged"], store["wall_s"])
    add("store ≥ 1,000 papers/s end to end (parse + store)", f"{store_rate:,.0f} papers/s", store_rate >= STORE_TARGET)
    index = lectern["index"]
    index_rate = _rate(index["written"], index["wall_s"])
    if whoosh:
        raw_rate = _rate(whoosh["build"]["docs"], whoosh["build"]["wall_s"])
        add("index build rate ≥ 2x raw Whoosh default", f"{index_rate / raw_rate:.2f}x ({index_rate:,.0f} vs {raw_rate:,.0f} papers/s)",
            index_rate / raw_rate >= INDEX_RATIO_TARGET)
    scale = "100k" if large else "12k"
    for cls, row in classes.items():
        if row["lectern"] is None:
            continue
        note = "GUI table (all hits); not in the issue's list" if cls in LECTERN_ONLY else ""
        add(f"{row['label']}: p95 ≤ {row['budget_p95_ms']:.0f} ms at {scale}", f"{_ms(row['lectern']['p95'])} ms",
            row["met"], note)
    if whoosh:
        total = sum(row["compared_with_whoosh"] for row in classes.values())
        slow = sum(row["slower_than_whoosh"] for row in classes.values())
        add("Lectern never slower than raw Whoosh on the same query", f"slower on {slow} of {total} queries", slow == 0)
    edits = lectern["edits"]["edits"]
    for name in ("tag (foreground)", "note (foreground)", "tag (background indexer)", "note (background indexer)"):
        e = edits[name]
        worst = e["max_ms"]
        add(f"{name} edit visible in search ≤ 200 ms" + ("" if large else " (stated for 100k)"),
            f"median {_ms(e['median_ms'])} ms, max {_ms(worst)} ms", 0 <= worst <= EDIT_TARGET_MS)
    opens = [o["open_plus_first_query_ms"] for o in lectern["open"]]
    imports = median([o["imports_ms"] for o in lectern["open"]])
    value = median(opens)
    add("open library + first query ≤ 1 s" + ("" if large else " (stated for 100k)"),
        f"{_ms(value)} ms (+ {_ms(imports)} ms module imports)", value <= OPEN_TARGET_MS)
    return out


def markdown(results: dict[str, Any], summary: dict[str, Any]) -> str:
    meta = results["meta"]
    lectern = results["lectern"]
    whoosh = results.get("whoosh")
    fts = results.get("fts")
    papers = summary["papers"]
    store, index, parse = lectern["store"], lectern["index"], lectern["parse"]
    lines: list[str] = []
    w = lines.append
    w(f"# Lectern benchmark: {papers:,} papers")
    w("")
    w(f"Run {meta['started']} · commit `{meta['commit']}` (sources hash `{meta.get('source_hash', '?')}`, copied at the start) · {meta['cpus']} CPUs · load average "
      f"{meta['load_before']} → {meta['load_after']} · Python {meta['python']} · whoosh-reloaded "
      f"{meta['whoosh']} · SQLite {meta['sqlite']} · {meta['passes']} timed passes per query after one "
      f"warm-up run (a query slower than 2 s gets 3) · whole run {meta['elapsed_s'] / 60:.1f} min")
    w("")
    corpus = results["corpus"]
    w(f"Corpus: `{corpus['source']}`: {corpus['how']} ({corpus['files']} files). Lectern stored "
      f"{store['imported']:,} papers, merged {store['merged']:,} duplicates, reported {store['problems']} problems.")
    w("")
    w("Times are wall clock unless marked CPU (process CPU time, all threads). Compare only figures of one run. "
      "`—`: the engine has no such query.")
    w("")

    w("## Import and index build")
    w("")
    w("| phase | papers | wall s | CPU s | papers/s (wall) | papers/s (CPU) | peak RSS MB |")
    w("|---|--:|--:|--:|--:|--:|--:|")
    stored = store["imported"] + store["merged"]
    total_wall = store["wall_s"] + index["wall_s"]
    total_cpu = store["cpu_s"] + index["cpu_s"]

    def build_row(name: str, n: int, wall: float, cpu: float, rss: float | None) -> None:
        w(f"| {name} | {n:,} | {wall:,.1f} | {cpu:,.1f} | {_rate(n, wall):,.0f} | {_rate(n, cpu):,.0f} | "
          f"{'—' if rss is None else f'{rss:,.0f}'} |")

    build_row("Lectern parse only (`importing.read_file`, measured apart)", parse["papers"], parse["wall_s"],
              parse["cpu_s"], parse["process"]["peak_rss_mb"])
    build_row("Lectern store: parse + store (`import_files`)", stored, store["wall_s"], store["cpu_s"],
              store["process"]["peak_rss_mb"])
    build_row("Lectern index (`catch_up_index`)", index["written"], index["wall_s"], index["cpu_s"],
              index["peak_rss_mb_index"])
    build_row("**Lectern total (store + index)**", stored, total_wall, total_cpu, None)
    if whoosh:
        b = whoosh["build"]
        build_row("raw Whoosh build (`ix.writer()`, one commit)", b["docs"], b["wall_s"], b["cpu_s"],
                  whoosh["build"]["process"]["peak_rss_mb"])
    if fts:
        b = fts["build"]
        build_row("FTS5 build (one transaction)", b["docs"], b["wall_s"], b["cpu_s"], b["process"]["peak_rss_mb"])
    w("")
    segments = [f"{index['segments']} after indexing (the query phase ran on {lectern['queries'].get('segments', '?')})"
                if "segments" in index else "", f"{lectern['edits']['segments_after']} after the edits"
                if "segments_after" in lectern["edits"] else ""]
    if any(segments):
        w("Lectern paper index segments: " + ", ".join(s for s in segments if s) + ".")
        w("")
    batches = index.get("batches") or []
    steps = [(b[0] - a[0], b[1] - a[1]) for a, b in zip([(0, 0.0, 0.0), *batches], batches, strict=False)]
    if steps:
        slowest = max(steps, key=lambda s: s[1])
        last = next((s for s in reversed(steps) if s[0] > 0), steps[-1])
        w(f"Lectern index progress steps: {len(steps)}; first {steps[0][0]:,} papers at "
          f"{_rate(*steps[0]):,.0f} papers/s, last {last[0]:,} at {_rate(*last):,.0f} papers/s, "
          f"slowest step {slowest[1]:.1f} s for {slowest[0]:,} papers (a segment merge when it is much slower than the rest).")
        w("")
    if whoosh or fts:
        parts = []
        if whoosh:
            b = whoosh["build"]
            parts.append(f"Lectern index rate / raw Whoosh build rate = **{_ratio(_rate(index['written'], index['wall_s']), _rate(b['docs'], b['wall_s']))}** wall, "
                         f"{_ratio(_rate(index['written'], index['cpu_s']), _rate(b['docs'], b['cpu_s']))} CPU")
        if fts:
            b = fts["build"]
            parts.append(f"Lectern total rate / FTS5 build rate = {_ratio(_rate(stored, total_wall), _rate(b['docs'], b['wall_s']))} wall")
        w("Ratios (higher is better for Lectern): " + "; ".join(parts) + ".")
        w("")

    w("## Size on disk")
    w("")
    w("| store | MB | KB per paper |")
    w("|---|--:|--:|")
    sizes = index["sizes"]

    def size_row(name: str, n: int) -> None:
        w(f"| {name} | {_mb(n)} | {n / 1024 / max(papers, 1):.2f} |")

    size_row("Lectern database (SQLite + WAL)", sizes["database"])
    size_row("Lectern index (Whoosh papers + notes)", sizes["index"])
    size_row("**Lectern library (database + index)**", sizes["total"])
    size_row("Lectern backups folder (taken by the library itself)", sizes["backups"])
    if whoosh:
        size_row("raw Whoosh index (stores title + abstract)", whoosh["build"]["size_bytes"])
    if fts:
        size_row("FTS5 database (stores all six text fields)", fts["build"]["size_bytes"])
    w("")

    w(f"## Open an existing library and answer the first query (fresh subprocess, median of {len(lectern['open'])})")
    w("")
    w("| engine | module imports ms | open ms | first query ms | open + first query ms | whole subprocess ms |")
    w("|---|--:|--:|--:|--:|--:|")
    engines = [("Lectern (`Library.open` + `search`)", lectern["open"])]
    if whoosh:
        engines.append(("raw Whoosh (`open_dir` + searcher + search)", whoosh["open"]))
    if fts:
        engines.append(("FTS5 (`connect` + query)", fts["open"]))
    for name, runs in engines:
        w(f"| {name} | {_ms(median([r['imports_ms'] for r in runs]))} | {_ms(median([r['open_ms'] for r in runs]))} | "
          f"{_ms(median([r['first_query_ms'] for r in runs]))} | "
          f"{_ms(median([r['open_plus_first_query_ms'] for r in runs]))} | {_ms(median([r['process_ms'] for r in runs]))} |")
    w(f"\nFirst query: `{lectern['open'][0]['query']}`.")
    w("")

    w("## Query latency")
    w("")
    w("Per query: median over the timed passes; per class: median (p50) and p95 over the class's queries, ms. "
      "Lectern: `library.search(q, limit=20)` (+ `library.snippets(result, result.ids[:20])` for snippets; "
      "`library.related(pid, limit=10)`; `limit=None` for the *all hits* rows). "
      "Ratios are Lectern / baseline (lower is better for Lectern).")
    w("")
    w("| class | n | Lectern p50 | Lectern p95 | Lectern CPU p50 | raw Whoosh p50 | raw Whoosh p95 | FTS5 p50 | FTS5 p95 "
      "| L / raw p50 | L / raw p95 | L / FTS5 p50 | L / FTS5 p95 | Lectern slower than raw | top-20 overlap with raw | p95 budget | met |")
    w("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|")
    for row in summary["classes"].values():
        le, wh, ft = row["lectern"], row["whoosh"], row["fts"]
        if le is None:
            continue

        def get(stats: dict[str, Any] | None, key: str) -> float | None:
            return None if stats is None else stats[key]

        slower = f"{row['slower_than_whoosh']} of {row['compared_with_whoosh']}" if row["compared_with_whoosh"] else "—"
        overlap = "—" if row["top_overlap_with_whoosh"] is None else f"{row['top_overlap_with_whoosh']:.0%}"
        errors = f" ({le['errors']} errors)" if le["errors"] else ""
        w(f"| {row['label']} | {le['n']}{errors} | {_ms(le['p50'])} | {_ms(le['p95'])} | {_ms(le['cpu_p50'])} | "
          f"{_ms(get(wh, 'p50'))} | {_ms(get(wh, 'p95'))} | {_ms(get(ft, 'p50'))} | {_ms(get(ft, 'p95'))} | "
          f"{_ratio(le['p50'], get(wh, 'p50'))} | {_ratio(le['p95'], get(wh, 'p95'))} | "
          f"{_ratio(le['p50'], get(ft, 'p50'))} | {_ratio(le['p95'], get(ft, 'p95'))} | {slower} | {overlap} | "
          f"{row['budget_p95_ms']:.0f} | {_mark(row['met'])} |")
    w("")

    w("## Edits until visible in search")
    w("")
    w(f"From the edit call to the first search (`limit=None`) that returns the paper; {lectern['edits']['trials']} trials each. "
      "Foreground: no background indexer (the CLI); background: `start_background_indexing()` (the GUI). "
      "The title edit goes through the paper index (not in the issue's target).")
    w("")
    w("| edit | edit call ms | visible after ms (median) | max | CPU ms (median) | searches until visible | met (≤ 200 ms) |")
    w("|---|--:|--:|--:|--:|--:|---|")
    for name, e in lectern["edits"]["edits"].items():
        ok = None if name.startswith("title") else 0 <= e["max_ms"] <= EDIT_TARGET_MS
        w(f"| {name} | {_ms(e['edit_call_ms'])} | {_ms(e['median_ms'])} | {_ms(e['max_ms'])} | {_ms(e['cpu_median_ms'])} | "
          f"{', '.join(str(s) for s in e['searches'])}{' (timed out)' if e['timed_out'] else ''} | {_mark(ok)} |")
    w("")

    ex = lectern["export"]
    w("## Export")
    w("")
    w("| export | papers | wall ms (median of 3) | CPU ms | output MB | papers/s | peak RSS MB |")
    w("|---|--:|--:|--:|--:|--:|--:|")
    w(f"| `library.export(ids, \"bibtex\")` | {ex['papers']:,} | {_ms(ex['wall_ms'])} | {_ms(ex['cpu_ms'])} | "
      f"{ex['bytes'] / EXPORT_BYTES_MB:.1f} | {_rate(ex['papers'], ex['wall_ms'] / 1000):,.0f} | {ex['process']['peak_rss_mb']:,.0f} |")
    w("")

    w("## Peak memory (RSS of each phase's own process; its largest child process apart)")
    w("")
    w("| process | peak RSS MB | largest child MB | children CPU s |")
    w("|---|--:|--:|--:|")
    def proc(phase: dict[str, Any], rss: float | None = None) -> tuple[float, float, float]:
        p = phase["process"]
        return (p["peak_rss_mb"] if rss is None else rss, p.get("children_peak_rss_mb", 0.0), p.get("children_cpu_s", 0.0))

    rss_rows = [
        ("Lectern parse", proc(parse)),
        ("Lectern store (`import_files`)", proc(store)),
        ("Lectern index (`catch_up_index`, before the document dump)", proc(index, index["peak_rss_mb_index"])),
        ("Lectern open + first query", (max(o["peak_rss_mb"] for o in lectern["open"]), 0.0, 0.0)),
        ("Lectern queries (all classes)", proc(lectern["queries"])),
        ("Lectern edits (with background indexer)", proc(lectern["edits"])),
        ("Lectern export 10k BibTeX", proc(ex)),
    ]
    if whoosh:
        rss_rows += [("raw Whoosh build", proc(whoosh["build"])), ("raw Whoosh queries", proc(whoosh["queries"]))]
    if fts:
        rss_rows += [("FTS5 build", proc(fts["build"])), ("FTS5 queries", proc(fts["queries"]))]
    for name, (rss, child, child_cpu) in rss_rows:
        w(f"| {name} | {rss:,.0f} | {child:,.0f} | {child_cpu:,.1f} |")
    w("")

    w("## Targets")
    w("")
    w("| target | measured | result | note |")
    w("|---|---|---|---|")
    for t in summary["targets"]:
        w(f"| {t['target']} | {t['measured']} | {_mark(t['met'])} | {t['note']} |")
    w("")

    w("## Per query")
    w("")
    w("Wall ms (median over passes; first run in brackets), total hits Lectern / raw Whoosh / FTS5.")
    w("")
    w("| class | query | Lectern | raw Whoosh | FTS5 | hits L / W / F |")
    w("|---|---|--:|--:|--:|---|")
    engines_q = {"whoosh": _index_queries(whoosh), "fts": _index_queries(fts)}
    for e in lectern["queries"]["queries"]:
        key = (e["cls"], e["text"])
        wq = engines_q["whoosh"].get(key)
        fq = engines_q["fts"].get(key)
        hits = " / ".join("—" if q is None else ("err" if q["error"] else f"{q['hits']:,}") for q in (e, wq, fq))
        w(f"| {e['cls']} | `{e['text']}` | {_cell(e)} | {_cell(wq)} | {_cell(fq)} | {hits} |")
    failures = [(e["cls"], e["text"], e["error"]) for eng in (lectern, whoosh, fts) if eng
                for e in eng["queries"]["queries"] if e["error"]]
    if failures:
        w("")
        w("Errors:")
        w("")
        for cls, text, error in failures:
            w(f"- {cls} `{text}`: {error}")
    w("")
    return "\n".join(lines)


def _index_queries(engine: dict[str, Any] | None) -> dict[tuple[str, str], dict[str, Any]]:
    if not engine:
        return {}
    return {(e["cls"], e["text"]): e for e in engine["queries"]["queries"]}


def _cell(entry: dict[str, Any] | None) -> str:
    if entry is None:
        return "—"
    if entry["error"]:
        return "error"
    return f"{_ms(entry['wall_median_ms'])} ({_ms(entry['first']['wall_ms'])})"


def write(results: dict[str, Any], out_dir: Path, stem: str) -> tuple[Path, Path]:
    summary = summarise(results)
    out_dir.mkdir(parents=True, exist_ok=True)
    md_path = out_dir / f"{stem}.md"
    json_path = out_dir / f"{stem}.json"
    md_path.write_text(markdown(results, summary), encoding="utf-8")
    json_path.write_text(json.dumps({"summary": summary, "results": results}, indent=1, default=str),
                         encoding="utf-8")
    return md_path, json_path
