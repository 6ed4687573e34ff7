"""The benchmark harness still runs end to end (tiny corpus, one pass) and reports every query class.

Timings are not checked: this only keeps ``tests/benchmarks`` from rotting.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from tests.benchmarks import run
from tests.benchmarks.queries import CLASSES

WORDS = (
    "transformer attention pruning sparse graph neural network retrieval language model "
    "reinforcement learning policy gradient diffusion image segmentation benchmark dataset "
    "optimisation convergence kernel bayesian inference variational adversarial robustness "
    "federated privacy contrastive representation embedding translation speech"
).split()


def _records(n: int) -> list[dict[str, object]]:
    rng = random.Random(3)
    out = []
    for i in range(n):
        title = " ".join(rng.choice(WORDS).capitalize() for _ in range(5)) + f" {i}"
        abstract = ". ".join(" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() for _ in range(4)) + "."
        year = 2015 + i % 8
        out.append({
            "title": title,
            "author": f"Ada Lovelace{i % 7};Alan Turing{i % 5}",
            "abstract": abstract,
            "keywords": ";".join(rng.sample(WORDS, 3)),
            "site": f"https://example.org/{i}",
            "bibtex": f"@inproceedings{{p{i},\n title = {{{title}}},\n year = {{{year}}},\n booktitle = {{Bench Conf}}\n}}",
        })
    return out


def test_harness_writes_markdown_and_json_with_every_class(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "papers.json").write_text(json.dumps(_records(50)), encoding="utf-8")
    out = tmp_path / "results"

    assert run.main(["--corpus", str(corpus), "--scale", "60", "--passes", "1", "--opens", "1",
                     "--out", str(out)]) == 0

    [md_file] = out.glob("*.md")
    [json_file] = out.glob("*.json")
    markdown = md_file.read_text(encoding="utf-8")
    data = json.loads(json_file.read_text(encoding="utf-8"))
    for label in CLASSES.values():
        assert f"| {label} |" in markdown
    assert set(data["summary"]["classes"]) == set(CLASSES)
    for cls, row in data["summary"]["classes"].items():
        assert row["lectern"] is not None and row["lectern"]["n"] > 0, cls
    assert data["results"]["whoosh"]["queries"]["queries"]
    assert data["results"]["fts"]["queries"]["queries"]
    assert data["summary"]["targets"]
    assert "## Targets" in markdown and "raw Whoosh" in markdown and "FTS5" in markdown
