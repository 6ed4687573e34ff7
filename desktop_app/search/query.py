"""The Lectern query language, compiled to Whoosh queries.

Friendly field names (``title: author: abstract: tag: list: note: venue:
year: status: keyword: arxiv: doi: key:``), ``AND OR NOT``, parentheses,
``"phrases"``, ``prefix*``, ``fuzzy~``, ``year:2020..2024`` and
``year:[2020 TO 2024]``.  Plain words search title (weighted), abstract,
authors, keywords, ids, tags and notes; they are *ranked* (``ranked.py``):
papers with all the words first, then those with most of them.  Stop words
are never required.  ``syntax.py`` repairs what cannot run, with a notice.

Leaves on *side fields* (tags, lists, status, year, priority, notes) are
answered by a ``SideLookup`` (SQLite and the notes index) and become
``IdSetQuery`` leaves; prefix and fuzzy leaves expand to a bounded number of
index terms, so a one-letter prefix cannot stall a search.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from whoosh import qparser
from whoosh import query as wq
from whoosh.fields import ID, Schema
from whoosh.reading import IndexReader

from desktop_app.search.docsets import DocnumMap, IdSetQuery, TermUnionQuery
from desktop_app.search.phrase import FastPhrase
from desktop_app.search.ranked import RankedWord, WeightedTerm
from desktop_app.search.schema import DEFAULT_FIELDS, FIELD_WEIGHTS, STOP_WORD_WEIGHT, paper_schema
from desktop_app.search.syntax import read_query

MAX_EXPANSIONS = 64
MIN_PREFIX = 2
MAX_FUZZY_DISTANCE = 2
MAX_PLAIN_WORDS = 48  # a pasted page is searched by its first distinct words
SIDE_FIELDS = ("tag", "list", "status", "year", "priority", "note", "ids", "fulltext")
PLAIN_SIDE_FIELDS = ("tag", "note", "ids")

_YEAR_DOTS = re.compile(r"\b(year|priority):(\d{0,4})\.\.(\d{0,4})(?!\w)", re.I)


class QueryError(ValueError):
    """A query the user typed that cannot run, with a message meant for them."""


class SideLookup(Protocol):
    """Answers leaves on fields that live outside the paper index."""

    def ids_for_term(self, field: str, text: str) -> set[int]: ...

    def ids_for_prefix(self, field: str, prefix: str) -> set[int]: ...

    def ids_for_range(self, field: str, start: int | None, end: int | None) -> set[int]: ...

    def ids_for_note_query(self, query: wq.Query) -> set[int]: ...

    def ids_for_fulltext_query(self, query: wq.Query) -> set[int]: ...


@dataclass(frozen=True)
class PlainWords:
    """A plain-word query as words to rank; ``extra`` (stop words in titles) adds to scores only."""

    words: tuple[RankedWord, ...]
    extra: tuple[WeightedTerm, ...] = ()
    stop_words_only: bool = False


@dataclass(frozen=True)
class CompiledQuery:
    text: str
    query: wq.Query
    highlight_terms: frozenset[tuple[str, str]]
    notices: tuple[str, ...] = ()
    plain: PlainWords | None = None

    def terms_for(self, field: str) -> frozenset[str]:
        return frozenset(t for f, t in self.highlight_terms if f == field)


def _parser_schema() -> Schema:
    schema = paper_schema()
    for name in SIDE_FIELDS:
        if name in ("note", "fulltext"):
            schema.add(name, schema["abstract"])
        else:
            schema.add(name, ID())
    return schema


_SCHEMA = _parser_schema()


def _make_parser() -> qparser.QueryParser:
    parser = qparser.MultifieldParser(
        list(DEFAULT_FIELDS) + list(PLAIN_SIDE_FIELDS), _SCHEMA, group=qparser.AndGroup,
        fieldboosts={name: weight for name, weight in FIELD_WEIGHTS.items() if weight != 1.0},
    )
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.GtLtPlugin())
    parser.remove_plugin_class(qparser.PlusMinusPlugin)
    return parser


_PARSER = _make_parser()


@lru_cache(maxsize=512)
def _parse(text: str) -> wq.Query:
    """Parsing is pure and costs milliseconds; typing re-sends the same prefixes often."""
    return _PARSER.parse(text)


def _normalise_text(text: str) -> str:
    return _YEAR_DOTS.sub(lambda m: f"{m.group(1)}:[{m.group(2) or ''} TO {m.group(3) or ''}]", text)


def _nothing_left(notices: list[str]) -> QueryError:
    if notices:
        return QueryError("nothing to search for: " + "; ".join(notices))
    return QueryError("type something to search for")


def compile_query(
    text: str,
    *,
    reader: IndexReader,
    docnums: DocnumMap,
    side: SideLookup,
) -> CompiledQuery:
    """Parse ``text`` and resolve side fields and expansions against ``reader``."""
    if not text.strip():
        raise QueryError("type something to search for")
    read = read_query(_normalise_text(text))
    terms: set[tuple[str, str]] = set()
    rewriter = _Rewriter(reader, docnums, side, terms)
    if read.plain is not None:
        if not read.plain:
            raise _nothing_left(read.notices)
        notices = list(read.notices)
        plain = _plain_words(read.plain, rewriter, notices)
        query = _strict_plain(plain)
        _union_trees(query)
        return CompiledQuery(text, query, frozenset(terms), tuple(notices), plain)
    if not read.text.strip():
        raise _nothing_left(read.notices)
    try:
        parsed = _parse(read.text)
    except Exception as exc:  # the parser is lenient; anything it raises is the user's syntax
        raise QueryError(f"cannot read this query ({type(exc).__name__}); check its quotes, "
                         "parentheses and field names") from exc
    compiled = rewriter.rewrite(parsed)
    if compiled is wq.NullQuery or isinstance(compiled, wq.NullQuery.__class__):
        raise QueryError("the query has no words to search for (only stop words?)")
    _union_trees(compiled)
    return CompiledQuery(text, compiled, frozenset(terms), tuple(read.notices))


def _plain_words(raw_words: list[str], rewriter: _Rewriter, notices: list[str]) -> PlainWords:
    """Each distinct word as the postings and id sets that hold it; stop words only score titles."""
    prose = _SCHEMA["title"].analyzer
    names = _SCHEMA["authors"].analyzer
    titles = _SCHEMA["title_all"].analyzer
    words: dict[str, RankedWord] = {}
    stops: dict[str, str] = {}
    for raw in raw_words:
        if len(words) >= MAX_PLAIN_WORDS:
            notices.append(f"a long text: searched for its first {MAX_PLAIN_WORDS} distinct words")
            break
        if "/" in raw:  # a DOI: identifiers only
            words.setdefault(raw, RankedWord(raw, (), rewriter.side_sets(raw, None)))
            continue
        stems = [t.text for t in prose(raw)]
        if not stems:
            for token in titles(raw):
                stops.setdefault(token.text, raw)
        for stem in stems:
            if stem in words:
                continue
            fielded: list[WeightedTerm] = [(name, stem, FIELD_WEIGHTS[name])
                                           for name in ("title", "abstract", "keywords")]
            fielded += [("authors", t.text, FIELD_WEIGHTS["authors"]) for t in names(raw)]
            rewriter.terms.update((name, text) for name, text, _ in fielded)
            rewriter.terms.add(("note", stem))
            words[stem] = RankedWord(raw, tuple(fielded), rewriter.side_sets(raw, stem))
    if not words and stops:
        title_words = tuple(RankedWord(raw, (("title_all", term, 1.0),)) for term, raw in stops.items())
        return PlainWords(title_words, stop_words_only=True)
    if not words:
        raise QueryError("the query has no words to search for")
    extra = tuple(("title_all", term, STOP_WORD_WEIGHT) for term in stops) if STOP_WORD_WEIGHT else ()
    return PlainWords(tuple(words.values()), extra)


def _strict_plain(plain: PlainWords) -> wq.Query:
    """Every word required (each in any of its fields): what ranking's first tier holds."""
    clauses: list[wq.Query] = []
    for word in plain.words:
        leaves: list[wq.Query] = [wq.Term(name, text, boost=weight) for name, text, weight in word.terms]
        leaves.extend(word.sets)
        clauses.append(leaves[0] if len(leaves) == 1 else wq.Or(leaves))
    return clauses[0] if len(clauses) == 1 else wq.And(clauses)


def _union_trees(node: wq.Query) -> None:
    """Make every ``Or`` march its clauses as a union tree, whatever the segment's size.

    Whoosh's ``Or`` picks, per segment of under 5,000 documents, a matcher that
    first fills and clears a 2,048-slot score array in Python (~0.2 ms a
    segment), so a rare word cost 1.7 ms on a library with a few small
    segments (a first import batch, recent edits) where the tree takes 0.45 ms.
    Our unions have a handful of clauses: the tree is what large segments use anyway.
    """
    if type(node) is wq.Or:
        node.matcher_type = wq.Or.DEFAULT_MATCHER
    for child in node.children():
        _union_trees(child)


class _Rewriter:
    def __init__(
        self, reader: IndexReader, docnums: DocnumMap, side: SideLookup, terms: set[tuple[str, str]]
    ) -> None:
        self.reader = reader
        self.docnums = docnums
        self.side = side
        self.terms = terms

    def rewrite(self, node: wq.Query) -> wq.Query:
        field = node.field() if node.is_leaf() else None
        if field in SIDE_FIELDS:
            return self._side(node, field)
        handler = self._leaf_handlers().get(type(node))
        if handler is not None:
            return handler(node)
        if isinstance(node, wq.Phrase):
            self.terms.update((node.fieldname, w) for w in node.words)
            if not _has_positions(self.reader, node.fieldname):
                return wq.And([wq.Term(node.fieldname, w) for w in node.words], boost=node.boost)
            return FastPhrase(node.fieldname, node.words, slop=node.slop, boost=node.boost)
        if isinstance(node, wq.Term):
            self.terms.add((node.fieldname, str(node.text)))
            return node
        if isinstance(node, (wq.TermRange, wq.NumericRange)):
            raise QueryError(f"ranges work on year only, not on {node.field()}:")
        if node.is_leaf():
            return node
        if _is_stop_word_clause(node):
            return wq.NullQuery
        rewritten = node.apply(self.rewrite)
        return rewritten.normalize()

    def _leaf_handlers(self) -> dict[type, Callable[[wq.Query], wq.Query]]:
        return {
            wq.Prefix: self._prefix,
            wq.Wildcard: self._wildcard,
            wq.FuzzyTerm: self._fuzzy,
        }

    # -- index fields ---------------------------------------------------------

    def _bounded(self, field: str, candidates: list[str], boost: float, *, scored: bool) -> wq.Query:
        """The most frequent expansions; scored per term (fuzzy) or as one constant-score union."""
        if not candidates:
            return wq.NullQuery
        if len(candidates) > MAX_EXPANSIONS:
            candidates.sort(key=lambda t: self.reader.doc_frequency(field, t), reverse=True)
            candidates = candidates[:MAX_EXPANSIONS]
        self.terms.update((field, t) for t in candidates)
        if not scored:
            return TermUnionQuery(field, candidates, boost)
        return wq.Or([wq.Term(field, t) for t in candidates], boost=boost)

    def _prefix(self, node: wq.Query) -> wq.Query:
        assert isinstance(node, wq.Prefix)
        prefix = str(node.text)
        if len(prefix) < MIN_PREFIX:
            raise QueryError(f"'{prefix}*' is too short: type at least {MIN_PREFIX} letters before *")
        if node.fieldname not in self.reader.schema:
            return wq.NullQuery
        candidates = [_text(t) for t in self.reader.expand_prefix(node.fieldname, prefix)]
        return self._bounded(node.fieldname, candidates, node.boost, scored=False)

    def _wildcard(self, node: wq.Query) -> wq.Query:
        assert isinstance(node, wq.Wildcard)
        pattern = str(node.text)
        stem = re.split(r"[*?]", pattern, maxsplit=1)[0]
        if pattern.strip("*?") == "":
            return wq.Every()
        if len(stem) < MIN_PREFIX:
            raise QueryError(f"'{pattern}' needs at least {MIN_PREFIX} letters before the first * or ?")
        regex = re.compile(re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".") + r"\Z")
        if node.fieldname not in self.reader.schema:
            return wq.NullQuery
        candidates = [
            text for text in (_text(t) for t in self.reader.expand_prefix(node.fieldname, stem))
            if regex.match(text)
        ]
        return self._bounded(node.fieldname, candidates, node.boost, scored=False)

    def _fuzzy(self, node: wq.Query) -> wq.Query:
        assert isinstance(node, wq.FuzzyTerm)
        text = str(node.text)
        if len(text) < 3:
            raise QueryError(f"'{text}~' is too short for a fuzzy search: type at least 3 letters")
        automatic = 1 if len(text) < 6 else 2
        distance = min(max(int(node.maxdist), automatic), MAX_FUZZY_DISTANCE)
        prefix = max(int(node.prefixlength), 1)
        if node.fieldname not in self.reader.schema:
            return wq.NullQuery
        candidates = [
            _text(t) for t in self.reader.terms_within(node.fieldname, text, distance, prefix=prefix)
        ]
        return self._bounded(node.fieldname, candidates, node.boost, scored=True)

    # -- side fields ------------------------------------------------------------

    def side_sets(self, raw: str, stem: str | None) -> tuple[IdSetQuery, ...]:
        """The tags and identifiers named ``raw`` and the notes holding ``stem``, as id sets (empty ones left out)."""
        found = [("tag", self.side.ids_for_term("tag", raw)), ("ids", self.side.ids_for_term("ids", raw))]
        if stem is not None:
            found.append(("note", self.side.ids_for_note_query(wq.Term("note", stem))))
        return tuple(IdSetQuery(frozenset(pids), self.docnums, f"{name}:{raw}") for name, pids in found if pids)

    def _side(self, node: wq.Query, field: str) -> wq.Query:
        label = str(node)
        if field == "note":
            pids = self.side.ids_for_note_query(node)
            self._note_terms(node)
        elif field == "fulltext":  # PDF pages: their own index (search/fulltext.py)
            pids = self.side.ids_for_fulltext_query(node)
            self.terms.update(("fulltext", _text(t)) for _f, t in node.iter_all_terms())
        elif isinstance(node, wq.Term):
            pids = self.side.ids_for_term(field, str(node.text))
        elif isinstance(node, wq.Prefix):
            pids = self.side.ids_for_prefix(field, str(node.text))
        elif isinstance(node, wq.Wildcard) and str(node.text).endswith("*") and "?" not in str(node.text):
            pids = self.side.ids_for_prefix(field, str(node.text).rstrip("*"))
        elif isinstance(node, wq.TermRange):
            start, end = _int_bound(node.start, field), _int_bound(node.end, field)
            if start is not None and node.startexcl:
                start += 1
            if end is not None and node.endexcl:
                end -= 1
            pids = self.side.ids_for_range(field, start, end)
        elif isinstance(node, wq.Phrase):
            pids = self.side.ids_for_term(field, " ".join(node.words))
        elif isinstance(node, wq.FuzzyTerm):
            pids = self.side.ids_for_term(field, str(node.text))
        else:
            raise QueryError(f"{field}: takes a word, a prefix* or (for year) a range")
        return IdSetQuery(frozenset(pids), self.docnums, label, boost=node.boost)

    def _note_terms(self, node: wq.Query) -> None:
        for _field, text in node.iter_all_terms():
            self.terms.add(("note", _text(text)))


def _is_stop_word_clause(node: wq.Query) -> bool:
    """A plain word the prose fields dropped (``the``): only authors, tags and ids kept it; never required."""
    if type(node) is not wq.Or or not all(type(c) is wq.Term for c in node.subqueries):
        return False
    fields = {c.fieldname for c in node.subqueries}
    return {"tag", "ids"} <= fields <= {"authors", "tag", "ids"}


def _has_positions(reader: IndexReader, field: str) -> bool:
    return field in reader.schema and reader.schema[field].format.supports("positions")


def _int_bound(value: object, field: str) -> int | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        raise QueryError(f"{field}: ranges take whole numbers, not {value!r}") from None


def _text(term: str | bytes) -> str:
    return term.decode("utf-8") if isinstance(term, bytes) else term
