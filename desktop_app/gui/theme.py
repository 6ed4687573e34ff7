"""Colours and icons derived from the system palette (light or dark), never hard-coded themes."""

from __future__ import annotations

from functools import lru_cache

from PySide6.QtCore import QByteArray, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtSvg import QSvgRenderer

from desktop_app.resources import resource

REVIEW_INCLUDE_COLOUR = "#b7e4c7"
"""Background of a review's include keywords while screening (and their mark in the review editor)."""
REVIEW_EXCLUDE_COLOUR = "#f6c1c1"

def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightnessF() < 0.5


def blend(a: QColor, b: QColor, amount: float) -> QColor:
    """``a`` moved ``amount`` (0..1) of the way towards ``b``."""
    return QColor(
        round(a.red() + (b.red() - a.red()) * amount),
        round(a.green() + (b.green() - a.green()) * amount),
        round(a.blue() + (b.blue() - a.blue()) * amount),
    )


def match_background(palette: QPalette) -> QColor:
    """The background of a highlighted search hit: the selection colour, softened into the base."""
    base = palette.color(QPalette.ColorRole.Base)
    accent = palette.color(QPalette.ColorRole.Highlight)
    return blend(base, accent, 0.45 if is_dark(palette) else 0.28)


def match_foreground(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Text)


def error_color(palette: QPalette) -> QColor:
    """A red readable on the window background (lighter on dark themes)."""
    red = QColor.fromHslF(0.0, 0.75, 0.72 if is_dark(palette) else 0.42)
    return red


def muted_color(palette: QPalette) -> QColor:
    """Secondary text (counts, hints): the placeholder colour of the palette."""
    return palette.color(QPalette.ColorRole.PlaceholderText)


def link_color(palette: QPalette) -> QColor:
    return palette.color(QPalette.ColorRole.Link)


def highlight_css(palette: QPalette) -> str:
    """Inline CSS for ``<span>`` elements marking a hit in rich text."""
    bg = match_background(palette).name()
    fg = match_foreground(palette).name()
    return f"background-color:{bg};color:{fg};font-weight:600"


def app_icon() -> QIcon:
    path = resource("icons", "lectern.svg")
    return QIcon(str(path)) if path.exists() else QIcon()


# Small line icons for the sidebar, drawn in the palette's text colour.
_GLYPHS: dict[str, str] = {
    "library": '<path d="M4 4h3v16H4zM9 4h3v16H9zM14.2 4.6l2.9-.8 4 15.4-2.9.8z"/>',
    "unread": '<circle cx="12" cy="12" r="5"/>',
    "recent": '<path d="M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 2a7 7 0 1 1 0 14 7 7 0 0 1 0-14zm-1 2v6l5 3 1-1.6-4-2.4V7z"/>',
    "list": '<path d="M4 5h2v2H4zM8 5h12v2H8zM4 11h2v2H4zM8 11h12v2H8zM4 17h2v2H4zM8 17h12v2H8z"/>',
    "search": '<path d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z"/>',
    "tag": '<path d="M3 3h8l10 10-8 8L3 11zm4 2.5A1.5 1.5 0 1 0 7 8.5 1.5 1.5 0 0 0 7 5.5z"/>',
    "review": '<path d="M3 4h18l-7 8.5V19l-4 2v-8.5z"/>',  # a funnel: screening
    "trash": '<path d="M9 3h6l1 2h4v2H4V5h4zM6 9h12l-1 12H7zm3 2v8h2v-8zm4 0v8h2v-8z"/>',
}


def glyph_icon(name: str, color: QColor, size: int = 32) -> QIcon:
    return _glyph_icon(name, color.name(), size)


@lru_cache(maxsize=64)
def _glyph_icon(name: str, color: str, size: int) -> QIcon:
    body = _GLYPHS.get(name)
    if body is None:
        return QIcon()
    svg = f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" fill="{color}">{body}</svg>'
    renderer = QSvgRenderer(QByteArray(svg.encode()))
    pixmap = QPixmap(size, size)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    renderer.render(painter, QRectF(0, 0, size, size))
    painter.end()
    return QIcon(pixmap)


def marked_html(text: str, spans: tuple[tuple[int, int], ...], palette: QPalette) -> str:
    """``text`` as HTML with the ``spans`` (search hits) marked in palette-derived colours."""
    css = highlight_css(palette)
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(f'<span style="{css}">{escape(text[start:end])}</span>')
        last = end
    out.append(escape(text[last:]))
    return "".join(out)


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
