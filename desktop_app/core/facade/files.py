"""Attached files: a paper's PDFs, supplements and slides (``core/library_files.py`` does the work)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from desktop_app.core.attachments import AttachOutcome
from desktop_app.core.changes import Changes
from desktop_app.core.facade.base import LibraryBase
from desktop_app.storage.files import FileRow


class FileOps(LibraryBase):
    """Attaching, listing and detaching a paper's files."""

    def attach(self, ref: int | str, paths: Sequence[Path | str], *, link: bool = False,
               kind: str = "paper") -> AttachOutcome:
        self._require_writable()
        return self.files.attach(self.resolve(ref), paths, link=link, kind=kind)

    def attached_files(self, ref: int | str) -> list[FileRow]:
        return self.files.files(self.resolve(ref))

    def detach(self, file_ids: Sequence[int]) -> Changes:
        self._require_writable()
        return self.files.detach(file_ids)
