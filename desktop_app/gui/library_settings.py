"""Settings that belong to one library (last import folder, last export format and folder),
kept in the user's QSettings under a key made from the library's folder."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import QSettings

from desktop_app.gui import settings


class LibrarySettings:
    """``get``/``set`` of text values for one library folder; written at once (a crash keeps them)."""

    def __init__(self, directory: Path) -> None:
        resolved = str(Path(directory).expanduser().resolve())
        self.group = "libraries/" + hashlib.sha1(resolved.encode()).hexdigest()[:16]
        self.directory = resolved

    def _store(self) -> QSettings:
        return settings.ui_settings()

    def get(self, key: str, default: str = "") -> str:
        value = self._store().value(f"{self.group}/{key}")
        return value if isinstance(value, str) and value else default

    def set(self, key: str, value: str) -> None:
        store = self._store()
        store.setValue(f"{self.group}/path", self.directory)  # says which library the group is for
        store.setValue(f"{self.group}/{key}", value)
        store.sync()

    def folder(self, key: str) -> str:
        """A remembered folder that still exists, else the home folder."""
        remembered = self.get(key)
        return remembered if remembered and Path(remembered).is_dir() else str(Path.home())
