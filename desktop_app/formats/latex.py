"""LaTeX <-> Unicode for field values (pylatexenc does the character tables)."""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexencode import UnicodeToLatexEncoder

_NEEDS_LATEX_DECODING = re.compile(r"[\\$~]|--")
_BRACES = re.compile(r"[{}]")

_decoder = LatexNodes2Text(math_mode="verbatim", keep_braced_groups=False, strict_latex_spaces=True)
_encoder = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


@lru_cache(maxsize=4096)
def latex_to_unicode(value: str) -> str:
    """``D{\\"o}rner`` -> ``Dörner``; ``{BERT}`` -> ``BERT``; plain text is returned as is."""
    if not _NEEDS_LATEX_DECODING.search(value):
        return _BRACES.sub("", value)
    try:
        text = _decoder.latex_to_text(value)
    except Exception:  # pylatexenc rejects some malformed input; braces alone are safe to drop
        return _BRACES.sub("", value)
    return text.replace("\xa0", " ")


def unicode_to_latex(value: str) -> str:
    """``Dörner`` -> ``D{\\"o}rner``; ASCII passes through untouched (escape specials first)."""
    if value.isascii():
        return value
    return _encoder.unicode_to_latex(value)
