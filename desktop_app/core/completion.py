"""The completion chain: from a bare title (or a bare arXiv id) to a citable record.

For each paper: Hugging Face title search -> arXiv id -> one arXiv ``id_list`` batch ->
one Semantic Scholar batch for the published version -> Crossref for that DOI's
published metadata.  A paper without an arXiv hit on HF falls back to Semantic
Scholar's title match and Crossref's title search.  Requests are batched across
papers; every request goes through the one ``PoliteClient``.  This module decides
nothing about storing: it returns a ``Resolution`` per paper.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from desktop_app.domain.models import Paper
from desktop_app.metadata import arxiv, crossref, huggingface, semanticscholar
from desktop_app.metadata.client import MetadataError, PoliteClient
from desktop_app.metadata.matching import Action, Verdict, best, judge
from desktop_app.metadata.records import ApiRequest, ApiResponse, Candidate, ResponseError

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
# Fields completion may fill, with the words provenance uses for them.
FIELD_WORDS = {
    "title": "title", "authors": "authors", "year": "year", "month": "month", "abstract": "abstract",
    "arxiv_id": "arXiv id", "arxiv_class": "category", "doi": "DOI", "url": "URL", "venue": "venue",
    "volume": "volume", "number": "number", "pages": "pages", "publisher": "publisher",
    "entry_type": "entry type",
}
PUBLISHED_FIELDS = ("entry_type", "venue", "volume", "number", "pages", "publisher", "doi", "year", "month")
EMPTY: dict[str, object] = {"title": "", "authors": [], "year": None, "month": None, "abstract": "",
                            "arxiv_id": "", "arxiv_class": "", "doi": "", "url": "", "venue": "",
                            "volume": "", "number": "", "pages": "", "publisher": "", "entry_type": "misc"}


@dataclass
class Resolution:
    """What the services say about one paper: field values, each with the record it came from."""

    paper: Paper
    values: dict[str, object] = field(default_factory=dict)
    origin: dict[str, Candidate] = field(default_factory=dict)
    verdict: Verdict | None = None
    errors: list[str] = field(default_factory=list)
    identified_by: Candidate | None = None  # the record that tied a title to an identifier

    @property
    def found(self) -> bool:
        return bool(self.values)

    def take(self, candidate: Candidate, names: Sequence[str], *, overwrite: bool = False) -> None:
        for name in names:
            value = getattr(candidate.paper, name)
            if value in (None, "", []) or (name == "entry_type" and value == "misc"):
                continue
            if overwrite or name not in self.values:
                self.values[name] = value
                self.origin[name] = candidate


class CompletionChain:
    def __init__(self, client: PoliteClient, progress: Progress | None = None) -> None:
        self.client = client
        self.progress = progress or (lambda _stage, _done, _total: None)

    def _send(self, request: ApiRequest, errors: list[list[str]]) -> ApiResponse | None:
        """The response, or None with the reason appended to every affected paper's errors."""
        try:
            return self.client.send(request)
        except MetadataError as exc:
            for target in errors:
                target.append(str(exc))
            return None

    def resolve(self, papers: Sequence[Paper]) -> dict[int, Resolution]:
        work = {p.id or 0: Resolution(p) for p in papers}
        self._identify_by_title([w for w in work.values() if not w.paper.arxiv_id and not w.paper.doi
                                 and w.paper.title])
        self._fetch_arxiv(list(work.values()))
        self._fetch_semantic_scholar(list(work.values()))
        self._fetch_crossref(list(work.values()))
        for item in work.values():
            self._decide(item)
        return work

    # -- stage 1: a title to an identifier -------------------------------------------------

    def _identify_by_title(self, items: list[Resolution]) -> None:
        for number, item in enumerate(items):
            self.progress("Hugging Face title search", number, len(items))
            title = item.paper.title
            response = self._send(huggingface.search_request(title), [item.errors])
            if response is not None and response.status == 200:
                self._take_title_hit(item, self._parsed(huggingface.parse_search, response, item))
            if item.identified_by is None or item.verdict is None or item.verdict.action != Action.APPLY:
                self._title_fallback(item)
        self.progress("Hugging Face title search", len(items), len(items))

    def _parsed(self, parse: Callable[[bytes], list[Candidate]], response: ApiResponse,
                item: Resolution) -> list[Candidate]:
        try:
            return parse(response.body)
        except ResponseError as exc:
            item.errors.append(str(exc))
            return []

    def _take_title_hit(self, item: Resolution, hits: list[Candidate]) -> bool:
        chosen = best(item.paper, [h.paper for h in hits])
        if chosen is None:
            return False
        index, verdict = chosen
        if item.verdict is not None and _rank(item.verdict) >= _rank(verdict):
            return False
        item.identified_by, item.verdict = hits[index], verdict
        item.take(hits[index], tuple(EMPTY), overwrite=True)
        return verdict.action == Action.APPLY

    def _title_fallback(self, item: Resolution) -> None:
        """No convincing HF hit: Semantic Scholar's title match, then Crossref's title search."""
        response = self._send(semanticscholar.match_request(item.paper.title), [item.errors])
        if response is not None and response.status in (200, 404):
            try:
                hit = semanticscholar.parse_match(response.status, response.body)
            except ResponseError as exc:
                item.errors.append(str(exc))
                hit = None
            if hit is not None and self._take_title_hit(item, [hit]):
                return
        response = self._send(crossref.title_search_request(item.paper.title), [item.errors])
        if response is not None and response.status == 200:
            self._take_title_hit(item, self._parsed(crossref.parse_search, response, item))

    # -- stage 2: arXiv ----------------------------------------------------------------------

    def _arxiv_id(self, item: Resolution) -> str:
        return item.paper.arxiv_id or str(item.values.get("arxiv_id", ""))

    def _fetch_arxiv(self, items: list[Resolution]) -> None:
        by_id: dict[str, list[Resolution]] = {}
        for item in items:
            arxiv_id = self._arxiv_id(item)
            if not arxiv_id:
                continue
            if arxiv.is_well_formed(arxiv_id):
                by_id.setdefault(arxiv_id, []).append(item)
            else:
                item.errors.append(f"{arxiv_id!r} is not an arXiv id arXiv accepts")
        ids = list(by_id)
        for start in range(0, len(ids), arxiv.MAX_BATCH):
            self.progress("arXiv", start, len(ids))
            batch = ids[start:start + arxiv.MAX_BATCH]
            affected = [i.errors for b in batch for i in by_id[b]]
            response = self._send(arxiv.id_list_request(batch), affected)
            if response is None:
                continue
            try:
                if response.status != 200:
                    reasons = arxiv.parse_errors(response.body) if response.status == 400 else []
                    raise ResponseError(f"arXiv answered HTTP {response.status}"
                                        + (f" ({'; '.join(reasons)})" if reasons else ""))
                found = {c.source_id: c for c in arxiv.parse_feed(response.body)}
            except ResponseError as exc:
                for errors in affected:
                    errors.append(str(exc))
                continue
            for arxiv_id in batch:
                for item in by_id[arxiv_id]:
                    if arxiv_id in found:
                        item.take(found[arxiv_id], tuple(EMPTY), overwrite=True)
                    elif item.paper.arxiv_id:
                        self._hf_paper(item, arxiv_id)
        self.progress("arXiv", len(ids), len(ids))

    def _hf_paper(self, item: Resolution, arxiv_id: str) -> None:
        """arXiv lacks the id (or dropped it): Hugging Face's copy, else 'not found'."""
        response = self._send(huggingface.paper_request(arxiv_id), [item.errors])
        if response is None or response.status == 404:
            return
        try:
            if response.status != 200:
                raise ResponseError(f"Hugging Face answered HTTP {response.status}")
            item.take(huggingface.parse_paper(response.body), tuple(EMPTY), overwrite=True)
        except ResponseError as exc:
            item.errors.append(str(exc))

    # -- stage 3: the published version -----------------------------------------------------

    def _s2_ref(self, item: Resolution) -> str:
        arxiv_id = self._arxiv_id(item)
        if arxiv_id:
            return semanticscholar.arxiv_ref(arxiv_id)
        doi = item.paper.doi or str(item.values.get("doi", ""))
        return semanticscholar.doi_ref(doi) if doi else ""

    def _fetch_semantic_scholar(self, items: list[Resolution]) -> None:
        wanted = [(ref, item) for item in items if item.found or item.paper.arxiv_id or item.paper.doi
                  if (ref := self._s2_ref(item))]
        for start in range(0, len(wanted), semanticscholar.MAX_BATCH):
            self.progress("Semantic Scholar", start, len(wanted))
            batch = wanted[start:start + semanticscholar.MAX_BATCH]
            refs = [ref for ref, _ in batch]
            affected = [item.errors for _, item in batch]
            response = self._send(semanticscholar.batch_request(refs), affected)
            if response is None:
                continue
            try:
                if response.status != 200:
                    raise ResponseError(f"Semantic Scholar answered HTTP {response.status}")
                found = semanticscholar.parse_batch(response.body, refs)
            except ResponseError as exc:
                for errors in affected:
                    errors.append(str(exc))
                continue
            for (_ref, item), candidate in zip(batch, found, strict=True):
                if candidate is None:
                    continue
                if candidate.published:
                    item.take(candidate, PUBLISHED_FIELDS, overwrite=True)
                item.take(candidate, tuple(EMPTY))  # fills only what nothing else gave
        self.progress("Semantic Scholar", len(wanted), len(wanted))

    def _fetch_crossref(self, items: list[Resolution]) -> None:
        wanted = [item for item in items
                  if (doi := str(item.values.get("doi") or item.paper.doi))
                  and not doi.lower().startswith(semanticscholar.ARXIV_DOI_PREFIX)
                  and not (item.origin.get("doi") and item.origin["doi"].source == "crossref")]
        for number, item in enumerate(wanted):
            self.progress("Crossref", number, len(wanted))
            doi = str(item.values.get("doi") or item.paper.doi)
            response = self._send(crossref.work_request(doi), [item.errors])
            if response is None or response.status == 404:
                continue
            try:
                if response.status != 200:
                    raise ResponseError(f"Crossref answered HTTP {response.status} for {doi}")
                work = crossref.parse_work(response.body)
            except ResponseError as exc:
                item.errors.append(str(exc))
                continue
            if work.published:
                item.take(work, PUBLISHED_FIELDS, overwrite=True)
            item.take(work, tuple(EMPTY))
        self.progress("Crossref", len(wanted), len(wanted))

    # -- the verdict ---------------------------------------------------------------------------

    def _decide(self, item: Resolution) -> None:
        if not item.found:
            item.verdict = None
            return
        record = item.paper.model_copy(update={k: v for k, v in item.values.items() if k in EMPTY})
        by_identifier = bool(item.paper.arxiv_id or item.paper.doi)
        verdict = judge(item.paper, record, by_identifier=by_identifier)
        searched = item.identified_by is not None and item.verdict is not None and not by_identifier
        title_match_weak = searched and item.verdict is not None and item.verdict.action != Action.APPLY
        if title_match_weak or verdict.action != Action.APPLY:
            # a title search tied the paper to the id: both that match and the full record must convince
            weakest = [v for v in (item.verdict if searched else None, verdict) if v is not None]
            reasons = tuple(dict.fromkeys(r for v in weakest for r in v.reasons))
            action = Action.REJECT if all(v.action == Action.REJECT for v in weakest) else Action.PROPOSE
            verdict = Verdict(action, min(v.similarity for v in weakest), reasons)
        item.verdict = verdict


def _rank(verdict: Verdict) -> tuple[bool, float]:
    return verdict.action == Action.APPLY, verdict.similarity
