"""Reading one PDF with pypdfium2: text per page, metadata identifiers, a title guess.

Runs inside the extraction child process (``pdf.worker``); a PDF that makes
PDFium crash or hang costs that process, never the caller's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app.pdf.identifiers import find_arxiv_id, find_doi

MAX_BYTES = 200 * 1024 * 1024
MAX_PAGES = 3000  # a longer "paper" is a book or a trap; its first pages are still indexed
MAX_PAGE_CHARS = 200_000
MIN_TEXT_CHARS = 40  # less than this on every page: no text layer (a scan)
NO_TEXT = "no text (scanned?)"
_TITLE_LINES = 40  # the title is near the top of the first page
_JUNK_LINE = re.compile(r"^(arxiv:|preprint|under review|accepted|published|proceedings|journal|vol\.|doi|https?:)"
                        r"|^[\d\s.,:;/-]*$", re.I)
_BAD_META_TITLE = re.compile(r"^(untitled|microsoft word|title)\b|\.(dvi|docx?|tex|pdf)$", re.I)


class PdfProblem(Exception):
    """This PDF cannot be read; the message says why, for a problem line."""


@dataclass
class PdfText:
    """What Lectern takes from a PDF."""

    pages: list[str] = field(default_factory=list)
    page_count: int = 0
    doi: str = ""
    arxiv_id: str = ""
    title_guess: str = ""
    metadata_title: str = ""

    @property
    def has_text(self) -> bool:
        return any(len(page.strip()) >= MIN_TEXT_CHARS for page in self.pages)

    @property
    def status(self) -> str:
        """'ok', or 'no text (scanned?)' when no page has a text layer."""
        return "ok" if self.has_text else NO_TEXT


def clean_text(raw: str) -> str:
    """PDFium's text with its line ends normalised and its soft-hyphen marks dropped."""
    text = raw.replace("\r\n", "\n").replace("\r", "\n").replace("\ufffe", "").replace("\x02", "")
    return text.replace("\x00", "")


def check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise PdfProblem(f"cannot read the file: {exc.strerror or exc}") from exc
    if size > MAX_BYTES:
        raise PdfProblem(f"too large to read ({size / 1024 / 1024:.0f} MB; the limit is {MAX_BYTES // 1024 // 1024} MB)")
    if size == 0:
        raise PdfProblem("the file is empty")


def extract(path: Path | str) -> PdfText:
    """Text per page and identifiers of the PDF at ``path``; raises ``PdfProblem``."""
    import pypdfium2 as pdfium  # here, so importing this module costs nothing in the window

    path = Path(path)
    check_size(path)
    with path.open("rb") as handle:
        if not handle.read(1024).lstrip().startswith(b"%PDF"):
            raise PdfProblem("not a PDF (no %PDF header)")
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        raise PdfProblem(_describe(str(exc))) from exc
    try:
        return _read(document)
    finally:
        document.close()


def _describe(message: str) -> str:
    lowered = message.lower()
    if "password" in lowered or "security" in lowered:
        return "encrypted (a password is needed to read it)"
    if "format" in lowered or "file" in lowered:
        return f"damaged or truncated PDF ({message.strip().rstrip('.')})"
    return f"cannot read the PDF ({message.strip().rstrip('.')})"


def _read(document: object) -> PdfText:
    import pypdfium2 as pdfium

    assert isinstance(document, pdfium.PdfDocument)
    result = PdfText(page_count=len(document))
    meta = {k: v for k, v in document.get_metadata_dict(skip_empty=True).items() if isinstance(v, str)}
    title = " ".join(meta.get("Title", "").split())
    if title and not _BAD_META_TITLE.search(title) and len(title) > 5:
        result.metadata_title = title
    first_lines: list[tuple[str, float]] = []
    for number in range(min(len(document), MAX_PAGES)):
        try:
            page = document[number]
        except pdfium.PdfiumError:
            result.pages.append("")
            continue
        try:
            textpage = page.get_textpage()
            try:
                text = clean_text(textpage.get_text_range())[:MAX_PAGE_CHARS]
                if number == 0:
                    first_lines = _sized_lines(textpage)
            finally:
                textpage.close()
        finally:
            page.close()
        result.pages.append(text)
    first_page = result.pages[0] if result.pages else ""
    meta_texts = [meta.get(k, "") for k in ("Subject", "Keywords", "Title", "doi", "DOI")]
    result.doi = find_doi([*meta_texts, first_page])
    result.arxiv_id = find_arxiv_id([*meta_texts, first_page])
    result.title_guess = guess_title(first_lines) or result.metadata_title
    return result


def _sized_lines(textpage: object) -> list[tuple[str, float]]:
    """The first page's lines, each with the largest font size among its characters."""
    import pypdfium2.raw as raw

    count = textpage.count_chars()  # type: ignore[attr-defined]
    text = textpage.get_text_range()  # type: ignore[attr-defined]
    if count <= 0 or len(text) != count:  # characters outside the BMP shift offsets: no sizes then
        return [(line, 0.0) for line in clean_text(text).split("\n")]
    handle = textpage.raw  # type: ignore[attr-defined]
    lines: list[tuple[str, float]] = []
    start = 0
    for index in range(count + 1):
        if index == count or text[index] == "\n":
            segment = clean_text(text[start:index]).strip()
            if segment:
                size = max(raw.FPDFText_GetFontSize(handle, i) for i in range(start, index))
                lines.append((segment, float(size)))
            start = index + 1
            if len(lines) >= _TITLE_LINES:
                break
    return lines


def guess_title(lines: list[tuple[str, float]]) -> str:
    """The largest-font run of lines near the top; else the first line that reads like a title."""
    candidates = [(text, size) for text, size in lines
                  if len(text) >= 4 and not _JUNK_LINE.search(text) and any(c.isalpha() for c in text)]
    if not candidates:
        return ""
    sizes = sorted({round(size, 1) for _, size in candidates}, reverse=True)
    if len(sizes) > 1 and sizes[0] > 0:
        biggest = sizes[0]
        title: list[str] = []
        for text, size in candidates:
            if round(size, 1) == biggest:
                title.append(text)
            elif title:
                break
        joined = " ".join(title)
        if len(joined.split()) >= 2 or len(sizes) > 2:
            return joined[:300]
    for text, _size in candidates:
        if 3 <= len(text.split()) <= 25:
            return text[:300]
    return candidates[0][0][:300]
