"""Analyzers: how text becomes index terms (folded accents, lower case, stems for prose).

``ProseAnalyzer`` does in one loop what Whoosh's ``RegexTokenizer |
LowercaseFilter | CharsetFilter(accent_map) | StopFilter | StemFilter`` chain
does in five nested generators, with the same tokens, positions and
characters (a test holds it to that); analysis is a third of indexing time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
    Token,
)
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem
from whoosh.support.charset import accent_map

# Words with inner apostrophes, dots or plus signs stay whole (``gpt-4`` splits, ``c++`` stays).
TOKEN_PATTERN = r"\w+(?:[.+']\w+)*\+*"
_TOKEN = re.compile(TOKEN_PATTERN)
_STEM_CACHE_LIMIT = 200_000


class ProseAnalyzer(Analyzer):
    """Titles, abstracts, keywords, venues and notes: folded, lower-cased, stop words out, stemmed."""

    is_morph = True

    def __init__(self) -> None:
        self._stems: dict[str, str] = {}

    def __getstate__(self) -> dict[str, Any]:
        return {}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._stems = {}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ProseAnalyzer)

    def __hash__(self) -> int:
        return hash(ProseAnalyzer)

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
        if tokenize:
            spans = ((m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(value))
        else:
            spans = iter(((value, 0, len(value)),))
        stops = STOP_WORDS
        pos: int | None = None
        for index, (raw, start, end) in enumerate(spans):
            text = raw.lower().translate(accent_map)
            if keeporiginal or not tokenize:
                token.original = raw
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            if text and text not in stops:
                if positions:
                    pos = start_pos + index if pos is None else pos + 1
                    token.pos = pos
                token.stopped = False
                token.text = text if no_morph else self._stem(text)
                yield token
            elif not removestops:
                if positions:
                    token.pos = start_pos + index
                token.stopped = True
                token.text = text
                yield token


def reference_prose_analyzer() -> Analyzer:
    """Whoosh's own chain that ``ProseAnalyzer`` reproduces (kept for the equivalence test)."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(minsize=1)
        | StemFilter(cachesize=200_000)
    )


def prose_analyzer() -> Analyzer:
    return ProseAnalyzer()


def name_analyzer() -> Analyzer:
    """Author names: folded and lower-cased, never stemmed (``Dusseldorf`` finds ``Düsseldorf``)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
