"""Why two papers are related: the key terms of one that the other's text shares, as words people read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

Analyzer = Callable[..., Iterable[Any]]


def surface_words(analyzer: Analyzer, text: str) -> dict[str, str]:
    """Each indexed term of ``text`` -> the first word it came from (``prune`` -> ``pruning``)."""
    words: dict[str, str] = {}
    for token in analyzer(text, chars=True, keeporiginal=True, mode="index"):
        original = getattr(token, "original", None) or token.text
        words.setdefault(token.text, str(original).lower())
    return words


def shared_terms(analyzer: Analyzer, key_terms: Sequence[str], source: str, other: str) -> list[str]:
    """The ``key_terms`` of ``source`` that ``other`` contains too, in key-term order, as source words."""
    source_words = surface_words(analyzer, source)
    other_terms = set(surface_words(analyzer, other))
    return [source_words.get(term, term) for term in key_terms if term in other_terms]
