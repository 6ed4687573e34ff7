"""The layers hold: imports follow ARCHITECTURE.md's dependency table, no cycles, Qt only in gui/.

The allowed-dependency table is parsed from ``ARCHITECTURE.md`` itself, so the document and
the test cannot drift apart.  ``python -m tests.unit.test_architecture`` prints the package
graph (what the issue notes quote as "before" and "after").
"""

from __future__ import annotations

import ast
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "desktop_app"
ARCHITECTURE = ROOT / "ARCHITECTURE.md"
QT_MODULES = ("PySide6", "shiboken6")
QT_ALLOWED_UNITS = {"gui"}


def module_files(root: Path = ROOT) -> dict[str, Path]:
    """Every module of the package by dotted name (``desktop_app.core.library``)."""
    found: dict[str, Path] = {}
    for path in sorted((root / PACKAGE).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imported_names(tree: ast.AST, module: str, is_package: bool) -> Iterator[tuple[str, int]]:
    """Dotted names a module imports (anywhere in it: lazy and TYPE_CHECKING imports count)."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            for alias in node.names:  # a submodule, or a name in ``prefix`` (resolved by the caller)
                yield f"{prefix}.{alias.name}", node.lineno


def import_graph(root: Path = ROOT) -> tuple[dict[str, set[str]], dict[str, set[str]], list[str]]:
    """(module -> our modules it imports, module -> external top-level packages, Qt violations)."""
    files = module_files(root)
    ours: dict[str, set[str]] = defaultdict(set)
    external: dict[str, set[str]] = defaultdict(set)
    for module, path in files.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for name, _line in _imported_names(tree, module, path.name == "__init__.py"):
            if name.split(".")[0] != PACKAGE:
                external[module].add(name.split(".")[0])
                continue
            # the longest prefix that is one of our modules ("from pkg import module" or a name in it)
            parts = name.split(".")
            while parts and ".".join(parts) not in files:
                parts.pop()
            target = ".".join(parts)
            if target and target != module and target != PACKAGE:
                ours[module].add(target)
    return ours, external, list(files)


def unit_of(module: str) -> str:
    """The layer unit a module belongs to: its top-level package or module under desktop_app."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def allowed_table(text: str | None = None) -> dict[str, set[str]]:
    """The "may import" table of ARCHITECTURE.md: rows of backticked unit names."""
    text = ARCHITECTURE.read_text(encoding="utf-8") if text is None else text
    section = text.split("## Dependency table", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("`"):
            continue
        units = re.findall(r"`([\w.]+)/?`", cells[0])
        allowed = set(re.findall(r"`([\w.]+)/?`", cells[1]))
        for unit in units:
            table[unit] = allowed
    return table


def package_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """Unit -> the other units it imports."""
    ours, _external, _modules = import_graph(root)
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in ours.items():
        for target in targets:
            if unit_of(target) != unit_of(module):
                graph[unit_of(module)].add(unit_of(target))
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    nodes = set(graph) | {t for targets in graph.values() for t in targets}
    for start in sorted(nodes):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


# -- the tests -------------------------------------------------------------------------------


def test_every_unit_has_a_row_in_the_table() -> None:
    table = allowed_table()
    units = {unit_of(m) for m in module_files()}
    assert units - set(table) == set(), "add these to ARCHITECTURE.md's dependency table"


def test_imports_follow_the_dependency_table() -> None:
    table = allowed_table()
    ours, _external, _modules = import_graph()
    wrong = sorted(
        f"{module} imports {target}"
        for module, targets in ours.items()
        for target in targets
        if unit_of(target) != unit_of(module) and unit_of(target) not in table.get(unit_of(module), set())
    )
    assert wrong == []


def test_no_import_cycles_between_modules() -> None:
    ours, _external, _modules = import_graph()
    assert cycles(ours) == []


def test_qt_only_in_gui() -> None:
    _ours, external, _modules = import_graph()
    wrong = sorted(m for m, names in external.items()
                   if names & set(QT_MODULES) and unit_of(m) not in QT_ALLOWED_UNITS)
    assert wrong == []


def test_modules_outside_gui_stay_small() -> None:
    big = sorted(f"{name} ({lines} lines)" for name, path in module_files().items()
                 if unit_of(name) != "gui"
                 and (lines := len(path.read_text(encoding="utf-8").splitlines())) > 600)
    assert big == []


def test_the_checker_sees_a_cycle_and_a_forbidden_import(tmp_path: Path) -> None:
    """The test itself can fail: a made-up package with a cycle and an upward import."""
    for name, body in {
        "__init__.py": "",
        "domain/__init__.py": "",
        "domain/models.py": "from desktop_app.core import facade\n",
        "core/__init__.py": "",
        "core/facade.py": "from desktop_app.core.other import x\nimport PySide6\n",
        "core/other.py": "from desktop_app.core import facade\nx = 1\n",
    }.items():
        path = tmp_path / PACKAGE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    ours, external, _modules = import_graph(tmp_path)
    assert cycles(ours) == [["desktop_app.core.facade", "desktop_app.core.other"]]
    table = allowed_table("## Dependency table\n| `domain/` | — |\n| `core/` | `domain/` |\n")
    assert "core" not in table["domain"]
    assert "PySide6" in external["desktop_app.core.facade"]


def describe(root: Path = ROOT) -> str:
    """The package graph as text, one unit a line."""
    graph = package_graph(root)
    units = sorted({unit_of(m) for m in module_files(root)})
    lines = [f"{unit:12} -> {', '.join(sorted(graph.get(unit, ()))) or '(nothing of ours)'}" for unit in units]
    ours, _external, _modules = import_graph(root)
    found = cycles(ours)
    lines.append(f"module cycles: {len(found)}" + "".join(f"\n  {' <-> '.join(c)}" for c in found))
    return "\n".join(lines)


if __name__ == "__main__":
    print(describe(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT))
