"""Papers in and out of the window: import (files, drops, paste), export, clipboard, reindex.

All of it runs through ``run_op`` with progress in the status bar: imports on
the window's write thread (after and before other edits, never interleaved
with them), exports, clipboard and reindex on the global pool.  Indexing runs
in the library's own child process, so the new papers become searchable
while the import goes on.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.import_folder import SUPPORTED_SUFFIXES, expand_import_paths
from desktop_app.core.importing import ImportOutcome
from desktop_app.domain.errors import LecternError
from desktop_app.domain.models import Problem
from desktop_app.gui import errors
from desktop_app.gui.dialogs import ExportChoices, ExportDialog, ExportScope
from desktop_app.gui.import_progress import ImportProgress
from desktop_app.gui.import_summary import ImportSummary
from desktop_app.gui.indexing import IndexingMonitor
from desktop_app.gui.library_settings import LibrarySettings
from desktop_app.gui.ops import Op, OpContext, run_op
from desktop_app.gui.parts import PartContext
from desktop_app.gui.status import ProgressStrip

IMPORT_FILTER = "Bibliographies (*.bib *.bibtex *.ris *.json *.atom *.xml *.txt);;All files (*)"
BROWSABLE_SCOPES = ("library", "unread", "recent")
IMPORT_FOLDER_KEY = "import/folder"
EXPORT_FORMAT_KEY = "export/format"
EXPORT_FOLDER_KEY = "export/folder"
EXPORT_TAGS_KEY = "export/tags_as_keywords"
EXPORT_NOTES_KEY = "export/notes_as_annote"


class Transfers(QObject):
    """Import, export, clipboard and reindex for one window."""

    importFinished = Signal(object)  # ImportOutcome
    exportFinished = Signal(str)  # path

    def __init__(self, context: PartContext, task_strip: ProgressStrip, index_strip: ProgressStrip,
                 monitor: IndexingMonitor) -> None:
        super().__init__(context.parent)
        self.context = context
        self.parent_widget = context.parent
        self.library = context.library
        self.task_strip = task_strip
        self.index_strip = index_strip
        self.monitor = monitor
        self.import_op: Op[Any] | None = None
        self.task_op: Op[Any] | None = None
        self.summary = ImportSummary(self._titles, context.parent)
        self.remembered = LibrarySettings(context.library.directory)
        self.last_report: ImportSummary | None = None
        self.show_reports = True
        self.rebuilding: int | None = None  # papers queued by a rebuild the background indexer has not finished
        self._watching_index = False
        task_strip.cancelRequested.connect(self.cancel_task)

    # -- import --------------------------------------------------------------------------------

    def choose_import_files(self) -> None:
        start = self.remembered.folder(IMPORT_FOLDER_KEY)
        paths, _ = QFileDialog.getOpenFileNames(self.parent_widget, "Import papers", start, IMPORT_FILTER)
        if paths:
            self.remembered.set(IMPORT_FOLDER_KEY, str(Path(paths[0]).parent))
            self.import_files(paths)

    def choose_import_folder(self) -> None:
        """File > Import Folder…: every file Lectern reads in a folder and its subfolders."""
        start = self.remembered.folder(IMPORT_FOLDER_KEY)
        folder = QFileDialog.getExistingDirectory(self.parent_widget, "Import a folder (and its subfolders)", start)
        if folder:
            self.remembered.set(IMPORT_FOLDER_KEY, folder)
            self.import_files([folder])

    def paste_papers(self) -> None:
        clipboard = QGuiApplication.clipboard()
        data = clipboard.mimeData()
        if data is not None and data.hasUrls():
            files = [u.toLocalFile() for u in data.urls() if u.isLocalFile()]
            if files:
                self.import_files(files)
                return
        text = clipboard.text()
        if not text.strip():
            self.context.message("The clipboard holds no text to import", 4000)
            return
        self.import_text(text)

    def import_files(self, paths: Sequence[str | Path]) -> Op[Any] | None:
        """Import files (a folder: its supported files, recursively) with progress and Cancel;
        a summary follows."""
        given = [str(p) for p in paths]
        library = self.library
        first = ImportProgress(Path(given[0]).name if given else "", 0, len(given))

        def work(ctx: OpContext) -> ImportOutcome:
            files = [str(p) for p in expand_import_paths(given)]  # walking a big folder: off the GUI thread
            if not files:
                suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
                return ImportOutcome(problems=[Problem(source=name, reason=f"no files Lectern reads ({suffixes})")
                                               for name in given])
            latest = [first]  # files and papers report separately; each report shows both

            def progress(path: str, number: int, total: int) -> None:
                latest[0] = latest[0].next_file(Path(path).name if path else "", number, total)
                ctx.progress(latest[0], force=True)

            def paper_progress(stored: int, papers: int) -> None:  # once per stored batch
                latest[0] = latest[0].with_papers(stored, papers)
                ctx.progress(latest[0], force=True)

            return library.import_files(files, cancel=ctx.is_cancelled, progress=progress,
                                        paper_progress=paper_progress)

        return self._start_import(work, first)

    def import_text(self, text: str) -> Op[Any] | None:
        """Import pasted text: a Daily Papers page, BibTeX, arXiv ids…"""
        library = self.library
        return self._start_import(lambda _ctx: library.import_text(text), ImportProgress("pasted text", 0, 1))

    def _start_import(self, work: Callable[[OpContext], ImportOutcome], first: ImportProgress) -> Op[Any] | None:
        context, window = self.context, self.parent_widget
        if context.readonly:
            errors.show_message(window, "Lectern", "The library is open read-only; importing is disabled.")
            return None
        if self.import_op is not None:
            errors.show_message(window, "Lectern", "An import is running; wait for it or cancel it first.")
            return None
        strip = self.task_strip
        strip.show_progress(first.text(), *first.bar())

        def progress(value: ImportProgress) -> None:
            strip.show_progress(value.text(), *value.bar())
            if context.view.scope.kind in BROWSABLE_SCOPES and not context.reload_pending():
                context.schedule_reload(400)  # papers are browsable as soon as they are stored
            context.schedule_sidebar()

        def finish() -> None:
            self.import_op = None
            strip.finish()
            if not context.is_closed():
                self.monitor.start()

        def done(outcome: ImportOutcome) -> None:
            finish()
            if context.is_closed():
                return
            context.apply(outcome.changes)
            context.message(f"Import: {outcome.summary()}", 8000)
            if self.show_reports:
                self.show_import_report(outcome)
            self.importFinished.emit(outcome)

        def failed(exc: BaseException) -> None:
            finish()
            if not context.is_closed():
                errors.show_error(window, exc, action="import")
                context.schedule_reload()

        # On the write thread: imports and edits apply one after the other, never interleaved.
        self.import_op = run_op(window, work, done, failed, progress, pool=context.write_pool, label="import")
        self.task_op = self.import_op
        return self.import_op

    def show_import_report(self, outcome: ImportOutcome) -> ImportSummary:
        """The summary panel at the foot of the window (it never takes the keyboard)."""
        self.summary.show_outcome(outcome)
        self.last_report = self.summary
        return self.summary

    def _titles(self, ids: list[int]) -> dict[int, str]:
        return {pid: row.title for pid, row in self.library.rows(ids).items()}

    def cancel_task(self) -> None:
        if self.task_op is not None and not self.task_op.is_finished:
            self.task_op.cancel()
            self.task_strip.label.setText("Cancelling…")
            self.task_strip.cancel_button.setEnabled(False)

    def cancel_all(self) -> None:
        for op in (self.import_op, self.task_op):
            if op is not None and not op.is_finished:
                op.cancel()

    # -- export ---------------------------------------------------------------------------------

    def export_scopes(self) -> tuple[list[ExportScope], int]:
        """What can be exported, each once: the selection, the current search, every list,
        smart list and tag, the whole library; and which of them the view shows (the default)."""
        shown_view, library = self.context.view, self.library
        scopes: list[ExportScope] = []
        selected = shown_view.selected_ids()
        view = shown_view.scope
        shown = -1
        if selected:
            scopes.append(ExportScope("Selected papers", selected, "selection"))
        if shown_view.query:
            where = "" if view.kind == "library" else f" in {view.label}"
            shown = len(scopes)
            scopes.append(ExportScope(f"Current search: “{shown_view.query}”{where}", shown_view.view_ids(),
                                      shown_view.query))
        elif view.kind in ("unread", "recent"):
            shown = len(scopes)
            scopes.append(ExportScope(shown_view.scope_label(), shown_view.view_ids(), view.label))
        for scope in shown_view.sidebar_scopes("list"):
            if view == scope and shown < 0:
                shown = len(scopes)
            scopes.append(ExportScope(f"Reading list: {scope.name}", library.list_ids(scope.name), scope.name))
        for scope in shown_view.sidebar_scopes("search"):
            try:
                ids = library.search(scope.query).ids
            except LecternError:
                continue  # a smart list whose query no longer runs is not offered
            if view.kind == "search" and view.name == scope.name and shown < 0:
                shown = len(scopes)
            scopes.append(ExportScope(f"Smart list: {scope.name}", ids, scope.name))
        for scope in shown_view.sidebar_scopes("tag"):
            if view == scope and shown < 0:
                shown = len(scopes)
            scopes.append(ExportScope(f"Tag: {scope.name}", library.papers_with_tag(scope.name), scope.name))
        if shown < 0:
            shown = len(scopes)
        scopes.append(ExportScope("Whole library", library.all_ids(order="added", descending=False),
                                  library.directory.name or "library"))
        preferred = 0 if len(selected) > 1 else shown
        return scopes, preferred

    def export_choices(self) -> ExportChoices:
        remembered = self.remembered
        return ExportChoices(format=remembered.get(EXPORT_FORMAT_KEY, "bibtex"),
                             folder=remembered.folder(EXPORT_FOLDER_KEY),
                             tags_as_keywords=remembered.get(EXPORT_TAGS_KEY) == "yes",
                             notes_as_annote=remembered.get(EXPORT_NOTES_KEY) == "yes")

    def choose_export(self, prefer: str = "") -> ExportDialog:
        scopes, preferred = self.export_scopes()
        for number, scope in enumerate(scopes):
            if prefer and scope.label == prefer:
                preferred = number
        dialog = ExportDialog(scopes, self.export_choices(), self.parent_widget, preferred=preferred)
        dialog.exportRequested.connect(self._export_chosen)
        dialog.open()
        return dialog

    def _export_chosen(self, path: str, fmt: str, ids: list[int], options: dict[str, bool]) -> None:
        remembered = self.remembered
        remembered.set(EXPORT_FORMAT_KEY, fmt)
        remembered.set(EXPORT_FOLDER_KEY, str(Path(path).expanduser().parent))
        remembered.set(EXPORT_TAGS_KEY, "yes" if options.get("tags_as_keywords") else "no")
        remembered.set(EXPORT_NOTES_KEY, "yes" if options.get("notes_as_annote") else "no")
        self.export_to(path, fmt, ids, options)

    def export_to(self, path: str | Path, fmt: str, ids: Sequence[int],
                  options: dict[str, bool] | None = None) -> Op[Any]:
        """Render ``ids`` in ``fmt`` and write ``path``, off the GUI thread."""
        target = Path(path).expanduser()
        ids = list(ids)
        library, window, strip = self.library, self.parent_widget, self.task_strip
        chosen = dict(options or {})

        def work(_ctx: OpContext) -> int:
            text = library.export(ids, fmt, **chosen)
            target.write_text(text, encoding="utf-8")
            return len(ids)

        def done(count: int) -> None:
            strip.finish()
            self.context.message(f"Exported {count:,} paper{'s' if count != 1 else ''} to {target}", 8000)
            self.exportFinished.emit(str(target))

        def failed(exc: BaseException) -> None:
            strip.finish()
            errors.show_error(window, exc, action=f"export to {target}")

        strip.show_progress(f"Exporting {len(ids):,} papers…", 0, 0, cancellable=False)
        return run_op(window, work, done, failed, label="export")

    # -- clipboard ---------------------------------------------------------------------------------

    def copy_bibtex(self) -> None:
        ids = self.context.view.selected_ids()
        if not ids:
            return
        library, window = self.library, self.parent_widget

        def done(text: str) -> None:
            QGuiApplication.clipboard().setText(text)
            self.context.message(f"Copied BibTeX for {len(ids):,} paper(s)", 4000)

        def failed(exc: BaseException) -> None:
            errors.show_error(window, exc, action="copy BibTeX")

        run_op(window, lambda _ctx: library.export(ids, "bibtex"), done, failed, label="copy bibtex")

    def copy_cite(self) -> None:
        ids = self.context.view.selected_ids()
        if not ids:
            return
        rows = self.library.rows(ids)
        keys = [rows[pid].citekey for pid in ids if pid in rows]
        text = "\\cite{" + ",".join(keys) + "}"
        QGuiApplication.clipboard().setText(text)
        self.context.message(f"Copied {text}", 4000)

    # -- index --------------------------------------------------------------------------------------

    def rebuild_index(self) -> Op[Any] | None:
        """Throw the index away and rebuild it.

        With the window's background indexer (the usual case) the library only empties the
        index and queues every paper, and returns at once with how many; the indexer's own
        progress (the status bar's index strip) shows the rebuild, and the end is announced
        when the queue is empty.  Without one, the rebuild runs here with its own progress.
        """
        context, window, library = self.context, self.parent_widget, self.library
        if context.readonly:
            return None
        background = self.monitor.running
        strip = self.task_strip

        def work(ctx: OpContext) -> int:
            return library.rebuild_index(lambda p: ctx.progress((p.done, p.pending)), ctx.is_cancelled)

        def progress(value: tuple[int, int]) -> None:
            done, pending = value
            strip.show_progress(f"Rebuilding the index: {done:,} of {done + pending:,}", done, done + pending)

        def finished(count: int) -> None:
            strip.finish()
            if context.is_closed():
                return
            if background:
                self._rebuild_queued(count)
            else:
                context.message(f"Rebuilt the search index ({count:,} entries)", 6000)
            context.schedule_reload()

        def failed(exc: BaseException) -> None:
            strip.finish()
            self.rebuilding = None
            if not context.is_closed():
                errors.show_error(window, exc, action="rebuild the index")

        strip.show_progress("Rebuilding the search index…", 0, 0, cancellable=not background)
        self.task_op = run_op(window, work, finished, failed, progress, label="reindex")
        return self.task_op

    def _rebuild_queued(self, count: int) -> None:
        """The background indexer has the rebuild: say what is true now, and when it is over."""
        message = self.context.message
        pending = self.library.pending_index()
        if pending == 0:  # nothing to index, or the indexer was quicker than this message
            self.rebuilding = None
            message(f"Search index rebuilt: {count:,} papers indexed", 8000)
            return
        self.rebuilding = count
        if not self._watching_index:
            self._watching_index = True
            self.monitor.progressed.connect(self._index_progressed)
            self.monitor.failed.connect(lambda _message: setattr(self, "rebuilding", None))
        self.index_strip.show_progress(f"Indexing {count - pending:,} of {count:,}", count - pending, count)
        message(f"Rebuilding the search index: {count:,} papers queued", 0)

    def _index_progressed(self, _done: int, pending: int) -> None:
        count = self.rebuilding
        if count is not None and pending == 0:
            self.rebuilding = None
            self.context.message(f"Search index rebuilt: {count:,} papers indexed", 8000)
