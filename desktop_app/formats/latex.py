"""LaTeX <-> Unicode for field values (pylatexenc does the character tables)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db
from pylatexenc.latexencode import UnicodeToLatexEncoder
from pylatexenc.latexwalker import (
    get_default_latex_context_db as get_default_latex_walker_context_db,
)
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
    MacroTextSpec("slash", "/"),
    MacroTextSpec("mbox", "%s"),
)
# Macros that only format or guide sorting: their name is no text, so dropping it loses nothing.
FORMATTING_MACROS = frozenset("""
    em bf it sl sc rm sf tt up md normalfont itshape bfseries scshape slshape upshape mdseries
    rmfamily sffamily ttfamily relax protect mbox hbox makebox fbox noopsort nocase NoCaseChange
    textsuperscript textsubscript mkbibquote mkbibemph mkbibitalic mkbibbold enquote
    ensuremath bibnamedelima bibnamedelimb bibnamedelimc bibnamedelimd bibnamedelimi
    bibinitdelim bibrangedash bibdatedash nopunct isdot adddot addcomma addspace addperiod
    small large Large footnotesize scriptsize tiny normalsize huge Huge null ignorespaces
    unskip xspace hyphenation vphantom hphantom phantom smash strut displaystyle textstyle
    scriptstyle mathrm mathit mathbf mathsf mathtt mathcal boldmath unboldmath color
    textcolor selectlanguage foreignlanguage hyphen nobreak allowbreak linebreak newline
    break penalty kern hskip vskip hspace vspace quad qquad enspace thinspace negthinspace
""".split())
# a control symbol (``\\``, ``\%``) is consumed whole so ``\\plain`` is a line break and a word
_CONTROL_WORD = re.compile(r"\\(?:([A-Za-z]+)|[^A-Za-z])")
_MATH = re.compile(r"(?<!\\)\$\$?.*?(?<!\\)\$\$?", re.S)


def _latex_context() -> LatexContextDb:
    context = get_default_latex_context_db()  # a fresh database on every call
    context.add_context_category("lectern", macros=list(_EXTRA_MACROS), prepend=True)
    return context


_BARE_PERCENT_OR_AMPERSAND = re.compile(r"(?<!\\)([%&])")
_ACCENTS = {
    '"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303", "=": "\u0304",
    ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b", "c": "\u0327", "d": "\u0323",
    "b": "\u0331", "k": "\u0328", "r": "\u030a",
}
_ARGUMENT = r"(?:\s*\{\s*(\\[ij](?![A-Za-z])\s*|[A-Za-z])\s*\}"
_ACCENT = re.compile(
    r"\\([\"'`^~=.])" + _ARGUMENT + r"|\s*(\\[ij](?![A-Za-z]))|\s*([A-Za-z]))"
    r"|\\([uvHcdbkr])" + _ARGUMENT + r"|\s+([A-Za-z]))"
)
_FAST_TOKEN = re.compile(
    r"\\([A-Za-z]+)[ \t\n]*|\\([^A-Za-z])|(---|--|``|''|~)|([^\\{}\-`'~$]+|[-`'$])|[{}]"
)
_LIGATURES = {"---": "\u2014", "--": "\u2013", "``": "\u201c", "''": "\u201d", "~": "\xa0"}

_decoder = LatexNodes2Text(
    latex_context=_latex_context(),
    math_mode="verbatim",
    keep_braced_groups=False,
    strict_latex_spaces=True,
)
_SIMPLE_MACROS: dict[str, str] = {}
_encoder = UnicodeToLatexEncoder(
    non_ascii_only=True,
    replacement_latex_protection="braces-all",
    unknown_char_policy="keep",
    unknown_char_warning=False,
)


def is_known_macro(name: str) -> bool:
    """True for macros whose meaning Lectern knows: text it can show, or formatting to drop."""
    return (name in _SIMPLE_MACROS or name in FORMATTING_MACROS
            or _decoder.latex_context.get_macro_spec(name) is not None)


def unknown_macros(value: str) -> list[str]:
    """Names of the control words in ``value`` that Lectern cannot turn into text, in order."""
    if "\\" not in value:
        return []
    text = _MATH.sub(" ", value) if "$" in value else value  # math is shown as written
    return [name for name in dict.fromkeys(_CONTROL_WORD.findall(text))
            if name and not is_known_macro(name)]


@lru_cache(maxsize=4096)
def latex_to_unicode(value: str) -> str:
    """``D{\\"o}rner`` -> ``Dörner``; ``{BERT}`` -> ``BERT``; plain text is returned as is (NFC).

    A bare ``%`` or ``&`` is taken as the character it shows in a .bib file,
    not as a LaTeX comment or alignment tab. A macro Lectern does not know
    shows as its name (``\\MF{}`` -> ``MF``), never as nothing.
    """
    if not _NEEDS_LATEX_DECODING.search(value):
        return unicodedata.normalize("NFC", _BRACES.sub("", value))
    unknown = unknown_macros(value)
    if unknown:
        names = set(unknown)
        value = _CONTROL_WORD.sub(lambda m: m.group(1) if m.group(1) in names else m.group(), value)
        if not _NEEDS_LATEX_DECODING.search(value):
            return unicodedata.normalize("NFC", _BRACES.sub("", value))
    value = _BARE_PERCENT_OR_AMPERSAND.sub(r"\\\1", value)
    text = _fast_decode(value)
    if text is None:
        try:
            text = _decoder.latex_to_text(value)
        except Exception:  # pylatexenc rejects some malformed input; braces alone are safe to drop
            text = _BRACES.sub("", value)
    return unicodedata.normalize("NFC", text.replace("\xa0", " "))


def _fast_decode(value: str) -> str | None:
    """The common case (escapes, accents, symbol macros, ligatures) without pylatexenc's tokeniser.

    None when the value holds anything else (math, macros with arguments, ``\\\\``...).
    """
    value = _ACCENT.sub(_accented, value)
    out: list[str] = []
    for match in _FAST_TOKEN.finditer(value):
        word, symbol, ligature, other = match.groups()
        if word is not None or symbol is not None:
            replacement = _SIMPLE_MACROS.get(word if word is not None else symbol)
            if replacement is None:
                return None
            out.append(replacement)
        elif ligature is not None:
            out.append(_LIGATURES[ligature])
        elif other is not None:
            if other == "$":
                return None
            out.append(other)
    return "".join(out)


def _accented(match: re.Match[str]) -> str:
    groups = match.groups()
    accent = groups[0] or groups[4]
    letter = next(g for i, g in enumerate(groups) if g is not None and i not in (0, 4)).strip()
    base = {"\\i": "i", "\\j": "j"}.get(letter, letter)
    return unicodedata.normalize("NFC", base + _ACCENTS[accent])


def _simple_macros() -> dict[str, str]:
    """Argument-less macros whose text is a fixed string, from pylatexenc's own tables."""
    walker_context = get_default_latex_walker_context_db()
    table: dict[str, str] = {}
    for spec in _decoder.latex_context.iter_macro_specs():
        replacement = spec.simplify_repl
        walker_spec = walker_context.get_macro_spec(spec.macroname)
        takes_no_args = walker_spec is None or walker_spec.args_parser.argspec == ""
        if isinstance(replacement, str) and "%" not in replacement and takes_no_args:
            table.setdefault(spec.macroname, replacement)
    table.pop("today", None)
    return table


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
    if latex_to_unicode(encoded) != cluster:  # "ﬁ" -> "fi" would not read back as "ﬁ"
        return cluster
    return encoded


_SIMPLE_MACROS.update(_simple_macros())
