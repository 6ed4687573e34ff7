"""Moving papers in and out: imports (files, pasted text) and exports."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path

from desktop_app import formats
from desktop_app.core import citekey_rules, export_options, importing
from desktop_app.core.arxiv_fetch import complete_from_arxiv
from desktop_app.core.changes import Changes
from desktop_app.core.facade.files import FileOps
from desktop_app.core.facade.organise import Organisation
from desktop_app.core.facade.papers import PaperOps
from desktop_app.core.pdf_import import import_pdfs, is_pdf_input
from desktop_app.domain.citekeys import assign_key
from desktop_app.domain.errors import NotFoundError
from desktop_app.domain.models import (
    Paper,
    Problem,
)
from desktop_app.storage import completion as bookkeeping
from desktop_app.storage import organise
from desktop_app.storage import papers as store

log = logging.getLogger(__name__)

IMPORT_BATCH = 500


class Transfer(PaperOps, Organisation, FileOps):
    """Moving papers in and out: imports (files, pasted text) and exports."""

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

    def export(self, ids: Sequence[int], fmt: str, *, tags_as_keywords: bool = False,
               notes_as_annote: bool = False, **options: object) -> str:
        """Render papers; optionally with their tags as keywords and notes as ``annote``."""
        papers = self.papers(ids)
        if tags_as_keywords or notes_as_annote:
            notes = organise.notes_of(self.db.conn, ids) if notes_as_annote else None
            papers = export_options.apply(papers, fmt, tags_as_keywords=tags_as_keywords, notes=notes)
        return formats.render(papers, fmt, **options)

    # -- writes: import ---------------------------------------------------------------


    def import_papers(
        self,
        papers: Sequence[Paper],
        *,
        tags: Sequence[str] = (),
        list_name: str | None = None,
        cancel: Callable[[], bool] | None = None,
        progress: Callable[[int, int], None] | None = None,
        now: datetime | None = None,
    ) -> importing.ImportOutcome:
        """Store parsed papers, merging duplicates; one transaction per batch.

        ``now`` is the import's time when it stores one file in several calls.
        """
        self._require_writable()
        tags = [self._check_tag(t) for t in tags]
        outcome = importing.ImportOutcome()
        # One time for the whole import, to the microsecond: newest first lists the last import
        # first and keeps each import's papers in their source order (ties go by id).
        now = now or datetime.now(UTC)
        for start in range(0, len(papers), IMPORT_BATCH):
            if cancel and cancel():
                outcome.cancelled = True
                break
            batch = papers[start:start + IMPORT_BATCH]
            with self.db.write() as conn:
                added, merged = self._store_batch(conn, batch, outcome.problems, now)
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
                     problems: list[Problem], now: datetime) -> tuple[list[int], list[int]]:
        added: list[int] = []
        merged: list[int] = []

        def taken(key: str) -> bool:
            return store.citekey_taken(conn, key)

        key_formula = citekey_rules.formula(conn)
        imported_keys: list[int] = []

        for paper in batch:
            duplicate = store.find_duplicate(conn, paper)
            if duplicate is not None:
                existing = store.get_papers(conn, [duplicate])[0]
                updated = importing.merge_into(existing, paper)
                if updated is not None:
                    store.update_paper(conn, updated, now)
                merged.append(duplicate)
                continue
            fresh = paper.model_copy(update={"id": None, "citekey": assign_key(paper, taken, key_formula),
                                             "added": now, "modified": now, "tags": []})
            try:
                added.append(store.insert_paper(conn, fresh, now))
                if paper.citekey and fresh.citekey == paper.citekey:
                    imported_keys.append(added[-1])
            except sqlite3.IntegrityError as exc:
                problems.append(Problem(source="", reason=f"could not store {paper.title[:60]!r}: {exc}",
                                        skipped=True))
        bookkeeping.pin_keys(conn, imported_keys)  # a key that came with the file never changes silently
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
            if is_pdf_input(path):  # a PDF or a folder of them: papers from the files (core/pdf_import.py)
                outcome.absorb(import_pdfs(self, [path], cancel=cancel))
                continue
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
        now = datetime.now(UTC)
        for batch in opened.batches(IMPORT_BATCH):
            if cancel and cancel():
                stored.cancelled = True
                break
            parsed = self._complete(batch, opened.source, stored.problems)
            stored.absorb(self.import_papers(parsed, tags=tags, list_name=list_name, now=now))
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
