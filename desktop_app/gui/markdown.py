"""Rendering a note's markdown to HTML for the preview (raw HTML in the note stays text)."""

from __future__ import annotations

from functools import lru_cache

from markdown_it import MarkdownIt


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")


def render_markdown(text: str) -> str:
    """HTML for ``text``; ``<script>``, ``<img onerror>`` and the like come out escaped."""
    return _renderer().render(text)
