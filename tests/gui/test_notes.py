"""The note editor: autosave, live preview, and a preview that fetches nothing and opens only safe links."""

from __future__ import annotations

from PySide6.QtCore import QUrl
from PySide6.QtGui import QTextDocument

from desktop_app.gui.browser import SafeBrowser
from desktop_app.gui.markdown import render_markdown
from desktop_app.gui.notes import NoteEditor

HOSTILE = """# Notes

![tracker](https://evil.example/pixel.png) <img src="https://evil.example/a.png">
<script>alert(1)</script> [click](javascript:alert(1)) [file](file:///etc/passwd)
[paper](doi:10.1145/3065386) and [preprint](arxiv:2310.01234) and [web](https://example.org/)
"""


def test_markdown_keeps_raw_html_as_text() -> None:
    html = render_markdown(HOSTILE)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert '<img src="https://evil.example/a.png">' not in html


def test_preview_loads_no_resources(qtbot) -> None:  # type: ignore[no-untyped-def]
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    browser.setHtml(render_markdown(HOSTILE))
    browser.resize(400, 300)
    browser.show()
    assert browser.loadResource(QTextDocument.ResourceType.ImageResource, QUrl("https://evil.example/pixel.png")) is None
    assert browser.loadResource(QTextDocument.ResourceType.StyleSheetResource, QUrl("file:///etc/passwd")) is None
    assert all(r.startswith("https://evil.example/") or r.startswith("file:") for r in browser.resource_requests)
    assert not browser.openLinks() and not browser.openExternalLinks()


def test_preview_opens_only_allowed_links(qtbot, opened_urls: list[str]) -> None:  # type: ignore[no-untyped-def]
    browser = SafeBrowser()
    qtbot.addWidget(browser)
    refused: list[str] = []
    browser.linkRefused.connect(refused.append)
    for link in ("javascript:alert(1)", "file:///etc/passwd", "doi:10.1145/3065386", "arxiv:2310.01234",
                 "https://example.org/", "data:text/html,hi"):
        browser.anchorClicked.emit(QUrl(link))
    assert opened_urls == ["https://doi.org/10.1145/3065386", "https://arxiv.org/abs/2310.01234",
                           "https://example.org/"]
    assert len(refused) == 3
    browser.setSource(QUrl("file:///etc/passwd"))  # navigation is refused too
    assert len(opened_urls) == 3


def test_editor_autosaves_after_a_pause_and_on_switch(qtbot) -> None:  # type: ignore[no-untyped-def]
    editor = NoteEditor()
    qtbot.addWidget(editor)
    editor.load(1, "old")
    saves: list[tuple[int, str]] = []
    editor.saveRequested.connect(lambda pid, body: saves.append((pid, body)))
    editor.set_text("first *draft*")
    assert saves == []
    qtbot.waitUntil(lambda: saves == [(1, "first *draft*")], timeout=5000)
    qtbot.waitUntil(lambda: "<em>draft</em>" in editor.preview.toHtml() or
                    "draft" in editor.preview.toPlainText(), timeout=5000)
    editor.set_text("second")
    editor.load(2, "other")  # switching papers saves the pending text at once
    assert saves[-1] == (1, "second")
    assert editor.editor.toPlainText() == "other"
    editor.load(2, "other")
    editor.flush()
    assert len(saves) == 2
