"""The window composes its parts; no part imports the window (only the entry points that build it)."""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).resolve().parents[2] / "desktop_app" / "gui"
BUILDERS = {"main.py", "screenshot.py", "selftest.py", "window.py"}  # they create a MainWindow


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_no_window_part_imports_the_window() -> None:
    offenders = sorted(p.name for p in GUI.glob("*.py")
                       if p.name not in BUILDERS and "desktop_app.gui.window" in _imports(p))
    assert offenders == []
    assert {"edits.py", "transfers.py", "actions.py"} <= {p.name for p in GUI.glob("*.py")}
