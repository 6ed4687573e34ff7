"""Screening benchmark: the simulation on the labelled corpus files next to a random order,
and the time to retrain and pick the next record at 10k records.

    python -m tests.benchmarks.screening --seeds 3            # both files, ranker and random
    python -m tests.benchmarks.screening --seeds 1 --latency-only

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

from desktop_app.review.ranker import DEFAULT_MODEL, MODELS, Ranker, build_features, record_text
from desktop_app.review.simulate import LabelledRecord, read_labelled_csv, simulate
from tests.conftest import CORPUS

SCREENING = CORPUS / "screening"
FILES = ("nagtegaal_2019.csv", "appenzeller_herzog_2019.csv")
PUBLISHED_WSS95 = {"nagtegaal_2019.csv": 71.7, "appenzeller_herzog_2019.csv": 83.4}
"""Best published ASReview WSS@95 per file (Ferdinands et al. 2023, Table 2; the corpus README)."""
METRICS = ("wss95", "wss100", "recall10", "recall25", "records95", "records100")
RESULTS = Path(__file__).resolve().parent / "results"


def load(name: str) -> list[LabelledRecord]:
    path = SCREENING / name
    return read_labelled_csv(path.read_text(encoding="utf-8"), str(path)).records


def run_file(name: str, models: list[str], seeds: int) -> list[dict[str, Any]]:
    records = load(name)
    rows = []
    for model in models:
        started = time.perf_counter()
        result = simulate(records, seeds, model)
        rows.append({"file": name, "model": model, "runs": seeds, "seconds": round(time.perf_counter() - started, 1),
                     **{m: (round(result.mean(m), 1), round(result.sd(m), 1)) for m in METRICS}})
        print(_row(rows[-1]), flush=True)
    return rows


def grown_texts(count: int, seed: int = 7) -> list[str]:
    """``count`` record texts: the corpus files' records, then copies with ~10 % of words swapped."""
    base = [record_text(r.title, r.abstract) for name in FILES for r in load(name)]
    rng = random.Random(seed)
    vocabulary = [w for text in base[:500] for w in text.split()]
    texts = list(base)
    while len(texts) < count:
        words = rng.choice(base).split()
        for i in range(len(words)):
            if rng.random() < 0.10:
                words[i] = rng.choice(vocabulary)
        texts.append(" ".join(words))
    return texts[:count]


def latency(count: int, model: str, repeats: int = 5) -> dict[str, Any]:
    """Feature build once; then retrain + pick the next record with growing numbers of decisions."""
    texts = grown_texts(count)
    started = time.perf_counter()
    features = build_features(texts)
    build = time.perf_counter() - started
    rng = np.random.default_rng(1)
    ranker = Ranker(features, model, seed=1)
    per_size = {}
    for labelled_count in (50, 500, 2000, 5000):
        labelled = rng.choice(count, size=labelled_count, replace=False)
        labels = (rng.random(labelled_count) < 0.05).astype(int)
        labels[0], labels[1] = 1, 0
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            scores = ranker.scores(labelled.tolist(), labels.tolist())
            scores[labelled] = -np.inf
            int(np.argmax(scores))
            times.append(1000 * (time.perf_counter() - started))
        per_size[labelled_count] = {"median_ms": round(statistics.median(times), 1), "max_ms": round(max(times), 1)}
    return {"records": count, "model": model, "features": features.shape[1], "build_seconds": round(build, 2),
            "retrain_and_pick": per_size}


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
    parser.add_argument("--model", choices=MODELS, default=DEFAULT_MODEL)
    parser.add_argument("--files", nargs="+", default=list(FILES))
    parser.add_argument("--latency-records", type=int, default=10_000)
    parser.add_argument("--latency-only", action="store_true")
    parser.add_argument("--no-latency", action="store_true")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    rows: list[dict[str, Any]] = []
    if not args.latency_only:
        print(table([]))
        for name in args.files:
            rows.extend(run_file(name, [args.model, "random"], args.seeds))
    timing = None if args.no_latency else latency(args.latency_records, args.model)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    args.out.mkdir(parents=True, exist_ok=True)
    lines = ["# Screening benchmark", "", f"{time.strftime('%Y-%m-%d %H:%M')}, mean ± sd over runs; "
             "priors counted as screened.", ""]
    if rows:
        lines += [table(rows), ""]
    if timing:
        lines += [f"Retrain + pick next at {timing['records']:,} records ({timing['model']}, "
                  f"{timing['features']:,} features, built in {timing['build_seconds']} s):", ""]
        lines += [f"- {n:,} decisions: median {t['median_ms']} ms, max {t['max_ms']} ms"
                  for n, t in timing["retrain_and_pick"].items()]
    text = "\n".join(lines) + "\n"
    (args.out / f"screening-{stamp}.md").write_text(text, encoding="utf-8")
    (args.out / f"screening-{stamp}.json").write_text(json.dumps({"rows": rows, "latency": timing}, indent=2),
                                                       encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
