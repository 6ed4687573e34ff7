"""Fill in papers known only by their arXiv id from the arXiv API (export.arxiv.org).

Used when a user pastes a list of arXiv ids.  The fetcher is a plain callable
so tests (and offline use) can swap it; failures become import problems, the
papers are still stored with their ids and can be completed later.
"""

from __future__ import annotations

import logging
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence

from desktop_app import __version__
from desktop_app.domain.models import Paper, Problem
from desktop_app.formats import arxiv_atom

log = logging.getLogger(__name__)

API = "https://export.arxiv.org/api/query"
BATCH = 50
PAUSE_SECONDS = 3.0  # arXiv asks API clients for one request every three seconds
TIMEOUT_SECONDS = 20.0

Fetch = Callable[[Sequence[str]], str]


def fetch_atom(ids: Sequence[str]) -> str:
    """One API request for up to ``BATCH`` ids; returns the Atom text."""
    query = urllib.parse.urlencode({"id_list": ",".join(ids), "max_results": len(ids)})
    request = urllib.request.Request(f"{API}?{query}", headers={"User-Agent": f"Lectern/{__version__}"})
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return str(response.read().decode("utf-8"))


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
                                    f"ids ({_reason(exc)}); stored with their ids only"))
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
    return type(exc).__name__
