"""Changes the user makes: a paper's fields, status, priority, tags, reading lists, notes,
saved searches, delete, undo.

Each edit is one library write run on the window's write thread (in order,
off the GUI thread, like Anki's ``CollectionOp``); the ``Changes`` it returns
go to the window through ``PartContext.apply``.  The ``ask_*`` methods ask the user first.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import QObject, QStringListModel

from desktop_app.core.changes import Changes
from desktop_app.domain.errors import LecternError
from desktop_app.gui import errors
from desktop_app.gui.dialogs import TagsDialog
from desktop_app.gui.ops import Op, run_op
from desktop_app.gui.paper_dialog import EditPaperDialog
from desktop_app.gui.parts import PartContext
from desktop_app.gui.prompt import ask_text
from desktop_app.gui.sidebar_model import Scope


def _plural(count: int, word: str = "paper") -> str:
    return f"{count:,} {word}{'' if count == 1 else 's'}"


class Edits(QObject):
    """The window's writes."""

    def __init__(self, context: PartContext, tag_names: QStringListModel) -> None:
        super().__init__(context.parent)
        self.context = context
        self.parent_widget = context.parent
        self.library = context.library
        self.tag_names = tag_names
        self.paper_dialog: EditPaperDialog | None = None

    def write(self, fn: Callable[[], Changes | None], action: str,
              on_done: Callable[[Changes], None] | None = None,
              on_error: Callable[[BaseException], bool] | None = None) -> Op[Any] | None:
        """Run a library write on the write thread; apply the ``Changes`` it returns.

        ``on_error`` may take a failure itself (returning True), e.g. to show it inline.
        """
        context, window = self.context, self.parent_widget
        if context.readonly:
            errors.show_message(window, "Lectern", "The library is open read-only; changes are disabled.")
            return None

        def done(changes: Changes | None) -> None:
            if context.is_closed():
                return
            context.apply(changes or Changes())
            if on_done is not None:
                on_done(changes or Changes())

        def failed(exc: BaseException) -> None:
            if context.is_closed() or (on_error is not None and on_error(exc)):
                return
            errors.show_error(window, exc, action=action)
            context.schedule_reload()

        return run_op(window, lambda _ctx: fn(), done, failed, pool=context.write_pool, label=action)

    def _message(self, text: str, timeout: int = 4000) -> None:
        self.context.message(text, timeout)

    # -- status and priority -----------------------------------------------------------------

    def set_status(self, ids: Sequence[int], status: str) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.set_status(ids, status), f"mark papers {status}")

    def toggle_read(self, ids: Sequence[int]) -> None:
        """Mark the papers read, or unread when all of them are read already."""
        if not ids:
            return
        rows = self.library.rows(ids)
        all_read = all(row.status == "read" for row in rows.values())
        self.set_status(ids, "unread" if all_read else "read")

    def set_priority(self, ids: Sequence[int], level: int) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.set_priority(ids, level), "set the priority")

    # -- the paper's own fields ------------------------------------------------------------

    def update_paper(self, pid: int, fields: dict[str, Any], on_done: Callable[[Changes], None] | None = None,
                     on_error: Callable[[BaseException], bool] | None = None) -> Op[Any] | None:
        """Save edited fields (only those given); the core validates them and pushes an undo step."""
        if not fields:
            return None
        fields = dict(fields)

        def done(changes: Changes) -> None:
            self._message("Saved the paper's details — Ctrl+Z undoes it", 6000)
            if on_done is not None:
                on_done(changes)

        return self.write(lambda: self.library.update_paper(pid, **fields), "save the paper", done, on_error)

    # -- tags --------------------------------------------------------------------------------------

    def add_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        if ids and tags:
            ids, tags = list(ids), list(tags)
            self.write(lambda: self.library.add_tags(ids, tags), "add tags")

    def remove_tags(self, ids: Sequence[int], tags: Sequence[str]) -> None:
        if ids and tags:
            ids, tags = list(ids), list(tags)
            self.write(lambda: self.library.remove_tags(ids, tags), "remove tags")

    def rename_tag(self, old: str, new: str) -> None:
        """Rename a tag; onto an existing tag this merges the two."""
        view = self.context.view

        def done(_changes: Changes) -> None:
            if view.scope == Scope("tag", old):  # keep showing it under its new name
                view.show_scope(Scope("tag", new), reload=False)

        self.write(lambda: self.library.rename_tag(old, new), "rename the tag", done)

    def delete_tag(self, name: str) -> None:
        library = self.library
        self.write(lambda: library.remove_tags(library.papers_with_tag(name), [name]), "remove the tag")

    # -- reading lists ---------------------------------------------------------------------------

    def create_list(self, name: str, ids: Sequence[int] = ()) -> None:
        ids = list(ids)
        library = self.library

        def work() -> Changes:
            changes = library.create_list(name)
            if ids:
                changes = changes | library.add_to_list(name, ids)
            return changes

        self.write(work, "create the reading list")

    def add_to_list(self, name: str, ids: Sequence[int]) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.add_to_list(name, ids), "add papers to the list",
                       lambda _c: self._message(f"Added {_plural(len(ids))} to {name}"))

    def remove_from_list(self, name: str, ids: Sequence[int]) -> None:
        if ids:
            ids = list(ids)
            self.write(lambda: self.library.remove_from_list(name, ids), "remove papers from the list",
                       lambda _c: self._message(f"Removed {_plural(len(ids))} from {name} (still in the library)"
                                                " — Ctrl+Z undoes it", 6000))

    def set_list_order(self, name: str, order: Sequence[int]) -> None:
        order = list(order)
        self.write(lambda: self.library.set_list_order(name, order), "reorder the list")

    def reorder_lists(self, names: Sequence[str]) -> None:
        """Store the sidebar's order of the reading lists (it shows the new order already)."""
        names = list(names)
        self.write(lambda: self.library.reorder_lists(names), "reorder the reading lists")

    def rename_list(self, old: str, new: str) -> None:
        view = self.context.view

        def done(_changes: Changes) -> None:
            if view.scope == Scope("list", old):
                view.show_scope(Scope("list", new), reload=False)

        self.write(lambda: self.library.rename_list(old, new), "rename the reading list", done)

    def delete_list(self, name: str) -> None:
        self.write(lambda: self.library.delete_list(name), "delete the reading list",
                   lambda _c: self._message(f"Moved the reading list {name} to the Trash — Ctrl+Z brings it back",
                                            6000))

    # -- saved searches, notes ------------------------------------------------------------------------

    def save_search(self, name: str, query: str) -> None:
        self.write(lambda: self.library.save_search(name, query), "save the search",
                   lambda _c: self._message(f"Saved the smart list {name}"))

    def delete_search(self, name: str) -> None:
        self.write(lambda: self.library.delete_search(name), "delete the smart list")

    def save_note(self, pid: int, body: str, saved: Callable[[], None] | None = None) -> None:
        """Store a note; ``saved`` runs once it is stored."""
        if self.context.readonly:
            return
        self.write(lambda: self.library.set_note(pid, body), "save the note",
                   lambda _c: saved() if saved is not None else None)

    # -- delete and undo --------------------------------------------------------------------------------

    def delete(self, ids: Sequence[int]) -> None:
        """Move papers to the Trash (no question asked: Ctrl+Z or the Trash brings them back)."""
        if not ids:
            return
        ids = list(ids)
        self.write(lambda: self.library.delete_papers(ids), "delete papers",
                   lambda _c: self._message(f"Moved {_plural(len(ids))} to the Trash — Ctrl+Z undoes it", 8000))

    def undo(self) -> None:
        label = self.library.undo_label
        if label is None:
            self._message("Nothing to undo", 3000)
            return
        self.write(self.library.undo, "undo", lambda _c: self._message(f"Undid: {label} — Ctrl+Shift+Z redoes it"))

    def redo(self) -> None:
        label = self.library.redo_label
        if label is None:
            self._message("Nothing to redo", 3000)
            return
        self.write(self.library.redo, "redo", lambda _c: self._message(f"Redid: {label}"))

    # -- asking first ------------------------------------------------------------------------------------

    def ask_add_tags(self, ids: Sequence[int]) -> None:
        if ids:
            tags = TagsDialog.ask(self.parent_widget, self.tag_names, f"Add tags to {_plural(len(ids))}")
            self.add_tags(ids, tags)

    def ask_remove_tags(self, ids: Sequence[int]) -> None:
        if ids:
            tags = TagsDialog.ask(self.parent_widget, self.tag_names, f"Remove tags from {_plural(len(ids))}")
            self.remove_tags(ids, tags)

    def ask_edit_paper(self, pid: int) -> EditPaperDialog | None:
        """Open the edit dialog for one paper (window-modal, not blocking); it saves through ``update_paper``."""
        window = self.parent_widget
        if self.context.readonly:
            errors.show_message(window, "Lectern", "The library is open read-only; changes are disabled.")
            return None
        if self.paper_dialog is not None:
            self.paper_dialog.raise_()
            self.paper_dialog.activateWindow()
            return self.paper_dialog
        try:
            paper = self.library.paper(pid)
        except LecternError as exc:
            errors.show_error(window, exc, action="edit the paper")
            return None
        dialog = EditPaperDialog(paper, window)
        self.paper_dialog = dialog
        dialog.finished.connect(lambda _result: self._paper_dialog_closed(dialog))
        dialog.saveRequested.connect(lambda fields: self._save_paper(dialog, pid, fields))
        dialog.open()
        return dialog

    def _paper_dialog_closed(self, dialog: EditPaperDialog) -> None:
        if self.paper_dialog is dialog:
            self.paper_dialog = None

    def _save_paper(self, dialog: EditPaperDialog, pid: int, fields: dict[str, Any]) -> None:
        def done(_changes: Changes) -> None:
            if self.paper_dialog is dialog:
                dialog.saved()

        def failed(exc: BaseException) -> bool:
            if self.paper_dialog is not dialog:
                return False
            if not errors.is_expected(exc):
                dialog.set_busy(False)
                return False  # unexpected: the error box, with details
            dialog.show_error(errors.describe(exc))
            return True

        if self.update_paper(pid, fields, done, failed) is None:
            dialog.set_busy(False)

    def ask_new_list(self, ids: Sequence[int] = ()) -> None:
        prompt = f"Name of the reading list for {_plural(len(ids))}:" if ids else "Name of the reading list:"
        name, ok = ask_text(self.parent_widget, "New Reading List", prompt)
        if ok and name.strip():
            self.create_list(name.strip(), ids)

    def ask_save_search(self, query: str) -> None:
        if not query:
            self._message("Type a search first, then save it as a smart list")
            return
        name, ok = ask_text(self.parent_widget, "Save Search as Smart List", "Name of the smart list:", query)
        if ok and name.strip():
            self.save_search(name.strip(), query)
