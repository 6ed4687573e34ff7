"""Peak memory and time of ``lectern import`` on a generated large .bib (issue 11's goal: <= 4x + 150 MB).

    .venv/bin/python tests/benchmarks/big_bib.py --mb 90      # the issue's size (a few minutes)
    .venv/bin/python tests/benchmarks/big_bib.py --mb 9       # a quick look

The file mixes plain entries, entries with LaTeX accents, unknown macros,
@string macros, biblatex dates and one broken entry in ten (the real 90 MB
file had 114,389 problems). Each measurement runs in a fresh process, so its
peak RSS (``ru_maxrss``) is its own: the import, and beside it the baselines
of the same run: an interpreter that only imports Lectern, and one that only
reads the file into a string.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ONE_MB = 1024 * 1024

_WORDS = ("learning neural network attention graph sparse pruning robust language model vision "
          "transformer diffusion kernel bayesian inference optimal transport causal policy").split()
_NAMES = ("M{\\\"u}ller", "Dupont", "van der Berg", "Nakamura", "Garc{\\'\\i}a", "Smith", "O'Neil")


def entry(number: int, rng: random.Random) -> str:
    """One entry of about 780 bytes; every tenth is broken (never closed before the next)."""
    words = " ".join(rng.choice(_WORDS) for _ in range(8))
    authors = " and ".join(f"{rng.choice(_NAMES)}, A{number % 97}." for _ in range(rng.randint(1, 5)))
    abstract = " ".join(rng.choice(_WORDS) for _ in range(60))
    if number % 10 == 9:
        return f"@article{{broken{number},\n  title = {{Unfinished {words},\n  author = {{{authors}}},\n\n"
    macro = "\\MF{} " if number % 50 == 0 else ""
    return (f"@inproceedings{{key{number},\n  title = {{{macro}{words.capitalize()}}},\n"
            f"  author = {{{authors}}},\n  booktitle = conf,\n  date = {{{2000 + number % 25}-0{1 + number % 9}}},\n"
            f"  pages = {{{number % 300}--{number % 300 + 9}}},\n  doi = {{10.1000/bench.{number}}},\n"
            f"  abstract = {{{abstract}}}\n}}\n\n")


def generate(path: Path, megabytes: float, seed: int = 11) -> int:
    """Write a .bib of about ``megabytes`` MB; the number of entries written."""
    rng = random.Random(seed)
    target = int(megabytes * ONE_MB)
    written = count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("@string{conf = {Proceedings of the Benchmark Conference}}\n\n")
        while written < target:
            text = entry(count, rng)
            out.write(text)
            written += len(text.encode("utf-8"))
            count += 1
    return count


def measured(code: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Run a child; its peak RSS in MB, its wall seconds and its stdout."""
    wrapper = ("import resource, subprocess, sys, json; r = subprocess.run(sys.argv[1:], capture_output=True, "
               "text=True); print(json.dumps([resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
               "r.returncode, r.stdout[:3000] + r.stdout[-300:], r.stderr[-2000:]]))")
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", wrapper, *code], capture_output=True, text=True,
                            env=env, check=True)
    wall = time.perf_counter() - start
    peak_kb, returncode, stdout, stderr = json.loads(result.stdout)
    if returncode not in (0, 1):
        raise RuntimeError(f"{code} failed ({returncode}): {stderr}")
    return peak_kb / 1024, wall, stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=90.0, help="size of the generated .bib (default 90)")
    parser.add_argument("--workdir", type=Path, help="keep the file and library here")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as temp:
        work = args.workdir or Path(temp)
        work.mkdir(parents=True, exist_ok=True)
        bib = work / "big.bib"
        entries = generate(bib, args.mb)
        size_mb = bib.stat().st_size / ONE_MB
        env = {**os.environ, "LECTERN_LIBRARY": str(work / "library"), "PYTHONPATH": str(ROOT)}
        lectern_only, _, _ = measured([sys.executable, "-c", "import desktop_app.cli, desktop_app.core.library"], env)
        text_only, _, _ = measured([sys.executable, "-c", f"open({str(bib)!r}, encoding='utf-8').read()"], env)
        peak, wall, stdout = measured([sys.executable, "-m", "desktop_app", "import", str(bib), "--no-index"], env)
    limit = 4 * size_mb + 150
    lines = stdout.splitlines()
    summary = next((line for line in lines if line.startswith("imported ")), "?")
    account = next((line for line in lines if line.startswith(str(bib) + ": ") and "entries" in line), "?")
    print(f"file: {size_mb:.1f} MB, {entries} entries written (every tenth broken)")
    print(f"lectern import: peak RSS {peak:.0f} MB ({peak / size_mb:.1f}x the file), {wall:.1f} s wall")
    print(f"  {summary}")
    print(f"  {account.removeprefix(str(bib) + ': ')}")
    print(f"baselines (same run): Lectern imported only {lectern_only:.0f} MB; file read into a str "
          f"{text_only:.0f} MB")
    print(f"goal: <= 4 x {size_mb:.1f} + 150 = {limit:.0f} MB -> {'met' if peak <= limit else 'NOT met'}")
    return 0 if peak <= limit else 1


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    sys.exit(main())
