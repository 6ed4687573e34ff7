"""Item painting: the title cell with search hits marked, sidebar rows with counts on the right."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop_app.core.vocabulary import Snippet
from desktop_app.gui import theme
from desktop_app.gui.sidebar_model import DetailRole, SectionRole
from desktop_app.gui.table_model import MarksRole, RowMarks

AnyIndex = QModelIndex | QPersistentModelIndex
LEAD_CHARS = 30


def trim_excerpt(snippet: Snippet, lead: int = LEAD_CHARS) -> Snippet:
    """Start an excerpt shortly before its first hit, at a word boundary, so the hit is visible."""
    if not snippet.spans:
        return snippet
    first = snippet.spans[0][0]
    if first <= lead:
        return snippet
    cut = snippet.text.find(" ", first - lead, first)
    cut = first - lead if cut < 0 else cut + 1
    text = "…" + snippet.text[cut:]
    shift = cut - 1
    return Snippet(text, tuple((s - shift, e - shift) for s, e in snippet.spans if s >= cut))


def draw_marked(painter: QPainter, rect: QRect, text: str, spans: tuple[tuple[int, int], ...],
                font: QFont, pen: QColor, mark_bg: QColor, mark_fg: QColor) -> None:
    """Draw one line of ``text`` in ``rect``, eliding at the end, with ``spans`` on a soft background."""
    metrics = QFontMetrics(font)
    bold = QFont(font)
    bold.setWeight(QFont.Weight.DemiBold)
    bold_metrics = QFontMetrics(bold)
    pieces: list[tuple[str, bool]] = []
    last = 0
    for start, end in spans:
        if start > last:
            pieces.append((text[last:start], False))
        pieces.append((text[start:end], True))
        last = end
    if last < len(text):
        pieces.append((text[last:], False))
    x = rect.left()
    right = rect.right()
    baseline = rect.top() + (rect.height() + metrics.ascent() - metrics.descent()) // 2
    ellipsis_width = metrics.horizontalAdvance("…")
    for piece, marked in pieces:
        piece = piece.replace("\n", " ")
        m = bold_metrics if marked else metrics
        width = m.horizontalAdvance(piece)
        clipped = x + width > right
        if clipped:
            piece = m.elidedText(piece, Qt.TextElideMode.ElideRight, max(0, right - x))
            width = m.horizontalAdvance(piece)
            if not piece or piece == "…":
                if x + ellipsis_width <= right + 1:
                    painter.setFont(font)
                    painter.setPen(pen)
                    painter.drawText(x, baseline, "…")
                return
        if marked:
            box = QRect(x - 1, rect.top() + 1, width + 2, rect.height() - 2)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(mark_bg)
            painter.drawRoundedRect(box, 3, 3)
            painter.setPen(mark_fg)
            painter.setFont(bold)
        else:
            painter.setPen(pen)
            painter.setFont(font)
        painter.drawText(x, baseline, piece)
        x += width
        if clipped:
            return


class TitleDelegate(QStyledItemDelegate):
    """Paints the title; during a search, the title's hits and a second line with an excerpt."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        marks = index.data(MarksRole)
        if not isinstance(marks, RowMarks) and not getattr(index.model(), "marks_active", False):
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        palette = opt.palette
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        pen = palette.color(QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text)
        muted = pen if selected else theme.muted_color(palette)
        mark_bg = theme.match_background(palette)
        mark_fg = theme.match_foreground(palette)
        if selected:
            mark_bg = theme.blend(palette.color(QPalette.ColorRole.Highlight),
                                  palette.color(QPalette.ColorRole.HighlightedText), 0.3)
            mark_fg = palette.color(QPalette.ColorRole.HighlightedText)
        rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget).adjusted(2, 0, -2, 0)
        line = rect.height() // 2
        top = QRect(rect.left(), rect.top() + 1, rect.width(), line)
        bottom = QRect(rect.left(), rect.top() + line, rect.width(), rect.height() - line - 1)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setClipRect(option.rect)
        title_spans: tuple[tuple[int, int], ...] = ()
        if isinstance(marks, RowMarks) and marks.title.text == text:
            title_spans = marks.title.spans
        draw_marked(painter, top, text, title_spans, opt.font, pen, mark_bg, mark_fg)
        if isinstance(marks, RowMarks) and marks.excerpt.text:
            small = QFont(opt.font)
            small.setPointSizeF(max(6.0, opt.font.pointSizeF() * 0.9))
            excerpt = trim_excerpt(marks.excerpt)
            draw_marked(painter, bottom, excerpt.text, excerpt.spans, small, muted, mark_bg, mark_fg)
        painter.restore()


class SidebarDelegate(QStyledItemDelegate):
    """Sidebar rows: section headers small and muted; counts or list progress right-aligned."""

    def sizeHint(self, option: QStyleOptionViewItem, index: AnyIndex) -> QSize:
        size = super().sizeHint(option, index)
        if index.data(SectionRole):
            return QSize(size.width(), size.height() + 8)
        return QSize(size.width(), max(size.height() + 4, 24))

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: AnyIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        if index.data(SectionRole):
            painter.save()
            font = QFont(opt.font)
            font.setPointSizeF(max(6.0, font.pointSizeF() * 0.85))
            font.setWeight(QFont.Weight.DemiBold)
            font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 106)
            painter.setFont(font)
            painter.setPen(theme.muted_color(opt.palette))
            rect = opt.rect.adjusted(4, 6, -4, 0)
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), opt.text)
            painter.restore()
            return
        detail = str(index.data(DetailRole) or "")
        if not detail:
            super().paint(painter, option, index)
            return
        metrics = QFontMetrics(opt.font)
        detail_width = metrics.horizontalAdvance(detail) + 12
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, widget)
        available = max(10, text_rect.width() - detail_width)
        opt.text = metrics.elidedText(opt.text, Qt.TextElideMode.ElideRight, available)
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setPen(opt.palette.color(QPalette.ColorRole.HighlightedText) if selected
                       else theme.muted_color(opt.palette))
        painter.setFont(opt.font)
        painter.drawText(text_rect.adjusted(0, 0, -6, 0),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), detail)
        painter.restore()


def row_height(widget: QWidget, lines: int) -> int:
    metrics = QFontMetrics(widget.font())
    return metrics.height() * lines + (10 if lines > 1 else 8)
