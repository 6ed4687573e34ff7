"""Searching the index: ranked hits, highlighted snippets and related papers.

The engine knows Whoosh; callers get paper ids, scores and snippets.  Text
for snippets comes from the caller (SQLite is the source of truth; the index
stores no text), and snippets are made only for the rows a view shows.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from whoosh import classify, highlight
from whoosh import query as wq
from whoosh.query.compound import PreloadedOr

from desktop_app.search.bulk import UnsupportedScoring, WeightedTerm, top_documents
from desktop_app.search.docsets import IdSetQuery
from desktop_app.search.documents import TEXT_FIELDS
from desktop_app.search.index import SearchIndex
from desktop_app.search.query import CompiledQuery, SideLookup, compile_query
from desktop_app.search.ranked import RankedOutcome, rank
from desktop_app.search.related_terms import shared_terms
from desktop_app.search.strict_plain import strict_top

SNIPPET_CHARS = 220
# Key terms of a paper that "related" searches for: each adds a posting list to score;
# six keep the top ten (nearly) unchanged from fourteen at a fraction of the cost.
RELATED_TERMS = 6


@dataclass(frozen=True, slots=True)
class Hit:
    pid: int
    score: float


@dataclass(frozen=True)
class Snippet:
    """A fragment of text and the character spans of the matched words in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()

    def html(self, tag: str = "b") -> str:
        out, last = [], 0
        for start, end in self.spans:
            out.append(html.escape(self.text[last:start]))
            out.append(f"<{tag}>{html.escape(self.text[start:end])}</{tag}>")
            last = end
        out.append(html.escape(self.text[last:]))
        return "".join(out)

    def marked(self, before: str = "[", after: str = "]") -> str:
        out, last = [], 0
        for start, end in self.spans:
            out.append(self.text[last:start] + before + self.text[start:end] + after)
            last = end
        out.append(self.text[last:])
        return "".join(out)


@dataclass
class SearchOutcome:
    query: CompiledQuery
    hits: list[Hit] = field(default_factory=list)
    total: int | None = 0
    count: Callable[[], int] = field(default=lambda: 0, repr=False)
    notice: str = ""  # what was repaired, or which ranking mode ran; one line, "" when nothing to say
    mode: str = "strict"  # "strict": every word/clause as typed; "ranked": all words first, then most


def ranking_notice(outcome: RankedOutcome, stop_words_only: bool) -> str:
    if stop_words_only:
        return "Only common words: showing titles that contain them"
    if outcome.all_count == 0 and outcome.words > 1:
        return f"No paper has all {outcome.words} words; showing papers with most of them"
    if outcome.partial:
        have = "paper has" if outcome.all_count == 1 else "papers have"
        return f"{outcome.all_count:,} {have} all {outcome.words} words; below them, papers with most of them"
    return ""


def _join_notices(*parts: str) -> str:
    text = "; ".join(p for p in parts if p)
    return text[:1].upper() + text[1:] if re.match(r"[a-z]+ ", text) else text


class _SpanFormatter(highlight.Formatter):
    """Collects match spans instead of producing markup."""

    def format(self, fragments: list[highlight.Fragment], replace: bool = False) -> list[Snippet]:
        snippets = []
        for fragment in fragments:
            start, end = fragment.startchar, fragment.endchar
            spans = tuple(
                (t.startchar - start, t.endchar - start)
                for t in fragment.matches
                if start <= t.startchar and t.endchar <= end
            )
            snippets.append(Snippet(fragment.text[start:end], spans))
        return snippets


class SearchEngine:
    def __init__(self, index: SearchIndex) -> None:
        self.index = index

    def compile(self, text: str, side: SideLookup) -> CompiledQuery:
        searcher = self.index.papers.searcher()
        return compile_query(text, reader=searcher.reader(), docnums=self.index.papers.docnums, side=side)

    def search(self, compiled: CompiledQuery, limit: int | None = None) -> SearchOutcome:
        """Hits for ``compiled``: plain words of three or more ranked, else strict (ranked if two find nothing)."""
        plain = compiled.plain
        if plain is not None and (len(plain.words) >= 3 or plain.stop_words_only):
            return self._ranked(compiled, limit)
        outcome = self._strict(compiled, limit)
        if plain is not None and len(plain.words) == 2 and not outcome.hits:
            return self._ranked(compiled, limit)
        outcome.notice = _join_notices(*compiled.notices)
        return outcome

    def _ranked(self, compiled: CompiledQuery, limit: int | None) -> SearchOutcome:
        assert compiled.plain is not None
        sub = self.index.papers
        searcher = sub.searcher()
        ranked = rank(searcher, compiled.plain.words, compiled.plain.extra, limit)
        pid_of = sub.docnums.pid_lookup(searcher)
        hits = [Hit(pid_of(docnum), score) for score, docnum in ranked.hits]
        notice = _join_notices(*compiled.notices, ranking_notice(ranked, compiled.plain.stop_words_only))
        return SearchOutcome(compiled, hits, ranked.total, count=lambda: ranked.total, notice=notice, mode="ranked")

    def _strict(self, compiled: CompiledQuery, limit: int | None) -> SearchOutcome:
        sub = self.index.papers
        searcher = sub.searcher()
        pid_of = sub.docnums.pid_lookup(searcher)
        if compiled.plain is not None and not compiled.plain.stop_words_only:
            try:
                top, total = strict_top(searcher, compiled.plain.words, limit)
            except UnsupportedScoring:
                pass
            else:
                hits = [Hit(pid_of(docnum), score) for score, docnum in top]
                return SearchOutcome(compiled, hits, total, count=lambda: total)
        union = _flat_union(compiled.query) if limit is None else None
        if union is not None:
            try:
                ranked = top_documents(searcher, union[0], None, sets=union[1])
            except UnsupportedScoring:
                pass
            else:
                every = [Hit(pid_of(docnum), score) for score, docnum in ranked]
                return SearchOutcome(compiled, every, len(every), count=every.__len__)
        results = searcher.search(compiled.query, limit=limit, terms=False)
        hits = [Hit(pid_of(docnum), score) for score, docnum in results.top_n]
        # Counting all matches of a limited search takes a second pass: only when asked for.
        exact = limit is None or len(hits) < limit
        return SearchOutcome(compiled, hits, len(hits) if exact else None, count=results.__len__)

    def snippet(self, compiled: CompiledQuery, field_name: str, text: str, *, whole: bool = False) -> Snippet:
        """The best fragment of ``text`` for the query (or all of it with ``whole``), with spans."""
        terms = compiled.terms_for(field_name)
        if field_name == "note":
            analyzer = self.index.notes.schema["note"].analyzer
        else:
            analyzer = self.index.papers.schema[field_name].analyzer
        if not terms or not text:
            return Snippet(text if whole else _clip(text))
        fragmenter = (
            highlight.WholeFragmenter(charlimit=None) if whole
            else highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=70, charlimit=None)
        )
        snippets = highlight.highlight(
            text, terms, analyzer, fragmenter, _SpanFormatter(), top=1, order=highlight.FIRST
        )
        if not snippets:
            return Snippet(text if whole else _clip(text))
        return snippets[0]

    def best_snippet(self, compiled: CompiledQuery, texts: Mapping[str, str]) -> Snippet:
        """The first field (in ``texts`` order) whose text has a match, else a plain excerpt."""
        for name, text in texts.items():
            snippet = self.snippet(compiled, name, text)
            if snippet.spans:
                return snippet
        first = next((t for t in texts.values() if t), "")
        return Snippet(_clip(first))

    def related(self, pid: int, texts: Mapping[str, str], limit: int) -> list[Hit]:
        """Papers most like the one with these texts (more-like-this over key terms)."""
        sub = self.index.papers
        searcher = sub.searcher()
        key_terms = self._key_terms(searcher, texts)
        if not key_terms:
            return []
        terms = [(field, term, weight) for term, weight in key_terms for field in ("abstract", "title")]
        own = sub.docnums.docnum_for_pid(searcher, pid)
        exclude = {own} if own is not None else set()
        try:
            top = top_documents(searcher, terms, limit, exclude)
        except UnsupportedScoring:
            query = PreloadedOr([wq.Term(field, term, boost=weight) for field, term, weight in terms])
            top = searcher.search(query, limit=limit, mask=exclude or None, terms=False).top_n
        pid_of = sub.docnums.pid_lookup(searcher)
        return [Hit(pid_of(d), s) for s, d in top]

    def _key_terms(self, searcher: Any, texts: Mapping[str, str]) -> list[tuple[str, float]]:
        text = " ".join(texts.get(name, "") for name in TEXT_FIELDS)
        if not text.strip():
            return []
        return list(searcher.key_terms_from_text(
            "abstract", text, numterms=RELATED_TERMS, model=classify.Bo1Model, normalize=True
        ))

    def related_reasons(self, texts: Mapping[str, str], others: Mapping[int, str]) -> dict[int, list[str]]:
        """For each of ``others`` (pid -> title and abstract), the key terms of ``texts`` it shares."""
        key_terms = [term for term, _weight in self._key_terms(self.index.papers.searcher(), texts)]
        analyzer = self.index.papers.schema["abstract"].analyzer
        source = " ".join(texts.get(name, "") for name in TEXT_FIELDS)
        return {pid: shared_terms(analyzer, key_terms, source, text) for pid, text in others.items()}

    def note_pids(self, node: wq.Query) -> set[int]:
        if self.index.notes.is_empty():
            return set()
        searcher = self.index.notes.searcher()
        results = searcher.search(node, limit=None, terms=False)
        return {int(searcher.stored_fields(docnum)["pid"]) for _, docnum in results.top_n}

    def indexed_count(self) -> int:
        return self.index.paper_count()


def _flat_union(query: wq.Query) -> tuple[list[WeightedTerm], list[IdSetQuery]] | None:
    """A query that is one term, or an ``Or`` of terms and id sets (plain words), as its parts; else None."""
    if type(query) is wq.Term:
        return [(query.fieldname, str(query.text), query.boost)], []
    if type(query) is not wq.Or or query.boost != 1.0:
        return None
    terms: list[WeightedTerm] = []
    sets: list[IdSetQuery] = []
    for child in query.subqueries:
        if type(child) is wq.Term:
            terms.append((child.fieldname, str(child.text), child.boost))
        elif isinstance(child, IdSetQuery):
            sets.append(child)
        else:
            return None
    return terms, sets


def _clip(text: str, limit: int = SNIPPET_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit] + "…"

