"""The fake metadata services: one real HTTP server on 127.0.0.1 (a free port) for all four.

Services live under path prefixes (``/hf``, ``/arxiv/api``, ``/s2/graph/v1``, ``/crossref``,
and ``/arxiv-pdf`` for arXiv's ``/pdf/<id>`` files, served from ``pdfs``),
so ``base_urls`` point Lectern's client at it exactly as settings or the
``LECTERN_*_URL`` variables would.  It answers from the real recordings first, then
from the seed world of the Daily Papers page, then as the real service answers an
unknown id.  ``faults`` inject statuses, Retry-After, slowness and broken bodies;
``log`` keeps every request for assertions.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakeapi import recorded, seed
from tests.fakeapi.seed import SeedPaper

NEW_ID = re.compile(r"^\d{4}\.\d{4,5}(v\d+)?$")
OLD_ID = re.compile(r"^[a-z\-]+(\.[A-Z]{2})?/\d{7}(v\d+)?$")


@dataclass
class Fault:
    """Answer requests whose path starts with ``prefix`` this way, ``times`` times (0 = always)."""

    prefix: str
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    times: int = 1
    used: int = 0


@dataclass
class Logged:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes


class FakeApis:
    def __init__(self, fixtures: Path, seeds: list[SeedPaper]) -> None:
        self.recordings = recorded.load(fixtures)
        self.seeds = seeds
        self.by_title = seed.by_title(seeds)
        self.by_arxiv = {s.arxiv_id: s for s in seeds}
        self.by_doi = {s.doi.lower(): s for s in seeds if s.doi}
        self.faults: list[Fault] = []
        self.pdfs: dict[str, bytes] = {}  # arXiv id -> the PDF /arxiv-pdf/pdf/<id> answers
        self.log: list[Logged] = []
        self.lock = threading.Lock()
        self.port = 0

    # -- addresses -------------------------------------------------------------------

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_urls(self) -> dict[str, str]:
        return {"huggingface": f"{self.root}/hf", "arxiv": f"{self.root}/arxiv/api",
                "semanticscholar": f"{self.root}/s2/graph/v1", "crossref": f"{self.root}/crossref",
                "arxiv_pdf": f"{self.root}/arxiv-pdf"}

    @property
    def env(self) -> dict[str, str]:
        urls = self.base_urls
        return {"LECTERN_HF_URL": urls["huggingface"], "LECTERN_ARXIV_URL": urls["arxiv"],
                "LECTERN_S2_URL": urls["semanticscholar"], "LECTERN_CROSSREF_URL": urls["crossref"],
                "LECTERN_ARXIV_PDF_URL": urls["arxiv_pdf"]}

    def count(self, prefix: str) -> int:
        return sum(1 for entry in self.log if entry.path.startswith(prefix))

    # -- answering --------------------------------------------------------------------

    def answer(self, method: str, path: str, query: str, body: bytes) -> tuple[int, bytes, dict[str, str], float]:
        with self.lock:
            for fault in self.faults:
                if path.startswith(fault.prefix) and (fault.times == 0 or fault.used < fault.times):
                    fault.used += 1
                    return fault.status, fault.body, fault.headers, fault.delay
        found = self.recordings.get(recorded.request_key(method, path, query, body))
        if found is not None:
            return found.status, found.body, {"Content-Type": found.content_type}, 0.0
        params = {k: v[0] for k, v in parse_qs(query).items()}
        status, payload, kind = self._world(method, unquote(path), params, body)
        return status, payload, {"Content-Type": kind}, 0.0

    def _world(self, method: str, path: str, params: dict[str, str], body: bytes) -> tuple[int, bytes, str]:
        js, xml, text = "application/json", "application/atom+xml; charset=UTF-8", "text/plain"
        if path == "/hf/api/papers/search":
            hit = self.by_title.get(seed.normalised(params.get("q", "")))
            items = [] if hit is None else [seed.hf_search_item(s) for s in self._with_neighbours(hit)]
            return 200, json.dumps(items, ensure_ascii=False, separators=(",", ":")).encode(), js
        if path.startswith("/hf/api/papers/"):
            found = self.by_arxiv.get(path.rsplit("/", 1)[1])
            if found is None:
                return 404, b'{"error":"Paper not found"}', js
            return 200, json.dumps(seed.hf_paper(found), ensure_ascii=False).encode(), js
        if path == "/arxiv/api/query":
            ids = [i for i in params.get("id_list", "").split(",") if i]
            bad = [i for i in ids if not (NEW_ID.match(i) or OLD_ID.match(i))]
            if bad:
                return 400, seed.arxiv_error_feed(bad[0]).encode(), xml
            entries = [seed.arxiv_entry(self.by_arxiv[i.split("v")[0]]) for i in ids if i.split("v")[0] in self.by_arxiv]
            return 200, seed.arxiv_feed(entries, f"id_list={','.join(ids)}").encode(), xml
        if path == "/s2/graph/v1/paper/batch" and method == "POST":
            try:
                refs = json.loads(body)["ids"]
            except (ValueError, KeyError, TypeError):
                return 400, b'{"error":"Unacceptable JSON body"}\n', js
            return 200, json.dumps([self._s2(ref) for ref in refs]).encode(), js
        if path == "/s2/graph/v1/paper/search/match":
            hit = self.by_title.get(seed.normalised(params.get("query", "")))
            if hit is None:
                return 404, b'{"error":"Title match not found"}\n', js
            return 200, json.dumps({"data": [{**seed.s2_record(hit), "matchScore": 180.5}]}).encode(), js
        if path.startswith("/arxiv-pdf/pdf/"):
            pdf = self.pdfs.get(path[len("/arxiv-pdf/pdf/"):])
            if pdf is None:  # as arxiv.org answers an id it does not have
                return 404, b"<!DOCTYPE html><html><title>Article identifier not recognized</title></html>", \
                    "text/html; charset=utf-8"
            return 200, pdf, "application/pdf"
        if path.startswith("/crossref/works/"):
            found = self.by_doi.get(path[len("/crossref/works/"):].lower())
            if found is None:
                return 404, b"Resource not found.", text
            return 200, json.dumps(seed.crossref_work(found), separators=(",", ":")).replace("/", "\\/").encode(), js
        if path == "/crossref/works":
            return 200, (b'{"status":"ok","message-type":"work-list","message-version":"1.0.0","message":'
                         b'{"facets":{},"total-results":0,"items":[],"items-per-page":3,"query":'
                         b'{"start-index":0,"search-terms":null}}}'), js
        return 404, b'{"error":"no such endpoint in the fake"}', js

    def _with_neighbours(self, hit: SeedPaper) -> list[SeedPaper]:
        """The hit first, then two other papers, as a real keyword search would add."""
        others = [self.seeds[(hit.index + k) % len(self.seeds)] for k in (1, 2)]
        return [hit, *others]

    def _s2(self, ref: str) -> object:
        kind, _, value = ref.partition(":")
        found = self.by_arxiv.get(value) if kind.lower() == "arxiv" else self.by_doi.get(value.lower())
        return seed.s2_record(found) if found else None


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        apis = self.server.apis
        with apis.lock:
            apis.log.append(Logged(self.command, parts.path, parts.query, dict(self.headers), body))
        status, payload, headers, delay = apis.answer(self.command, parts.path, parts.query, body)
        if delay:
            time.sleep(delay)
        try:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = _serve
    do_POST = _serve

    def log_message(self, format: str, *args: object) -> None:
        return


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    apis: FakeApis


@contextmanager
def running(apis: FakeApis) -> Iterator[FakeApis]:
    server = _Server(("127.0.0.1", 0), _Handler)
    server.apis = apis
    apis.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, name="fake-metadata-apis", daemon=True)
    thread.start()
    try:
        yield apis
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
