"""The on-disk Whoosh indexes (papers, notes): open, verify, rebuild, batch writes, searchers.

The index is derived data.  ``meta.json`` records the schema version and the
library it belongs to; anything missing, stale or unreadable is reported by
``problem()`` so the caller rebuilds it from SQLite.  Writes come from one
thread at a time (the indexer) in batches, one commit per batch; each reading
thread keeps its own searcher and refreshes it after commits.
"""

from __future__ import annotations

import gc
import itertools
import json
import logging
import shutil
import threading
import warnings
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.codec.base import Segment
from whoosh.fields import Schema
from whoosh.index import FileIndex
from whoosh.reading import EmptyReader, IndexReader, MultiReader, SegmentReader
from whoosh.searching import Searcher
from whoosh.writing import SegmentWriter

from desktop_app.search import mapped_files
from desktop_app.search.docsets import DocnumMap
from desktop_app.search.schema import SCHEMA_VERSION, note_schema, paper_schema
from desktop_app.search.segment_writer import segment_writer

log = logging.getLogger(__name__)
mapped_files.install()  # segment readers stop copying their files into memory

PAPERS = "papers"
NOTES = "notes"
META = "meta.json"
WRITER_LIMIT_MB = 512  # Whoosh's own SegmentWriter (a schema BatchSegmentWriter cannot write) sorts this much in memory
SMALL_SEGMENT = 2500  # segments this small are merged into a large batch's segment


@dataclass(frozen=True)
class IndexDoc:
    pid: int
    fields: Mapping[str, Any]


class IndexUnavailable(RuntimeError):
    """The index could not be opened; it needs a rebuild."""


class _SubIndex:
    """One Whoosh index directory and the per-thread searchers over it."""

    def __init__(self, path: Path, schema_factory: Any) -> None:
        self.path = path
        self._schema_factory = schema_factory
        self._ix: FileIndex | None = None
        self._local = threading.local()
        self._searchers: list[Searcher] = []
        self._lock = threading.Lock()
        self.docnums = DocnumMap()
        self.schema: Schema = schema_factory()
        self._commits = 0
        # Another process may commit (this one is read-only): then ask the disk before each search.
        self.external_writers = False

    def exists(self) -> bool:
        """Whether a table of contents is there (damaged or not: ``open`` finds out)."""
        return self.path.is_dir() and any(self.path.glob("*.toc"))

    def create(self) -> None:
        self.close()
        if self.path.exists():
            shutil.rmtree(self.path)
        self.path.mkdir(parents=True)
        self._ix = whoosh_index.create_in(str(self.path), self._schema_factory())
        self.schema = self._ix.schema

    def open(self) -> None:
        self._ix = whoosh_index.open_dir(str(self.path))
        # FileIndex.schema re-reads the table of contents on every access; keep one copy
        # (its analyzers keep their caches warm, too).
        self.schema = self._ix.schema
        with self._ix.searcher() as searcher:  # touch every segment once: corrupt files fail here
            searcher.doc_count()
            for reader, _ in searcher.reader().leaf_readers():
                reader.doc_count_all()

    @property
    def ix(self) -> FileIndex:
        if self._ix is None:
            raise IndexUnavailable(f"index {self.path} is not open")
        return self._ix

    def searcher(self) -> Searcher:
        """The calling thread's searcher, refreshed to the latest commit."""
        searcher: Searcher | None = getattr(self._local, "searcher", None)
        if searcher is not None and self._current(searcher):
            return searcher
        fresh = self.ix.searcher() if searcher is None else _refreshed(self.ix, searcher)
        self._local.commits = self._commits
        with self._lock:
            self._searchers = [s for s in self._searchers if s is not searcher]
            self._searchers.append(fresh)
        self._local.searcher = fresh
        return fresh

    def write(self, docs: Iterable[IndexDoc], deletes: Iterable[int], *, key: Any = int,
              merge: bool = True, pids: Collection[int] = ()) -> int:
        """Add or replace ``docs`` and delete ``deletes`` in one commit; returns docs written.

        ``merge=True`` lets Whoosh merge small segments its way (a few edits at a time).
        ``merge=False`` is for a large batch: it is a large segment already, and merging
        the other large ones into it each time doubled a 100k build; it takes in only
        segments under ``SMALL_SEGMENT`` documents (an import's quick first batch, edits),
        ahead of its own papers, so a search after an import runs on one segment per
        large batch and the documents stay in import order, as a one-commit build has
        them (ties rank alike; top-N searches skip blocks alike: a phrase ran 2x slower
        with the first batch folded in behind).

        ``pids`` names every paper ``docs`` holds: their old versions are deleted up
        front, so each document is simply added (and folding needs that).  Without
        ``pids`` each document is looked up and replaced if it is there.
        """
        writer = segment_writer(self.ix, limitmb=WRITER_LIMIT_MB)
        count = 0
        folded: list[Segment] = []
        try:
            with self.ix.searcher() as searcher:
                reader = searcher.reader()
                for pid in itertools.chain(deletes, pids):
                    writer.delete_by_term("pid", key(pid), searcher=searcher)
                if not merge and pids:
                    folded = _fold_small_segments(writer, SMALL_SEGMENT)
                for doc in docs:
                    if not pids and reader.doc_count_all() and searcher.document_number(pid=key(doc.pid)) is not None:
                        writer.update_document(pid=key(doc.pid), **doc.fields)
                    else:
                        writer.add_document(pid=key(doc.pid), **doc.fields)
                    count += 1
        except BaseException:
            writer.cancel()
            raise
        if merge:
            writer.commit()
        else:
            writer.commit(mergetype=lambda _writer, segments: [s for s in segments if s not in folded])
        self._commits += 1
        return count

    def _current(self, searcher: Searcher) -> bool:
        """Whether ``searcher`` has seen the last commit (without touching the disk when we commit)."""
        if self.external_writers:
            return bool(searcher.up_to_date())
        return getattr(self._local, "commits", -1) == self._commits

    def merge_if_fragmented(self, max_segments: int) -> bool:
        """Merge every segment into one when there are more than ``max_segments``."""
        if len(self.searcher().leaf_searchers()) <= max_segments:
            return False
        segment_writer(self.ix, limitmb=WRITER_LIMIT_MB).commit(optimize=True)
        self._commits += 1
        return True

    def is_empty(self) -> bool:
        return self.searcher().doc_count_all() == 0

    def close(self) -> None:
        with self._lock:
            for searcher in self._searchers:
                try:
                    searcher.close()
                except Exception:  # a searcher of a deleted index directory
                    log.debug("closing searcher failed", exc_info=True)
            self._searchers.clear()
        self._local = threading.local()
        if self._ix is not None:
            self._ix.close()
            self._ix = None
        self.docnums = DocnumMap()


def _fold_small_segments(writer: SegmentWriter, limit: int) -> list[Segment]:
    """Copy the live documents of the segments under ``limit`` documents into ``writer``'s new one.

    Every segment costs each search a matcher per term: a library with a
    1,000-paper first import batch beside its 11,000-paper second searched up
    to 1.5x slower than one segment.  Folding them costs about what indexing
    them did.  Returns the folded segments (the commit drops them).
    """
    folded = []
    for segment in writer.segments:
        if segment.doc_count_all() >= limit:
            continue
        reader = SegmentReader(writer.storage, writer.schema, segment)
        try:
            writer.add_reader(reader)
        finally:
            reader.close()
        folded.append(segment)
    return folded


def _refreshed(ix: FileIndex, old: Searcher) -> Searcher:
    """A searcher for the latest commit that keeps ``old``'s readers of the segments it left alone.

    whoosh-reloaded 2.7.5's ``Searcher.refresh()`` keeps the readers of segments a commit merged
    away, and reuses a segment's reader after the commit deleted documents in it, so deleted and
    re-indexed papers (and removed notes) kept turning up until the index was reopened.  A segment
    only ever gains deletions, so one whose deletion count is unchanged is unchanged.
    """
    leaves = {reader.segment().segment_id(): reader for reader, _ in old.reader().leaf_readers()
              if isinstance(reader, SegmentReader)}
    opened: list[SegmentReader] = []
    try:
        toc = ix._read_toc()
        readers: list[SegmentReader] = []
        for segment in toc.segments:
            reader = leaves.get(segment.segment_id())
            if reader is not None and reader.segment().deleted_count() == segment.deleted_count():
                del leaves[segment.segment_id()]
                reader._gen = toc.generation
            else:
                reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
                opened.append(reader)
            readers.append(reader)
    except OSError:  # a commit in another thread replaced the segments just read: start afresh
        for reader in opened:
            reader.close()
        old.close()
        return ix.searcher()
    for reader in leaves.values():
        reader.close()
    combined: IndexReader
    if not readers:
        combined = EmptyReader(toc.schema)
    elif len(readers) == 1:
        combined = readers[0]
    else:
        combined = MultiReader(readers, generation=toc.generation)
    return Searcher(combined, fromindex=ix, weighting=old.weighting)


class SearchIndex:
    """The paper index and the notes index of one library, under ``<library>/index``."""

    def __init__(self, directory: Path, library_id: str) -> None:
        self.directory = directory
        self.library_id = library_id
        self.papers = _SubIndex(directory / PAPERS, paper_schema)
        self.notes = _SubIndex(directory / NOTES, note_schema)

    # -- state -------------------------------------------------------------

    def _read_meta(self) -> dict[str, Any]:
        try:
            return dict(json.loads((self.directory / META).read_text(encoding="utf-8")))
        except (OSError, ValueError):
            return {}

    def problem(self) -> str | None:
        """Why the index cannot be used as it is (None when it can)."""
        meta = self._read_meta()
        if not meta or not self.papers.exists() or not self.notes.exists():
            return "the search index is missing"
        if meta.get("schema_version") != SCHEMA_VERSION:
            return f"the search index has schema {meta.get('schema_version')}, this Lectern uses {SCHEMA_VERSION}"
        if meta.get("library_id") != self.library_id:
            return "the search index belongs to another library"
        return None

    def open(self) -> str | None:
        """Open both indexes; returns the reason a rebuild is needed, or None."""
        reason = self.problem()
        if reason:
            return reason
        failure: str | None = None
        with warnings.catch_warnings():
            # Whoosh leaves the file of a damaged table of contents open; it closes with the traceback
            warnings.simplefilter("ignore", ResourceWarning)
            try:
                self.papers.open()
                self.notes.open()
            except Exception as exc:  # Whoosh raises many types for damaged files
                log.warning("search index unreadable: %s", repr(exc))
                failure = f"the search index is damaged ({type(exc).__name__})"
            gc.collect()
        if failure is not None:
            self.close()
        return failure

    def create(self) -> None:
        """Start over with empty indexes (the caller then refills them from SQLite)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / META).unlink(missing_ok=True)
        self.papers.create()
        self.notes.create()
        meta = {"schema_version": SCHEMA_VERSION, "library_id": self.library_id}
        tmp = self.directory / (META + ".tmp")
        tmp.write_text(json.dumps(meta), encoding="utf-8")
        tmp.replace(self.directory / META)

    def invalidate(self) -> None:
        """Mark the index for a rebuild at the next open (before SQLite is replaced under it)."""
        (self.directory / META).unlink(missing_ok=True)

    def is_open(self) -> bool:
        return self.papers._ix is not None

    def close(self) -> None:
        self.papers.close()
        self.notes.close()

    # -- contents ------------------------------------------------------------

    def write_papers(self, docs: Iterable[IndexDoc], deletes: Iterable[int], *, merge: bool = True,
                     pids: Collection[int] = ()) -> int:
        return self.papers.write(docs, deletes, merge=merge, pids=pids)

    def write_notes(self, docs: Iterable[IndexDoc], deletes: Iterable[int]) -> int:
        return self.notes.write(docs, deletes, key=str)

    def paper_count(self) -> int:
        return int(self.papers.searcher().doc_count())

    def indexed_pids(self) -> set[int]:
        searcher = self.papers.searcher()
        return {int(pid) for pid in self.papers.docnums.pids(searcher)}

    def indexed_note_pids(self) -> set[int]:
        searcher = self.notes.searcher()
        return {int(fields["pid"]) for fields in searcher.reader().all_stored_fields()}

