"""Full-text benchmark (issue 15): PDF extraction and indexing rates, index size, ``fulltext:`` latency.

    .venv/bin/python -m tests.benchmarks.fulltext                 # 1,000 PDFs, ~15k pages
    .venv/bin/python -m tests.benchmarks.fulltext --pdfs 100      # a quick run
    ... --workdir DIR                                             # keep (and reuse) the generated PDFs

PDFs come from pdflatex (texlive-latex-base): papers of 5-25 pages of corpus
abstract text, one or two columns, serif or sans, three sizes, display math;
volumes of 100 papers are typeset in one run and split per paper with qpdf.
Real PDFs that Debian's documentation packages ship (``/usr/share/doc``) are
extracted too.  The library holds one corpus paper per PDF; query latency is
measured before the PDFs are attached (baseline) and after, with the
plain-query full-text fallback on and off, in the same run.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from whoosh import query as wq

from desktop_app.core.library import Library
from desktop_app.domain.models import Paper
from desktop_app.pdf.worker import PdfWorker
from desktop_app.search.fulltext import FIELD

CORPUS = Path(__file__).resolve().parents[2].parent.parent / "shared" / "corpus" / "paperlists"
SEED = 15
VOLUME = 100
PHRASE = "negative results on ImageNet"
_TEX_SPECIALS = str.maketrans({c: " " for c in "\\{}$&#^_%~"})


def _plain(text: str) -> str:
    """Text pdflatex takes as it is: ASCII without TeX's special characters."""
    return "".join(c if 32 <= ord(c) < 127 else " " for c in text).translate(_TEX_SPECIALS)


def _records(count: int) -> list[dict[str, str]]:
    root = CORPUS if CORPUS.exists() else Path("/work/shared/corpus/paperlists")
    records: list[dict[str, str]] = []
    for path in sorted(root.rglob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            if item.get("title") and len(item.get("abstract", "")) > 400:
                records.append({"title": item["title"], "abstract": item["abstract"]})
        if len(records) >= count * 4:
            break
    return records


def _paper_tex(rng: random.Random, number: int, title: str, abstracts: list[str], pages: int) -> str:
    family = rng.choice([r"\rmfamily", r"\sffamily"])
    size = rng.choice([r"\small", r"\normalsize", r"\large"])
    columns = rng.choice([r"\onecolumn", r"\twocolumn"])
    body: list[str] = []
    words_per_page = 420 if "one" in columns else 650
    for page in range(pages):
        words: list[str] = []
        while len(words) < words_per_page:
            words += _plain(rng.choice(abstracts)).split()
        if rng.random() < 0.02:
            words.insert(rng.randrange(len(words)), PHRASE)
        body.append(" ".join(words[:words_per_page]))
        if page % 3 == 1:
            body.append(r"\begin{equation} \mathcal{L}(\theta) = \sum_{i=1}^{n} \log p_\theta(x_i)"
                        r" + \lambda \lVert \theta \rVert_2^2 \end{equation}")
        body.append(r"\clearpage")
    safe_title = _plain(title)
    return (f"{columns}{family}{size}\n\\noindent{{\\LARGE\\bfseries {safe_title}\\par}}\\label{{start{number}}}"
            "\\vspace{1em}\n" + "\n\n".join(body) + "\n")


def generate(work: Path, count: int) -> tuple[list[Path], list[dict[str, str]]]:
    """``count`` PDFs (cached in ``work/pdfs``) and the corpus record of each."""
    rng = random.Random(SEED)
    records = _records(count)
    chosen = records[:count]
    abstracts = [r["abstract"] for r in records]
    out = work / "pdfs"
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"paper{n:05d}.pdf" for n in range(count)]
    if all(p.exists() for p in paths):
        return paths, chosen
    qpdf, pdflatex = shutil.which("qpdf"), shutil.which("pdflatex")
    if not (qpdf and pdflatex):
        raise SystemExit("the benchmark needs pdflatex and qpdf (apt install texlive-latex-base qpdf)")
    for start in range(0, count, VOLUME):
        batch = list(range(start, min(start + VOLUME, count)))
        lengths = [rng.randint(5, 25) for _ in batch]
        parts = [_paper_tex(rng, i, chosen[i]["title"], abstracts, n) for i, n in zip(batch, lengths, strict=True)]
        tex = ("\\documentclass[10pt]{article}\\usepackage{amsmath}\\usepackage[margin=2cm]{geometry}"
               "\\pagestyle{plain}\\begin{document}\n" + "\n".join(parts) + "\\end{document}\n")
        volume = work / f"volume{start:05d}"
        volume.with_suffix(".tex").write_text(tex, encoding="utf-8")
        subprocess.run([pdflatex, "-interaction=batchmode", "-halt-on-error", volume.name + ".tex"], cwd=work,
                       check=True, capture_output=True, timeout=1800)
        pdf = volume.with_suffix(".pdf")
        starts = _paper_starts(volume.with_suffix(".aux"), batch)
        ends = [*(s - 1 for s in starts[1:]), _page_count(pdf)]
        for i, first, last in zip(batch, starts, ends, strict=True):
            subprocess.run([qpdf, "--empty", "--pages", str(pdf), f"{first}-{last}", "--", str(paths[i])],
                           check=True, capture_output=True)
        print(f"  typeset papers {start + 1}-{batch[-1] + 1}", flush=True)
    return paths, chosen


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def _paper_starts(aux: Path, batch: list[int]) -> list[int]:
    """The first page of each paper, from the ``\\label{startN}`` lines pdflatex wrote to the .aux file."""
    pages = {int(m.group(1)): int(m.group(2))
             for m in re.finditer(r"\\newlabel\{start(\d+)\}\{\{[^}]*\}\{(\d+)\}", aux.read_text(encoding="latin-1"))}
    missing = [n for n in batch if n not in pages]
    if missing:
        raise SystemExit(f"{aux}: no start page for papers {missing[:5]}")
    return [pages[n] for n in batch]


def _latency(run: Callable[[str], object], queries: list[str], passes: int = 3) -> dict[str, float]:
    times = []
    for _ in range(passes):
        for query in queries:
            started = time.perf_counter()
            run(query)
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {"p50": statistics.median(times), "p95": times[int(0.95 * (len(times) - 1))], "n": len(times)}


def _whoosh_phrase(library: Library) -> Callable[[str], object]:
    """Baseline: the pages Whoosh's own ``Phrase`` matcher finds for a ``fulltext:"..."`` query."""
    index = library.files.index

    def run(query: str) -> object:
        node = index.parse(query.removeprefix("fulltext:"))
        phrase = wq.Phrase(FIELD, node.words) if isinstance(node, wq.Phrase) else node
        return list(index.pages.searcher().docs_for_query(phrase))

    return run


def _baselines(library: Library, queries: dict[str, list[str]]) -> dict[str, dict[str, float]]:
    """Rows measured beside the classes: Whoosh's phrase matcher, and plain queries without a limit."""
    rows = {"phrase, Whoosh's Phrase matcher (baseline)": _latency(_whoosh_phrase(library), queries["phrase"])}
    plain = queries["plain (title/abstract)"]
    enabled = library.files.search.plain_enabled()
    for setting, label in ((True, "on"), (False, "off")):
        library.files.search.set_plain(setting)
        rows[f"plain, whole list (the window), fallback {label}"] = _latency(lambda q: library.search(q), plain)
    library.files.search.set_plain(enabled)
    return rows


def _query_sets(rng: random.Random, records: list[dict[str, str]]) -> dict[str, list[str]]:
    words = [w.lower().strip(".,;:()") for r in records for w in r["abstract"].split()]
    words = [w for w in words if w.isalpha() and len(w) > 4]
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    ranked = sorted(counts, key=counts.__getitem__, reverse=True)
    common, rare = ranked[20:120], [w for w in ranked if counts[w] == 3][:200]
    return {
        "common word": [f"fulltext:{w}" for w in rng.sample(common, 20)],
        "rare word": [f"fulltext:{w}" for w in rng.sample(rare, 20)],
        "two words": [f"fulltext:{a} AND fulltext:{b}" for a, b in zip(rng.sample(common, 20), rng.sample(rare, 20), strict=True)],
        "phrase": [f'fulltext:"{PHRASE}"', 'fulltext:"neural networks"', 'fulltext:"state of the art"',
                   'fulltext:"language models"', 'fulltext:"reinforcement learning"'] * 4,
        "prefix": [f"fulltext:{w[:4]}*" for w in rng.sample(common, 20)],
        "with year": [f"fulltext:{w} year:2018..2022" for w in rng.sample(common, 20)],
        "plain (title/abstract)": rng.sample(common, 20),
        "title:": [f"title:{w}" for w in rng.sample(common, 20)],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pdfs", type=int, default=1000)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    parser.add_argument("--latency-only", action="store_true",
                        help="with --workdir of an earlier run: measure the queries on its library again")
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="lectern-fulltext-"))
    rng = random.Random(SEED)
    if args.latency_only:
        return _latency_only(work, args.pdfs, rng)
    report: dict[str, object] = {"pdfs": args.pdfs}

    started = time.perf_counter()
    pdfs, records = generate(work, args.pdfs)
    report["generate_s"] = round(time.perf_counter() - started, 1)

    sample = pdfs[: min(200, len(pdfs))]
    debian = sorted(Path("/usr/share/doc").rglob("*.pdf"))
    with PdfWorker() as worker:
        for name, files in (("generated", sample), ("debian docs", debian)):
            started = time.perf_counter()
            pages = sum(len(r.text.pages) for r in map(worker.extract, files) if r.text)
            seconds = time.perf_counter() - started
            report[f"extract {name}"] = {"files": len(files), "pages": pages,
                                         "pages_per_s": round(pages / seconds, 1)}

    library_dir = work / "library"
    shutil.rmtree(library_dir, ignore_errors=True)
    library = Library.open(library_dir)
    library.fetch_arxiv = None
    ids = library.import_papers([Paper(title=r["title"], abstract=r["abstract"], year=2015 + i % 10)
                                 for i, r in enumerate(records)]).imported
    library.catch_up_index()
    queries = _query_sets(rng, records)
    before = {name: _latency(lambda q: library.search(q, limit=50), queries[name])
              for name in ("plain (title/abstract)", "title:")}

    started = time.perf_counter()
    for pid, pdf in zip(ids, pdfs, strict=True):
        library.attach(pid, [pdf])
    report["attach_files_per_s"] = round(len(pdfs) / (time.perf_counter() - started), 1)
    started = time.perf_counter()
    library.files.catch_up()
    cold = time.perf_counter() - started
    pages = library.files.index.page_count()
    library.files.rebuild()
    started = time.perf_counter()
    library.files.catch_up()
    warm = time.perf_counter() - started
    report["pages"] = pages
    report["extract+index pages_per_s"] = round(pages / cold, 1)
    report["index only (text cache) pages_per_s"] = round(pages / warm, 1)
    report["index_bytes_per_1000_pages"] = round(library.files.index_bytes() / pages * 1000)
    report["text_cache_bytes_per_1000_pages"] = round(
        sum(f.stat().st_size for f in (library_dir / "fulltext" / "text").rglob("*") if f.is_file()) / pages * 1000)

    latency = {name: _latency(lambda q: library.search(q, limit=50), qs) for name, qs in queries.items()}
    latency.update(_baselines(library, queries))
    hits = library.search(f'fulltext:"{PHRASE}"', limit=20)
    latency["20 page snippets"] = _latency(
        lambda _q: library.files.search.page_snippets(hits.compiled, hits.ids), ["x"] * 10)
    library.files.search.set_plain(False)
    after_off = {name: _latency(lambda q: library.search(q, limit=50), queries[name])
                 for name in ("plain (title/abstract)", "title:")}
    library.close()
    report["latency_ms"] = latency
    report["title/abstract before PDFs"] = before
    report["title/abstract after, fallback off"] = after_off

    args.out.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%S")
    (args.out / f"fulltext-{args.pdfs}-{stamp}.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(_markdown(report))
    if args.workdir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _latency_only(work: Path, count: int, rng: random.Random) -> int:
    records = _records(count)[:count]
    queries = _query_sets(rng, records)
    with Library.open(work / "library") as library:
        library.files.search.set_plain(True)
        latency = {name: _latency(lambda q: library.search(q, limit=50), qs) for name, qs in queries.items()}
        latency.update(_baselines(library, queries))
        library.files.search.set_plain(False)
        off = {name: _latency(lambda q: library.search(q, limit=50), queries[name])
               for name in ("plain (title/abstract)", "title:")}
        library.files.search.set_plain(True)
        pages = library.files.index.page_count()
    print(f"## fulltext: latency again on {pages} pages\n\n| query class | p50 ms | p95 ms |\n|---|---|---|")
    for name, value in latency.items():
        print(f"| {name} | {value['p50']:.1f} | {value['p95']:.1f} |")
    for name, value in off.items():
        print(f"| {name}, fallback off | {value['p50']:.1f} | {value['p95']:.1f} |")
    return 0


def _markdown(report: dict[str, object]) -> str:
    lines = [f"## Full text: {report['pdfs']} PDFs, {report['pages']} pages", "",
             "| measure | value |", "|---|---|"]
    for key, value in report.items():
        if key in ("latency_ms", "title/abstract before PDFs", "title/abstract after, fallback off"):
            continue
        lines.append(f"| {key} | {value} |")
    lines += ["", "| query class | p50 ms | p95 ms | before PDFs p95 | after, fallback off p95 |",
              "|---|---|---|---|---|"]
    latency = report["latency_ms"]
    before = report["title/abstract before PDFs"]
    off = report["title/abstract after, fallback off"]
    assert isinstance(latency, dict) and isinstance(before, dict) and isinstance(off, dict)
    for name, value in latency.items():
        extra = (f"{before[name]['p95']:.1f} | {off[name]['p95']:.1f}" if name in before else "— | —")
        lines.append(f"| {name} | {value['p50']:.1f} | {value['p95']:.1f} | {extra} |")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
