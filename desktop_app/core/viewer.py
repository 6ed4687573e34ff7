"""Which program opens a PDF at a given page: the desktop's default PDF viewer, when we know its flag.

``xdg-open`` and Qt's ``QDesktopServices`` open a file but cannot ask for a
page; the common Linux viewers can.  ``viewer_command`` returns the program
and arguments for the default viewer (``xdg-mime query default
application/pdf``) or ``$LECTERN_PDF_VIEWER``; ``None`` means "let the
desktop open it" (first page).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

ENV_VIEWER = "LECTERN_PDF_VIEWER"

# program name -> how it takes a page (1-based); "{file}" and "{page}" are filled in
PAGE_ARGS: dict[str, list[str]] = {
    "evince": ["-i", "{page}", "{file}"],
    "atril": ["-i", "{page}", "{file}"],
    "xreader": ["-i", "{page}", "{file}"],
    "okular": ["-p", "{page}", "{file}"],
    "zathura": ["-P", "{page}", "{file}"],
    "mupdf": ["{file}", "{page}"],
    "qpdfview": ["--unique", "{file}#{page}"],
}
_DESKTOP_NAMES = {"org.gnome.evince": "evince", "evince": "evince", "atril": "atril", "xreader": "xreader",
                  "org.kde.okular": "okular", "okularapplication_pdf": "okular", "okular": "okular",
                  "org.pwmt.zathura": "zathura", "zathura": "zathura", "mupdf": "mupdf",
                  "qpdfview": "qpdfview"}


def _default_viewer() -> str | None:
    xdg_mime = shutil.which("xdg-mime")
    if not xdg_mime:
        return None
    try:
        desktop = subprocess.run([xdg_mime, "query", "default", "application/pdf"], capture_output=True,
                                 text=True, timeout=3, env=child_environment()).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    name = desktop.removesuffix(".desktop").lower()
    for key, program in _DESKTOP_NAMES.items():
        if name == key or name.startswith(key):
            return program
    return None


def viewer_command(path: Path, page: int | None) -> list[str] | None:
    """Program and arguments that open ``path`` at ``page``; None when only the desktop can open it."""
    chosen = os.environ.get(ENV_VIEWER) or (_default_viewer() if page else None)
    if not chosen:
        return None
    program = shutil.which(chosen)
    if program is None:
        return None
    template = PAGE_ARGS.get(Path(chosen).name)
    if template is None or not page:
        return [program, str(path)]
    return [program, *(part.format(file=path, page=page) for part in template)]


def child_environment() -> dict[str, str]:
    """The environment for a viewer: a frozen bundle's library path is put back (PLATFORM.md)."""
    env = dict(os.environ)
    if "LD_LIBRARY_PATH_ORIG" in env:
        env["LD_LIBRARY_PATH"] = env["LD_LIBRARY_PATH_ORIG"]
    elif getattr(sys, "frozen", False):
        env.pop("LD_LIBRARY_PATH", None)
    return env


def launch(command: list[str]) -> bool:
    """Start a viewer detached from us (it outlives the window); False when it cannot start."""
    try:
        process = subprocess.Popen(command, env=child_environment(), stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    except OSError:
        return False
    # reap it when it exits (no zombie, no "still running" warning when the Popen is collected)
    threading.Thread(target=process.wait, name="lectern-viewer", daemon=True).start()
    return True
