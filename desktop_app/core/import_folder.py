"""Importing a folder: the files in it and its subfolders that Lectern can read.

A folder is walked recursively in a stable order (by path); hidden files and folders
(``.git``) are skipped, and only the suffixes the importers read are taken, so a folder
of PDFs and notes with one ``refs.bib`` imports just that.  Paths that are files are
kept as given, whatever their suffix (the user named them).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

SUPPORTED_SUFFIXES = frozenset({".bib", ".bibtex", ".biblatex", ".ris", ".json", ".atom", ".xml", ".txt"})


def files_in_folder(folder: Path) -> list[Path]:
    """The importable files under ``folder``, sorted by path."""
    found: list[Path] = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                found.append(Path(root) / name)
    return sorted(found)


def expand_import_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files stay; folders become the importable files inside them (each file once)."""
    result: dict[Path, None] = {}
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            result.update(dict.fromkeys(files_in_folder(path)))
        else:
            result[path] = None
    return list(result)
