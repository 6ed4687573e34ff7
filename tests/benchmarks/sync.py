"""Issue 17's benchmark: the shared library on a throwaway PostgreSQL cluster.

    python -m tests.benchmarks.sync [--papers N] [--edits 1000] [--clients 5] [--samples 30]

Join time and bytes on the wire (a counting TCP proxy sits between client and
server) beside the raw ``COPY fields TO STDOUT`` of the same rows; pushing and
pulling 1,000 edits beside 1,000 bare UPDATEs; N client processes x E random
edits until all agree, with the conflicts produced; and how long a change
takes to show on another client running the sync loop (p50/p95).
"""

from __future__ import annotations

import argparse
import contextlib
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import psycopg

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from desktop_app.domain.models import Author, Paper
from tests.sync.pgcluster import Cluster

REPO = Path(__file__).resolve().parents[2]
FIELDS = ("title", "venue", "pages", "status", "priority")


class _Rows(list[tuple[str, str]]):
    """The result table; each row is also printed as soon as it is measured (to stderr)."""

    def append(self, row: tuple[str, str]) -> None:
        print(f"  {row[0]}: {row[1]}", file=sys.stderr, flush=True)
        super().append(row)


class CountingProxy:
    """Forward TCP connections to ``port`` and count the bytes each way."""

    def __init__(self, port: int) -> None:
        self.target = port
        self.bytes = 0
        self._lock = threading.Lock()
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            client, _ = self.sock.accept()
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    def _pipe(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                with self._lock:
                    self.bytes += len(data)
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def take(self) -> int:
        with self._lock:
            value, self.bytes = self.bytes, 0
        return value


def _papers(count: int, rng: random.Random) -> list[Paper]:
    words = "graph neural network learning sparse attention protein retrieval causal model robust".split()
    return [Paper(citekey=f"p{i}", entry_type="article", title=" ".join(rng.sample(words, 6)) + f" {i}",
                  authors=[Author(family=f"Author{i % 997}", given="A.")], year=1990 + i % 35,
                  venue=f"Journal {i % 50}", abstract=" ".join(rng.choices(words, k=40)))
            for i in range(count)]


def _timed(fn: Any) -> tuple[Any, float]:
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def _worker(directory: str, edits: int, seed: int, papers: int) -> None:
    rng = random.Random(seed)
    with Library.open(directory) as library:
        for k in range(edits):
            ref, field = f"p{rng.randrange(papers)}", rng.choice(FIELDS)
            value: Any = {"status": rng.choice(["unread", "reading", "read"]),
                          "priority": rng.randrange(4)}.get(field, f"{field} {seed}-{k}")
            library.update_paper(ref, **{field: value})
            if k % 100 == 99:
                sync_ops.sync_once(library)
        sync_ops.sync_once(library)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=5)
    parser.add_argument("--samples", type=int, default=30)
    parser.add_argument("--hot", type=int, default=1000, help="the clients edit among the first HOT papers")
    parser.add_argument("--worker", nargs=4, metavar=("DIR", "EDITS", "SEED", "PAPERS"))
    args = parser.parse_args()
    if args.worker:
        _worker(args.worker[0], int(args.worker[1]), int(args.worker[2]), int(args.worker[3]))
        return 0
    rng = random.Random(17)
    rows = _Rows()
    pg = Cluster()
    pg.start()
    work = Path(tempfile.mkdtemp(prefix="lectern-syncbench-"))
    try:
        with pg.admin() as conn:
            conn.execute("CREATE ROLE lectern_member NOLOGIN")
            conn.execute("CREATE ROLE lectern_arbiter NOLOGIN")
            conn.execute("CREATE DATABASE team")
        proxy = CountingProxy(pg.port)
        url = f"postgresql://lectern_admin@127.0.0.1:{proxy.port}/team"
        origin = Library.open(work / "origin")
        _, seconds = _timed(lambda: origin.import_papers(_papers(args.papers, rng)))
        rows.append((f"import {args.papers:,} papers locally (reference)", f"{seconds:.1f} s"))
        proxy.take()
        _, seconds = _timed(lambda: sync_ops.share(origin, url))
        rows.append((f"share {args.papers:,} papers", f"{seconds:.1f} s, {proxy.take() / 1e6:.1f} MB sent"))
        replica = Library.open(work / "replica")
        _, seconds = _timed(lambda: sync_ops.join(replica, url))
        rows.append((f"join {args.papers:,} papers (pull + SQLite apply)",
                     f"{seconds:.1f} s, {proxy.take() / 1e6:.1f} MB received"))
        _, index_seconds = _timed(replica.catch_up_index)
        rows.append(("  then index the joined papers", f"{index_seconds:.1f} s"))

        def raw_copy() -> int:
            total = 0
            with psycopg.connect(url) as conn, conn.cursor() as cur, cur.copy("COPY fields TO STDOUT") as copy:
                for block in copy:
                    total += len(block)
            return total

        _, seconds = _timed(raw_copy)
        rows.append(("baseline: raw COPY fields TO STDOUT", f"{seconds:.1f} s, {proxy.take() / 1e6:.1f} MB"))

        picks = [f"p{rng.randrange(args.papers)}" for _ in range(args.edits)]
        _, seconds = _timed(lambda: [origin.update_paper(ref, title=f"edited {i}") for i, ref in enumerate(picks)])
        rows.append((f"{args.edits:,} local edits (reference)", f"{seconds:.2f} s"))
        report, seconds = _timed(lambda: sync_ops.sync_once(origin))
        rows.append((f"push {report.pushed:,} edits ({args.edits:,} edits, repeats coalesced)", f"{seconds:.2f} s, {proxy.take() / 1e3:.0f} kB"))
        report, seconds = _timed(lambda: sync_ops.sync_once(replica))
        rows.append((f"pull {report.pulled:,} edits", f"{seconds:.2f} s, {proxy.take() / 1e3:.0f} kB"))

        def bare_upserts() -> None:  # on a scratch copy, so the shared library stays as it is
            with psycopg.connect(url) as conn, conn.cursor() as cur:
                cur.execute("CREATE TEMP TABLE scratch (LIKE fields INCLUDING ALL)")
                cur.execute("INSERT INTO scratch SELECT * FROM fields WHERE field = 'title' LIMIT %s", (args.edits,))
                keys = [str(k) for (k,) in cur.execute("SELECT key FROM scratch").fetchall()]
                conn.commit()
                cur.executemany(
                    "INSERT INTO scratch(kind, key, field, value, rev, writer) VALUES ('paper', %s, 'title', %s, 0, "
                    "gen_random_uuid()) ON CONFLICT (kind, key, field) DO UPDATE SET value = excluded.value",
                    [(k, psycopg.types.json.Jsonb(f"bare {i}")) for i, k in enumerate(keys)])

        _, seconds = _timed(bare_upserts)
        rows.append((f"baseline: {args.edits:,} bare upserts by primary key, one transaction", f"{seconds:.2f} s"))
        proxy.take()
        sync_ops.sync_once(origin)
        sync_ops.sync_once(replica)

        # screening: a review of EDITS records, one decision each (append-only rows of their own)
        records = [f"p{i}" for i in range(min(args.edits, args.papers))]
        origin.create_list("screening bench")
        origin.add_to_list("screening bench", records)
        origin.reviews.create("bench review")
        origin.reviews.add_from_list("bench review", "screening bench")
        sync_ops.sync_once(origin)
        sync_ops.sync_once(replica)
        proxy.take()
        for i, ref in enumerate(records):
            origin.reviews.decide("bench review", ref, ("include", "exclude", "maybe")[i % 3], reviewer="bench")
        report, seconds = _timed(lambda: sync_ops.sync_once(origin))
        rows.append((f"push {report.pushed:,} screening decisions", f"{seconds:.2f} s, {proxy.take() / 1e3:.0f} kB"))
        report, seconds = _timed(lambda: sync_ops.sync_once(replica))
        rows.append((f"pull {report.pulled:,} screening decisions", f"{seconds:.2f} s, {proxy.take() / 1e3:.0f} kB"))

        # N clients x E random edits until every replica agrees
        dirs = [work / f"client{i}" for i in range(args.clients)]
        for directory in dirs:
            with Library.open(directory) as library:
                sync_ops.join(library, url)
        edits_per = args.edits
        started = time.perf_counter()
        workers = [subprocess.Popen([sys.executable, "-m", "tests.benchmarks.sync", "--worker", str(d),
                                     str(edits_per), str(i), str(min(args.hot, args.papers))], cwd=REPO)
                   for i, d in enumerate(dirs)]
        for w in workers:
            if w.wait() != 0:
                raise SystemExit("a worker failed")
        libraries = [Library.open(d) for d in dirs]
        for _round in range(2):
            for lib in libraries:
                sync_ops.sync_once(lib)
        agreed = time.perf_counter() - started
        with psycopg.connect(url) as conn:
            conflicts = conn.execute("SELECT count(*) FROM conflicts").fetchone()[0]  # type: ignore[index]
        rows.append((f"{args.clients} clients x {edits_per:,} random edits of {FIELDS} on "
                     f"{min(args.hot, args.papers):,} of the papers "
                     "(sync every 100) until all agree", f"{agreed:.1f} s, {conflicts} conflicts kept"))
        for lib in libraries:
            lib.close()

        # change visible on another client running the sync loop
        latencies: list[float] = []
        target: dict[str, Any] = {}
        seen = threading.Event()

        def on_state(state: sync_ops.SyncStatus, report: sync_ops.SyncReport | None) -> None:
            if target and replica.paper(target["ref"]).title == target["title"]:
                latencies.append(time.perf_counter() - target["t0"])
                target.clear()
                seen.set()

        loop = sync_ops.SyncLoop(replica, on_state, interval=60)
        loop.start()
        time.sleep(1)
        for i in range(args.samples):
            seen.clear()
            ref = f"p{rng.randrange(args.papers)}"
            target.update(ref=ref, title=f"latency {i}", t0=time.perf_counter())
            origin.update_paper(ref, title=f"latency {i}")
            sync_ops.sync_once(origin)
            seen.wait(10)
            time.sleep(0.1)
        loop.stop()
        if latencies:
            cuts = statistics.quantiles(latencies, n=20) if len(latencies) > 1 else latencies * 19
            rows.append((f"change visible on another client (sync loop, {len(latencies)} samples)",
                         f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {cuts[18] * 1000:.0f} ms"))
        origin.close()
        replica.close()
    finally:
        pg.destroy()
        subprocess.run(["rm", "-rf", str(work)], check=False)
    print("| measure | result |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
