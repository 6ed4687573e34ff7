"""Showing failures: expected ones plainly, unexpected ones logged with details; never a silent exit."""

from __future__ import annotations

import logging
import sys
import traceback
from collections.abc import Callable
from types import TracebackType

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from desktop_app.core.vocabulary import UnknownFormatError
from desktop_app.domain.errors import LecternError

log = logging.getLogger(__name__)

EXPECTED: tuple[type[BaseException], ...] = (LecternError, UnknownFormatError, OSError)


def is_expected(exc: BaseException) -> bool:
    return isinstance(exc, EXPECTED)


def describe(exc: BaseException) -> str:
    """One line a user can act on."""
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.strerror or exc}: {exc.filename}"
    return str(exc) or type(exc).__name__


def show_message(parent: QWidget | None, title: str, text: str, *, details: str = "",
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    """A non-blocking message box (window-modal over ``parent``) that deletes itself."""
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def show_error(parent: QWidget | None, exc: BaseException, *, action: str = "") -> QMessageBox:
    """Show an exception: plainly when expected, with the traceback (and logged) when not."""
    what = f"Could not {action}" if action else "Something went wrong"
    if is_expected(exc):
        log.info("%s: %s", what, describe(exc))
        return show_message(parent, "Lectern", f"{what}: {describe(exc)}")
    log.error("%s", what, exc_info=(type(exc), exc, exc.__traceback__))
    details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return show_message(parent, "Lectern — unexpected error",
                        f"{what}: an unexpected error occurred ({type(exc).__name__}: {exc}).\n\n"
                        "The details are in the log file; please report them.",
                        details=details, icon=QMessageBox.Icon.Critical)


ExceptHook = Callable[[type[BaseException], BaseException, TracebackType | None], None]


def install_excepthook(parent_of: Callable[[], QWidget | None]) -> ExceptHook:
    """Log uncaught exceptions (also those raised in slots) and show them in a dialog."""
    previous = sys.excepthook

    def hook(kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            previous(kind, exc, tb)
            return
        log.critical("uncaught exception", exc_info=(kind, exc, tb))
        if QApplication.instance() is None:
            previous(kind, exc, tb)
            return
        try:
            show_error(parent_of(), exc.with_traceback(tb))
        except Exception:  # the dialog itself failed: at least keep the traceback on stderr
            previous(kind, exc, tb)

    sys.excepthook = hook
    return previous
