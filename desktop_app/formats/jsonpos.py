"""JSON with positions: top-level values and the 1-based line each one starts on.

The JSON importers need two things the standard ``json.loads`` does not give:
the line of every top-level array element (so a problem with record 7,312
points at its line in a 3 MB file), and every readable element of a file that
is cut short or broken half-way. ``scan`` reads a top-level array one element
at a time with ``JSONDecoder.raw_decode`` (C speed, aware of strings and
escapes), counting newlines between elements as it goes. ``first_value``
decodes just the first element, so sniffers stay cheap on big files.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from desktop_app.domain.models import Problem

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


@dataclass(frozen=True)
class Element:
    """One top-level value: the array element (or the single document) and its first line."""

    line: int
    value: Any


@dataclass
class Scan:
    """What ``scan`` found: ``kind`` is ``array``, ``object``, ``scalar`` or ``invalid``."""

    kind: str
    elements: list[Element] = field(default_factory=list)
    error_line: int | None = None
    error: str = ""


def _skip_whitespace(text: str, pos: int) -> int:
    end = len(text)
    while pos < end and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _start(text: str) -> int:
    return _skip_whitespace(text, 1 if text.startswith("\ufeff") else 0)


def line_at(text: str, pos: int) -> int:
    """The 1-based line of character offset ``pos``."""
    return text.count("\n", 0, pos) + 1


def _error_message(exc: json.JSONDecodeError) -> str:
    if exc.pos >= len(exc.doc.rstrip()) or exc.msg.startswith("Unterminated string"):
        return "not valid JSON: the text ends inside a value (cut short?)"
    return f"not valid JSON ({exc.msg})"


def scan(text: str) -> Scan:
    """Split a JSON document into top-level elements with their lines; never raises."""
    pos = _start(text)
    if pos >= len(text):
        return Scan("invalid", error_line=line_at(text, pos), error="empty JSON text")
    if text[pos] == "[":
        return _scan_array(text, pos)
    try:
        value, end = _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        return Scan("invalid", error_line=exc.lineno, error=_error_message(exc))
    except RecursionError:
        return Scan("invalid", error_line=line_at(text, pos), error="JSON nested too deeply")
    kind = "object" if isinstance(value, dict) else "scalar"
    result = Scan(kind, [Element(line_at(text, pos), value)])
    _check_trailing(text, end, result)
    return result


def _scan_array(text: str, pos: int) -> Scan:
    result = Scan("array")
    line = line_at(text, pos)
    counted = pos
    pos = _skip_whitespace(text, pos + 1)
    if pos < len(text) and text[pos] == "]":
        _check_trailing(text, pos + 1, result)
        return result
    while True:
        line += text.count("\n", counted, pos)
        counted = pos
        try:
            value, pos = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            return _fail(result, exc.lineno, _error_message(exc))
        except RecursionError:
            return _fail(result, line, "JSON nested too deeply")
        result.elements.append(Element(line, value))
        pos = _skip_whitespace(text, pos)
        if pos >= len(text):
            return _fail(result, line_at(text, pos), "JSON ends before the closing ]")
        if text[pos] == "]":
            _check_trailing(text, pos + 1, result)
            return result
        if text[pos] != ",":
            return _fail(result, line_at(text, pos), "not valid JSON (expected , or ] here)")
        pos = _skip_whitespace(text, pos + 1)


def _fail(result: Scan, line: int, message: str) -> Scan:
    result.error_line = line
    result.error = message
    return result


def _check_trailing(text: str, end: int, result: Scan) -> None:
    rest = _skip_whitespace(text, end)
    if rest < len(text):
        _fail(result, line_at(text, rest), "extra text after the JSON document")


def first_value(text: str) -> Any:
    """The first element of a top-level array, or the top-level object; ``None`` if unreadable.

    Only the first element is decoded, so this is cheap enough for sniffing
    multi-megabyte files. Returns ``None`` for empty arrays and non-JSON text.
    """
    pos = _start(text)
    if pos >= len(text) or text[pos] not in "[{":
        return None
    if text[pos] == "[":
        pos = _skip_whitespace(text, pos + 1)
        if pos >= len(text) or text[pos] == "]":
            return None
    try:
        value, _ = _DECODER.raw_decode(text, pos)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value


def read_elements(text: str, source: str, *, wanted: Callable[[Any], bool],
                  nothing: str) -> tuple[list[Element], list[Problem]]:
    """The top-level elements of a JSON text to read, and the problems of the text as a whole.

    No element ``wanted`` gives no elements and one problem: why the JSON could
    not be read, or ``nothing``.  A text cut short keeps the elements before the
    cut and says where it ends.
    """
    result = scan(text)
    elements = result.elements if result.kind in ("array", "object", "invalid") else []
    if not any(wanted(element.value) for element in elements):
        failed = bool(result.error) and not elements
        return [], [Problem(source=source, line=result.error_line if failed else 1,
                            reason=result.error if failed else nothing)]
    trailing = [Problem(source=source, line=result.error_line, reason=result.error)] if result.error else []
    return elements, trailing
