"""The library facade: every read and write the GUI and the CLI make goes through here.

A write is one SQLite transaction that also queues the index work it implies,
and returns a ``Changes`` value.  Tags, lists, status and notes are searched
through SQLite and the small notes index, so those edits are visible to the
next search at once; paper text reaches the big index in batched commits,
in the background or in the foreground (``catch_up_index``).
"""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from desktop_app import formats
from desktop_app.core import importing
from desktop_app.core.arxiv_fetch import Fetch, complete_from_arxiv, fetch_atom
from desktop_app.core.changes import Changes
from desktop_app.core.indexing import BackgroundIndexer, Indexer, ProgressCallback
from desktop_app.core.lock import LibraryLock
from desktop_app.core.paths import BACKUP_DIR, DATABASE, INDEX_DIR, LOCK_FILE
from desktop_app.core.sidelookup import SqlSideLookup
from desktop_app.core.undo import UndoStack
from desktop_app.domain.citekeys import assign_key, is_valid_key
from desktop_app.domain.errors import InvalidInputError, LecternError, NotFoundError
from desktop_app.domain.models import (
    Paper,
    Problem,
    ReadingList,
    ReadStatus,
    SavedSearch,
    TagCount,
    utc_now,
)
from desktop_app.search.engine import Hit, SearchEngine, SearchOutcome, Snippet
from desktop_app.search.index import SearchIndex
from desktop_app.search.query import CompiledQuery, QueryError
from desktop_app.storage import backup as backups
from desktop_app.storage import organise, queue
from desktop_app.storage import papers as store
from desktop_app.storage.db import Database, DatabaseError
from desktop_app.storage.papers import PaperRow

log = logging.getLogger(__name__)

IMPORT_BATCH = 500
SORT_COLUMNS = {
    "title": "title COLLATE NOCASE",
    "authors": "author_line COLLATE NOCASE",
    "year": "year",
    "venue": "venue COLLATE NOCASE",
    "status": "CASE status WHEN 'unread' THEN 0 WHEN 'reading' THEN 1 ELSE 2 END",
    "priority": "priority",
    "added": "added",
    "citekey": "citekey COLLATE NOCASE",
}
_TAG_NAME = re.compile(r"^[^\s,;][^,;]{0,63}$")


class InvalidQueryError(LecternError):
    """The search text cannot be run; the message says why."""


@dataclass
class SearchResult:
    text: str
    ids: list[int]
    scores: dict[int, float]
    pending: int
    compiled: CompiledQuery
    count: Callable[[], int] = field(repr=False, compare=False, default=lambda: 0)
    _total: int | None = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        """How many papers match in all (counted on first use when ``limit`` cut the hits)."""
        if self._total is None:
            self._total = self.count()
        return self._total

    @property
    def catching_up(self) -> bool:
        return self.pending > 0


@dataclass
class CheckReport:
    papers: int = 0
    indexed: int = 0
    pending: int = 0
    pending_notes: int = 0
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)

    @property
    def consistent(self) -> bool:
        return not self.problems


@dataclass
class Stats:
    papers: int
    indexed: int
    pending_index: int
    tags: int
    lists: int
    notes: int
    unread: int
    reading: int
    read: int
    database_bytes: int
    index_bytes: int
    directory: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Library:
    """One open library folder (``library.sqlite``, ``index/``, ``backups/``)."""

    def __init__(self, directory: Path, *, readonly: bool = False) -> None:
        self.directory = directory
        self.readonly = readonly
        self._lock = LibraryLock(directory / LOCK_FILE)
        self.undo_stack = UndoStack()
        self._background: BackgroundIndexer | None = None
        self._last_daily_backup: datetime | None = None
        self.index_problem: str | None = None
        self.rebuild_reason: str | None = None
        self.fetch_arxiv: Fetch | None = fetch_atom

    # -- opening and closing ---------------------------------------------------

    @classmethod
    def open(cls, directory: Path | str, *, readonly: bool = False) -> Library:
        library = cls(Path(directory), readonly=readonly)
        library._open()
        return library

    def _open(self) -> None:
        db_path = self.directory / DATABASE
        if self.readonly:
            if not db_path.exists():
                raise LecternError(f"no Lectern library at {self.directory}")
        else:
            self.directory.mkdir(parents=True, exist_ok=True)
            self._lock.acquire()
        try:
            self.db = Database(db_path, readonly=self.readonly, before_migration=self._backup_before_migration)
            self.library_id = self._library_id()
            self.clock = queue.QueueClock(self.db.conn)
            self.index = SearchIndex(self.directory / INDEX_DIR, self.library_id)
            self.index.papers.external_writers = self.index.notes.external_writers = self.readonly
            self.engine = SearchEngine(self.index)
            self.indexer = Indexer(self.db, self.index)
            self._open_index()
        except DatabaseError as exc:
            self._lock.release()
            raise LecternError(str(exc)) from exc
        except BaseException:
            self._lock.release()
            raise

    def _library_id(self) -> str:
        existing = organise.get_setting(self.db.conn, "library_id")
        if existing or self.readonly:
            return existing
        new = uuid.uuid4().hex
        with self.db.write() as conn:
            organise.set_setting(conn, "library_id", new)
        return new

    def _open_index(self) -> None:
        reason = self.index.open()
        if reason is None:
            self.index_problem = None
            return
        if self.readonly:
            self.index_problem = reason
            return
        if self.count():
            log.warning("rebuilding the search index: %s", reason)
        self._reset_index()
        self.index_problem = None
        self.rebuild_reason = reason

    def _reset_index(self) -> None:
        with self.indexer.write_lock:
            self.index.close()
            self.index.create()
            with self.db.write() as conn:
                queue.enqueue_all(conn, self.clock.next())
        self._catch_up_notes()

    def _backup_before_migration(self, old: int, new: int) -> None:
        backups.backup_database(self.directory / DATABASE, self.directory / BACKUP_DIR,
                                reason=f"schema{old}to{new}")

    def close(self) -> None:
        self.stop_background_indexing()
        if hasattr(self, "index"):
            self.index.close()
        if hasattr(self, "db"):
            self.db.close()
        self._lock.release()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _require_writable(self) -> None:
        if self.readonly:
            raise LecternError("the library is open read-only (another Lectern process is writing it)")

    # -- identity --------------------------------------------------------------

    def resolve(self, ref: int | str) -> int:
        """A paper id from an id or a citation key."""
        conn = self.db.conn
        if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
            pid = int(ref)
            if store.existing_ids(conn, [pid]):
                return pid
            by_key = store.id_for_citekey(conn, str(ref))
            if by_key is not None:
                return by_key
            raise NotFoundError(f"no paper with id {pid}")
        pid_for_key = store.id_for_citekey(conn, ref)
        if pid_for_key is None:
            raise NotFoundError(f"no paper with id or citation key {ref!r}")
        return pid_for_key

    def resolve_many(self, refs: Iterable[int | str]) -> list[int]:
        return [self.resolve(r) for r in refs]

    # -- reads -------------------------------------------------------------------

    def paper(self, ref: int | str) -> Paper:
        pid = self.resolve(ref)
        return store.get_papers(self.db.conn, [pid])[0]

    def papers(self, ids: Sequence[int]) -> list[Paper]:
        return store.get_papers(self.db.conn, ids)

    def iter_papers(self) -> Iterator[list[Paper]]:
        with self.db.read() as conn:
            yield from store.iter_all_papers(conn)

    def count(self) -> int:
        return int(self.db.conn.execute("SELECT count(*) FROM papers").fetchone()[0])

    def all_ids(self, order: str = "added", descending: bool = True) -> list[int]:
        clause = SORT_COLUMNS.get(order, "added")
        direction = "DESC" if descending else "ASC"
        return [r[0] for r in self.db.conn.execute(f"SELECT id FROM papers ORDER BY {clause} {direction}, id {direction}")]

    def unread_ids(self) -> list[int]:
        return [r[0] for r in self.db.conn.execute(
            "SELECT id FROM papers WHERE status != 'read' ORDER BY added DESC, id DESC")]

    def recent_ids(self, days: int = 7) -> list[int]:
        since = (utc_now() - timedelta(days=days)).isoformat()
        return [r[0] for r in self.db.conn.execute(
            "SELECT id FROM papers WHERE added >= ? ORDER BY added DESC, id DESC", (since,))]

    def rows(self, ids: Sequence[int]) -> dict[int, PaperRow]:
        return store.table_rows(self.db.conn, ids)

    def sort_ids(self, ids: Sequence[int], column: str, descending: bool = False) -> list[int]:
        """``ids`` ordered by a table column (ties by id), done in SQLite."""
        if column == "tags":
            clause = "(SELECT group_concat(t.name) FROM paper_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.paper_id = papers.id)"
        else:
            clause = SORT_COLUMNS.get(column, "")
        if not clause:
            raise InvalidInputError(f"cannot sort by {column!r}")
        direction = "DESC" if descending else "ASC"
        wanted = set(ids)
        ordered = [r[0] for r in self.db.conn.execute(f"SELECT id FROM papers ORDER BY {clause} {direction}, id")]
        return [pid for pid in ordered if pid in wanted]

    def tags(self) -> list[TagCount]:
        return organise.tag_counts(self.db.conn)

    def papers_with_tag(self, name: str) -> list[int]:
        return organise.papers_with_tag(self.db.conn, name)

    def reading_lists(self) -> list[ReadingList]:
        return organise.reading_lists(self.db.conn)

    def reading_list(self, name: str) -> ReadingList:
        for reading_list in self.reading_lists():
            if reading_list.name.casefold() == name.casefold():
                return reading_list
        raise NotFoundError(f"no reading list named {name!r}")

    def list_ids(self, name: str) -> list[int]:
        return organise.list_items(self.db.conn, self._list_id(name))

    def lists_of(self, ref: int | str) -> list[str]:
        return organise.lists_of(self.db.conn, self.resolve(ref))

    def note(self, ref: int | str) -> str:
        return organise.note_body(self.db.conn, self.resolve(ref))

    def saved_searches(self) -> list[SavedSearch]:
        return organise.saved_searches(self.db.conn)

    def _list_id(self, name: str) -> int:
        row = organise.list_row(self.db.conn, name)
        if row is None:
            raise NotFoundError(f"no reading list named {name!r}")
        return row[0]

    # -- search ----------------------------------------------------------------------

    def _require_index(self) -> None:
        if self.index_problem or not self.index.is_open():
            raise LecternError(f"search is unavailable: {self.index_problem or 'the index is not open'}"
                               " (run `lectern reindex`)")

    def compile(self, text: str) -> CompiledQuery:
        self._require_index()
        try:
            return self.engine.compile(text, SqlSideLookup(self.db, self.engine))
        except QueryError as exc:
            raise InvalidQueryError(str(exc)) from exc

    def search(self, text: str, limit: int | None = None) -> SearchResult:
        """Ranked paper ids for a query; raises ``InvalidQueryError`` with a readable message."""
        compiled = self.compile(text)
        try:
            outcome: SearchOutcome = self.engine.search(compiled, limit)
        except QueryError as exc:
            raise InvalidQueryError(str(exc)) from exc
        conn = self.db.conn
        gone = queue.removed_but_queued(conn)
        hits = [h for h in outcome.hits if h.pid not in gone]
        dropped = len(outcome.hits) - len(hits)
        return SearchResult(
            text=text,
            ids=[h.pid for h in hits],
            scores={h.pid: h.score for h in hits},
            pending=queue.pending(conn, queue.PAPER_QUEUE),
            compiled=compiled,
            count=lambda: outcome.count() - dropped,
            _total=None if outcome.total is None else outcome.total - dropped,
        )

    def snippets(self, result: SearchResult | CompiledQuery, ids: Sequence[int]) -> dict[int, Snippet]:
        """Highlighted fragments for the rows a view shows (abstract, else title, else note)."""
        compiled = result.compiled if isinstance(result, SearchResult) else result
        texts = {pid: (title, abstract) for pid, title, abstract in self._texts(ids)}
        notes = organise.notes_of(self.db.conn, ids)
        return {
            pid: self.engine.best_snippet(compiled, {"abstract": abstract, "title": title,
                                                     "note": notes.get(pid, "")})
            for pid, (title, abstract) in texts.items()
        }

    def highlight(self, result: SearchResult | CompiledQuery, field_name: str, text: str) -> Snippet:
        """All of ``text`` with the query's matches marked (for a detail pane)."""
        compiled = result.compiled if isinstance(result, SearchResult) else result
        return self.engine.snippet(compiled, field_name, text, whole=True)

    def related(self, ref: int | str, limit: int = 10) -> list[Hit]:
        self._require_index()
        pid = self.resolve(ref)
        rows = self._texts([pid])
        if not rows:
            return []
        _, title, abstract = rows[0]
        gone = queue.removed_but_queued(self.db.conn)
        hits = self.engine.related(pid, {"title": title, "abstract": abstract}, limit + len(gone))
        return [h for h in hits if h.pid not in gone and h.pid != pid][:limit]

    def _texts(self, ids: Sequence[int]) -> list[tuple[int, str, str]]:
        result: list[tuple[int, str, str]] = []
        for part in store.chunks(list(ids)):
            marks = ",".join("?" * len(part))
            result.extend(self.db.conn.execute(
                f"SELECT id, title, abstract FROM papers WHERE id IN ({marks})", tuple(part)))
        return result

    def ids_for_export(self, *, query: str | None = None, tag: str | None = None,
                       list_name: str | None = None) -> list[int]:
        """The papers an export covers: a query's hits, a tag, a list, or everything."""
        if query is not None:
            return self.search(query).ids
        if tag is not None:
            ids = self.papers_with_tag(tag)
            if not ids and not any(t.name.casefold() == tag.casefold() for t in self.tags()):
                raise NotFoundError(f"no tag named {tag!r}")
            return ids
        if list_name is not None:
            return self.list_ids(list_name)
        return self.all_ids(order="added", descending=False)

    def export(self, ids: Sequence[int], fmt: str, **options: object) -> str:
        return formats.render(self.papers(ids), fmt, **options)

    # -- writes: import ---------------------------------------------------------------

    def _now(self) -> datetime:
        return utc_now()

    def _touch(self, conn: sqlite3.Connection, ids: Iterable[int]) -> None:
        queue.enqueue(conn, queue.PAPER_QUEUE, ids, self.clock.next())

    def import_papers(
        self,
        papers: Sequence[Paper],
        *,
        tags: Sequence[str] = (),
        list_name: str | None = None,
        cancel: Callable[[], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> importing.ImportOutcome:
        """Store parsed papers, merging duplicates; one transaction per batch."""
        self._require_writable()
        tags = [self._check_tag(t) for t in tags]
        outcome = importing.ImportOutcome()
        for start in range(0, len(papers), IMPORT_BATCH):
            if cancel and cancel():
                outcome.cancelled = True
                break
            batch = papers[start:start + IMPORT_BATCH]
            with self.db.write() as conn:
                added, merged = self._store_batch(conn, batch, outcome.problems)
                touched = added + merged
                for tag in tags:
                    tid = organise.tag_id(conn, tag, create=True)
                    assert tid is not None
                    organise.add_tag(conn, touched, tid)
                if list_name:
                    self._append_to_list(conn, list_name, touched, create=True)
                self._touch(conn, touched)
            outcome.imported.extend(added)
            outcome.merged.extend(merged)
            if progress:
                progress(min(start + IMPORT_BATCH, len(papers)), len(papers))
        outcome.changes = Changes(
            added=frozenset(outcome.imported), modified=frozenset(outcome.merged),
            tags=bool(tags), lists=bool(list_name), label="import",
        )
        self._after_write()
        return outcome

    def _store_batch(self, conn: sqlite3.Connection, batch: Sequence[Paper],
                     problems: list[Problem]) -> tuple[list[int], list[int]]:
        added: list[int] = []
        merged: list[int] = []
        now = self._now()

        def taken(key: str) -> bool:
            return store.citekey_taken(conn, key)

        for paper in batch:
            duplicate = store.find_duplicate(conn, paper)
            if duplicate is not None:
                existing = store.get_papers(conn, [duplicate])[0]
                updated = importing.merge_into(existing, paper)
                if updated is not None:
                    store.update_paper(conn, updated, now)
                merged.append(duplicate)
                continue
            fresh = paper.model_copy(update={"id": None, "citekey": assign_key(paper, taken),
                                             "added": now, "modified": now, "tags": []})
            try:
                added.append(store.insert_paper(conn, fresh, now))
            except sqlite3.IntegrityError as exc:
                problems.append(Problem(source="", reason=f"could not store {paper.title[:60]!r}: {exc}",
                                        skipped=True))
        return added, merged

    def import_files(
        self,
        paths: Sequence[Path | str],
        *,
        fmt: str | None = None,
        tags: Sequence[str] = (),
        list_name: str | None = None,
        cancel: Callable[[], bool] | None = None,
        progress: Callable[[str, int, int], None] | None = None,
        paper_progress: Callable[[int, int], None] | None = None,
    ) -> importing.ImportOutcome:
        """Read, parse and store files; a file that cannot be read changes nothing.

        ``progress(path, file_number, files)`` reports files; ``paper_progress(stored,
        papers)`` the papers of the current file, a batch at a time.
        """
        self._require_writable()
        outcome = importing.ImportOutcome()
        for number, raw_path in enumerate(paths):
            if cancel and cancel():
                outcome.cancelled = True
                break
            path = Path(raw_path)
            if progress:
                progress(str(path), number, len(paths))
            opened, failure = importing.open_file(path, fmt)
            if failure is not None:
                outcome.unreadable.append(str(path))
                outcome.problems.append(failure)
                outcome.files.append(importing.FileAccount(str(path), readable=False))
                continue
            assert opened is not None
            outcome.absorb(self._import_opened(opened, tags, list_name, cancel, paper_progress))
            if opened.nothing_read:
                outcome.unreadable.append(str(path))
        if progress:
            progress("", len(paths), len(paths))
        return outcome

    def import_text(self, text: str, *, source: str = "<pasted text>", fmt: str | None = None,
                    tags: Sequence[str] = (), list_name: str | None = None) -> importing.ImportOutcome:
        """Import pasted text (a Daily Papers page, BibTeX, arXiv ids...)."""
        opened, failure = importing.open_text(text, source=source, fmt=fmt)
        if failure is not None:
            return importing.ImportOutcome(problems=[failure], unreadable=[source], files=[
                importing.FileAccount(source, readable=False)])
        assert opened is not None
        return self._import_opened(opened, tags, list_name)

    def _import_opened(self, opened: importing.OpenedFile, tags: Sequence[str], list_name: str | None,
                       cancel: Callable[[], bool] | None = None,
                       progress: Callable[[int, int], None] | None = None) -> importing.ImportOutcome:
        """Store one file's papers a batch at a time (a large file never holds them all); the
        file's problems first, then its accounting line."""
        stored = importing.ImportOutcome()
        for batch in opened.batches(IMPORT_BATCH):
            if cancel and cancel():
                stored.cancelled = True
                break
            parsed = self._complete(batch, opened.source, stored.problems)
            stored.absorb(self.import_papers(parsed, tags=tags, list_name=list_name))
            if progress:
                progress(opened.taken, max(opened.expected, opened.taken))
        for problem in stored.problems:
            problem.source = problem.source or opened.source
        stored.files.append(opened.account(stored))
        stored.problems[:0] = opened.report.problems
        stored.unlisted += opened.report.unlisted
        return stored

    def _complete(self, papers: list[Paper], source: str, problems: list[Problem]) -> list[Paper]:
        """Fetch metadata for papers known only by an arXiv id (when a fetcher is set)."""
        if self.fetch_arxiv is None or not any(p.arxiv_id and not p.title for p in papers):
            return papers
        completed, fetch_problems = complete_from_arxiv(papers, fetch=self.fetch_arxiv, source=source)
        problems.extend(fetch_problems)
        return completed

    # -- writes: papers -----------------------------------------------------------------

    def update_paper(self, ref: int | str, **fields: Any) -> Changes:
        """Edit a paper's fields (the citation key only when asked for and valid)."""
        self._require_writable()
        pid = self.resolve(ref)
        current = self.paper(pid)
        if "citekey" in fields:
            key = str(fields["citekey"])
            if not is_valid_key(key):
                raise InvalidInputError(f"{key!r} is not a valid citation key", field="citekey")
            other = store.id_for_citekey(self.db.conn, key)
            if other is not None and other != pid:
                raise InvalidInputError(f"the citation key {key!r} is taken", field="citekey")
        fields.pop("id", None)
        fields.pop("tags", None)
        try:
            updated = Paper.model_validate({**current.model_dump(), **fields})
        except ValidationError as exc:
            where = exc.errors()[0].get("loc", ())
            raise InvalidInputError(str(exc), field=str(where[0]) if where else None) from exc
        updated.id = pid
        with self.db.write() as conn:
            store.update_paper(conn, updated, self._now())
            self._touch(conn, [pid])
        before = {name: getattr(current, name) for name in fields}
        self.undo_stack.push("edit paper", lambda: self._raw_update(pid, before))
        self._after_write()
        return Changes(modified=frozenset({pid}), label="edit paper")

    def _raw_update(self, pid: int, fields: dict[str, Any]) -> Changes:
        current = self.paper(pid)
        updated = Paper.model_validate({**current.model_dump(), **fields})
        updated.id = pid
        with self.db.write() as conn:
            store.update_paper(conn, updated, self._now())
            self._touch(conn, [pid])
        self._after_write()
        return Changes(modified=frozenset({pid}))

    def set_status(self, ids: Sequence[int | str], status: ReadStatus | str) -> Changes:
        return self._set_column(ids, "status", ReadStatus(status).value, "mark " + ReadStatus(status).value)

    def set_priority(self, ids: Sequence[int | str], priority: int) -> Changes:
        if not 0 <= int(priority) <= 3:
            raise InvalidInputError("priority goes from 0 (none) to 3 (high)")
        return self._set_column(ids, "priority", int(priority), "set priority")

    def _set_column(self, refs: Sequence[int | str], column: str, value: object, label: str) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        conn = self.db.conn
        before = {pid: conn.execute(f"SELECT {column} FROM papers WHERE id = ?", (pid,)).fetchone()[0] for pid in ids}
        changes = self._write_column(before.keys(), column, lambda _pid: value, label)
        self.undo_stack.push(label, lambda: self._write_column(before.keys(), column, before.__getitem__, "undo " + label))
        return changes

    def _write_column(self, ids: Iterable[int], column: str, value_of: Callable[[int], object], label: str) -> Changes:
        ids = list(ids)
        now = self._now().isoformat()
        with self.db.write() as conn:
            conn.executemany(f"UPDATE papers SET {column} = ?, modified = ? WHERE id = ?",
                             [(value_of(pid), now, pid) for pid in ids])
        self._after_write()
        return Changes(modified=frozenset(ids), lists=True, label=label)

    def delete_papers(self, refs: Sequence[int | str]) -> Changes:
        """Delete papers with their tags, list places and notes (undoable)."""
        self._require_writable()
        ids = self.resolve_many(refs)
        snapshot = self._snapshot(ids)
        with self.db.write() as conn:
            for part in store.chunks(ids):
                marks = ",".join("?" * len(part))
                conn.execute(f"DELETE FROM papers WHERE id IN ({marks})", tuple(part))
            organise.drop_unused_tags(conn)
            self._touch(conn, ids)
            queue.enqueue(conn, queue.NOTE_QUEUE, snapshot.notes, self.clock.next())
        label = f"delete {len(ids)} paper{'s' if len(ids) != 1 else ''}"
        self.undo_stack.push(label, lambda: self._restore_snapshot(snapshot))
        self._after_write()
        return Changes(removed=frozenset(ids), tags=True, lists=True, label=label)

    def _snapshot(self, ids: Sequence[int]) -> _Snapshot:
        conn = self.db.conn
        memberships: list[tuple[int, int, int]] = []
        for part in store.chunks(list(ids)):
            marks = ",".join("?" * len(part))
            memberships.extend(conn.execute(
                f"SELECT list_id, paper_id, position FROM list_items WHERE paper_id IN ({marks})", tuple(part)))
        notes = organise.notes_of(conn, ids)
        return _Snapshot(store.get_papers(conn, ids), memberships, notes)

    def _restore_snapshot(self, snapshot: _Snapshot) -> Changes:
        now = self._now()
        with self.db.write() as conn:
            for paper in snapshot.papers:
                store.insert_paper(conn, paper, now)
                for tag in paper.tags:
                    tid = organise.tag_id(conn, tag, create=True)
                    assert tid is not None
                    organise.add_tag(conn, [paper.id or 0], tid)
            for list_id, pid, position in sorted(snapshot.memberships, key=lambda m: m[2]):
                if conn.execute("SELECT 1 FROM lists WHERE id = ?", (list_id,)).fetchone() is None:
                    continue
                items = organise.list_items(conn, list_id)
                items.insert(min(position, len(items)), pid)
                organise.write_list_items(conn, list_id, items)
            for pid, body in snapshot.notes.items():
                organise.write_note(conn, pid, body, now)
            ids = [p.id for p in snapshot.papers if p.id is not None]
            self._touch(conn, ids)
            queue.enqueue(conn, queue.NOTE_QUEUE, snapshot.notes, self.clock.next())
        self._after_write()
        return Changes(added=frozenset(ids), tags=True, lists=True, notes=frozenset(snapshot.notes))

    # -- writes: tags -------------------------------------------------------------------

    @staticmethod
    def _check_tag(name: str) -> str:
        name = " ".join(name.split())
        if not _TAG_NAME.match(name):
            raise InvalidInputError(f"{name!r} is not a usable tag name (no commas or semicolons, 1-64 characters)")
        return name

    def add_tags(self, refs: Sequence[int | str], tags: Sequence[str]) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        names = [self._check_tag(t) for t in tags]
        added = self._raw_tag(ids, names, add=True)
        self.undo_stack.push("add tag", lambda: self._untag_pairs(added))
        return Changes(modified=frozenset(ids), tags=True, label="add tag")

    def remove_tags(self, refs: Sequence[int | str], tags: Sequence[str]) -> Changes:
        self._require_writable()
        ids = self.resolve_many(refs)
        removed = self._raw_tag(ids, list(tags), add=False)
        self.undo_stack.push("remove tag", lambda: self._tag_pairs(removed))
        return Changes(modified=frozenset(ids), tags=True, label="remove tag")

    def _raw_tag(self, ids: Sequence[int], names: Sequence[str], *, add: bool) -> dict[str, list[int]]:
        done: dict[str, list[int]] = {}
        with self.db.write() as conn:
            for name in names:
                tid = organise.tag_id(conn, name, create=add)
                if tid is None:
                    continue
                done[name] = organise.add_tag(conn, ids, tid) if add else organise.remove_tag(conn, ids, tid)
            if not add:
                organise.drop_unused_tags(conn)
        self._after_write()
        return done

    def _untag_pairs(self, pairs: dict[str, list[int]]) -> Changes:
        for name, ids in pairs.items():
            self._raw_tag(ids, [name], add=False)
        return Changes(modified=frozenset(i for ids in pairs.values() for i in ids), tags=True)

    def _tag_pairs(self, pairs: dict[str, list[int]]) -> Changes:
        for name, ids in pairs.items():
            self._raw_tag(ids, [name], add=True)
        return Changes(modified=frozenset(i for ids in pairs.values() for i in ids), tags=True)

    def rename_tag(self, old: str, new: str) -> Changes:
        """Rename a tag; renaming onto an existing tag merges the two."""
        self._require_writable()
        new = self._check_tag(new)
        carriers = self.papers_with_tag(old)
        if not carriers and not any(t.name.casefold() == old.casefold() for t in self.tags()):
            raise NotFoundError(f"no tag named {old!r}")
        with self.db.write() as conn:
            old_id = organise.tag_id(conn, old, create=False)
            target = organise.tag_id(conn, new, create=False)
            if target is None or target == old_id:
                conn.execute("UPDATE tags SET name = ? WHERE id = ?", (new, old_id))
            else:
                organise.add_tag(conn, carriers, target)
                conn.execute("DELETE FROM tags WHERE id = ?", (old_id,))
        self.undo_stack.push("rename tag", lambda: self._undo_rename_tag(old, new, carriers))
        self._after_write()
        return Changes(modified=frozenset(carriers), tags=True, label="rename tag")

    def _undo_rename_tag(self, old: str, new: str, carriers: list[int]) -> Changes:
        self._raw_tag(carriers, [new], add=False)
        self._raw_tag(carriers, [old], add=True)
        return Changes(modified=frozenset(carriers), tags=True)

    # -- writes: reading lists ----------------------------------------------------------

    def create_list(self, name: str) -> Changes:
        self._require_writable()
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a reading list needs a name")
        with self.db.write() as conn:
            if organise.list_row(conn, name) is not None:
                raise InvalidInputError(f"a reading list named {name!r} exists already")
            organise.create_list(conn, name, self._now())
        self.undo_stack.push("create list", lambda: self._raw_delete_list(name))
        return Changes(lists=True, label="create list")

    def rename_list(self, old: str, new: str) -> Changes:
        self._require_writable()
        new = " ".join(new.split())
        if not new:
            raise InvalidInputError("a reading list needs a name")
        list_id = self._list_id(old)
        with self.db.write() as conn:
            clash = organise.list_row(conn, new)
            if clash is not None and clash[0] != list_id:
                raise InvalidInputError(f"a reading list named {new!r} exists already")
            conn.execute("UPDATE lists SET name = ? WHERE id = ?", (new, list_id))
        self.undo_stack.push("rename list", lambda: self._raw_rename_list(list_id, old))
        return Changes(lists=True, label="rename list")

    def _raw_rename_list(self, list_id: int, name: str) -> Changes:
        with self.db.write() as conn:
            conn.execute("UPDATE lists SET name = ? WHERE id = ?", (name, list_id))
        return Changes(lists=True)

    def delete_list(self, name: str) -> Changes:
        self._require_writable()
        items = self.list_ids(name)
        real_name = self.reading_list(name).name
        self._raw_delete_list(name)
        self.undo_stack.push("delete list", lambda: self._raw_recreate_list(real_name, items))
        return Changes(lists=True, label="delete list")

    def _raw_delete_list(self, name: str) -> Changes:
        with self.db.write() as conn:
            conn.execute("DELETE FROM lists WHERE name = ?", (name,))
        return Changes(lists=True)

    def _raw_recreate_list(self, name: str, items: list[int]) -> Changes:
        with self.db.write() as conn:
            list_id = organise.create_list(conn, name, self._now())
            present = store.existing_ids(conn, items)
            organise.write_list_items(conn, list_id, [i for i in items if i in present])
        return Changes(lists=True)

    def _append_to_list(self, conn: sqlite3.Connection, name: str, ids: Sequence[int], *, create: bool) -> None:
        row = organise.list_row(conn, name)
        if row is None:
            if not create:
                raise NotFoundError(f"no reading list named {name!r}")
            list_id = organise.create_list(conn, name, self._now())
        else:
            list_id = row[0]
        items = organise.list_items(conn, list_id)
        present = set(items)
        organise.write_list_items(conn, list_id, items + [i for i in dict.fromkeys(ids) if i not in present])

    def add_to_list(self, name: str, refs: Sequence[int | str], position: int | None = None) -> Changes:
        """Add papers to a list (at the end, or before ``position``); already listed ones stay put."""
        self._require_writable()
        ids = self.resolve_many(refs)
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        fresh = [i for i in dict.fromkeys(ids) if i not in set(before)]
        at = len(before) if position is None else max(0, min(position, len(before)))
        self._write_items(list_id, before[:at] + fresh + before[at:])
        self.undo_stack.push("add to list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, modified=frozenset(fresh), label="add to list")

    def remove_from_list(self, name: str, refs: Sequence[int | str]) -> Changes:
        self._require_writable()
        ids = set(self.resolve_many(refs))
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        self._write_items(list_id, [i for i in before if i not in ids])
        self.undo_stack.push("remove from list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, modified=frozenset(ids), label="remove from list")

    def move_in_list(self, name: str, ref: int | str, position: int) -> Changes:
        """Move a listed paper to ``position`` (0-based; past the end means last)."""
        self._require_writable()
        pid = self.resolve(ref)
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        if pid not in before:
            raise NotFoundError(f"paper {pid} is not in the list {name!r}")
        items = [i for i in before if i != pid]
        items.insert(max(0, min(position, len(items))), pid)
        self._write_items(list_id, items)
        self.undo_stack.push("move in list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, label="move in list")

    def set_list_order(self, name: str, ids: Sequence[int]) -> Changes:
        """Store a whole new order (drag and drop); the ids must be the list's own."""
        self._require_writable()
        list_id = self._list_id(name)
        before = organise.list_items(self.db.conn, list_id)
        if sorted(before) != sorted(ids):
            raise InvalidInputError("the new order must hold exactly the list's papers")
        self._write_items(list_id, list(ids))
        self.undo_stack.push("reorder list", lambda: self._write_items(list_id, before))
        return Changes(lists=True, label="reorder list")

    def reorder_lists(self, names: Sequence[str]) -> Changes:
        """Store the sidebar order of the reading lists (undoable)."""
        self._require_writable()
        before = [rl.name for rl in self.reading_lists()]
        self._raw_reorder_lists(names)
        self.undo_stack.push("reorder lists", lambda: self._raw_reorder_lists(before))
        return Changes(lists=True, label="reorder lists")

    def _raw_reorder_lists(self, names: Sequence[str]) -> Changes:
        with self.db.write() as conn:
            organise.reorder_lists(conn, names)
        return Changes(lists=True)

    @property
    def background_indexing(self) -> bool:
        """Whether a background process indexes this library's papers."""
        return self._background is not None

    def _write_items(self, list_id: int, items: Sequence[int]) -> Changes:
        with self.db.write() as conn:
            present = store.existing_ids(conn, items)
            organise.write_list_items(conn, list_id, [i for i in items if i in present])
        return Changes(lists=True)

    # -- writes: notes and saved searches ------------------------------------------------

    def set_note(self, ref: int | str, body: str) -> Changes:
        self._require_writable()
        pid = self.resolve(ref)
        with self.db.write() as conn:
            organise.write_note(conn, pid, body, self._now())
            queue.enqueue(conn, queue.NOTE_QUEUE, [pid], self.clock.next())
        self._after_write(notes_now=True)
        return Changes(notes=frozenset({pid}), label="edit note")

    def save_search(self, name: str, query: str) -> Changes:
        self._require_writable()
        name = " ".join(name.split())
        if not name:
            raise InvalidInputError("a saved search needs a name")
        self.compile(query)
        with self.db.write() as conn:
            conn.execute(
                "INSERT INTO saved_searches(name, query, position) VALUES (?, ?, "
                "(SELECT coalesce(max(position), -1) + 1 FROM saved_searches)) "
                "ON CONFLICT(name) DO UPDATE SET query = excluded.query", (name, query))
        return Changes(searches=True)

    def delete_search(self, name: str) -> Changes:
        self._require_writable()
        with self.db.write() as conn:
            if conn.execute("DELETE FROM saved_searches WHERE name = ?", (name,)).rowcount == 0:
                raise NotFoundError(f"no saved search named {name!r}")
        return Changes(searches=True)

    # -- undo ------------------------------------------------------------------------------

    @property
    def undo_label(self) -> str | None:
        return self.undo_stack.next_label

    def undo(self) -> Changes | None:
        """Revert the last undoable change; None when there is nothing to undo."""
        self._require_writable()
        step = self.undo_stack.pop()
        if step is None:
            return None
        changes = step.revert()
        self._after_write()
        return Changes(**{**changes.__dict__, "label": "undo " + step.label})

    # -- index ------------------------------------------------------------------------------

    def _after_write(self, *, notes_now: bool = False) -> None:
        # Notes are few: this process indexes them at once (the background process only
        # indexes papers), so a saved note is searchable even while an import indexes.
        if notes_now:
            self._catch_up_notes()
        background = self._background
        if background is not None:
            background.wake()
        self._maybe_daily_backup()

    def _catch_up_notes(self) -> None:
        try:
            self.indexer.catch_up_notes()
        except Exception:  # the queue keeps the note; a later catch-up retries
            log.exception("indexing a note failed")

    def pending_index(self) -> int:
        return queue.pending(self.db.conn, queue.PAPER_QUEUE)

    def pending_notes(self) -> int:
        return queue.pending(self.db.conn, queue.NOTE_QUEUE)

    def catch_up_index(self, progress: ProgressCallback | None = None,
                       cancel: Callable[[], bool] | None = None) -> int:
        """Index everything queued, in the calling thread (or let the background process do it)."""
        self._require_writable()
        background = self._background
        if background is not None:  # one writer: the child process
            background.wake()
            background.wait_idle(timeout=3600)
            return 0
        return self.indexer.catch_up(progress, cancel)

    def rebuild_index(self, progress: ProgressCallback | None = None,
                      cancel: Callable[[], bool] | None = None) -> int:
        """Throw the index away and rebuild it from SQLite (in the background process if one runs)."""
        self._require_writable()
        background = self._background
        if background is None:
            self._reset_index()
            return self.indexer.catch_up(progress, cancel)
        callbacks = (background.on_progress, background.on_error)
        self.stop_background_indexing()
        self._reset_index()
        pending = self.indexer.pending()
        self.start_background_indexing(*callbacks)
        return pending

    def start_background_indexing(self, on_progress: ProgressCallback | None = None,
                                  on_error: Callable[[BaseException], None] | None = None) -> None:
        """Index in a child process from now on, woken after every write."""
        self._require_writable()
        if self._background is None:
            self.index.papers.external_writers = True  # the child commits papers; notes stay here
            background = BackgroundIndexer(self.directory, on_progress, on_error)
            background.start()
            self._background = background

    def stop_background_indexing(self) -> None:
        background, self._background = self._background, None
        if background is not None:
            background.stop()
            self.index.papers.external_writers = self.readonly

    def wait_for_index(self, timeout: float = 120.0) -> bool:
        background = self._background
        if background is None:
            self.catch_up_index()
            return True
        return background.wait_idle(timeout)

    def check(self, *, repair: bool = True) -> CheckReport:
        """Compare SQLite with the index; repair (re-queue or rebuild) what disagrees."""
        report = CheckReport()
        conn = self.db.conn
        integrity = conn.execute("PRAGMA quick_check").fetchone()[0]
        if integrity != "ok":
            report.problems.append(f"database integrity check failed: {integrity}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            report.problems.append(f"{len(fk)} rows break foreign keys")
        report.papers = self.count()
        report.pending = self.pending_index()
        if self.index_problem or not self.index.is_open():
            report.problems.append(self.index_problem or "the search index is not open")
            if repair and not self.readonly:
                self._reset_index()
                self.index_problem = None
                report.repaired.append("rebuilt the search index from SQLite")
            return report
        try:
            indexed = self.index.indexed_pids()
        except Exception as exc:  # a damaged segment shows up here
            report.problems.append(f"the search index cannot be read ({type(exc).__name__})")
            if repair and not self.readonly:
                self._reset_index()
                report.repaired.append("rebuilt the search index from SQLite")
            return report
        report.indexed = len(indexed)
        stored = {r[0] for r in conn.execute("SELECT id FROM papers")}
        queued = {r[0] for r in conn.execute("SELECT paper_id FROM index_queue")}
        missing = stored - indexed - queued
        stale = indexed - stored - queued
        if missing:
            report.problems.append(f"{len(missing)} papers are missing from the search index")
        if stale:
            report.problems.append(f"{len(stale)} deleted papers are still in the search index")
        noted = {r[0] for r in conn.execute("SELECT paper_id FROM notes")}
        notes_queued = {r[0] for r in conn.execute("SELECT paper_id FROM note_queue")}
        notes_indexed = self.index.indexed_note_pids()
        notes_off = (noted ^ notes_indexed) - notes_queued
        if notes_off:
            report.problems.append(f"{len(notes_off)} notes disagree with the notes index")
        report.pending_notes = len(notes_queued)
        if (missing or stale or notes_off) and repair and not self.readonly:
            with self.db.write() as wconn:
                self._touch(wconn, missing | stale)
                queue.enqueue(wconn, queue.NOTE_QUEUE, notes_off, self.clock.next())
            report.repaired.append(f"queued {len(missing | stale)} papers and {len(notes_off)} notes for indexing")
            self._after_write()
        return report

    def stats(self) -> Stats:
        conn = self.db.conn
        by_status = dict(conn.execute("SELECT status, count(*) FROM papers GROUP BY status").fetchall())
        index_dir = self.directory / INDEX_DIR
        index_bytes = sum(f.stat().st_size for f in index_dir.rglob("*") if f.is_file()) if index_dir.exists() else 0
        db_bytes = sum(
            (self.directory / name).stat().st_size
            for name in (DATABASE, DATABASE + "-wal") if (self.directory / name).exists()
        )
        pending = self.pending_index()
        total = self.count()
        return Stats(
            papers=total,
            indexed=total - len({r[0] for r in conn.execute("SELECT paper_id FROM index_queue WHERE paper_id IN (SELECT id FROM papers)")}),
            pending_index=pending,
            tags=int(conn.execute("SELECT count(*) FROM tags").fetchone()[0]),
            lists=int(conn.execute("SELECT count(*) FROM lists").fetchone()[0]),
            notes=int(conn.execute("SELECT count(*) FROM notes").fetchone()[0]),
            unread=int(by_status.get("unread", 0)),
            reading=int(by_status.get("reading", 0)),
            read=int(by_status.get("read", 0)),
            database_bytes=db_bytes,
            index_bytes=index_bytes,
            directory=str(self.directory),
        )

    # -- backups --------------------------------------------------------------------------

    def backup(self, reason: str = "manual") -> Path:
        return backups.backup_database(self.directory / DATABASE, self.directory / BACKUP_DIR, reason=reason)

    def backups(self) -> list[Path]:
        return backups.list_backups(self.directory / BACKUP_DIR)

    def _maybe_daily_backup(self) -> None:
        now = datetime.now(UTC)
        if self._last_daily_backup and now - self._last_daily_backup < timedelta(hours=1):
            return
        self._last_daily_backup = now
        latest = backups.latest_backup_time(self.directory / BACKUP_DIR)
        if latest is None or now - latest > timedelta(days=1):
            try:
                self.backup("daily")
            except (OSError, sqlite3.Error):
                log.exception("daily backup failed")

    def restore(self, backup_file: Path) -> Changes:
        """Replace the library's contents with a backup (the current state is backed up first)."""
        self._require_writable()
        problem = backups.verify_database(backup_file)
        if problem:
            raise InvalidInputError(f"{backup_file} cannot be restored: {problem}")
        self.backup("before-restore")
        self.stop_background_indexing()
        self.index.close()
        self.index.invalidate()
        self.db.close()
        backups.restore_database(backup_file, self.directory / DATABASE)
        self.db = Database(self.directory / DATABASE, before_migration=self._backup_before_migration)
        with self.db.write() as conn:
            organise.set_setting(conn, "library_id", self.library_id)
        self.clock = queue.QueueClock(self.db.conn)
        self.indexer = Indexer(self.db, self.index)
        self._reset_index()
        self.undo_stack.clear()
        return Changes(index=True, tags=True, lists=True, searches=True, label="restore")


@dataclass
class _Snapshot:
    papers: list[Paper]
    memberships: list[tuple[int, int, int]]
    notes: dict[int, str]

