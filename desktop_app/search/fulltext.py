"""The full-text index: one Whoosh document per PDF page, in its own directory.

Kept apart from the paper index so title and abstract queries never pay for
page text.  A page document holds the paper id, the file id and the page
number (columns, so a hit maps to them without stored-field reads), the
page's words with positions (``fulltext``: phrases, best pages), the same
words once more without positions (``words``: which pages hold a word, read
without decoding any positions), and each two neighbouring words as one term
(``pairs``: a two-word phrase is one posting list, a longer one checks
positions only on the pages holding all its pairs).  Page text itself is not
stored: the caller keeps it and hands it back for snippets.

``fulltext:`` leaves of the query language and plain-query fallbacks both
land here; prefix, wildcard and fuzzy leaves expand to a bounded number of
the index's terms, as in the paper index.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import warnings
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import accumulate, pairwise
from pathlib import Path

from whoosh import highlight, qparser
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.fields import ID, NUMERIC, TEXT, FieldType, Schema
from whoosh.formats import Existence
from whoosh.reading import IndexReader, SegmentReader
from whoosh.searching import Searcher

from desktop_app.search.analysis import PairAnalyzer, ProseAnalyzer, pair_term, prose_analyzer
from desktop_app.search.blocks import term_blocks
from desktop_app.search.engine import SNIPPET_CHARS, Snippet, _SpanFormatter
from desktop_app.search.index import _SubIndex
from desktop_app.search.phrase import FastPhrase
from desktop_app.search.segment_writer import segment_writer

log = logging.getLogger(__name__)

FIELD = "fulltext"
WORDS = "words"
PAIRS = "pairs"
SCHEMA_VERSION = 2  # 2: the words and pairs fields
META = "meta.json"
MAX_EXPANSIONS = 64
MIN_PREFIX = 2


def fulltext_schema() -> Schema:
    words = prose_analyzer()  # one analyser (and one cache of stems) for the three text fields
    assert isinstance(words, ProseAnalyzer)
    return Schema(
        key=ID(unique=True),  # "<file id>:<page>"
        file=ID(),
        paper=ID(),
        pid=NUMERIC(int, bits=32, signed=False, sortable=True, shift_step=0),
        fid=NUMERIC(int, bits=32, signed=False, sortable=True, shift_step=0),
        page=NUMERIC(int, bits=32, signed=False, sortable=True, shift_step=0),
        fulltext=TEXT(analyzer=words, phrase=True),
        words=FieldType(Existence(), words),  # fulltext's terms, no frequencies or positions
        pairs=FieldType(Existence(), PairAnalyzer(words)),  # neighbouring words, no positions
    )


@dataclass(frozen=True)
class PageDoc:
    """One page to index (``page`` counts from 1)."""

    paper_id: int
    file_id: int
    page: int
    text: str


@dataclass(frozen=True)
class PageHit:
    paper_id: int
    file_id: int
    page: int
    score: float


class FulltextError(ValueError):
    """A full-text query that cannot run, with a message for the user."""


class _Columns:
    """Per segment: docnum -> (paper id, file id, page), computed once per segment state."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, int], tuple[list[tuple[int, int, int]], list[int]]] = {}
        self._lock = threading.Lock()

    def rows(self, reader: IndexReader) -> list[tuple[int, int, int]]:
        return self._entry(reader)[0]

    def paper_ids(self, reader: IndexReader) -> list[int]:
        """docnum -> paper id alone (counting pages per paper in C, with ``map``)."""
        return self._entry(reader)[1]

    def _entry(self, reader: IndexReader) -> tuple[list[tuple[int, int, int]], list[int]]:
        segment = reader.segment() if hasattr(reader, "segment") else None
        if segment is None:
            return [], []
        key = (segment.segment_id(), reader.doc_count())
        with self._lock:
            cached = self._cache.get(key)
        if cached is not None:
            return cached
        pid, fid, page = (reader.column_reader(name) for name in ("pid", "fid", "page"))
        rows = [(int(pid[d]), int(fid[d]), int(page[d])) for d in range(reader.doc_count_all())]
        entry = (rows, [row[0] for row in rows])
        with self._lock:
            self._cache = {k: v for k, v in self._cache.items() if k[0] != key[0]}
            self._cache[key] = entry
        return entry

    def lookup(self, searcher: Searcher) -> list[tuple[list[tuple[int, int, int]], int]]:
        return [(self.rows(s.reader()), offset) for s, offset in searcher.leaf_searchers()]


class FulltextIndex:
    """``<library>/fulltext/index``: open, create, write pages, search pages."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.pages = _SubIndex(directory / "pages", fulltext_schema)
        self._columns = _Columns()
        self._parser = qparser.QueryParser(FIELD, fulltext_schema(), group=qparser.AndGroup)
        self._parser.add_plugin(qparser.FuzzyTermPlugin())
        self._parser.remove_plugin_class(qparser.PlusMinusPlugin)

    # -- state --------------------------------------------------------------------

    def problem(self) -> str | None:
        try:
            meta = json.loads((self.directory / META).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return "the full-text index is missing"
        if meta.get("schema_version") != SCHEMA_VERSION or not self.pages.exists():
            return "the full-text index is missing or from another version"
        return None

    def open(self) -> str | None:
        """Open the index; returns why it must be rebuilt, or None."""
        reason = self.problem()
        if reason:
            return reason
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                self.pages.open()
            except Exception as exc:  # Whoosh raises many types for damaged files
                log.warning("full-text index unreadable: %r", exc)
                self.pages.close()
                return f"the full-text index is damaged ({type(exc).__name__})"
        return None

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / META).unlink(missing_ok=True)
        self.pages.create()
        tmp = self.directory / (META + ".tmp")
        tmp.write_text(json.dumps({"schema_version": SCHEMA_VERSION}), encoding="utf-8")
        tmp.replace(self.directory / META)

    def is_open(self) -> bool:
        return self.pages._ix is not None

    def close(self) -> None:
        self.pages.close()

    # -- writing ------------------------------------------------------------------

    def write(self, pages: Iterable[PageDoc], delete_files: Iterable[int]) -> int:
        """Replace the pages of ``delete_files`` with ``pages`` in one commit; returns pages written."""
        writer = segment_writer(self.pages.ix, limitmb=256)
        count = 0
        try:
            for file_id in delete_files:
                writer.delete_by_term("file", str(file_id))
            for doc in pages:
                writer.add_document(key=f"{doc.file_id}:{doc.page}", file=str(doc.file_id),
                                    paper=str(doc.paper_id), pid=doc.paper_id, fid=doc.file_id,
                                    page=doc.page, fulltext=doc.text, words=doc.text,
                                    pairs=doc.text)
                count += 1
        except BaseException:
            writer.cancel()
            raise
        writer.commit()
        self.pages._commits += 1
        return count

    def merge_if_fragmented(self, max_segments: int = 10) -> bool:
        return self.pages.merge_if_fragmented(max_segments)

    # -- reading ------------------------------------------------------------------

    def page_count(self) -> int:
        return int(self.pages.searcher().doc_count())

    def indexed_files(self) -> set[int]:
        """The file ids with at least one live page (deleted pages wait in their segment until a merge)."""
        found: set[int] = set()
        for leaf, _offset in self.pages.searcher().leaf_searchers():
            reader = leaf.reader()
            rows = self._columns.rows(reader)
            found.update(rows[docnum][1] for docnum in reader.all_doc_ids())
        return found

    def parse(self, text: str) -> wq.Query:
        """A plain query (words, phrases, AND/OR/NOT, prefix*, fuzzy~) over page text."""
        if not text.strip():
            raise FulltextError("type something to search for")
        try:
            return self._parser.parse(text)
        except Exception as exc:  # the parser is lenient; what it raises is the user's syntax
            raise FulltextError(f"cannot read this query: {exc}") from exc

    def bounded(self, node: wq.Query) -> tuple[wq.Query, set[str]]:
        """``node`` on the full-text field with expansions bounded; also the words to highlight."""
        searcher = self.pages.searcher()
        reader = searcher.reader()
        words: set[str] = set()

        def rewrite(leaf: wq.Query) -> wq.Query:
            if isinstance(leaf, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
                return _expand(reader, leaf, words)
            if isinstance(leaf, wq.Phrase):
                words.update(leaf.words)
                return FastPhrase(FIELD, leaf.words, slop=leaf.slop, boost=leaf.boost)
            if isinstance(leaf, wq.Term):
                words.add(str(leaf.text))
                return wq.Term(FIELD, leaf.text, boost=leaf.boost)
            if isinstance(leaf, (wq.TermRange, wq.NumericRange)):
                raise FulltextError("fulltext: takes words and phrases, not ranges")
            if leaf.is_leaf():
                return leaf
            return leaf.apply(rewrite).normalize()

        return rewrite(node), words

    def paper_ids(self, node: wq.Query) -> set[int]:
        """Papers with a page matching ``node`` (no scoring: the fast path for ``fulltext:``)."""
        return set(self.page_counts(node))

    def page_counts(self, node: wq.Query) -> dict[int, int]:
        """For each paper with a page matching ``node``: how many of its pages match (unscored)."""
        query, _ = self.bounded(node)
        searcher = self.pages.searcher()
        counts: Counter[int] = Counter()
        for leaf_searcher, _offset in searcher.leaf_searchers():
            reader = leaf_searcher.reader()
            counts.update(map(self._columns.paper_ids(reader).__getitem__, _live_docnums(query, leaf_searcher)))
        return dict(counts)

    def matching_pages(self, node: wq.Query) -> list[tuple[int, int, int]]:
        """(paper id, file id, page) of every page matching ``node`` (unscored, in no set order)."""
        query, _ = self.bounded(node)
        searcher = self.pages.searcher()
        found: list[tuple[int, int, int]] = []
        for leaf_searcher, _offset in searcher.leaf_searchers():
            found.extend(map(self._columns.rows(leaf_searcher.reader()).__getitem__,
                             _live_docnums(query, leaf_searcher)))
        return found

    def best_page(self, words: Iterable[str], paper: int) -> PageHit | None:
        """The page of ``paper`` where ``words`` weigh most (for its snippet), without a search."""
        searcher = self.pages.searcher()
        best: PageHit | None = None
        terms = sorted(set(words))
        for (leaf_searcher, _offset), (rows, _) in zip(searcher.leaf_searchers(), self._columns.lookup(searcher),
                                                        strict=True):
            reader = leaf_searcher.reader()
            if ("paper", str(paper)) not in reader:
                continue
            pages = [d for d in reader.postings("paper", str(paper)).all_ids()
                     if not (reader.has_deletions() and reader.is_deleted(d))]
            weights = dict.fromkeys(pages, 0.0)
            for term in terms:
                if (FIELD, term) not in reader:
                    continue
                postings = reader.postings(FIELD, term)
                for docnum in pages:
                    if not postings.is_active():
                        break
                    if postings.id() < docnum:
                        postings.skip_to(docnum)
                    if postings.is_active() and postings.id() == docnum:
                        weights[docnum] += postings.weight()
            for docnum, weight in weights.items():
                if weight > 0 and (best is None or weight > best.score):
                    pid, fid, page = rows[docnum]
                    best = PageHit(pid, fid, page, weight)
        return best

    def snippet(self, words: Iterable[str], text: str) -> Snippet:
        """The page's best fragment with the query's (analysed) words marked."""
        analyzer = self.pages.schema[FIELD].analyzer
        terms = frozenset(words)
        if not terms or not text:
            return Snippet(" ".join(text[:SNIPPET_CHARS].split()))
        fragmenter = highlight.ContextFragmenter(maxchars=SNIPPET_CHARS, surround=60, charlimit=None)
        flat = " ".join(text.split())
        found = highlight.highlight(flat, terms, analyzer, fragmenter, _SpanFormatter(), top=1,
                                    order=highlight.SCORE)
        return found[0] if found else Snippet(flat[:SNIPPET_CHARS])


def _live_docnums(query: wq.Query, searcher: Searcher) -> set[int]:
    """``_docnums`` without the segment's deleted documents."""
    docnums = _docnums(query, searcher)
    deleted = searcher.reader().deleted_docs_set if isinstance(searcher.reader(), SegmentReader) else None
    if deleted:
        return docnums - deleted
    if searcher.reader().has_deletions():
        return {d for d in docnums if not searcher.reader().is_deleted(d)}
    return docnums


def _docnums(query: wq.Query, searcher: Searcher) -> set[int]:
    """The documents of one segment matching ``query``; unions and intersections of terms as sets.

    Whoosh's ``Or`` matcher merges its children through a heap in Python, a posting at a time;
    a prefix's 64 expansions cost ~250 ms at 15k pages that way, a union of posting sets far less.
    Posting lists are read a block at a time, not a posting at a time.
    """
    if isinstance(query, wq.Phrase) and query.slop <= 1 and len(query.words) > 1:
        return _phrase_docnums(searcher.reader(), [str(w) for w in query.words])
    if isinstance(query, wq.Term):
        return _term_ids(searcher.reader(), query.fieldname, str(query.text))
    if type(query) is wq.Or:
        found: set[int] = set()
        for child in query.subqueries:
            found |= _docnums(child, searcher)
        return found
    if type(query) is wq.And:
        parts = sorted((_docnums(child, searcher) for child in query.subqueries), key=len)
        result = parts[0] if parts else set()
        for part in parts[1:]:
            result &= part
        return result
    if query is wq.NullQuery or isinstance(query, type(wq.NullQuery)):
        return set()
    return set(query.matcher(searcher).all_ids())


def _term_ids(reader: IndexReader, field: str, text: str) -> set[int]:
    """The documents holding a term, deleted ones too (callers drop them); page text's from ``words``."""
    if field == FIELD:
        field = WORDS
    if (field, text) not in reader:
        return set()
    found: set[int] = set()
    if not isinstance(reader, SegmentReader):
        for ids, _weights in term_blocks(reader, field, text):
            found.update(ids)
        return found
    matcher = reader._terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format)
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings
        found.update(matcher.all_ids())
        return found
    while matcher.is_active():  # a block's data is (delta-coded ids, weights, values): take the ids only
        if matcher._data is None:
            matcher._read_data()
        ids = matcher._data[0]
        found.update(ids if matcher._byteids else accumulate(ids))
        matcher._next_block()
    return found


def _phrase_docnums(reader: IndexReader, words: list[str]) -> set[int]:
    """Pages holding the exact phrase (words at consecutive positions).

    Every two neighbouring words of the phrase are one ``pairs`` term, so the pages holding all
    the pairs are the phrase's candidates, rarest pair first; a two-word phrase needs nothing
    more, a longer one has its positions checked on those few pages only.
    """
    pairs = {pair_term(a, b) for a, b in pairwise(words)}
    candidates: set[int] | None = None
    for pair in sorted(pairs, key=lambda p: reader.doc_frequency(PAIRS, p)):
        ids = _term_ids(reader, PAIRS, pair)
        candidates = ids if candidates is None else candidates & ids
        if not candidates:
            return set()
    assert candidates is not None
    if len(words) == 2:
        return candidates
    if isinstance(reader, SegmentReader) and reader.deleted_docs_set:
        candidates -= reader.deleted_docs_set
    return _with_positions(reader, words, sorted(candidates))


def _with_positions(reader: IndexReader, words: list[str], candidates: list[int]) -> set[int]:
    """Those of ``candidates`` (sorted, each holding every word) where ``words`` stand in a row."""
    matchers = [reader.postings(FIELD, w) for w in words]
    found: set[int] = set()
    for docnum in candidates:
        starts: set[int] | None = None
        for offset, matcher in enumerate(matchers):
            if matcher.is_active():
                matcher.skip_to(docnum)
            if not matcher.is_active() or matcher.id() != docnum:
                starts = set()
                break
            shifted = {p - offset for p in matcher.value_as("positions")}
            starts = shifted if starts is None else starts & shifted
            if not starts:
                break
        if starts:
            found.add(docnum)
    return found


def _expand(reader: IndexReader, leaf: wq.Query, words: set[str]) -> wq.Query:
    text = str(getattr(leaf, "text", ""))
    if FIELD not in reader.schema:
        return wq.NullQuery
    if isinstance(leaf, wq.FuzzyTerm):
        if len(text) < 3:
            raise FulltextError(f"'{text}~' is too short for a fuzzy search: type at least 3 letters")
        distance = min(max(int(leaf.maxdist), 1 if len(text) < 6 else 2), 2)
        candidates = [_text(t) for t in reader.terms_within(FIELD, text, distance, prefix=1)]
    else:
        stem = re.split(r"[*?]", text, maxsplit=1)[0]
        if len(stem) < MIN_PREFIX:
            raise FulltextError(f"'{text}' needs at least {MIN_PREFIX} letters before * or ?")
        pattern = re.compile(re.escape(text).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z") \
            if isinstance(leaf, wq.Wildcard) else None
        candidates = [t for t in (_text(t) for t in reader.expand_prefix(FIELD, stem))
                      if pattern is None or pattern.match(t)]
    if not candidates:
        return wq.NullQuery
    if len(candidates) > MAX_EXPANSIONS:
        candidates.sort(key=lambda t: reader.doc_frequency(FIELD, t), reverse=True)
        candidates = candidates[:MAX_EXPANSIONS]
    words.update(candidates)
    return wq.Or([wq.Term(FIELD, t) for t in candidates], boost=leaf.boost)


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
