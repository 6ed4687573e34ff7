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
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFileDialog

from desktop_app.core.importing import ImportOutcome
from desktop_app.domain.completeness import export_warnings
from desktop_app.gui import errors
from desktop_app.gui.dialogs import ExportDialog, ExportScope, ImportReportDialog
from desktop_app.gui.import_progress import ImportProgress
from desktop_app.gui.ops import Op, OpContext, run_op

if TYPE_CHECKING:
    from desktop_app.gui.window import MainWindow

IMPORT_FILTER = "Bibliographies (*.bib *.bibtex *.ris *.json *.atom *.xml *.txt);;All files (*)"
BROWSABLE_SCOPES = ("library", "unread", "recent")


class Transfers(QObject):
    """Import, export, clipboard and reindex for one window."""

    importFinished = Signal(object)  # ImportOutcome
    exportFinished = Signal(str)  # path

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.import_op: Op[Any] | None = None
        self.task_op: Op[Any] | None = None
        self.last_report: ImportReportDialog | None = None
        self.show_reports = True
        self.rebuilding: int | None = None  # papers queued by a rebuild the background indexer has not finished
        self._watching_index = False
        window.task_strip.cancelRequested.connect(self.cancel_task)

    # -- import --------------------------------------------------------------------------------

    def choose_import_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self.window, "Import papers", str(Path.home()), IMPORT_FILTER)
        if paths:
            self.import_files(paths)

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
            self.window.statusBar().showMessage("The clipboard holds no text to import", 4000)
            return
        self.import_text(text)

    def import_files(self, paths: Sequence[str | Path]) -> Op[Any] | None:
        """Import files with progress and Cancel; a report follows."""
        files = [str(p) for p in paths]
        library = self.library
        first = ImportProgress(Path(files[0]).name if files else "", 0, len(files))

        def work(ctx: OpContext) -> ImportOutcome:
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
        window = self.window
        if window.readonly:
            errors.show_message(window, "Lectern", "The library is open read-only; importing is disabled.")
            return None
        if self.import_op is not None:
            errors.show_message(window, "Lectern", "An import is running; wait for it or cancel it first.")
            return None
        strip = window.task_strip
        strip.show_progress(first.text(), *first.bar())

        def progress(value: ImportProgress) -> None:
            strip.show_progress(value.text(), *value.bar())
            if window.scope.kind in BROWSABLE_SCOPES and not window.reload_pending:
                window.schedule_reload(400)  # papers are browsable as soon as they are stored
            window.schedule_sidebar()

        def finish() -> None:
            self.import_op = None
            strip.finish()
            if not window.closed:
                window.monitor.start()

        def done(outcome: ImportOutcome) -> None:
            finish()
            if window.closed:
                return
            window.apply_changes(outcome.changes)
            window.statusBar().showMessage(f"Import: {outcome.summary()}", 8000)
            if self.show_reports:
                self.show_import_report(outcome)
            self.importFinished.emit(outcome)

        def failed(exc: BaseException) -> None:
            finish()
            if not window.closed:
                errors.show_error(window, exc, action="import")
                window.schedule_reload()

        # On the write thread: imports and edits apply one after the other, never interleaved.
        self.import_op = run_op(window, work, done, failed, progress, pool=window.write_pool, label="import")
        self.task_op = self.import_op
        return self.import_op

    def show_import_report(self, outcome: ImportOutcome) -> ImportReportDialog:
        shown = outcome.imported[:200] + outcome.merged[:200]
        titles = {pid: row.title for pid, row in self.library.rows(shown).items()}
        dialog = ImportReportDialog(outcome, titles, self.window)
        self.last_report = dialog
        dialog.destroyed.connect(self._report_gone)
        dialog.show()
        return dialog

    def _report_gone(self) -> None:
        self.last_report = None

    def cancel_task(self) -> None:
        if self.task_op is not None and not self.task_op.is_finished:
            self.task_op.cancel()
            self.window.task_strip.label.setText("Cancelling…")
            self.window.task_strip.cancel_button.setEnabled(False)

    def cancel_all(self) -> None:
        for op in (self.import_op, self.task_op):
            if op is not None and not op.is_finished:
                op.cancel()

    # -- export ---------------------------------------------------------------------------------

    def export_scopes(self) -> list[ExportScope]:
        """What can be exported: the selection, the view, each list and tag, the whole library."""
        window, library = self.window, self.library
        scopes = []
        selected = window.selected_ids()
        if selected:
            scopes.append(ExportScope("Selected papers", selected))
        view = f"Search results for “{window.query}”" if window.query else window.scope_label()
        scopes.append(ExportScope(view, window.table_model.ids))
        for scope in window.sidebar_model.scopes("list"):
            scopes.append(ExportScope(f"Reading list: {scope.name}", library.list_ids(scope.name)))
        for scope in window.sidebar_model.scopes("tag"):
            scopes.append(ExportScope(f"Tag: {scope.name}", library.papers_with_tag(scope.name)))
        scopes.append(ExportScope("Whole library", library.all_ids(order="added", descending=False)))
        return scopes

    def choose_export(self, prefer: str = "") -> ExportDialog:
        scopes = self.export_scopes()
        dialog = ExportDialog(scopes, str(Path.home()), self.window,
                              incomplete=frozenset(self.library.incomplete_ids()))
        for number, scope in enumerate(scopes):
            if prefer and scope.label == prefer:
                dialog.scope.setCurrentIndex(number)
        dialog.exportRequested.connect(self.export_to)
        dialog.open()
        return dialog

    def export_to(self, path: str | Path, fmt: str, ids: Sequence[int]) -> Op[Any]:
        """Render ``ids`` in ``fmt`` and write ``path``, off the GUI thread."""
        target = Path(path)
        ids = list(ids)
        library, window = self.library, self.window

        def work(_ctx: OpContext) -> tuple[int, int]:
            lacking = len(export_warnings(library.papers(ids)))
            text = library.export(ids, fmt)
            target.write_text(text, encoding="utf-8")
            library.pin_citekeys(ids, exported=True)
            return len(ids), lacking

        def done(counts: tuple[int, int]) -> None:
            count, lacking = counts
            window.task_strip.finish()
            warning = (f"; {lacking:,} lack author, year or venue (Metadata ▸ Complete All Incomplete Papers)"
                       if lacking else "")
            window.statusBar().showMessage(f"Exported {count:,} paper{'s' if count != 1 else ''} to {target}"
                                           + warning, 12000 if lacking else 8000)
            self.exportFinished.emit(str(target))

        def failed(exc: BaseException) -> None:
            window.task_strip.finish()
            errors.show_error(window, exc, action=f"export to {target}")

        window.task_strip.show_progress(f"Exporting {len(ids):,} papers…", 0, 0, cancellable=False)
        return run_op(window, work, done, failed, label="export")

    # -- clipboard ---------------------------------------------------------------------------------

    def copy_bibtex(self) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        library, window = self.library, self.window

        def done(text: str) -> None:
            QGuiApplication.clipboard().setText(text)
            window.statusBar().showMessage(f"Copied BibTeX for {len(ids):,} paper(s)", 4000)

        def failed(exc: BaseException) -> None:
            errors.show_error(window, exc, action="copy BibTeX")

        def work(_ctx: OpContext) -> str:
            text = library.export(ids, "bibtex")
            library.pin_citekeys(ids, exported=True)  # a copied key never changes silently
            return text

        run_op(window, work, done, failed, label="copy bibtex")

    def copy_cite(self) -> None:
        ids = self.window.selected_ids()
        if not ids:
            return
        rows = self.library.rows(ids)
        keys = [rows[pid].citekey for pid in ids if pid in rows]
        text = "\\cite{" + ",".join(keys) + "}"
        self.library.pin_citekeys(ids, exported=True)
        QGuiApplication.clipboard().setText(text)
        self.window.statusBar().showMessage(f"Copied {text}", 4000)

    # -- index --------------------------------------------------------------------------------------

    def rebuild_index(self) -> Op[Any] | None:
        """Throw the index away and rebuild it.

        With the window's background indexer (the usual case) the library only empties the
        index and queues every paper, and returns at once with how many; the indexer's own
        progress (the status bar's index strip) shows the rebuild, and the end is announced
        when the queue is empty.  Without one, the rebuild runs here with its own progress.
        """
        window, library = self.window, self.library
        if window.readonly:
            return None
        background = window.monitor.running
        strip = window.task_strip

        def work(ctx: OpContext) -> int:
            return library.rebuild_index(lambda p: ctx.progress((p.done, p.pending)), ctx.is_cancelled)

        def progress(value: tuple[int, int]) -> None:
            done, pending = value
            strip.show_progress(f"Rebuilding the index: {done:,} of {done + pending:,}", done, done + pending)

        def finished(count: int) -> None:
            strip.finish()
            if window.closed:
                return
            if background:
                self._rebuild_queued(count)
            else:
                window.statusBar().showMessage(f"Rebuilt the search index ({count:,} entries)", 6000)
            window.schedule_reload()

        def failed(exc: BaseException) -> None:
            strip.finish()
            self.rebuilding = None
            if not window.closed:
                errors.show_error(window, exc, action="rebuild the index")

        strip.show_progress("Rebuilding the search index…", 0, 0, cancellable=not background)
        self.task_op = run_op(window, work, finished, failed, progress, label="reindex")
        return self.task_op

    def _rebuild_queued(self, count: int) -> None:
        """The background indexer has the rebuild: say what is true now, and when it is over."""
        window = self.window
        pending = self.library.pending_index()
        if pending == 0:  # nothing to index, or the indexer was quicker than this message
            self.rebuilding = None
            window.statusBar().showMessage(f"Search index rebuilt: {count:,} papers indexed", 8000)
            return
        self.rebuilding = count
        if not self._watching_index:
            self._watching_index = True
            window.monitor.progressed.connect(self._index_progressed)
            window.monitor.failed.connect(lambda _message: setattr(self, "rebuilding", None))
        window.index_strip.show_progress(f"Indexing {count - pending:,} of {count:,}", count - pending, count)
        window.statusBar().showMessage(f"Rebuilding the search index: {count:,} papers queued")

    def _index_progressed(self, _done: int, pending: int) -> None:
        count = self.rebuilding
        if count is not None and pending == 0:
            self.rebuilding = None
            self.window.statusBar().showMessage(f"Search index rebuilt: {count:,} papers indexed", 8000)
