"""Logging: details go to a rotating file in the user log dir; users see one-line messages."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

from platformdirs import user_log_path


def log_file() -> Path:
    return user_log_path("lectern", appauthor=False) / "lectern.log"


def setup_logging(*, verbose: bool = False) -> Path | None:
    """Log INFO and above to the log file (and to stderr with ``verbose``); returns the file."""
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    path: Path | None = log_file()
    try:
        assert path is not None
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=2_000_000, backupCount=3, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        root.addHandler(handler)
    except OSError:
        path = None
    if verbose:
        console = logging.StreamHandler()
        console.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(console)
    return path
