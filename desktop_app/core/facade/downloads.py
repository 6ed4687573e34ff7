"""Download PDF: fetch arXiv PDFs for papers and attach them (the work is in ``core/pdf_download.py``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from desktop_app.core.facade.completion import CompletionOps
from desktop_app.core.pdf_download import (
    DownloadOutcome,
    DownloadReport,
    Progress,
    download_pdfs,
    wants_pdf,
)
from desktop_app.metadata.cancel import CancelToken
from desktop_app.metadata.client import PoliteClient


class PdfDownloads(CompletionOps):
    def pdf_downloadable(self, ids: Sequence[int]) -> list[int]:
        """Those of ``ids`` that have an arXiv id and no attached PDF yet (what Download PDF would fetch)."""
        if not ids:
            return []
        with_pdf = self.files.paper_ids_with_pdf(ids)
        return [p.id for p in self.papers(list(ids)) if p.id is not None and not wants_pdf(p, p.id in with_pdf)]

    def missing_pdf_ids(self) -> list[int]:
        """Every paper with an arXiv id and no attached PDF."""
        rows = self.db.conn.execute("SELECT id FROM papers WHERE arxiv_id != '' ORDER BY id").fetchall()
        return self.pdf_downloadable([r[0] for r in rows])

    def download_pdfs(self, refs: Sequence[int | str], *, cancel: CancelToken | None = None,
                      progress: Progress | None = None, client: PoliteClient | None = None,
                      on_outcome: Callable[[DownloadOutcome], None] | None = None) -> DownloadReport:
        """Fetch each paper's PDF from arXiv through the polite client and attach it; one outcome per paper."""
        self._require_writable()
        ids = list(dict.fromkeys(self.resolve_many(refs)))
        own_client = client is None
        client = client or self.metadata_client(cancel)
        try:
            return download_pdfs(self.files, self.papers(ids), client, progress=progress, on_outcome=on_outcome)
        finally:
            if own_client:
                client.close()
