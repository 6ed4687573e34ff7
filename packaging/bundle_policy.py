"""What the Lectern bundle leaves out of what PyInstaller's Qt hooks collect, and why.

``lectern.spec`` filters the analysis' binaries and data files through
:func:`keep`.  The app uses QtCore, QtGui, QtWidgets, QtSvg and QtNetwork's local sockets only, in English,
on X11, Wayland and offscreen; everything else the PySide6 hooks collect is
weight (or, for GLib and the GTK theme, harm):

* Qt translations: the app installs no ``QTranslator``, so none is ever loaded.
* Qt plugins: only the ones listed in :data:`KEEP_PLUGINS` (``None`` keeps a whole
  folder).  Dropped: the GTK3 platform theme (it needs GTK and GLib from the
  system and breaks with a bundled GLib), embedded platforms (eglfs, linuxfb,
  vnc, vkkhrdisplay, minimalegl), evdev/tuio input, SQL drivers (storage uses
  Python's ``sqlite3``), TLS and network information (Qt networking is used only for local sockets), and
  image formats the app never reads.
* GLib: ``libglib-2.0`` and friends come from the user's system
  (``libglib2.0-0``); a bundled copy breaks GTK-based desktops' theme and
  portal integration on distributions newer than the build host.  Likewise
  ``libstdc++``/``libgcc_s`` (see :data:`SYSTEM_LIBRARIES`).
* Libraries that only the dropped files linked against (:func:`orphans`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence

QT_PLUGINS = "PySide6/Qt/plugins/"
QT_TRANSLATIONS = "PySide6/Qt/translations/"

KEEP_PLUGINS: dict[str, frozenset[str] | None] = {
    "platforms": frozenset({
        "libqxcb.so",  # X11 and XWayland
        "libqwayland.so", "libqwayland-generic.so", "libqwayland-egl.so",  # native Wayland
        "libqoffscreen.so",  # the self-test and screenshots without a display
        "libqminimal.so",
    }),
    "platformthemes": frozenset({"libqxdgdesktopportal.so"}),  # portal file dialogs; not gtk3
    "platforminputcontexts": None,  # compose keys and IBus: typing accents and CJK
    "iconengines": None,  # the SVG app and sidebar icons
    "imageformats": frozenset({"libqsvg.so", "libqico.so", "libqjpeg.so", "libqgif.so"}),
    "xcbglintegrations": None,
    "wayland-decoration-client": None,
    "wayland-graphics-integration-client": None,
    "wayland-shell-integration": None,
}

# Shared libraries taken from the user's system instead of the build host's: GLib (see above),
# and the C++ runtime, which every desktop has (apt itself needs it) and which the system's
# OpenGL drivers need at least as new as they were built with; an older bundled copy breaks them.
SYSTEM_LIBRARIES = (
    "libglib-2.0.so", "libgobject-2.0.so", "libgio-2.0.so", "libgmodule-2.0.so", "libgthread-2.0.so",
    "libstdc++.so", "libgcc_s.so",
)


def keep(dest: str, *, excludes: bool = True) -> bool:
    """Whether a file bound for ``dest`` (its path inside the bundle) goes into the bundle."""
    if not excludes:
        return True
    path = dest.replace(os.sep, "/")
    if path.startswith(QT_TRANSLATIONS):
        return False
    if path.startswith(QT_PLUGINS):
        rest = path[len(QT_PLUGINS):]
        folder, _, name = rest.partition("/")
        if folder not in KEEP_PLUGINS:
            return False
        wanted = KEEP_PLUGINS[folder]
        return wanted is None or name in wanted
    base = path.rsplit("/", 1)[-1]
    return not any(base.startswith(lib) for lib in SYSTEM_LIBRARIES)


Entry = tuple[str, str, str]  # PyInstaller TOC entry: (path in the bundle, source path, type code)


def orphans(binaries: Sequence[Entry], dropped: Iterable[Entry],
            imports_of: Callable[[str], Iterable[str]]) -> set[str]:
    """Bundle paths of shared libraries that only dropped files need.

    PyInstaller resolves the libraries a plugin links against before the spec can
    filter, so dropping a plugin leaves its dependencies behind (the GTK theme's
    pango and cairo, the TLS plugin's OpenSSL and Kerberos...).  A library is an
    orphan when it is reachable from a dropped file and not from anything kept;
    libraries nothing links to (Qt loads some with dlopen) are never orphans.
    ``imports_of(source_path)`` gives the file names a binary links against.
    """
    binaries = [entry for entry in binaries if entry[2] != "SYMLINK"]  # (link, target, "SYMLINK")
    by_name: dict[str, Entry] = {}
    for entry in binaries:
        by_name.setdefault(entry[0].replace(os.sep, "/").rsplit("/", 1)[-1], entry)

    def closure(starts: Iterable[Entry]) -> set[str]:
        seen: set[str] = set()
        todo = list(starts)
        while todo:
            _dest, src, _kind = todo.pop()
            for name in imports_of(src):
                found = by_name.get(name.rsplit("/", 1)[-1])
                if found is not None and found[0] not in seen:
                    seen.add(found[0])
                    todo.append(found)
        return seen

    dropped = [entry for entry in dropped if entry[2] in ("BINARY", "EXTENSION")]
    gone = {entry[0] for entry in dropped}
    candidates = closure(dropped) - gone
    kept_roots = [entry for entry in binaries if entry[0] not in candidates and entry[0] not in gone]
    return candidates - closure(kept_roots)


def without(entries: Sequence[Entry], removed: set[str]) -> list[Entry]:
    """``entries`` less the removed paths and the symbolic links that point at them."""
    return [e for e in entries if e[0] not in removed and not (e[2] == "SYMLINK" and e[1] in removed)]
