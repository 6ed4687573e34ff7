"""Readable text for display: inline TeX math in titles (``$\\mu$KE``, ``$\\ell_1$``) shown as Unicode.

Only what lies between ``$`` signs changes; stored titles keep their source, so
an export still writes ``$\\mu$KE``.
"""

from __future__ import annotations

import re
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text

# Pandoc's rule: no space just inside the dollars, no digit just after the closing one ("$5 and $5").
_MATH = re.compile(r"(?<![\\$])\$(?=[^\s$])((?:\\.|[^$\\])+?)(?<=[^\s\\])\$(?!\d)")
_SCRIPT = re.compile(r"([_^])(?:\{([^{}]*)\}|(\\[A-Za-z]+|[^\s{}\\]))")
_SUBSCRIPTS = dict(zip("0123456789+-=()aehijklmnoprstuvx",
                       "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ", strict=True))
_SUPERSCRIPTS = dict(zip("0123456789+-=()inT*",
                         "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁱⁿᵀ*", strict=True))
_OPERATOR = re.compile(r"\\(log|ln|exp|sin|cos|tan|max|min|sup|inf|lim|det|arg)(?![A-Za-z])")
_decoder = LatexNodes2Text(math_mode="text", keep_braced_groups=False, strict_latex_spaces=True)


def _script(match: re.Match[str]) -> str:
    """``_1`` -> ``₁``, ``^{2}`` -> ``²``; left alone when a character has no small form."""
    marker, braced, single = match.groups()
    body = braced if braced is not None else single
    table = _SUBSCRIPTS if marker == "_" else _SUPERSCRIPTS
    if body and all(ch in table for ch in body):
        return "".join(table[ch] for ch in body)
    return match.group(0)


def _math(match: re.Match[str]) -> str:
    source = match.group(1)
    try:
        text = _decoder.latex_to_text(_OPERATOR.sub(r"\1", _SCRIPT.sub(_script, source)))
    except Exception:  # pylatexenc rejects some malformed input: show the source, never fail a paint
        return match.group(0)
    return " ".join(text.split()) if text.strip() else match.group(0)


@lru_cache(maxsize=8192)
def readable(text: str) -> str:
    """``$\\mu$KE`` -> ``μKE``; ``Sparse $\\ell_1$ recovery`` -> ``Sparse ℓ₁ recovery``; other text unchanged."""
    if "$" not in text:
        return text
    return _MATH.sub(_math, text)
