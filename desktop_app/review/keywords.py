"""Where a review's include and exclude keywords occur in a title or abstract.

A keyword matches at a word start, case-insensitively; ``*`` at its end matches any word
ending (``random*`` finds *randomised*).  Overlaps go to the earlier, then longer, match.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

Kind = Literal["include", "exclude"]


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: Kind


def _pattern(keyword: str) -> str | None:
    word = keyword.strip()
    prefix = word.endswith("*")
    word = word.rstrip("*").strip()
    if not word:
        return None
    body = r"\s+".join(re.escape(part) for part in word.split())
    return rf"\b{body}\w*" if prefix else rf"\b{body}\b"


def keyword_spans(text: str, include: Sequence[str], exclude: Sequence[str]) -> list[Span]:
    """Non-overlapping keyword matches in ``text``, in order."""
    found: list[Span] = []
    groups: tuple[tuple[Kind, Sequence[str]], ...] = (("include", include), ("exclude", exclude))
    for kind, words in groups:
        for keyword in words:
            pattern = _pattern(keyword)
            if pattern is None:
                continue
            found.extend(Span(m.start(), m.end(), kind) for m in re.finditer(pattern, text, re.IGNORECASE)
                         if m.end() > m.start())
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    kept: list[Span] = []
    for span in found:
        if not kept or span.start >= kept[-1].end:
            kept.append(span)
    return kept
