"""Download the PDF of papers that have an arXiv id and attach it like any other file.

Each request goes through the polite client (``metadata/client.py``): arXiv's 3 s slot
shared with its API, retries, offline detection, cancel.  The body is streamed to a
scratch folder in the library under the 200 MB limit, checked to be a PDF (magic bytes
and content type: arXiv answers some requests with an HTML page), then handed to the
ordinary attach code, so deduplication, the full-text queue and the Trash treat it as
any attached file.  Every failure is one plain line on the paper's outcome.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.core.attachments import safe_name
from desktop_app.core.changes import Changes
from desktop_app.core.library_files import LibraryFiles
from desktop_app.domain.models import Paper
from desktop_app.metadata import arxiv
from desktop_app.metadata.cancel import Cancelled
from desktop_app.metadata.client import MetadataError, PoliteClient
from desktop_app.pdf.extract import MAX_BYTES

log = logging.getLogger(__name__)

SCRATCH_DIR = "cache/downloads"
PDF_MAGIC = b"%PDF-"
_NOT_PDF_TYPES = ("text/", "application/xhtml", "application/json", "application/xml")

DOWNLOADED, SKIPPED, ERROR, CANCELLED = "downloaded", "skipped", "error", "cancelled"
Progress = Callable[[int, int, str], None]  # done, total, the paper being fetched


@dataclass
class DownloadOutcome:
    """One paper's line in a download report."""

    paper_id: int
    citekey: str
    status: str  # downloaded | skipped | error | cancelled
    detail: str = ""
    file_id: int | None = None

    def line(self) -> str:
        return f"{self.citekey or self.paper_id}: {self.status}" + (f": {self.detail}" if self.detail else "")

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class DownloadReport:
    outcomes: list[DownloadOutcome] = field(default_factory=list)
    cancelled: bool = False
    changes: Changes = field(default_factory=Changes)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        words = {DOWNLOADED: "downloaded", SKIPPED: "skipped", ERROR: "failed"}
        parts = [f"{self.count(s)} {word}" for s, word in words.items() if self.count(s)]
        return (", ".join(parts) or "nothing to download") + (" (cancelled)" if self.cancelled else "")


def wants_pdf(paper: Paper, has_pdf: bool) -> str:
    """Why the paper gets no download (``""``: it does)."""
    if not paper.arxiv_id:
        return "no arXiv id"
    if has_pdf:
        return "has a PDF already"
    return ""


def not_a_pdf(head: bytes, content_type: str) -> str:
    """Why a 200 answer is not a PDF (``""``: it is one)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.startswith(_NOT_PDF_TYPES) or b"<html" in head[:1024].lower():
        return f"arXiv sent a web page ({kind or 'no content type'}), not a PDF; try again later or open the abstract page"
    if PDF_MAGIC not in head[:1024]:
        return "arXiv's answer is not a PDF (no %PDF- header)"
    return ""


def download_pdfs(files: LibraryFiles, papers: Sequence[Paper], client: PoliteClient, *,
                  progress: Progress | None = None,
                  on_outcome: Callable[[DownloadOutcome], None] | None = None) -> DownloadReport:
    """Fetch and attach the arXiv PDF of each paper; stops at a cancel, keeping what was attached."""
    report = DownloadReport()
    scratch_root = files.directory / SCRATCH_DIR
    scratch_root.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="run-", dir=scratch_root))
    try:
        for number, paper in enumerate(papers):
            if client.cancel.cancelled:
                report.cancelled = True
            if report.cancelled:
                outcome = DownloadOutcome(paper.id or 0, paper.citekey, CANCELLED)
            else:
                if progress is not None:
                    progress(number, len(papers), paper.citekey)
                try:
                    outcome = _one(files, paper, client, scratch)
                except Cancelled:
                    report.cancelled = True
                    outcome = DownloadOutcome(paper.id or 0, paper.citekey, CANCELLED)
            report.outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
        if progress is not None:
            progress(len(papers), len(papers), "")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    done = frozenset(o.paper_id for o in report.outcomes if o.status == DOWNLOADED)
    report.changes = Changes(modified=done, label="download PDF") if done else Changes()
    return report


def _one(files: LibraryFiles, paper: Paper, client: PoliteClient, scratch: Path) -> DownloadOutcome:
    pid = paper.id or 0
    outcome = DownloadOutcome(pid, paper.citekey, SKIPPED)
    reason = wants_pdf(paper, pid in files.paper_ids_with_pdf([pid]))
    if reason:
        outcome.detail = reason
        return outcome
    outcome.status = ERROR
    try:
        request = arxiv.pdf_request(paper.arxiv_id)
    except ValueError:
        outcome.detail = f"{paper.arxiv_id!r} is not a well-formed arXiv id"
        return outcome
    target = scratch / safe_name(f"arXiv-{paper.arxiv_id.replace('/', '_')}.pdf")
    try:
        response = client.download(request, target, max_bytes=MAX_BYTES)
    except MetadataError as exc:
        outcome.detail = str(exc)
        return outcome
    if response.status == 404:
        outcome.detail = f"arXiv has no PDF for {paper.arxiv_id} (HTTP 404)"
        return outcome
    if response.status != 200:
        outcome.detail = f"arXiv answered HTTP {response.status} for {paper.arxiv_id}"
        return outcome
    headers = {k.lower(): v for k, v in response.headers.items()}
    problem = not_a_pdf(response.body, headers.get("content-type", ""))
    if problem:
        outcome.detail = problem
        target.unlink(missing_ok=True)
        return outcome
    attached = files.attach(pid, [target])
    target.unlink(missing_ok=True)
    if attached.attached:
        row = attached.attached[0]
        outcome.status, outcome.file_id = DOWNLOADED, row.id
        outcome.detail = f"{row.name} ({_size(row.size)})"
    elif attached.already:
        outcome.status, outcome.file_id = SKIPPED, attached.already[0].id
        outcome.detail = "the same file is attached already"
    else:
        outcome.detail = "; ".join(p.reason for p in attached.problems) or "could not attach the file"
    log.info("arXiv PDF for %s: %s", paper.citekey, outcome.line())
    return outcome


def _size(size: int) -> str:
    return f"{size / 1e6:.1f} MB" if size >= 100_000 else f"{max(1, round(size / 1000))} KB"
