"""A rich-text view for untrusted text (notes, abstracts): no resources fetched, safe links only.

``SafeBrowser.loadResource`` returns nothing for every URL, so an ``<img>`` or a
stylesheet in a note can never make Lectern fetch anything (remote or local).
Clicked links never navigate the view; they go through the URL policy in
``links`` and, if allowed, to the desktop browser.
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QTextDocument
from PySide6.QtWidgets import QTextBrowser, QWidget

from desktop_app.gui.desktop import open_link

log = logging.getLogger(__name__)


class SafeBrowser(QTextBrowser):
    """A read-only ``QTextBrowser`` that loads no resources and opens only allowed links."""

    linkRefused = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDocumentMargin(8)
        self.anchorClicked.connect(self._open)
        self.resource_requests: list[str] = []

    def loadResource(self, kind: int, url: QUrl | str) -> Any:
        """Never fetch: images, stylesheets and anything else referenced by the text stay empty."""
        self.resource_requests.append(url.toString() if isinstance(url, QUrl) else str(url))
        if kind == QTextDocument.ResourceType.ImageResource:
            log.debug("not loading image %s", url)
        return None

    def setSource(self, name: QUrl | str,
                  type: QTextDocument.ResourceType = QTextDocument.ResourceType.UnknownResource) -> None:
        """Navigation is disabled: a source change becomes a link click."""
        self._open(name if isinstance(name, QUrl) else QUrl(name))

    def _open(self, url: QUrl) -> None:
        text = url.toString()
        if not open_link(text):
            self.linkRefused.emit(text)
