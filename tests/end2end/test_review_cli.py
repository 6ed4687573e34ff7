"""``lectern review``: the simulation on a small synthetic labelled file, and a review end to end."""

from __future__ import annotations

import csv
import json
import random
from io import StringIO
from pathlib import Path

import pytest

from desktop_app.cli import run
from desktop_app.review.metrics import RunMetrics

TOPIC = ["zinc", "chelation", "penicillamine", "trientine", "copper", "hepatic", "trial", "wilson"]
OTHER = ["galaxy", "telescope", "protein", "soil", "bridge", "voltage", "poetry", "market", "rainfall",
         "enzyme", "orbit", "turbine", "novel", "tariff", "glacier", "circuit"]


def write_labelled_file(path: Path, records: int = 80, relevant: int = 8, seed: int = 3) -> list[str]:
    """A labelled CSV whose relevant records share a vocabulary; returns the relevant ids."""
    rng = random.Random(seed)
    rows = []
    for i in range(records):
        is_relevant = i < relevant
        words = [rng.choice(TOPIC if is_relevant and rng.random() < 0.6 else OTHER) for _ in range(30)]
        rows.append({"record_id": f"r{i:03d}", "title": " ".join(words[:6]), "abstract": " ".join(words[6:]),
                     "label_included": "1" if is_relevant else "0", "doi": "", "year": "", "authors": "",
                     "source_id": str(i)})
    rng.shuffle(rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return [r["record_id"] for r in rows if r["label_included"] == "1"]


def lectern(*argv: str) -> tuple[int, str, str]:
    out, err = StringIO(), StringIO()
    code = run(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_simulation_writes_one_complete_order_per_seed(tmp_path: Path) -> None:
    labelled = tmp_path / "synthetic.csv"
    relevant = set(write_labelled_file(labelled))
    order_file = tmp_path / "order.json"
    code, out, err = lectern("review", "simulate", str(labelled), "--seeds", "3", "--order-out", str(order_file))
    assert code == 0, err
    orders = json.loads(order_file.read_text(encoding="utf-8"))
    assert len(orders) == 3
    all_ids = {f"r{i:03d}" for i in range(80)}
    for order in orders:
        assert len(order) == 80 and set(order) == all_ids
        assert order[0] in relevant and order[1] not in relevant  # the priors
        metrics = RunMetrics.of([int(r in relevant) for r in order])
        assert metrics.wss95 > 40  # the shared vocabulary makes this easy; random order scores ~0
    assert len({tuple(o[:2]) for o in orders}) > 1  # different seeds, different priors
    for label in ("WSS@95", "WSS@100", "recall@10%", "records to 95%"):
        assert label in out
    code, out, _ = lectern("review", "simulate", str(labelled), "--seeds", "1", "--model", "random", "--json")
    assert code == 0 and json.loads(out)["runs"][0]["records95"] > 10


def test_simulation_reports_bad_rows_and_refuses_unusable_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("record_id,title,abstract,label_included\n1,a b,c d,1\n2,e f,g h,yes\n3,i j,k l,0\n1,m,n,0\n",
                   encoding="utf-8")
    code, _, err = lectern("review", "simulate", str(bad), "--seeds", "1")
    assert code == 0
    assert f"{bad}:3: label_included must be 0 or 1" in err and f"{bad}:5: record_id '1' appears again" in err
    missing = tmp_path / "missing.csv"
    missing.write_text("id,title\n1,x\n", encoding="utf-8")
    code, _, err = lectern("review", "simulate", str(missing))
    assert code == 1 and err.startswith("lectern: error:") and "missing column" in err
    code, _, err = lectern("review", "simulate", str(tmp_path / "nope.csv"))
    assert code == 1 and "cannot read" in err


@pytest.fixture
def library_dir(tmp_path: Path) -> Path:
    bib = tmp_path / "search.bib"
    bib.write_text("".join(f"@article{{k{i}, title={{Zinc therapy study {i}}}, author={{Doe, Jane}}, year={{200{i}}}}}\n"
                           for i in range(4)), encoding="utf-8")
    folder = tmp_path / "lib"
    assert lectern("--library", str(folder), "import", str(bib), "--list", "Hits")[0] == 0
    return folder


def test_review_from_the_command_line(library_dir: Path, tmp_path: Path) -> None:
    lib = ["--library", str(library_dir)]
    assert lectern(*lib, "review", "create", "Zinc", "--from-list", "Hits", "--question", "Is zinc enough?")[0] == 0
    code, _, err = lectern(*lib, "review", "decide", "Zinc", "1", "include")
    assert code == 1 and "no reviewer named" in err
    assert lectern(*lib, "review", "reviewer", "Ada")[0] == 0
    code, out, _ = lectern(*lib, "review", "edit", "Zinc", "--reason", "Wrong outcome", "--reason", "Not a trial",
                           "--include-keyword", "zinc", "--stop-after", "50")
    assert code == 0 and "exclusion_reasons" in out
    code, _, err = lectern(*lib, "review", "decide", "Zinc", "3", "exclude", "--reason", "Wrong population")
    assert code == 1 and "Not a trial" in err  # the edited list is the one that counts
    assert lectern(*lib, "review", "decide", "Zinc", "1", "include")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "2", "exclude", "--reason", "Wrong outcome")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "2", "include", "--reviewer", "Grace")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "1", "include", "--reviewer", "Grace")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "1", "include", "--stage", "full-text")[0] == 0
    code, out, _ = lectern(*lib, "review", "status", "Zinc", "--json")
    status = json.loads(out)
    assert status["records"] == 4 and status["stages"][0]["conflicts"] == 1
    assert status["agreement"][0]["reviewers"] == ["Ada", "Grace"] and status["agreement"][0]["records"] == 2
    code, _, err = lectern(*lib, "review", "conflicts", "Zinc")
    assert code == 1 and "blind" in err
    assert lectern(*lib, "review", "blind", "Zinc", "off")[0] == 0
    code, out, _ = lectern(*lib, "review", "conflicts", "Zinc")
    assert code == 0 and out.startswith("[2] Title/abstract: Ada: exclude (Wrong outcome), Grace: include")
    code, out, _ = lectern(*lib, "review", "prisma", "Zinc", "--json")
    assert json.loads(out)["studies_included"] == 1
    for suffix in ("svg", "png"):
        target = tmp_path / f"flow.{suffix}"
        code, _, err = lectern(*lib, "review", "prisma", "Zinc", "-o", str(target))
        assert code == 0 and f"wrote {target}" in err
    assert "Studies included in review (n = 1)" in (tmp_path / "flow.svg").read_text(encoding="utf-8")
    assert (tmp_path / "flow.png").read_bytes().startswith(b"\x89PNG")
    code, _, err = lectern(*lib, "review", "prisma", "Zinc", "-o", str(tmp_path / "flow.pdf"))
    assert code == 1 and ".svg or .png" in err
    decisions = tmp_path / "decisions.csv"
    assert lectern(*lib, "review", "export", "Zinc", "--decisions", str(decisions))[0] == 0
    rows = list(csv.DictReader(StringIO(decisions.read_text(encoding="utf-8"))))
    assert len(rows) == 5 and rows[1]["reason"] == "Wrong outcome"
    code, out, _ = lectern(*lib, "review", "export", "Zinc", "--included", "--format", "bibtex")
    assert code == 0 and out.count("@article") == 1 and "Zinc therapy study 0" in out
    assert lectern(*lib, "review", "undo", "Zinc")[1].startswith("withdrew Ada's include")
