"""The detail pane: one paper's record, its links, the abstract with hits marked, tags, status,
priority, the note and the related papers."""

from __future__ import annotations

from PySide6.QtCore import QStringListModel, Qt, Signal
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QScrollArea,
    QStackedWidget,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.vocabulary import Snippet
from desktop_app.domain.models import Paper
from desktop_app.domain.readable import readable
from desktop_app.gui import theme
from desktop_app.gui.browser import SafeBrowser
from desktop_app.gui.desktop import open_link
from desktop_app.gui.links import arxiv_url, doi_url
from desktop_app.gui.notes import NoteEditor
from desktop_app.gui.readonly import look_read_only
from desktop_app.gui.related import RelatedPanel
from desktop_app.gui.tag_editor import TagEditor

STATUSES = (("unread", "Unread"), ("reading", "Reading"), ("read", "Read"))
PRIORITIES = ("None", "Low", "Medium", "High")
TAB_ABSTRACT, TAB_NOTE, TAB_RELATED = range(3)


class DetailPane(QWidget):
    """Shows the current paper; edits go out as signals, the window writes them."""

    statusChosen = Signal(int, str)
    priorityChosen = Signal(int, int)
    tagsEdited = Signal(int, list, list)  # pid, added, removed
    relatedWanted = Signal(int)
    editRequested = Signal(int)

    def __init__(self, tag_names: QStringListModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pid: int | None = None
        self.paper: Paper | None = None
        self._related_for: int | None = None
        self._readonly = False

        self.stack = QStackedWidget(self)
        self.placeholder = QLabel("Select a paper to see its details,\nits note and related papers.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setEnabled(False)
        self.placeholder.setWordWrap(True)
        self.stack.addWidget(self.placeholder)

        page = QWidget(self)
        self.title = QLabel(page)
        self.title.setObjectName("detailTitle")
        self.title.setWordWrap(True)
        self.title.setTextFormat(Qt.TextFormat.RichText)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.DemiBold)
        self.title.setFont(font)
        self.authors = QLabel(page)
        self.authors.setWordWrap(True)
        self.authors.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta = QLabel(page)
        self.meta.setWordWrap(True)
        self.meta.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta.setToolTip("Year, venue and the citation key (@key) used in \\cite{…}")
        self.links = QLabel(page)
        self.links.setObjectName("detailLinks")
        self.links.setTextFormat(Qt.TextFormat.RichText)
        self.links.setOpenExternalLinks(False)
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.LinksAccessibleByMouse
                                           | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
        self.links.linkActivated.connect(open_link)

        self.status = QComboBox(page)
        for value, label in STATUSES:
            self.status.addItem(label, value)
        self.priority = QComboBox(page)
        self.priority.addItems(list(PRIORITIES))
        self.tags = TagEditor(tag_names, page)
        self.tags.setObjectName("detailTags")
        self.lists = QLabel(page)
        self.lists.setWordWrap(True)

        state_row = QHBoxLayout()
        state_row.setSpacing(8)
        state_row.addWidget(self.status)
        state_row.addWidget(QLabel("Priority", page))
        state_row.addWidget(self.priority)
        state_row.addStretch(1)
        self.edit_button = QToolButton(page)
        self.edit_button.setObjectName("detailEdit")
        self.edit_button.setText("Edit Details…")
        self.edit_button.setToolTip("Edit the title, authors, year, venue, identifiers and citation key (F2)")
        self.edit_button.setAutoRaise(True)
        self.edit_button.clicked.connect(self._edit_clicked)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        form.addRow("Status", state_row)
        form.addRow("Tags", self.tags)
        form.addRow("Lists", self.lists)

        self.abstract = SafeBrowser(page)
        self.abstract.setObjectName("detailAbstract")
        self.note = NoteEditor(page)
        self.related = RelatedPanel(page)
        self.tabs = QTabWidget(page)
        self.tabs.setObjectName("detailTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.abstract, "Abstract")
        self.tabs.addTab(self.note, "Note")
        self.tabs.addTab(self.related, "Related")
        self.tabs.currentChanged.connect(self._tab_changed)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.authors)
        meta_row = QHBoxLayout()
        meta_row.setSpacing(8)
        meta_row.addWidget(self.meta, 1)
        meta_row.addWidget(self.edit_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(meta_row)
        layout.addWidget(self.links)
        layout.addSpacing(4)
        layout.addLayout(form)
        layout.addSpacing(2)
        layout.addWidget(self.tabs, 1)
        # In a scroll area: under the table of a small window the pane may be shorter than its fields.
        self.page_scroll = QScrollArea(self)
        self.page_scroll.setObjectName("detailScroll")
        self.page_scroll.setWidget(page)
        self.page_scroll.setWidgetResizable(True)
        self.page_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.page_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.page_scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        bar = self.page_scroll.verticalScrollBar().sizeHint().width()
        self.page_scroll.setMinimumWidth(page.minimumSizeHint().width() + bar)  # scrolls down, never clips sideways
        self.stack.addWidget(self.page_scroll)

        self.multi = QLabel(self)
        self.multi.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.multi.setWordWrap(True)
        self.stack.addWidget(self.multi)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.stack)

        for browser in (self.abstract, self.note.preview):
            browser.setTabChangesFocus(True)  # Tab moves on; it does not walk the links inside
        self.links.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.edit_button.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # F2 does the same
        self.apply_palette()
        self.status.activated.connect(self._status_activated)
        self.priority.activated.connect(self._priority_activated)
        self.tags.tagsEdited.connect(self._tags_edited)

    def focus_chain(self) -> list[QWidget]:
        """The pane's stops for Tab, in order: status, priority, tags, the tab bar, the open tab's content."""
        return [self.status, self.priority, self.tags, self.tabs.tabBar(), self.abstract, self.note.editor,
                self.note.preview, self.related.view]

    def apply_palette(self) -> None:
        """Colours derived from the current palette (called again when the system theme changes)."""
        muted = QPalette(self.meta.palette())
        muted.setColor(QPalette.ColorRole.WindowText, theme.muted_color(self.palette()))
        self.meta.setPalette(muted)

    # -- what is shown --------------------------------------------------------------

    def show_nothing(self) -> None:
        self.note.flush()
        self.note.load(None, "")
        self.pid = None
        self.paper = None
        self.stack.setCurrentIndex(0)

    def show_many(self, count: int) -> None:
        self.note.flush()
        self.pid = None
        self.paper = None
        self.multi.setText(
            f"<p style='font-size:large'><b>{count:,} papers selected</b></p>"
            "<p>Tag them: Ctrl+T<br>Add them to a reading list: drag them onto it<br>"
            "Mark them read: Ctrl+R<br>Copy their BibTeX: Ctrl+Shift+C<br>Export them: Ctrl+E</p>")
        self.stack.setCurrentIndex(2)

    def show_paper(self, paper: Paper, *, lists: list[str], note: str,
                   title_marks: Snippet | None = None, abstract_marks: Snippet | None = None) -> None:
        """Fill the pane; the note editor keeps unsaved typing when the same paper is shown again."""
        pid = paper.id
        assert pid is not None
        changed = pid != self.pid
        self.pid = pid
        self.paper = paper
        palette = self.palette()
        shown_title = readable(paper.title)  # TeX math as text; the hits' spans fit the source only
        title_spans = title_marks.spans if title_marks and title_marks.text == shown_title else ()
        self.title.setText(theme.marked_html(shown_title or "(untitled)", title_spans, palette))
        authors = "; ".join(a.display_name for a in paper.authors)
        self.authors.setText(authors or "Authors unknown")
        self.authors.setEnabled(bool(authors))
        meta = [str(paper.year) if paper.year else "", paper.venue, f"@{paper.citekey}" if paper.citekey else ""]
        self.meta.setText("  ·  ".join(m for m in meta if m))
        self.links.setText(self._links_html(paper))
        self.links.setVisible(bool(self.links.text()))
        self.status.setCurrentIndex(max(0, [s for s, _ in STATUSES].index(paper.status.value)))
        self.priority.setCurrentIndex(paper.priority)
        if changed or not self.tags.hasFocus():
            self.tags.set_tags(paper.tags)
        self.lists.setText(", ".join(lists) if lists else "—")
        spans = abstract_marks.spans if abstract_marks and abstract_marks.text == paper.abstract else ()
        abstract_html = theme.marked_html(paper.abstract, spans, palette) if paper.abstract else \
            "<i>No abstract.</i>"
        self.abstract.setHtml(f"<div style='line-height:135%'>{abstract_html}</div>")
        self.note.load(pid, note)
        self.stack.setCurrentIndex(1)
        if changed:
            self._related_for = None
            if self.tabs.currentIndex() == TAB_RELATED:
                self._want_related()

    def set_read_only(self, readonly: bool) -> None:
        self._readonly = readonly
        for widget in (self.status, self.priority):
            widget.setEnabled(not readonly)
            widget.setToolTip("Read-only library: this cannot be changed here" if readonly else "")
        self.tags.setReadOnly(readonly)
        if readonly:
            look_read_only(self.tags)
        self.edit_button.setVisible(not readonly)
        self.note.set_read_only(readonly)

    def _links_html(self, paper: Paper) -> str:
        links = []
        if paper.arxiv_id:
            links.append((arxiv_url(paper.arxiv_id), f"arXiv:{paper.arxiv_id}"))
        if paper.doi:
            links.append((doi_url(paper.doi), f"DOI {paper.doi}"))
        if paper.code_url:
            links.append((paper.code_url, "Code"))
        if paper.url and not any(paper.url == u for u, _ in links):
            links.append((paper.url, "Web page"))
        return "  ·  ".join(f'<a href="{theme.escape(url)}">{theme.escape(label)}</a>' for url, label in links)

    # -- edits -------------------------------------------------------------------------------

    def _edit_clicked(self) -> None:
        if self.pid is not None:
            self.editRequested.emit(self.pid)

    def _status_activated(self, index: int) -> None:
        if self.pid is not None:
            self.statusChosen.emit(self.pid, STATUSES[index][0])

    def _priority_activated(self, index: int) -> None:
        if self.pid is not None:
            self.priorityChosen.emit(self.pid, index)

    def _tags_edited(self, added: list[str], removed: list[str]) -> None:
        if self.pid is not None:
            self.tagsEdited.emit(self.pid, added, removed)

    # -- related ------------------------------------------------------------------------------

    def _tab_changed(self, index: int) -> None:
        if index == TAB_RELATED:
            self._want_related()

    def _want_related(self) -> None:
        if self.pid is not None and self._related_for != self.pid:
            self._related_for = self.pid
            self.related.show_loading()
            self.relatedWanted.emit(self.pid)
