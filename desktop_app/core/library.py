"""The library facade: every read and write the GUI and the CLI make goes through here.

A write is one SQLite transaction that also queues the index work it implies,
and returns a ``Changes`` value.  Tags, lists, status and notes are searched
through SQLite and the small notes index, so those edits are visible to the
next search at once; paper text reaches the big index in batched commits,
in the background or in the foreground (``catch_up_index``).
"""

from __future__ import annotations

from pathlib import Path

from desktop_app.core.facade.downloads import PdfDownloads
from desktop_app.core.facade.maintenance import CheckReport, Maintenance, Stats
from desktop_app.core.facade.searching import InvalidQueryError, SearchResult
from desktop_app.core.facade.transfer import Transfer
from desktop_app.core.facade.trash import TrashCan
from desktop_app.core.reviews import Reviews
from desktop_app.core.undo import make_redoable

__all__ = ["CheckReport", "InvalidQueryError", "Library", "SearchResult", "Stats"]


class Library(TrashCan, Transfer, Maintenance, PdfDownloads):
    """One open library folder (``library.sqlite``, ``index/``, ``backups/``).

    Composed of one module per concern under ``core/facade/``: ``base`` (opening, identity,
    undo), ``papers``, ``organise``, ``searching``, ``transfer`` (import/export) and
    ``maintenance`` (index, checks, backups), ``trash``, ``completion`` and ``downloads``
    (online metadata, arXiv PDFs).  A new feature adds a module there.
    """

    def __init__(self, directory: Path, *, readonly: bool = False) -> None:
        super().__init__(directory, readonly=readonly)
        self.reviews = Reviews(self)  # systematic reviews: screening, decisions, PRISMA (core/reviews.py)


# The undoable writes Redo can run again (core/undo.py).
make_redoable(Library, (
    "update_paper", "set_status", "set_priority", "delete_papers", "restore_from_trash", "add_tags",
    "remove_tags", "rename_tag", "create_list", "rename_list", "delete_list", "add_to_list",
    "remove_from_list", "move_in_list", "set_list_order", "reorder_lists",
))
