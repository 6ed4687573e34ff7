"""Decoding JSON bodies into the shape a parser expects, or a ``ResponseError`` saying why not."""

from __future__ import annotations

import json
from typing import Any

from desktop_app.metadata.records import ResponseError


def load(body: bytes | str, service: str, expect: type) -> Any:
    """The decoded JSON value, which must be an ``expect`` (``list`` or ``dict``)."""
    try:
        value = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ResponseError(f"{service} sent a body that is not JSON ({exc})") from exc
    if isinstance(value, dict) and expect is list and "error" in value:
        raise ResponseError(f"{service} answered with an error: {value['error']}")
    if not isinstance(value, expect):
        raise ResponseError(f"{service} sent JSON of the wrong shape ({type(value).__name__}, "
                            f"expected {expect.__name__})")
    return value


def text(value: Any) -> str:
    """A string field's value with whitespace collapsed; anything else gives ''."""
    return " ".join(value.split()) if isinstance(value, str) else ""
