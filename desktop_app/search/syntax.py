"""Reading what was typed before Whoosh parses it: repair what cannot run, and tell plain words from syntax.

One policy, for the window and the CLI alike: a query that cannot run as
typed is *repaired*, and each repair is a short notice (an unclosed quote is
closed; an unmatched parenthesis, a dangling ``AND``/``OR``/``NOT`` or a field
name with nothing after it is ignored; an unknown ``foo:`` is searched as the
word ``foo``).  Only a query with nothing left to search for is an error.

A query of plain words (no operators, quotes, fields, wildcards, fuzzy
marks or ranges) is searched by ranking (``ranked.py``); so is any text
longer than ``LONG_TEXT`` words, whatever it holds (a pasted page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

LONG_TEXT = 40  # more words than this: pasted text, searched as plain words
LONG_TEXT_CHARS = 5000  # of which the start is enough (the compiler keeps its first distinct words)
OPERATORS = frozenset({"AND", "OR", "NOT"})
# What a user types before ":" -> the field the compiler knows.
FIELD_ALIASES = {
    "author": "authors", "au": "authors", "by": "authors",
    "ti": "title", "abs": "abstract", "summary": "abstract",
    "kw": "keywords", "keyword": "keywords",
    "journal": "venue", "booktitle": "venue", "conference": "venue",
    "arxiv": "ids", "doi": "ids", "key": "ids", "citekey": "ids", "id": "ids",
    "tags": "tag", "notes": "note", "lists": "list", "is": "status",
}
KNOWN_FIELDS = frozenset({"title", "authors", "abstract", "keywords", "venue", "tag", "list", "status",
                          "year", "priority", "note", "ids", "fulltext"})
FIELD_NAMES_SHOWN = ("title", "author", "abstract", "keyword", "venue", "year", "tag", "list", "status",
                     "priority", "note", "arxiv", "doi", "key", "fulltext")

_LEX = re.compile(r"""
    (?P<ws>\s+)
  | (?P<lp>\()
  | (?P<rp>\))
  | (?P<field>[A-Za-z]+):(?=\S)
  | (?P<phrase>"[^"]*(?:"(?:~\d*)?|\Z))
  | (?P<range>[\[{][^\]}\s]*(?:\s+[^\]}\s]+)*\s*[\]}])
  | (?P<word>[^\s()"]+)
""", re.X)
_SPECIAL_WORD = re.compile(r"[*~^]|\?(?=\w)|^[<>=]")
_STRAY = re.compile(r"[<>=]+")
_PLAIN_WORD = re.compile(r"\w+(?:[.+']\w+)*\+*")


@dataclass
class _Token:
    kind: str  # "word" "phrase" "range" "(" ")" "op" "field"
    text: str


@dataclass
class ReadQuery:
    """The query to parse (repaired), what was repaired, and its plain words if it is a plain query."""

    text: str
    notices: list[str] = field(default_factory=list)
    plain: list[str] | None = None


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    for match in _LEX.finditer(text):
        kind = match.lastgroup or "ws"
        if kind == "ws":
            continue
        value = match.group(kind) if kind == "field" else match.group(0)
        if kind == "word" and value in OPERATORS:
            kind = "op"
        tokens.append(_Token({"lp": "(", "rp": ")"}.get(kind, kind), value))
    return tokens


def _quote(word: str) -> str:
    return f"'{word}'"


def _fix_fields(tokens: list[_Token], notices: list[str]) -> list[_Token]:
    out: list[_Token] = []
    unknown: list[str] = []
    for token in tokens:
        if token.kind != "field":
            out.append(token)
            continue
        name = FIELD_ALIASES.get(token.text.lower(), token.text.lower())
        if name in KNOWN_FIELDS:
            out.append(_Token("field", name))
        else:
            unknown.append(token.text)
            out.append(_Token("word", token.text))
    if unknown:
        names = ", ".join(dict.fromkeys(f"{u}:" for u in unknown[:3]))
        notices.append(f"{names} {'is not a field' if len(unknown) == 1 else 'are not fields'} "
                       f"(fields: {', '.join(FIELD_NAMES_SHOWN)}); searched as words")
    return out


def _fix_quotes(tokens: list[_Token], notices: list[str]) -> None:
    for token in tokens:
        if token.kind == "phrase" and (len(token.text) < 2 or not re.search(r'"(~\d*)?$', token.text[1:])):
            token.text += '"'
            notices.append("closed the unclosed quote")


def _fix_parens(tokens: list[_Token], notices: list[str]) -> list[_Token]:
    depth_open: list[int] = []
    drop: set[int] = set()
    for i, token in enumerate(tokens):
        if token.kind == "(":
            depth_open.append(i)
        elif token.kind == ")":
            if depth_open and depth_open[-1] == i - 1:  # "()": nothing inside
                drop.update((depth_open.pop(), i))
            elif depth_open:
                depth_open.pop()
            else:
                drop.add(i)
                notices.append("ignored an unmatched ')'")
    for i in depth_open:
        drop.add(i)
        notices.append("ignored an unmatched '('")
    return [t for i, t in enumerate(tokens) if i not in drop]


def _fix_operators_and_fields(tokens: list[_Token], notices: list[str]) -> list[_Token]:
    """Drop operators with nothing to join and field names with nothing after them, until none is left."""
    changed = True
    while changed:
        changed = False
        for i, token in enumerate(tokens):
            before = tokens[i - 1] if i > 0 else None
            after = tokens[i + 1] if i + 1 < len(tokens) else None
            if token.kind == "field" and (after is None or after.kind in ("op", ")", "field")):
                notices.append(f"ignored '{token.text}:' with nothing after it")
            elif token.kind == "op" and (after is None or after.kind == ")"
                                         or (after.kind == "op" and (after.text != "NOT" or token.text == "NOT"))):
                notices.append(f"ignored {_quote(token.text)} with nothing after it")
            elif token.kind == "op" and token.text != "NOT" and (before is None or before.kind in ("op", "(", "field")):
                notices.append(f"ignored {_quote(token.text)} with nothing before it")
            else:
                continue
            del tokens[i]
            changed = True
            break
    return tokens


def _drop_stray_comparisons(tokens: list[_Token]) -> list[_Token]:
    """``<``, ``>`` and ``=`` mean something only right after ``year:``/``priority:``; elsewhere they are dropped."""
    out: list[_Token] = []
    for i, token in enumerate(tokens):
        if token.kind == "word" and not (i > 0 and tokens[i - 1].kind == "field"):
            token = _Token("word", _STRAY.sub(" ", token.text).strip())
            if not token.text:
                continue
        out.append(token)
    return out


def _render(tokens: list[_Token]) -> str:
    parts: list[str] = []
    glue = False
    for token in tokens:
        if token.kind == "field":
            parts.append(("" if glue or not parts else " ") + token.text + ":")
            glue = True
            continue
        parts.append(("" if glue or not parts or token.kind == ")" or parts[-1].endswith("(") else " ")
                     + token.text)
        glue = False
    return "".join(parts)


def _is_plain(tokens: list[_Token]) -> bool:
    for token in tokens:
        if token.kind in ("(", ")"):
            continue
        if token.kind != "word" or _SPECIAL_WORD.search(token.text):
            return False
    return True


def plain_words(text: str) -> list[str]:
    """The words of plain text: whitespace-separated, split at punctuation; a DOI stays whole."""
    words: list[str] = []
    for chunk in text.split():
        chunk = chunk.strip("()[]{}\"'.,;:!?")
        if chunk.startswith("10.") and "/" in chunk:
            words.append(chunk)
        else:
            words.extend(_PLAIN_WORD.findall(chunk))
    return words


def read_query(text: str) -> ReadQuery:
    """Repair ``text`` (field names already resolved by the caller) and say whether it is plain."""
    if len(text.split(None, LONG_TEXT + 1)) > LONG_TEXT:
        return ReadQuery(text, [], plain_words(text[:LONG_TEXT_CHARS]))
    tokens = _lex(text)
    notices: list[str] = []
    tokens = _fix_fields(tokens, notices)
    _fix_quotes(tokens, notices)
    tokens = _fix_parens(tokens, notices)
    tokens = _fix_operators_and_fields(tokens, notices)
    tokens = _drop_stray_comparisons(tokens)
    if _is_plain(tokens):
        return ReadQuery(_render(tokens), notices, plain_words(" ".join(t.text for t in tokens if t.kind == "word")))
    return ReadQuery(_render(tokens), notices)
