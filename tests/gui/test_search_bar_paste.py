"""The search box searches a paste at once and waits for typing to pause (issue 10: keystroke to paint)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication

from desktop_app.gui.search_bar import SearchBar


def _bar(qtbot: Any) -> tuple[SearchBar, list[str]]:
    bar = SearchBar()
    qtbot.addWidget(bar)
    bar.show()
    sent: list[str] = []
    bar.queryChanged.connect(sent.append)
    return bar, sent


def test_a_paste_searches_without_the_debounce(qtbot: Any) -> None:
    bar, sent = _bar(qtbot)
    QGuiApplication.clipboard().setText("Attention Is All You Need")
    bar.field.setFocus()
    qtbot.keyClick(bar.field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    assert sent == ["Attention Is All You Need"]  # synchronously, inside the key event
    assert not bar.pending


def test_typed_keys_wait_for_the_pause(qtbot: Any) -> None:
    bar, sent = _bar(qtbot)
    bar.field.setFocus()
    qtbot.keyClicks(bar.field, "prun")
    assert sent == [] and bar.pending
    qtbot.waitUntil(lambda: sent == ["prun"], timeout=2000)


def test_a_key_typed_after_a_paste_waits_again(qtbot: Any) -> None:
    bar, sent = _bar(qtbot)
    QGuiApplication.clipboard().setText("graph neural")
    bar.field.setFocus()
    qtbot.keyClick(bar.field, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(bar.field, " n")
    assert sent == ["graph neural"] and bar.pending
    qtbot.waitUntil(lambda: sent == ["graph neural", "graph neural n"], timeout=2000)
