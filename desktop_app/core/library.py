"""The library facade: every read and write the GUI and the CLI make goes through here.

A write is one SQLite transaction that also queues the index work it implies,
and returns a ``Changes`` value.  Tags, lists, status and notes are searched
through SQLite and the small notes index, so those edits are visible to the
next search at once; paper text reaches the big index in batched commits,
in the background or in the foreground (``catch_up_index``).
"""

from __future__ import annotations

from desktop_app.core.facade.completion import CompletionOps
from desktop_app.core.facade.maintenance import CheckReport, Maintenance, Stats
from desktop_app.core.facade.searching import InvalidQueryError, SearchResult
from desktop_app.core.facade.transfer import Transfer

__all__ = ["CheckReport", "InvalidQueryError", "Library", "SearchResult", "Stats"]


class Library(Transfer, Maintenance, CompletionOps):
    """One open library folder (``library.sqlite``, ``index/``, ``backups/``).

    Composed of one module per concern under ``core/facade/``: ``base`` (opening, identity,
    undo), ``papers``, ``organise``, ``searching``, ``transfer`` (import/export) and
    ``maintenance`` (index, checks, backups).  A new feature adds a module there.
    """
