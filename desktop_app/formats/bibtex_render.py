"""Papers to BibTeX or biblatex text that bibtex, biber, pandoc, JabRef and friends load cleanly.

Text fields hold plain Unicode, so LaTeX's special characters are escaped and,
for the ``bibtex`` dialect, non-ASCII letters become LaTeX accents; biblatex
keeps UTF-8. ``url`` and ``doi`` are written verbatim, ``extra_fields``
verbatim too (they hold LaTeX as imported), with braces repaired only where
a value could not be read back otherwise. ``code_url`` is not exported: no
BibTeX or biblatex field means "source code", and an invented one would only
draw warnings from biber.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from itertools import pairwise

from desktop_app.domain.citekeys import base_key, is_valid_key, unique_key
from desktop_app.domain.models import Author, Paper
from desktop_app.domain.text import STOP_WORDS
from desktop_app.formats import bibtex_values as values
from desktop_app.formats.bibtex_values import MONTH_MACROS
from desktop_app.formats.entry_types import ORIGINAL_TYPE_FIELD, bibtex_type, original_type
from desktop_app.formats.latex import unicode_to_latex
from desktop_app.formats.names import parse_bibtex_names

DIALECTS = ("bibtex", "biblatex")
# Lectern's own notes in ``extra_fields`` (never written as fields): the LaTeX a field was
# imported from when it holds macros Lectern cannot show (``_source.title``), and the field the
# authors were read from when the entry had no ``author`` (``_authors_from``).
SOURCE_PREFIX = "_source."
AUTHORS_FROM_KEY = "_authors_from"
# The readers the BibTeX importer used per paper attribute: a kept source is written back only
# while it still reads as the paper's current value (an edit in Lectern wins).
_READERS: dict[str, values.Reader] = {
    "title": values.text, "venue": values.text, "volume": values.text, "number": values.text,
    "publisher": values.text, "abstract": values.text, "pages": values.read_pages,
    "keywords": values.read_keywords, "authors": parse_bibtex_names,
}
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffc\ufffe\uffff]")


_SAFE_FIELD_CHARS = re.compile(r"[^A-Za-z0-9_.:+-]+")
_ARTICLE_TYPES = frozenset({"article", "periodical", "suppperiodical"})
_NEEDS_VENUE = frozenset({"article", "inproceedings", "incollection", "conference"})

_SPECIALS = {
    "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "\\": r"\textbackslash{}",
}
_BALANCED_BRACES = str.maketrans({**_SPECIALS, "{": r"\{", "}": r"\}"})
_LONE_BRACES = str.maketrans(
    {**_SPECIALS, "{": r"\textbraceleft{}", "}": r"\textbraceright{}"})
# TeX turns -- `` '' !` ?` into other characters; an empty group keeps them as typed.
_LIGATURE = re.compile(r"(?<=-)(?=-)|(?<=')(?=')|(?<=[`!?])(?=`)")
_SUBTITLE_MARKS = (":", "?", "!", ".")
_ALNUM_RUN = re.compile(r"[^\W_]+")
_STANDALONE_AND = re.compile(r"(?<!\S)(and)(?!\S)", re.I)
_LINE_START_AT = re.compile(r"(\n[ \t]*)@")
_TOKENS = re.compile(r"\\[\s\S]?|[{}]|[^\\{}]+")
_ALL_BRACES = re.compile(r"[{}]")
_UNESCAPED_BRACES = re.compile(r"(?<!\\)[{}]")

Encoder = Callable[[str], str]


def render(papers: Sequence[Paper], *, dialect: str = "bibtex") -> str:
    """One entry per paper, keys unique within the file, entries separated by a blank line."""
    if dialect not in DIALECTS:
        raise ValueError(f"unknown BibTeX dialect {dialect!r} (known: {', '.join(DIALECTS)})")
    keys = _assign_keys(papers)
    return "\n".join(_entry(paper, key, dialect) for paper, key in zip(papers, keys, strict=True))


def _assign_keys(papers: Sequence[Paper]) -> list[str]:
    """Stored keys where usable and free (first come first served), generated keys otherwise."""
    taken: set[str] = set()
    stored: list[str | None] = []
    for paper in papers:
        key = paper.citekey.strip()
        if is_valid_key(key) and key.casefold() not in taken:
            taken.add(key.casefold())
            stored.append(key)
        else:
            stored.append(None)
    result: list[str] = []
    for paper, kept in zip(papers, stored, strict=True):
        if kept is None:
            kept = unique_key(base_key(paper), lambda k: k.casefold() in taken)
            taken.add(kept.casefold())
        result.append(kept)
    return result


def _entry(paper: Paper, key: str, dialect: str) -> str:
    fields = _fields(paper, dialect)
    entry_type = _entry_type(paper, dialect)
    kept_type = original_type(paper)
    if entry_type != kept_type:
        fields.append((ORIGINAL_TYPE_FIELD, "{" + _field_name(kept_type) + "}"))
    lines = [f"@{entry_type}{{{key},"]
    lines.extend(f"  {name} = {_CONTROL_CHARS.sub('', value)}," for name, value in fields)
    if fields:
        lines[-1] = lines[-1][:-1]
    lines.append("}")
    return "\n".join(lines) + "\n"


def _entry_type(paper: Paper, dialect: str) -> str:
    """biblatex: the paper's own type (an unknown one too); BibTeX: a type its styles know."""
    wanted = original_type(paper)
    entry_type = bibtex_type(wanted) if dialect == "bibtex" else _field_name(wanted)
    if paper.arxiv_id and not paper.venue and entry_type in _NEEDS_VENUE:
        return "misc"
    return entry_type


def _fields(paper: Paper, dialect: str) -> list[tuple[str, str]]:
    encode = _text_encoder(dialect)
    fields: list[tuple[str, str]] = []

    def add(name: str, value: str) -> None:
        if value:
            fields.append((name, value))

    def source(attribute: str, written: str) -> str:
        """The imported LaTeX of a field with unknown macros, while it still says the same."""
        kept = paper.extra_fields.get(SOURCE_PREFIX + attribute)
        if kept is not None and _READERS[attribute](kept) == getattr(paper, attribute):
            return "{" + raw_latex(kept) + "}"
        return written

    if paper.authors and not _authors_elsewhere(paper):
        add("author", source("authors", "{" + " and ".join(_name(a, encode) for a in paper.authors) + "}"))
    add("title", source("title", _braced(title_latex(paper.title, encode))))
    add(_venue_field(_entry_type(paper, dialect), dialect), source("venue", _braced(_text(paper.venue, encode))))
    skip = _date_fields(paper, dialect, fields)
    add("volume", source("volume", _braced(_text(paper.volume, encode))))
    add("number", source("number", _braced(_text(paper.number, encode))))
    add("pages", source("pages", _braced(_text(paper.pages, encode, keep_dashes=True))))
    add("publisher", source("publisher", _braced(_text(paper.publisher, encode))))
    add("doi", _braced(verbatim(paper.doi)))
    add("url", _braced(verbatim(paper.url)))
    fields.extend(_arxiv_fields(paper, dialect))
    add("abstract", source("abstract", _braced(_text(paper.abstract, encode))))
    add("keywords", source("keywords", _braced(_text(", ".join(paper.keywords), encode))))
    fields.extend(_extra_fields(paper, {name.lower() for name, _ in fields} | skip))
    return fields


def _authors_elsewhere(paper: Paper) -> bool:
    """True when the authors came from ``editor``/``shortauthor`` and still match it."""
    origin = paper.extra_fields.get(AUTHORS_FROM_KEY, "")
    kept = paper.extra_fields.get(origin) if origin else None
    return kept is not None and parse_bibtex_names(kept) == paper.authors


def _date_fields(paper: Paper, dialect: str, fields: list[tuple[str, str]]) -> set[str]:
    """``year``/``month`` (or biblatex ``date``) from the paper's own fields; the extras to leave out.

    A kept biblatex ``date`` is written only while it agrees with the paper's year and
    month; a stale one would make biber print another year.
    """
    kept = paper.extra_fields.get("date", "")
    agrees = bool(kept) and values.read_date(kept) == (paper.year, paper.month)
    if dialect == "biblatex" and agrees:
        return set()
    skip = {"date"} if kept and paper.year is not None and not agrees else set()
    if paper.year is not None:
        fields.append(("year", "{" + str(paper.year) + "}"))
    if paper.month is not None:
        fields.append(("month", MONTH_MACROS[paper.month - 1]))
    return skip


def _venue_field(entry_type: str, dialect: str) -> str:
    if entry_type in _ARTICLE_TYPES:
        return "journaltitle" if dialect == "biblatex" else "journal"
    return "booktitle"


def _arxiv_fields(paper: Paper, dialect: str) -> list[tuple[str, str]]:
    if not paper.arxiv_id:
        return []
    fields = [("eprint", _braced(identifier(paper.arxiv_id)))]
    if dialect == "biblatex":
        fields.append(("eprinttype", "{arxiv}"))
        name = "eprintclass"
    else:
        fields.append(("archivePrefix", "{arXiv}"))
        name = "primaryClass"
    if paper.arxiv_class:
        fields.append((name, _braced(identifier(paper.arxiv_class))))
    return fields


def _extra_fields(paper: Paper, written: set[str]) -> list[tuple[str, str]]:
    fields = []
    for name in sorted(paper.extra_fields):
        if name.startswith("_"):
            continue
        safe_name = _field_name(name)
        if safe_name in written:
            continue
        written.add(safe_name)
        fields.append((safe_name, "{" + raw_latex(paper.extra_fields[name]) + "}"))
    return fields


def _field_name(name: str) -> str:
    cleaned = _SAFE_FIELD_CHARS.sub("-", name.strip().lower()).strip("-")
    if not cleaned or not cleaned[0].isalpha():
        cleaned = "x-" + cleaned
    return cleaned


def _braced(value: str) -> str:
    return "{" + value + "}" if value else ""


def _text_encoder(dialect: str) -> Encoder:
    if dialect == "bibtex":
        return unicode_to_latex
    return _identity


def _identity(value: str) -> str:
    return value


def escape(text: str, *, braces_balanced: bool, keep_dashes: bool = False) -> str:
    """Plain text -> LaTeX text: specials escaped, TeX ligatures broken (``--`` kept for pages)."""
    table = _BALANCED_BRACES if braces_balanced else _LONE_BRACES
    escaped = text.translate(table)
    if keep_dashes:
        return re.sub(r"(?<=')(?=')|(?<=[`!?])(?=`)", "{}", escaped)
    return _LIGATURE.sub("{}", escaped)


def _text(value: str, encode: Encoder, *, keep_dashes: bool = False) -> str:
    value = " ".join(value.split())
    escaped = escape(value, braces_balanced=braces_balanced(value), keep_dashes=keep_dashes)
    return encode(escaped)


def braces_balanced(text: str) -> bool:
    """True when the braces in ``text`` pair up, so ``\\{``/``\\}`` keep every parser in step."""
    depth = 0
    for match in _ALL_BRACES.finditer(text):
        depth += 1 if match.group() == "{" else -1
        if depth < 0:
            return False
    return depth == 0


def title_latex(title: str, encode: Encoder) -> str:
    """Title text -> LaTeX with each word that must keep its capitals in braces (``{BERT}``)."""
    title = " ".join(title.split())
    balanced = braces_balanced(title)
    words = title.split(" ")
    sentence_case = _is_sentence_case(words)
    seen_letter = False
    out_words: list[str] = []
    for word in words:
        if out_words and out_words[-1].endswith(_SUBTITLE_MARKS):
            seen_letter = False
        pieces: list[str] = []
        position = 0
        for match in _ALNUM_RUN.finditer(word):
            pieces.append(encode(escape(word[position:match.start()], braces_balanced=balanced)))
            run = match.group()
            first = not seen_letter
            seen_letter = seen_letter or any(c.isalpha() for c in run)
            latex = encode(escape(run, braces_balanced=balanced))
            pieces.append("{" + latex + "}" if _protect(run, first, sentence_case) else latex)
            position = match.end()
        pieces.append(encode(escape(word[position:], braces_balanced=balanced)))
        out_words.append("".join(pieces))
    return " ".join(out_words)


def _protect(run: str, first: bool, sentence_case: bool) -> bool:
    """Acronyms, camel case and digit-capital mixes always; proper nouns in sentence case."""
    if not any(c.isalpha() for c in run):
        return False
    if any(c.isupper() for c in run[1:]):
        return True
    if any(c.isdigit() for c in run) and any(c.isupper() for c in run):
        return True
    return sentence_case and not first and run[0].isupper()


def _is_sentence_case(words: list[str]) -> bool:
    """Words other than stop words, acronyms and subtitle starts are mostly lower case.

    Title case lowercases only stop words, so one lower-case content word is
    already a strong sign of sentence case.
    """
    lower = upper = 0
    for previous, word in pairwise(words):
        letters = [c for c in word if c.isalpha()]
        if (not letters or any(c.isupper() for c in letters[1:]) or any(c.isdigit() for c in word)
                or previous.endswith(_SUBTITLE_MARKS)):
            continue
        if letters[0].islower():
            lower += word.lower().strip(".,:;!?()\"'") not in STOP_WORDS
        elif letters[0].isupper():
            upper += 1
    return lower > 0 and lower >= upper


def _name(author: Author, encode: Encoder) -> str:
    """``Dörner, Dietrich`` -> ``D{\\"o}rner, Dietrich``; organisations in their own braces."""
    if author.literal:
        return "{" + _text(author.literal, encode) + "}"
    family, given = author.family, author.given
    if not family.strip():
        family, given = given, ""
    family_latex = _name_part(family, encode)
    if given.strip():
        return f"{family_latex}, {_name_part(given, encode)}"
    lone = " " in family.strip() or family_latex.startswith("{") or family.lower() == "others"
    return f"{family_latex}, {{}}" if lone else family_latex


def _name_part(text: str, encode: Encoder) -> str:
    latex = _text(text, encode)
    latex = _STANDALONE_AND.sub(r"{\1}", latex)
    return latex.replace(",", "{,}")


def verbatim(value: str) -> str:
    """URL, DOI or identifier as is; only characters no BibTeX parser agrees on get %-encoded."""
    value = "%20".join(value.split())
    if "\\" in value or not braces_balanced(value):
        value = value.replace("\\", "%5C").replace("{", "%7B").replace("}", "%7D")
    return value


def identifier(value: str) -> str:
    """An identifier (arXiv id, class list) as it is: only braces no parser would pair are escaped."""
    value = " ".join(value.split())
    return value if _safe_braces(value) and "\\" not in value else raw_latex(value)


def raw_latex(value: str) -> str:
    """An imported LaTeX value as it was, unless some parser would end the field early.

    BibTeX counts every brace; bibtexparser and pandoc skip a brace after a
    backslash. Braces that would leave either count unbalanced become
    ``\\textbraceleft{}``/``\\textbraceright{}``; a ``\\\\`` right before a brace or
    at the end gets a space, and an ``@`` starting a line is braced.
    """
    tokens = _TOKENS.findall(value)
    if not _safe_braces(value):
        tokens = [_repair(token) for token in _mark_unmatched(tokens)]
    for index, token in enumerate(tokens[:-1]):
        if token == "\\\\" and tokens[index + 1][:1] in ("{", "}"):
            tokens[index] = "\\\\ "
    if tokens and tokens[-1].endswith("\\"):
        tokens[-1] += " "
    return _LINE_START_AT.sub(r"\1{@}", "".join(tokens))


def _safe_braces(value: str) -> bool:
    unescaped = "".join(m.group() for m in _UNESCAPED_BRACES.finditer(value))
    return braces_balanced(value) and braces_balanced(unescaped)


def _mark_unmatched(tokens: list[str]) -> list[str]:
    """Tokens with every unmatched brace marked as ``"{?"``/``"}?"``."""
    tokens = list(tokens)
    open_at: list[int] = []
    for index, token in enumerate(tokens):
        if token == "{":
            open_at.append(index)
        elif token == "}":
            if open_at:
                open_at.pop()
            else:
                tokens[index] = "}?"
    for index in open_at:
        tokens[index] = "{?"
    return tokens


def _repair(token: str) -> str:
    if token in ("{?", "\\{"):
        return r"\textbraceleft{}"
    if token in ("}?", "\\}"):
        return r"\textbraceright{}"
    if token == "\\":
        return r"\textbackslash{}"
    return token
