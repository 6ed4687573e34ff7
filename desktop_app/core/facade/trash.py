"""The Trash on the facade: deleting papers and reading lists moves them there; Restore and
Undo bring them back; emptying it deletes for good (the work is in ``core/trash.py``)."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.core import trash
from desktop_app.core.changes import Changes
from desktop_app.core.facade.organise import Organisation


class TrashCan(Organisation):
    def delete_papers(self, refs: Sequence[int | str]) -> Changes:
        """Move papers to the Trash with their tags, list places and notes (undoable)."""
        return trash.delete_papers(self, refs)

    def delete_list(self, name: str) -> Changes:
        """Move a reading list to the Trash; its papers stay in the library (undoable)."""
        return trash.delete_list(self, name)

    def trash(self) -> trash.TrashContents:
        """What the Trash holds, most recently deleted first."""
        return trash.contents(self)

    def trash_count(self) -> int:
        return trash.count(self)

    def restore_from_trash(self, papers: Sequence[int] = (), lists: Sequence[int] = ()) -> Changes:
        """Papers (by id) and lists (by trash id) back from the Trash (undoable)."""
        return trash.restore(self, papers=papers, lists=lists)

    def empty_trash(self, papers: Sequence[int] | None = None, lists: Sequence[int] | None = None) -> int:
        """Delete for good (everything, or the given trashed papers and lists); not undoable."""
        return trash.empty(self, papers=papers, lists=lists)
