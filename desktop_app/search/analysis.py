"""Analyzers: how text becomes index terms (folded accents, lower case, American spelling, stems for prose).

``ProseAnalyzer`` does in one loop what Whoosh's ``RegexTokenizer |
LowercaseFilter | CharsetFilter(accent_map) | SpellingFilter | StopFilter |
StemFilter`` chain does in six nested generators, with the same tokens,
positions and characters (a test holds it to that); analysis is a third of
indexing time.  ``ProseAnalyzer(keep_stops=True)`` keeps the stop words (the
``title_all`` field, so a title made of stop words can still be found).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

from desktop_app.search.spelling import americanise

# Words with inner apostrophes, dots or plus signs stay whole (``gpt-4`` splits, ``c++`` stays).
TOKEN_PATTERN = r"\w+(?:[.+']\w+)*\+*"
_TOKEN = re.compile(TOKEN_PATTERN)
_STEM_CACHE_LIMIT = 200_000


class ProseAnalyzer(Analyzer):
    """Titles, abstracts, keywords, venues and notes: folded, lower-cased, stop words out, stemmed."""

    is_morph = True

    def __init__(self, keep_stops: bool = False) -> None:
        self.keep_stops = keep_stops
        self._stops: frozenset[str] = frozenset() if keep_stops else STOP_WORDS
        self._stems: dict[str, str] = {}
        self._terms: dict[str, str] = {}  # a raw token -> its index term ("" for a stop word)

    def __getstate__(self) -> dict[str, Any]:
        return {"keep_stops": self.keep_stops}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(bool(state.get("keep_stops", False)))  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProseAnalyzer) and other.keep_stops == self.keep_stops

    def __hash__(self) -> int:
        return hash((ProseAnalyzer, self.keep_stops))

    def has_morph(self) -> bool:
        return True

    def _stem(self, word: str) -> str:
        stems = self._stems
        stemmed = stems.get(word)
        if stemmed is None:
            if len(stems) > _STEM_CACHE_LIMIT:
                stems.clear()
            stemmed = stems[word] = stem(word)
        return stemmed

    def _new_term(self, raw: str) -> str:
        """A raw token's index term ("" for a stop word), remembered for the next time."""
        folded = raw.lower().translate(accent_map)
        term = "" if not folded or folded in self._stops else self._stem(americanise(folded))
        if len(self._terms) < _STEM_CACHE_LIMIT:
            self._terms[raw] = term
        return term

    def index_terms(self, value: str) -> tuple[list[str], int]:
        """The terms ``__call__`` yields for indexing, in order, and the first one's position.

        The positions ``__call__`` gives are consecutive from the first kept word's
        index on; ``BatchSegmentWriter`` indexes from this list without a ``Token`` per word.
        """
        terms = self._terms
        kept: list[str] = []
        first = -1
        for index, raw in enumerate(_TOKEN.findall(value)):
            term = terms.get(raw)
            if term is None:
                term = self._new_term(raw)
            if term:
                if first < 0:
                    first = index
                kept.append(term)
        return kept, max(first, 0)

    def __call__(
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        no_morph: bool = False,
        **kwargs: Any,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.boost = 1.0
        if not tokenize:
            yield from self._untokenized(token, value, positions, chars, start_pos, start_char, no_morph)
            return
        terms = self._terms
        stems = not no_morph
        pos: int | None = None
        for index, match in enumerate(_TOKEN.finditer(value)):
            raw = match.group(0)
            if stems:
                term = terms.get(raw)
                if term is None:
                    term = self._new_term(raw)
            else:
                folded = raw.lower().translate(accent_map)
                term = "" if not folded or folded in self._stops else americanise(folded)
            if keeporiginal:
                token.original = raw
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            if term:
                if positions:
                    pos = start_pos + index if pos is None else pos + 1
                    token.pos = pos
                token.stopped = False
                token.text = term
                yield token
            elif not removestops:
                if positions:
                    token.pos = start_pos + index
                token.stopped = True
                token.text = raw.lower().translate(accent_map)
                yield token

    def _untokenized(self, token: Token, value: str, positions: bool, chars: bool, start_pos: int,
                     start_char: int, no_morph: bool) -> Iterator[Token]:
        """The whole value as one token (multi-term queries), through the same filters."""
        text = value.lower().translate(accent_map)
        token.original = value
        if positions:
            token.pos = start_pos
        if chars:
            token.startchar = start_char
            token.endchar = start_char + len(value)
        stopped = not text or text in self._stops
        if stopped and token.removestops:
            return
        token.stopped = stopped
        if not stopped:
            text = americanise(text)
        token.text = text if stopped or no_morph else self._stem(text)
        yield token


class SpellingFilter(Filter):
    """British spellings to American ones (``spelling.americanise``); stop words pass unchanged."""

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for token in tokens:
            if token.text not in STOP_WORDS:
                token.text = americanise(token.text)
            yield token


def reference_prose_analyzer() -> Analyzer:
    """Whoosh's own chain that ``ProseAnalyzer`` reproduces (kept for the equivalence test)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | SpellingFilter()
        | StopFilter(minsize=1)
        | StemFilter(cachesize=200_000)
    )


class PairAnalyzer(Analyzer):
    """Each two neighbouring terms of ``ProseAnalyzer`` as one term ("neural network").

    Neighbours are terms at consecutive positions, exactly what a two-word
    phrase asks for (stop words are out and the positions close up over
    them), so such a phrase is one term lookup instead of a position check.
    """

    def __init__(self, words: ProseAnalyzer | None = None) -> None:
        self._words = words if words is not None else ProseAnalyzer()  # share one to share its caches

    def __getstate__(self) -> dict[str, Any]:
        return {"words": self._words}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state.get("words"))  # type: ignore[misc]

    def __eq__(self, other: object) -> bool:
        return isinstance(other, PairAnalyzer)

    def __hash__(self) -> int:
        return hash(PairAnalyzer)

    def pairs(self, value: str) -> list[str]:
        words, _first = self._words.index_terms(value)
        return [pair_term(a, b) for a, b in pairwise(words)]

    def __call__(self, value: str, positions: bool = False, chars: bool = False, mode: str = "",
                 **kwargs: Any) -> Iterator[Token]:
        token = Token(positions, chars, mode=mode, **kwargs)
        token.boost = 1.0
        token.stopped = False
        for pos, pair in enumerate(self.pairs(value)):
            token.text = pair
            if positions:
                token.pos = pos
            yield token


def pair_term(first: str, second: str) -> str:
    """The ``PairAnalyzer`` term for two neighbouring (analysed) terms."""
    return f"{first} {second}"


def prose_analyzer() -> Analyzer:
    return ProseAnalyzer()


def title_words_analyzer() -> Analyzer:
    """Titles with their stop words kept (otherwise as prose)."""
    return ProseAnalyzer(keep_stops=True)


def name_analyzer() -> Analyzer:
    """Author names: folded and lower-cased, never stemmed (``Dusseldorf`` finds ``Düsseldorf``)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
