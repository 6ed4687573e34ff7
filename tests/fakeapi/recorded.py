"""The real recorded exchanges of ``shared/fixtures/metadata-apis``, keyed by the request they answer.

A request matches a recording when the method, the path and the parameters that
select the answer agree; parameters that only shape it (``fields``, ``rows``,
``limit``, ``max_results``, ``mailto``...) are ignored, so Lectern's own requests
find the recordings other clients made (``query.bibliographic`` is matched as ``query.title``,
the field the recorded clients used; the response shape is the same).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

PREFIX = {"export.arxiv.org": "/arxiv", "huggingface.co": "/hf", "api.semanticscholar.org": "/s2",
          "api.crossref.org": "/crossref", "api.openalex.org": "/openalex"}
IGNORED = {"mailto", "max_results", "start", "sortBy", "sortOrder", "limit", "rows", "fields", "query.author",
           "offset", "select"}
RENAMED = {"query.bibliographic": "query.title"}


@dataclass(frozen=True)
class Recording:
    name: str
    status: int
    body: bytes
    content_type: str


def request_key(method: str, path: str, query: str, body: bytes | None) -> tuple[str, str, tuple, str]:
    params = tuple(sorted((RENAMED.get(k, k), " ".join(v.split())) for k, v in parse_qsl(query)
                          if k not in IGNORED and v))
    ids = ""
    if body:
        try:
            ids = json.dumps(json.loads(body).get("ids"))
        except (ValueError, AttributeError):
            ids = ""
    return method.upper(), unquote(path).rstrip("/"), params, ids


def _content_type(name: str, status: int) -> str:
    if name.endswith(".xml"):
        return "application/atom+xml; charset=UTF-8"
    if name.endswith(".txt"):
        return "text/plain"
    if name.endswith(".html"):
        return "text/html"
    return "application/json"


def load(folder: Path) -> dict[tuple[str, str, tuple, str], Recording]:
    table: dict[tuple[str, str, tuple, str], Recording] = {}
    for meta_path in sorted(folder.rglob("*.meta.json")):
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        request, response = meta["request"], meta["response"]
        url = urlsplit(request["url"].replace(" ", "%20"))
        prefix = PREFIX.get(url.hostname or "")
        if prefix is None:
            continue
        body_file = meta_path.parent / response["body_file"]
        raw_body = request.get("body")
        key = request_key(request["method"], prefix + url.path, url.query,
                          raw_body.encode() if isinstance(raw_body, str) else None)
        table.setdefault(key, Recording(body_file.name, int(response["status"]), body_file.read_bytes(),
                                        _content_type(body_file.name, int(response["status"]))))
    return table
