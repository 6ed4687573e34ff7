"""Another library's window in this process (a library joined from the File menu), closed with its library."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMainWindow

from desktop_app.core.library import Library
from desktop_app.gui.instance import InstanceServer, bring_forward

_windows: list[QMainWindow] = []  # keeps the parentless windows alive until they close


def open_window(library: Library, make_window: Callable[[Library], QMainWindow]) -> QMainWindow:
    """Show ``library`` in a window of its own; the library closes when that window is gone."""
    window = make_window(library)
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    InstanceServer(library.directory, lambda: bring_forward(window), window).listen()  # we hold its lock
    _windows.append(window)

    def gone() -> None:
        if window in _windows:
            _windows.remove(window)
        library.close()

    window.destroyed.connect(gone)
    app = QApplication.instance()
    if isinstance(app, QApplication) and len(_windows) == 1:
        app.aboutToQuit.connect(close_all)
    bring_forward(window)
    return window


def open_windows() -> list[QMainWindow]:
    return list(_windows)


def close_all() -> None:
    for window in list(_windows):
        window.close()
