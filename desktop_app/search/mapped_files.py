"""Whoosh segment files read from the memory map through a small buffer, not copied whole first.

whoosh-reloaded 2.7.5 maps a compound segment file and hands each file in it
to a ``BufferFile``, which wraps the mapped bytes in ``io.BytesIO``; and
``BytesIO`` copies them.  So every reader of a segment copied its postings
and term files into memory: opening a 100k-paper library copied the whole
index (~240 MB), and so did each writer's own reader, on every edit.
Here ``BufferFile`` reads through an ``io.BufferedReader`` (C speed for
``read``, ``readline`` and pickles) over a raw reader of the mapped bytes,
which copies only the blocks it reads.  ``install()`` is called by
``search.index`` before any index is opened.
"""

from __future__ import annotations

import io
from typing import Any

from whoosh.filedb import structfile

READ_BUFFER = 4096


class MappedRaw(io.RawIOBase):
    """A raw, seekable, read-only file over a buffer it does not copy."""

    def __init__(self, buf: Any) -> None:
        super().__init__()
        self._view = memoryview(buf).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, target: Any) -> int:
        count = min(len(target), len(self._view) - self._pos)
        if count <= 0:
            return 0
        target[:count] = self._view[self._pos:self._pos + count]
        self._pos += count
        return count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if whence == io.SEEK_SET:
            if offset < 0:
                raise ValueError(f"negative seek value {offset}")
            position = offset
        elif whence == io.SEEK_CUR:
            position = max(0, self._pos + offset)  # as BytesIO: a seek before the start stops at 0
        elif whence == io.SEEK_END:
            position = max(0, len(self._view) + offset)
        else:
            raise ValueError(f"invalid whence ({whence})")
        self._pos = position
        return position

    def tell(self) -> int:
        return self._pos


def mapped_file(buf: Any) -> io.BufferedReader:
    """A file object reading ``buf`` (bytes, or a memoryview of a map) without copying it whole."""
    return io.BufferedReader(MappedRaw(buf), buffer_size=READ_BUFFER)


def _buffer_file_init(self: Any, buf: Any, name: str | None = None, onclose: Any = None) -> None:
    self._buf = buf
    self._name = name
    self.file = mapped_file(buf)
    self.onclose = onclose
    self.is_real = False
    self.is_closed = False


def install() -> None:
    """Make Whoosh's ``BufferFile`` read through ``mapped_file`` (idempotent)."""
    structfile.BufferFile.__init__ = _buffer_file_init
