"""Where a library lives: ``--library DIR``, else ``$LECTERN_LIBRARY``, else the user data dir."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_path

ENV_VAR = "LECTERN_LIBRARY"
DATABASE = "library.sqlite"
INDEX_DIR = "index"
BACKUP_DIR = "backups"
LOCK_FILE = "lectern.lock"
LOG_FILE = "lectern.log"


def default_library_dir() -> Path:
    return user_data_path("lectern", appauthor=False) / "library"


def resolve_library_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    if explicit:
        return Path(explicit).expanduser()
    env = os.environ.get(ENV_VAR)
    if env:
        return Path(env).expanduser()
    return default_library_dir()
