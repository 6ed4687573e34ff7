"""A term's postings in one segment as two flat arrays (docnums, weights), frequent terms kept across searches.

Reading a posting list means unpickling every block of it, positions
included, which ranked search does not use: at 100k papers a word in half
the abstracts ("learning", "which") costs ~30 ms, and a pasted sentence has
several.  Such words recur in nearly every sentence a person pastes or
types (each keystroke re-runs the words before it), so the decoded
docnums and weights of terms with many postings are kept (4 bytes each, at
most ``MAX_POSTINGS`` in all, least recently used dropped first).  Rare terms
are cheap to read again and are not kept.  A segment never changes; its
deletions do, so the key holds the segment's deletion count.
"""

from __future__ import annotations

import threading
from array import array
from collections import OrderedDict
from typing import Any, NamedTuple

from whoosh.reading import SegmentReader

from desktop_app.search.blocks import term_postings

MIN_POSTINGS = 1_000  # a term with fewer is read again when needed
MAX_POSTINGS = 3_000_000  # ~24 MB of kept docnums and weights


class TermArrays(NamedTuple):
    ids: array  # segment docnums, ascending (typecode "i")
    weights: array  # the term's frequency in each (typecode "f")


_kept: OrderedDict[tuple[Any, ...], TermArrays] = OrderedDict()
_held = 0
_lock = threading.Lock()


def term_arrays(reader: Any, field: str, text: str) -> TermArrays:
    """The live postings of ``field:text`` in the segment ``reader`` reads."""
    key = None
    if isinstance(reader, SegmentReader):
        segment = reader.segment()
        key = (segment.segment_id(), segment.deleted_count(), field, text)
        with _lock:
            found = _kept.get(key)
            if found is not None:
                _kept.move_to_end(key)
                return found
    ids, weights = array("i"), array("f")
    for block_ids, block_weights in term_postings(reader, field, text):
        ids.extend(block_ids)
        weights.extend(block_weights)
    postings = TermArrays(ids, weights)
    if key is not None and len(ids) >= MIN_POSTINGS:
        _keep(key, postings)
    return postings


def _keep(key: tuple[Any, ...], postings: TermArrays) -> None:
    global _held
    with _lock:
        if key in _kept:
            return
        _kept[key] = postings
        _held += len(postings.ids)
        while _held > MAX_POSTINGS and _kept:
            _, dropped = _kept.popitem(last=False)
            _held -= len(dropped.ids)


def clear() -> None:
    """Forget every kept term (benchmarks measure reading from the index with it)."""
    global _held
    with _lock:
        _kept.clear()
        _held = 0
