"""A tiny PDF writer for tests: pages of Helvetica text lines, an Info dictionary, a scan-like page.

Small and exact: tests say what each page holds instead of checking in binaries.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

Line = tuple[str, float]  # text and font size


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _content(lines: Sequence[Line]) -> bytes:
    parts = ["BT"]
    y = 760.0
    for text, size in lines:
        parts.append(f"/F1 {size:g} Tf 1 0 0 1 72 {y:.1f} Tm ({_escape(text)}) Tj")
        y -= size * 1.6
        if y < 60:
            break
    parts.append("ET")
    return "\n".join(parts).encode("latin-1", "replace")


def _image_page() -> bytes:
    """A page that paints a grey 8x8 image and has no text: what a scanner makes."""
    return b"q 400 0 0 400 100 300 cm /Im1 Do Q"


def pdf_bytes(pages: Sequence[Sequence[Line] | None], info: dict[str, str] | None = None) -> bytes:
    """A PDF whose page i shows ``pages[i]`` (``None`` = an image-only page)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")
    page_tree = add(b"")
    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    pixels = bytes([128]) * 64
    image = add(b"<< /Type /XObject /Subtype /Image /Width 8 /Height 8 /ColorSpace /DeviceGray "
                b"/BitsPerComponent 8 /Length 64 >>\nstream\n" + pixels + b"\nendstream")
    kids = []
    for lines in pages:
        stream = _image_page() if lines is None else _content(lines)
        content = add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        kids.append(add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
            b"/Resources << /Font << /F1 %d 0 R >> /XObject << /Im1 %d 0 R >> >> >>"
            % (page_tree, content, font, image)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % page_tree
    objects[page_tree - 1] = (b"<< /Type /Pages /Count %d /Kids [" % len(kids)
                              + b" ".join(b"%d 0 R" % k for k in kids) + b"] >>")
    info_ref = None
    if info:
        entries = b" ".join(b"/%s (%s)" % (k.encode(), _escape(v).encode("latin-1")) for k, v in info.items())
        info_ref = add(b"<< " + entries + b" >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    trailer = b"<< /Size %d /Root %d 0 R" % (len(objects) + 1, catalog)
    if info_ref:
        trailer += b" /Info %d 0 R" % info_ref
    out += b"trailer\n" + trailer + b" >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def write_pdf(path: Path, pages: Sequence[Sequence[Line] | None], info: dict[str, str] | None = None) -> Path:
    path.write_bytes(pdf_bytes(pages, info))
    return path


def paper_pdf(path: Path, title: str, pages: Sequence[str], *, doi: str = "", arxiv: str = "",
              info: dict[str, str] | None = None) -> Path:
    """A paper-like PDF: a large title, an id line, then one body line per page (page 1 first)."""
    first: list[Line] = [(title, 20), ("A. Author and B. Author", 11)]
    if doi:
        first.append((f"doi: {doi}", 9))
    if arxiv:
        first.append((f"arXiv:{arxiv}", 9))
    built: list[list[Line]] = []
    for number, body in enumerate(pages):
        lines = (first if number == 0 else []) + [(body, 10), ("Filler text for the page so it has a text layer.", 10)]
        built.append(lines)
    return write_pdf(path, built, info)


def hang(path: Path) -> object:
    """An extractor that never returns (what a PDF that loops PDFium does)."""
    import time

    while True:
        time.sleep(1)


def crash(path: Path) -> object:
    """An extractor that kills its process (what a PDF that crashes PDFium does)."""
    import os

    os.abort()
