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
    # A stray NUL or control byte is damage inside a text file (removed later, with a problem);
    # binary data has them everywhere.
    nuls = sample.count(0)
    if nuls > 8 and nuls / len(sample) > 0.01:
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
    utf16 = _utf16_without_bom(data)
    if utf16 is not None:
        return _newlines(utf16[0]), utf16[1]
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


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """Text saved as UTF-16 without a BOM (JabRef writes it): mostly ASCII, so every other byte is NUL."""
    sample = data[:8192]
    half = len(sample) // 2
    if half < 2 or len(data) % 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.9 * half and even <= 0.02 * half:
        encoding = "utf-16-le"
    elif even >= 0.9 * half and odd <= 0.02 * half:
        encoding = "utf-16-be"
    else:
        return None
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if looks_binary(text.encode("utf-8", errors="replace")):
        return None
    return text, encoding


def _newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
