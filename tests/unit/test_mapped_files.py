"""Segment files read through the map behave like the BytesIO Whoosh used, without copying the file."""

from __future__ import annotations

import io
import pickle

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.filedb.structfile import BufferFile

from desktop_app.core.library import Library
from desktop_app.search.mapped_files import MappedRaw, mapped_file

OPERATIONS = st.lists(st.one_of(
    st.tuples(st.just("read"), st.integers(-1, 300)),
    st.tuples(st.just("readline"), st.integers(-1, 300)),
    st.tuples(st.just("seek"), st.integers(0, 400)),
    st.tuples(st.just("seek_end"), st.integers(-400, 0)),
    st.tuples(st.just("seek_cur"), st.integers(-50, 50)),
    st.tuples(st.just("tell"), st.just(0)),
), max_size=40)


def _apply(handle: io.IOBase, operation: str, argument: int) -> object:
    try:
        if operation == "read":
            return handle.read(argument)
        if operation == "readline":
            return handle.readline(argument)
        if operation == "seek":
            return handle.seek(argument)
        if operation == "seek_end":
            return handle.seek(argument, io.SEEK_END)
        if operation == "seek_cur":
            return handle.seek(argument, io.SEEK_CUR)
        return handle.tell()
    except (OSError, ValueError) as exc:
        return type(exc).__name__


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=600).map(lambda b: b.replace(b"\x00", b"\n")), OPERATIONS)
def test_reads_like_bytesio(data: bytes, operations: list[tuple[str, int]]) -> None:
    ours, theirs = mapped_file(memoryview(data)), io.BytesIO(data)
    for operation, argument in operations:
        assert _apply(ours, operation, argument) == _apply(theirs, operation, argument), (operation, argument)
    assert list(ours) == list(theirs)


def test_pickles_load_through_it() -> None:
    values = [{"a": list(range(100))}, "β" * 50, (1.5, None)]
    data = b"".join(pickle.dumps(v, 2) for v in values)
    handle = mapped_file(memoryview(data))
    assert [pickle.load(handle) for _ in values] == values


def test_raw_reader_reads_the_buffer_without_a_copy_of_it() -> None:
    data = bytearray(b"0123456789")
    raw = MappedRaw(data)
    data[0:1] = b"X"  # the reader sees the buffer itself, not a snapshot
    assert raw.read(3) == b"X12"


def test_an_open_library_reads_its_segments_through_the_map(library: Library) -> None:
    from tests.unit.conftest import sample_papers

    library.import_papers(sample_papers())
    library.catch_up_index()
    assert BufferFile(b"abc").file.__class__ is io.BufferedReader
    assert library.search("pruning").total == 2
    assert library.related(library.all_ids()[0], limit=2)
