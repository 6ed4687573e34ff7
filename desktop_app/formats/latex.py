"""LaTeX <-> Unicode for field values (pylatexenc does the character tables)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pylatexenc.macrospec import LatexContextDb

# Backslashes, math, ties and the TeX ligatures (-- --- `` '') need the real decoder.
_NEEDS_LATEX_DECODING = re.compile(r"[\\$~]|--|''|``")
_BRACES = re.compile(r"[{}]")
_CLUSTER = re.compile(r"[\x00-\x7f]+|.[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.S)
# Macros that exist only in the T1 (or T2A) font encoding: an error in pdflatex's default OT1.
_NOT_IN_OT1 = re.compile(
    r"\\(?:k\b|[Dd][HJ]\b|NG\b|ng\b|TH\b|th\b|guillemot|guilsingl|quotesinglbase|quotedblbase|"
    r"textquotedbl\b|CYR|cyr|SS\b|textogonekcentered)"
)

# Text-mode macros that pylatexenc's tables lack or render differently than LaTeX prints them.
_EXTRA_MACROS = (
    MacroTextSpec("textasciicircum", "^"),
    MacroTextSpec("textbraceleft", "{"),
    MacroTextSpec("textbraceright", "}"),
    MacroTextSpec("LaTeX", "LaTeX"),
    MacroTextSpec("TeX", "TeX"),
    MacroTextSpec("BibTeX", "BibTeX"),
    MacroTextSpec("url", "%s"),
    MacroTextSpec("-", ""),
)


def _latex_context() -> LatexContextDb:
    context = get_default_latex_context_db()  # a fresh database on every call
    context.add_context_category("lectern", macros=list(_EXTRA_MACROS), prepend=True)
    return context


_decoder = LatexNodes2Text(
    latex_context=_latex_context(),
    math_mode="verbatim",
    keep_braced_groups=False,
    strict_latex_spaces=True,
)
_encoder = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


@lru_cache(maxsize=4096)
def latex_to_unicode(value: str) -> str:
    """``D{\\"o}rner`` -> ``Dörner``; ``{BERT}`` -> ``BERT``; plain text is returned as is (NFC)."""
    if not _NEEDS_LATEX_DECODING.search(value):
        return unicodedata.normalize("NFC", _BRACES.sub("", value))
    try:
        text = _decoder.latex_to_text(value)
    except Exception:  # pylatexenc rejects some malformed input; braces alone are safe to drop
        text = _BRACES.sub("", value)
    return unicodedata.normalize("NFC", text.replace("\xa0", " "))


def unicode_to_latex(value: str) -> str:
    """``Dörner`` -> ``D{\\"o}rner``; ASCII passes through untouched (escape specials first).

    A character keeps its UTF-8 form when plain pdflatex could not typeset its
    LaTeX form either (T1-only or Cyrillic font macros), when the LaTeX form
    would not read back as the same character, or when it carries combining marks.
    """
    if value.isascii():
        return value
    clusters = _CLUSTER.findall(unicodedata.normalize("NFC", value))
    return "".join(c if c.isascii() else _cluster_to_latex(c) for c in clusters)


@lru_cache(maxsize=2048)
def _cluster_to_latex(cluster: str) -> str:
    if len(cluster) > 1:
        return cluster
    encoded: str = _encoder.unicode_to_latex(cluster)
    if encoded == cluster or _NOT_IN_OT1.search(encoded):
        return cluster
    if latex_to_unicode(encoded) not in (cluster, unicodedata.normalize("NFKC", cluster)):
        return cluster
    return encoded
