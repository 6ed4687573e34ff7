"""Reading a Whoosh posting list a block at a time (docnums, weights, values) instead of a posting at a time.

A matcher's ``id()``/``weight()``/``value()``/``next()`` cost four Python
calls per posting; its blocks (up to 128 postings) are already decoded
tuples and arrays.  Bulk scoring and segment merges read them whole.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import accumulate
from typing import Any

from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.reading import SegmentReader

Block = tuple[Sequence[int], Sequence[float], Sequence[Any]]


def posting_blocks(matcher: Any, *, values: bool = True) -> Iterator[Block]:
    """The matcher's postings, a block at a time; ``values=False`` leaves the values undecoded (empty)."""
    if not isinstance(matcher, W3LeafMatcher):  # inlined postings, or another codec
        ids: list[int] = []
        weights: list[float] = []
        found: list[Any] = []
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            if values:
                found.append(matcher.value())
            matcher.next()
        yield ids, weights, found
        return
    while matcher.is_active():
        if matcher._ids is None:
            matcher._read_ids()
        if matcher._weights is None:
            matcher._read_weights()
        if values and matcher._values is None:
            matcher._read_values()
        yield matcher._ids, matcher._weights, matcher._values if values else ()
        matcher._next_block()


def term_blocks(reader: Any, field: str, text: str) -> Iterator[tuple[Sequence[int], Sequence[float]]]:
    """A term's live postings in one segment's ``reader``, a block at a time: (docnums, weights).

    Deleted documents are left out; a reader that is not a plain segment
    reader (a multi-segment or empty one) goes through its own matcher.
    """
    if not isinstance(reader, SegmentReader):
        for ids, weights, _ in posting_blocks(reader.postings(field, text), values=False):
            yield ids, weights
        return
    matcher = reader._terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format)
    deleted = reader.deleted_docs_set
    for ids, weights, _ in posting_blocks(matcher, values=False):
        if deleted:
            live = [i for i, docnum in enumerate(ids) if docnum not in deleted]
            ids, weights = [ids[i] for i in live], [weights[i] for i in live]
        yield ids, weights


def _leaf_matcher(reader: SegmentReader, field: str, text: str) -> Any:
    return reader._terms.matcher(field, reader._text_to_bytes(field, text), reader.schema[field].format)


def term_postings(reader: Any, field: str, text: str) -> list[tuple[Sequence[int], Sequence[float]]]:
    """A term's live (docnums, weights) blocks in one segment, each block's data decoded once.

    A block is one pickled (ids, weights, values) tuple: reading its ids costs
    as much as reading all of it, so callers that need both keep this list.
    Deleted documents are left out.
    """
    if not isinstance(reader, SegmentReader):
        return [(list(ids), list(weights)) for ids, weights in term_blocks(reader, field, text)]
    matcher = _leaf_matcher(reader, field, text)
    deleted = reader.deleted_docs_set
    out: list[tuple[Sequence[int], Sequence[float]]] = []
    if not isinstance(matcher, W3LeafMatcher):
        for ids, weights, _ in posting_blocks(matcher, values=False):
            out.append((ids, weights))
    else:
        while matcher.is_active():
            if matcher._data is None:
                matcher._read_data()
            raw_ids = matcher._data[0]
            ids = raw_ids if matcher._byteids else tuple(accumulate(raw_ids))  # delta_decode, in C
            matcher._read_weights()
            out.append((ids, matcher._weights))
            matcher._next_block()
    if deleted:
        out = [([d for d in ids if d not in deleted], [w for d, w in zip(ids, weights, strict=True) if d not in deleted])
               for ids, weights in out]
    return out
