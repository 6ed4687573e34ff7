"""Errors a user can meet and understand; the CLI prints them in one line, the GUI in a dialog."""

from __future__ import annotations


class LecternError(Exception):
    """An expected failure with a message written for the user."""


class LibraryLockedError(LecternError):
    """Another Lectern process is writing this library."""


class NotFoundError(LecternError):
    """No paper, tag or list by that name or id."""


class InvalidInputError(LecternError):
    """The user asked for something that cannot be done as given (``field``: which input, if known)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
