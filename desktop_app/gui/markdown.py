"""Rendering a note's markdown to HTML for the preview (raw HTML in the note stays text).

Images are not shown: an image becomes a plain link to its address (which the
preview opens only if the link policy allows), so no note can make Lectern
fetch anything while rendering.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token


def _image_as_link(_renderer: Any, tokens: Sequence[Token], idx: int, _options: Any, _env: Any) -> str:
    token = tokens[idx]
    src = str(token.attrGet("src") or "")
    alt = token.content or "image"
    return f'<a href="{html.escape(src, quote=True)}">[image: {html.escape(alt)}]</a>'


@lru_cache(maxsize=1)
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table").enable("strikethrough")
    md.add_render_rule("image", _image_as_link)
    return md


def render_markdown(text: str) -> str:
    """HTML for ``text``; ``<script>``, ``<img onerror>`` and the like come out escaped."""
    return _renderer().render(text)
