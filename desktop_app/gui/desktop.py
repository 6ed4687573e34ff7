"""Opening a link in the desktop browser, through the URL policy in ``links``."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices

from desktop_app.gui.links import child_environment, external_url

log = logging.getLogger(__name__)

Opener = Callable[[QUrl], bool]


def _default_opener(url: QUrl) -> bool:
    return bool(QDesktopServices.openUrl(url))


_opener: Opener = _default_opener


def set_url_opener(opener: Opener | None) -> None:
    """Replace how URLs are handed to the desktop (tests record them instead)."""
    global _opener
    _opener = opener or _default_opener


def open_link(link: str) -> bool:
    """Open ``link`` in the browser if the policy allows it; returns whether it was handed over."""
    url = external_url(link)
    if url is None:
        log.warning("refused to open link %r (only http, https, doi: and arxiv: links open)", link[:200])
        return False
    frozen = bool(getattr(sys, "frozen", False))
    if not frozen:
        return _opener(QUrl(url))
    saved = dict(os.environ)
    try:  # QDesktopServices starts xdg-open: give it the user's library path, not the bundle's
        os.environ.clear()
        os.environ.update(child_environment(saved, frozen=True))
        return _opener(QUrl(url))
    finally:
        os.environ.clear()
        os.environ.update(saved)


def open_file(path: str) -> bool:
    """Hand a local file (an attached PDF) to the desktop's default application."""
    url = QUrl.fromLocalFile(path)
    if not getattr(sys, "frozen", False):
        return _opener(url)
    saved = dict(os.environ)
    try:
        os.environ.clear()
        os.environ.update(child_environment(saved, frozen=True))
        return _opener(url)
    finally:
        os.environ.clear()
        os.environ.update(saved)
