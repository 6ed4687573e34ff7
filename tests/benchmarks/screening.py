"""Screening benchmark: the simulation on the labelled corpus files next to a random order,
and the time to retrain and pick the next record at 10k records.

    python -m tests.benchmarks.screening --seeds 3            # both files, ranker and random
    python -m tests.benchmarks.screening --seeds 1 --latency-only
    python -m tests.benchmarks.screening --seeds 5 --configs all --jobs 2 --no-latency   # every recipe

``--configs`` names recipes from ``CONFIGS`` (the known-good choices of the screening
literature that were compared; the same seeds for all of them, and always a random row).

Writes ``tests/benchmarks/results/screening-<time>.md`` and ``.json`` and prints the table.
Mean ± sd over runs; each run starts from its own random relevant + irrelevant prior.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.review.ranker import (
    DEFAULT_MODEL,
    Ranker,
    Recipe,
    features_for,
    recipe_named,
    record_text,
)
from desktop_app.review.simulate import LabelledRecord, read_labelled_csv, simulate
from tests.conftest import CORPUS

SCREENING = CORPUS / "screening"
FILES = ("nagtegaal_2019.csv", "appenzeller_herzog_2019.csv")
PUBLISHED_WSS95 = {"nagtegaal_2019.csv": 71.7, "appenzeller_herzog_2019.csv": 83.4}
"""Best published ASReview WSS@95 per file (Ferdinands et al. 2023, Table 2; the corpus README)."""
METRICS = ("wss95", "wss100", "recall10", "recall25", "records95", "records100")
RESULTS = Path(__file__).resolve().parent / "results"
CONFIGS: dict[str, str | Recipe] = {
    "random": "random",
    "svm-words": Recipe.of(("svm", "words")),  # ASReview 2's default (ELAS u4: relevant-heavy weights)
    "svm-words+chars": Recipe.of(("svm", "words+chars")),
    "svm-words+svm-words+chars": Recipe.of(("svm", "words"), ("svm", "words+chars")),  # Lectern's default
    "svm-words+svm-chars": Recipe.of(("svm", "words"), ("svm", "chars")),
    "svm-words+svm-chars+svm-words+chars": Recipe.of(("svm", "words"), ("svm", "chars"), ("svm", "words+chars")),
    "svm-words-balanced": Recipe.of(("svm", "words", "balanced")),
    "svm-words+chars-balanced": Recipe.of(("svm", "words+chars", "balanced")),  # the previous default
    "svm-words+svm-words+chars-balanced": Recipe.of(("svm", "words", "balanced"), ("svm", "words+chars", "balanced")),
    "nb-unigrams-double": Recipe.of(("nb", "unigrams", "double")),  # ASReview 1's default
    "lr-words": Recipe.of(("lr", "words")),
    "svm+nb-words+chars": Recipe.of(("svm", "words+chars"), ("nb", "words+chars")),
}
"""Recipes compared in the benchmark; ``random`` always runs beside them."""


def load(name: str) -> list[LabelledRecord]:
    path = SCREENING / name
    return read_labelled_csv(path.read_text(encoding="utf-8"), str(path)).records


def run_one(name: str, config: str, seeds: int) -> dict[str, Any]:
    """One configuration on one file: ``seeds`` runs from seeds 0, 1, ... (the same for every config)."""
    model = CONFIGS.get(config, config)
    started = time.perf_counter()
    def progress(seed: int, run: Any) -> None:  # partial results survive an interrupted benchmark
        print(f"# {name} {config} seed {seed}: WSS@95 {run.wss95:.1f}, records to 95 % {run.records95}", flush=True)

    result = simulate(load(name), seeds, model, on_run=progress)
    row = {"file": name, "model": config, "runs": seeds, "seconds": round(time.perf_counter() - started, 1),
           **{m: (round(result.mean(m), 1), round(result.sd(m), 1)) for m in METRICS},
           "per_run": [run.as_dict() for run in result.metrics]}
    print(_row(row), flush=True)
    return row


def run_all(files: list[str], configs: list[str], seeds: int, jobs: int) -> list[dict[str, Any]]:
    tasks = [(name, config) for config in configs for name in files]
    if jobs <= 1:
        return [run_one(name, config, seeds) for name, config in tasks]
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(run_one, name, config, seeds) for name, config in tasks]
        return [future.result() for future in futures]


def grown_texts(count: int, seed: int = 7) -> tuple[list[str], list[int]]:
    """``count`` record texts with labels: the corpus files' records, then copies with ~10 % of
    words swapped, each labelled like the record it copies (so fits see realistic labels)."""
    base = [(record_text(r.title, r.abstract), int(r.relevant)) for name in FILES for r in load(name)]
    rng = random.Random(seed)
    vocabulary = [w for text, _ in base[:500] for w in text.split()]
    texts = list(base)
    while len(texts) < count:
        text, label = rng.choice(base)
        words = text.split()
        for i in range(len(words)):
            if rng.random() < 0.10:
                words[i] = rng.choice(vocabulary)
        texts.append((" ".join(words), label))
    return [t for t, _ in texts[:count]], [label for _, label in texts[:count]]


def latency(count: int, configs: list[str], repeats: int = 5) -> list[dict[str, Any]]:
    """Features built once per kind; then, per configuration, retrain + pick the next record
    after 50, 500 and 5,000 decisions (random records, their corpus labels)."""
    texts, truth = grown_texts(count)
    built: dict[str, Any] = {}
    results = []
    for config in configs:
        model = CONFIGS.get(config, config)
        recipe = model if isinstance(model, Recipe) else recipe_named(model)
        started = time.perf_counter()
        kinds = recipe.feature_kinds if recipe else ()
        for kind in kinds:
            if kind not in built:
                built[kind] = features_for(texts, Recipe.of(("svm", kind)))[kind]
        build = time.perf_counter() - started
        ranker = Ranker(count, {kind: built[kind] for kind in kinds}, model, seed=1)
        rng = np.random.default_rng(1)
        per_size = {}
        for labelled_count in (50, 500, 5000):
            labelled = rng.choice(count, size=labelled_count, replace=False)
            labels = [truth[i] for i in labelled]
            labels[0] = 1 - labels[1]
            times = []
            for _ in range(repeats):
                started = time.perf_counter()
                scores = ranker.scores(labelled.tolist(), labels)
                scores[labelled] = -np.inf
                int(np.argmax(scores))
                times.append(1000 * (time.perf_counter() - started))
            per_size[labelled_count] = {"median_ms": round(statistics.median(times), 1),
                                        "max_ms": round(max(times), 1)}
        results.append({"records": count, "model": config, "build_seconds": round(build, 2),
                        "features": {kind: built[kind].shape[1] for kind in kinds}, "retrain_and_pick": per_size})
        print(results[-1], flush=True)
    return results


def _row(row: dict[str, Any]) -> str:
    cells = [row["file"], row["model"], str(row["runs"])]
    cells += [f"{row[m][0]:.1f} ± {row[m][1]:.1f}" for m in METRICS]
    published = PUBLISHED_WSS95.get(row["file"])
    cells.append(f"{published}" if row["model"] != "random" and published else "")
    return "| " + " | ".join(cells) + " |"


def table(rows: list[dict[str, Any]]) -> str:
    head = ("| file | model | runs | WSS@95 | WSS@100 | recall@10 % | recall@25 % | records to 95 % | records to 100 % "
            "| ASReview best WSS@95 |")
    return "\n".join([head, "|" + "---|" * 10, *(_row(r) for r in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--configs", nargs="+", default=[DEFAULT_MODEL],
                        help=f"recipe names ({', '.join(CONFIGS)}) or product model names, or 'all'")
    parser.add_argument("--jobs", type=int, default=1, help="simulations in parallel processes")
    parser.add_argument("--files", nargs="+", default=list(FILES))
    parser.add_argument("--latency-records", type=int, default=10_000)
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    if not args.latency_only:
        configs = list(CONFIGS) if args.configs == ["all"] else [c for c in args.configs if c != "random"]
        configs = ["random", *(c for c in configs if c != "random")]
        print(table([]))
        rows = run_all(args.files, configs, args.seeds, args.jobs)
        rows.sort(key=lambda row: (args.files.index(row["file"]), configs.index(row["model"])))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    if rows:  # kept even if the latency part fails or is interrupted
        write_report(args.out, stamp, rows, [], args.latency_records)
    latency_configs = list(CONFIGS) if args.configs == ["all"] else args.configs
    timing = [] if args.no_latency else latency(args.latency_records, latency_configs)
    print(write_report(args.out, stamp, rows, timing, args.latency_records))


def write_report(out: Path, stamp: str, rows: list[dict[str, Any]], timing: list[dict[str, Any]],
                 latency_records: int) -> str:
    """Write ``screening-<stamp>.md`` and ``.json`` under ``out``; returns the Markdown."""
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# Screening benchmark", "", f"{time.strftime('%Y-%m-%d %H:%M')}, mean ± sd over runs; "
             "priors counted as screened.", ""]
    if rows:
        lines += [table(rows), ""]
    if timing:
        lines += [f"Retrain + pick next at {latency_records:,} records (median / max of 5, ms; "
                  "features built once per kind, seconds):", "",
                  "| model | features built | 50 decisions | 500 decisions | 5,000 decisions |", "|---|---|---|---|---|"]
        lines += [f"| {t['model']} | {t['build_seconds']} s | "
                  + " | ".join(f"{v['median_ms']} / {v['max_ms']}" for v in t["retrain_and_pick"].values()) + " |"
                  for t in timing]
    text = "\n".join(lines) + "\n"
    (out / f"screening-{stamp}.md").write_text(text, encoding="utf-8")
    (out / f"screening-{stamp}.json").write_text(json.dumps({"rows": rows, "latency": timing}, indent=2),
                                                 encoding="utf-8")
    return text

if __name__ == "__main__":
    main()
