"""The PRISMA 2020 flow diagram drawn from a review's counts: in the window, as SVG and as PNG.

One painter function draws the diagram at a fixed logical size; the widget scales it to
fit, ``QSvgGenerator`` records it as SVG and a ``QImage`` renders it as PNG.  The diagram
is a document, so it keeps PRISMA's black-on-white look in light and dark themes.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, QSize, QSizeF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetricsF,
    QGuiApplication,
    QImage,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtSvg import QSvgGenerator
from PySide6.QtWidgets import QApplication, QSizePolicy, QWidget

from desktop_app.core.vocabulary import PrismaCounts

WIDTH = 860.0
MARGIN = 20.0
PHASE_WIDTH = 34.0
GAP = 28.0
BOX_WIDTH = (WIDTH - 2 * MARGIN - PHASE_WIDTH - 3 * GAP) / 2
PADDING = 10.0
PHASE_COLOUR = QColor("#c6dbef")
BOX_COLOUR = QColor("#ffffff")
LINE_COLOUR = QColor("#1a1a1a")
TITLE_HEIGHT = 36.0


def _n(value: int) -> str:
    return f"(n = {value:,})"


@dataclass
class _Box:
    lines: list[str]
    rect: QRectF = field(default_factory=QRectF)


def _boxes(counts: PrismaCounts) -> list[tuple[str, _Box, _Box | None]]:
    """Rows of (phase, left box, right box) in PRISMA 2020's layout for new reviews."""
    identified = ["Records identified from:"] + [f"  {source} {_n(n)}" for source, n in counts.identified]
    if not counts.identified:
        identified.append("  no record sources yet")
    elif len(counts.identified) > 1:
        identified.append(f"  Total {_n(counts.identified_total)}")
    screened = [f"Records screened {_n(counts.records_screened)}"]
    if counts.awaiting_screening:
        screened.append(f"Awaiting screening {_n(counts.awaiting_screening)}")
    excluded_reports = [f"Reports excluded {_n(counts.reports_excluded_total)}"]
    excluded_reports += [f"  {reason} {_n(n)}" for reason, n in counts.reports_excluded]
    assessed = [f"Reports assessed for eligibility {_n(counts.reports_assessed)}"]
    if counts.awaiting_assessment:
        assessed.append(f"Awaiting assessment {_n(counts.awaiting_assessment)}")
    return [
        ("Identification", _Box(identified),
         _Box(["Records removed before screening:", f"  Duplicate records removed {_n(counts.duplicates_removed)}"])),
        ("Screening", _Box(screened), _Box([f"Records excluded {_n(counts.records_excluded)}"])),
        ("Screening", _Box([f"Reports sought for retrieval {_n(counts.reports_sought)}"]),
         _Box([f"Reports not retrieved {_n(counts.reports_not_retrieved)}"])),
        ("Screening", _Box(assessed), _Box(excluded_reports)),
        ("Included", _Box([f"Studies included in review {_n(counts.studies_included)}"]), None),
    ]


def _font() -> QFont:
    font = QFont("DejaVu Sans")
    font.setPixelSize(13)
    return font


def _layout(counts: PrismaCounts) -> tuple[list[tuple[str, _Box, _Box | None]], float]:
    metrics = QFontMetricsF(_font())
    rows = _boxes(counts)
    y = MARGIN + TITLE_HEIGHT
    left_x = MARGIN + PHASE_WIDTH + GAP
    right_x = left_x + BOX_WIDTH + GAP
    bold = _font()
    bold.setBold(True)
    bold_metrics = QFontMetricsF(bold)
    for phase, left, right in rows:
        heights = []
        for box in (left, right):
            if box is None:
                continue
            text_height = sum(metrics.boundingRect(QRectF(0, 0, BOX_WIDTH - 2 * PADDING, 1000),
                                                   int(Qt.TextFlag.TextWordWrap), line).height()
                              for line in box.lines)
            heights.append(text_height + 2 * PADDING)
        height = max(heights)
        if phase != "Screening":  # a one-row phase band must fit its label, written sideways
            height = max(height, bold_metrics.horizontalAdvance(phase) + 2 * PADDING)
        left.rect = QRectF(left_x, y, BOX_WIDTH, height)
        if right is not None:
            right.rect = QRectF(right_x, y, BOX_WIDTH, height)
        y += height + GAP
    return rows, y - GAP + MARGIN


def diagram_size(counts: PrismaCounts) -> QSizeF:
    return QSizeF(WIDTH, _layout(counts)[1])


def paint_diagram(painter: QPainter, counts: PrismaCounts, title: str = "") -> None:
    """Draw the diagram in logical coordinates (``WIDTH`` wide, ``diagram_size`` tall)."""
    rows, height = _layout(counts)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.fillRect(QRectF(0, 0, WIDTH, height), QColor("#ffffff"))
    font = _font()
    metrics = QFontMetricsF(font)
    bold = QFont(font)
    bold.setBold(True)
    painter.setFont(bold)
    painter.setPen(LINE_COLOUR)
    heading = "PRISMA 2020 flow diagram" + (f": {title}" if title else "")
    painter.drawText(QRectF(MARGIN, MARGIN, WIDTH - 2 * MARGIN, TITLE_HEIGHT - 8),
                     int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), heading)
    pen = QPen(LINE_COLOUR, 1.2)
    phases: dict[str, QRectF] = {}
    for phase, left, right in rows:
        span = phases.get(phase)
        phases[phase] = left.rect if span is None else span.united(left.rect)
        for box in (left, right):
            if box is None:
                continue
            painter.setPen(pen)
            painter.setBrush(BOX_COLOUR)
            painter.drawRect(box.rect)
            painter.setFont(font)
            y = box.rect.top() + PADDING
            for line in box.lines:
                area = QRectF(box.rect.left() + PADDING, y, BOX_WIDTH - 2 * PADDING, 1000)
                used = metrics.boundingRect(area, int(Qt.TextFlag.TextWordWrap), line)
                painter.drawText(area, int(Qt.TextFlag.TextWordWrap), line)
                y += used.height()
        if right is not None:
            _arrow(painter, QPointF(left.rect.right(), left.rect.center().y()),
                   QPointF(right.rect.left(), right.rect.center().y()))
    for (_, upper, _), (_, lower, _) in itertools.pairwise(rows):
        _arrow(painter, QPointF(upper.rect.center().x(), upper.rect.bottom()),
               QPointF(lower.rect.center().x(), lower.rect.top()))
    painter.setFont(bold)
    for phase, span in phases.items():
        band = QRectF(MARGIN, span.top(), PHASE_WIDTH, span.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(PHASE_COLOUR)
        painter.drawRoundedRect(band, 6, 6)
        painter.setPen(LINE_COLOUR)
        painter.save()
        painter.translate(band.center())
        painter.rotate(-90)
        painter.drawText(QRectF(-band.height() / 2, -band.width() / 2, band.height(), band.width()),
                         int(Qt.AlignmentFlag.AlignCenter), phase)
        painter.restore()
    painter.restore()


def _arrow(painter: QPainter, start: QPointF, end: QPointF) -> None:
    painter.setPen(QPen(LINE_COLOUR, 1.2))
    painter.drawLine(start, end)
    direction = end - start
    length = max((direction.x() ** 2 + direction.y() ** 2) ** 0.5, 1e-6)
    unit = QPointF(direction.x() / length, direction.y() / length)
    normal = QPointF(-unit.y(), unit.x())
    head = [end, end - unit * 8 + normal * 4, end - unit * 8 - normal * 4]
    painter.setBrush(LINE_COLOUR)
    painter.drawPolygon(head)


def _ensure_gui_application() -> None:
    """Fonts need an application object; a QApplication, so a later widget (or pytest-qt) can use it."""
    if QGuiApplication.instance() is None:
        _ensure_gui_application.app = QApplication([])  # type: ignore[attr-defined]


def export_diagram(counts: PrismaCounts, path: Path, title: str = "", scale: float = 2.0) -> None:
    """Write the diagram as SVG (vector) or PNG (``scale`` x the logical size), by the file's suffix."""
    _ensure_gui_application()
    size = diagram_size(counts)
    painter = QPainter()
    if path.suffix.lower() == ".svg":
        generator = QSvgGenerator()
        generator.setFileName(str(path))
        generator.setSize(size.toSize())
        generator.setViewBox(QRectF(0, 0, size.width(), size.height()))
        generator.setTitle(f"PRISMA 2020 flow diagram {title}".strip())
        painter.begin(generator)
        paint_diagram(painter, counts, title)
        painter.end()
        return
    image = QImage((size * scale).toSize(), QImage.Format.Format_ARGB32)
    image.fill(QColor("#ffffff"))
    painter.begin(image)
    painter.scale(scale, scale)
    paint_diagram(painter, counts, title)
    painter.end()
    if not image.save(str(path)):
        raise OSError(f"cannot write {path}")


class PrismaView(QWidget):
    """The diagram, scaled to the widget and centred."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.counts: PrismaCounts | None = None
        self.title = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_counts(self, counts: PrismaCounts, title: str = "") -> None:
        self.counts, self.title = counts, title
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(int(WIDTH), 640)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.counts is None:
            return
        size = diagram_size(self.counts)
        scale = min(self.width() / size.width(), self.height() / size.height())
        painter = QPainter(self)
        painter.translate((self.width() - size.width() * scale) / 2, (self.height() - size.height() * scale) / 2)
        painter.scale(scale, scale)
        paint_diagram(painter, self.counts, self.title)
        painter.end()
