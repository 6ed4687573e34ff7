"""Fill in papers known only by their arXiv id from the arXiv API (export.arxiv.org).

Used when a user pastes a list of arXiv ids.  The fetcher is a plain callable
so tests (and offline use) can swap it; failures become import problems, the
papers are still stored with their ids and can be completed later.
"""

from __future__ import annotations

import logging
import time
import urllib.error
from collections.abc import Callable, Sequence

from desktop_app import __version__
from desktop_app.domain.models import Paper, Problem
from desktop_app.formats import arxiv_atom
from desktop_app.metadata import arxiv
from desktop_app.metadata.client import ClientConfig, MetadataError, PoliteClient

log = logging.getLogger(__name__)

BATCH = 50
PAUSE_SECONDS = 3.0  # arXiv asks API clients for one request every three seconds
TIMEOUT_SECONDS = 20.0

Fetch = Callable[[Sequence[str]], str]


def fetch_atom(ids: Sequence[str]) -> str:
    """One API request for up to ``BATCH`` ids through the polite metadata client; the Atom text.

    Honours ``LECTERN_ARXIV_URL``; a client failure becomes an ``OSError`` with the
    client's plain message (``offline: cannot reach arXiv ...``), which the import reports.
    """
    config = ClientConfig.from_settings({}, app_version=__version__, cache_dir=None)
    config.read_timeout = TIMEOUT_SECONDS
    with PoliteClient(config) as client:
        try:
            response = client.send(arxiv.id_list_request(list(ids)))
        except MetadataError as exc:
            raise OSError(str(exc)) from exc
    if response.status != 200:
        raise OSError(f"arXiv answered HTTP {response.status}")
    return response.text()


def complete_from_arxiv(
    papers: Sequence[Paper], *, fetch: Fetch = fetch_atom, source: str = "",
    pause: float = PAUSE_SECONDS,
) -> tuple[list[Paper], list[Problem]]:
    """Papers with only an arXiv id get the metadata arXiv has; the rest pass through."""
    wanted = [p for p in papers if p.arxiv_id and not p.title]
    if not wanted:
        return list(papers), []
    found: dict[str, Paper] = {}
    problems: list[Problem] = []
    ids = [p.arxiv_id for p in wanted]
    for start in range(0, len(ids), BATCH):
        batch = ids[start:start + BATCH]
        if start:
            time.sleep(pause)
        try:
            report = arxiv_atom.parse(fetch(batch), source="arXiv API")
        except (urllib.error.URLError, OSError, TimeoutError, UnicodeDecodeError) as exc:
            log.warning("arXiv API request failed: %s", exc)
            problems.append(Problem(source=source, reason=f"could not fetch arXiv metadata for {len(batch)} "
                                    f"ids ({_reason(exc)}); stored waiting for metadata: `lectern complete --incomplete` "
                                    "or Complete Metadata fills them in later"))
            continue
        for paper in report.papers:
            found[paper.arxiv_id] = paper
    completed = []
    for paper in papers:
        if paper in wanted and paper.arxiv_id in found:
            completed.append(found[paper.arxiv_id])
        else:
            completed.append(paper)
    missing = [p.arxiv_id for p in wanted if p.arxiv_id not in found]
    if missing and not problems:
        problems.append(Problem(source=source, reason=f"arXiv knows no paper {', '.join(missing[:5])}"
                                + (" …" if len(missing) > 5 else "") + "; stored with the id only"))
    return completed, problems


def _reason(exc: BaseException) -> str:
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code}"
    if isinstance(exc, urllib.error.URLError):
        return f"network: {exc.reason}"
    return str(exc) or type(exc).__name__
