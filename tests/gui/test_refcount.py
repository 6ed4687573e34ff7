"""PySide6 6.12.0 drops a reference to None on every void Qt call and aborts CPython 3.11."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_keep_none_alive(qtbot) -> None:  # type: ignore[no-untyped-def]
    label = QLabel()
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("x")
    after = sys.getrefcount(None)
    assert after >= before - 100, f"None lost {before - after} references in 20,000 void calls"
