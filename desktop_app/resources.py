"""Where Lectern's resource files (icons, screenshots, desktop file) live, frozen or not."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The ``resources/`` folder: ``sys._MEIPASS/resources`` when frozen, else the repository's."""
    bundle = getattr(sys, "_MEIPASS", None)
    if getattr(sys, "frozen", False) and bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    """A file under the resources folder (it may not exist; callers decide what to do then)."""
    return resources_dir().joinpath(*parts)
