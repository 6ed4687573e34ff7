"""Analyzers: how text becomes index terms (folded accents, lower case, stems for prose)."""

from __future__ import annotations

from whoosh.analysis import (
    Analyzer,
    CharsetFilter,
    LowercaseFilter,
    RegexTokenizer,
    StemFilter,
    StopFilter,
)
from whoosh.support.charset import accent_map

# Words with inner apostrophes, dots or plus signs stay whole (``gpt-4`` splits, ``c++`` stays).
TOKEN_PATTERN = r"\w+(?:[.+']\w+)*\+*"


def prose_analyzer() -> Analyzer:
    """Titles, abstracts, keywords, venues and notes: folded, lower-cased, stop words out, stemmed."""
    return (
        RegexTokenizer(TOKEN_PATTERN)
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(minsize=1)
        | StemFilter(cachesize=200_000)
    )


def name_analyzer() -> Analyzer:
    """Author names: folded and lower-cased, never stemmed (``Dusseldorf`` finds ``Düsseldorf``)."""
    return RegexTokenizer(TOKEN_PATTERN) | LowercaseFilter() | CharsetFilter(accent_map)
