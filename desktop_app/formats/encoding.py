"""Bytes to text for imported files: BOMs, UTF-8, and Latin-1 files as well."""

from __future__ import annotations

import codecs

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class NotTextError(ValueError):
    """The bytes are not text in any encoding we read (binary junk, an image, a PDF...)."""


def looks_binary(data: bytes) -> bool:
    sample = data[:8192]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls / len(sample) > 0.05


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Return ``(text, encoding)``; newlines normalised to ``\\n``.

    A BOM wins; then strict UTF-8; then Windows-1252 (a superset of Latin-1's
    printable range), then Latin-1, which decodes anything.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = data.decode(encoding, errors="replace")
            return _newlines(text), encoding
    if looks_binary(data):
        raise NotTextError("binary data, not a text file")
    try:
        return _newlines(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return _newlines(data.decode("cp1252")), "cp1252"
    except UnicodeDecodeError:
        return _newlines(data.decode("latin-1")), "latin-1"


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
