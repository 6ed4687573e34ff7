"""Every command of the window as a ``QAction`` with its shortcut, and the menus that show them."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar, QToolBar, QWidget

from desktop_app.core.library import Library
from desktop_app.gui.parts import ViewProvider
from desktop_app.gui.transfers import Transfers

PRIORITIES = ("None", "Low", "Medium", "High")


class ActionTarget(ViewProvider, Protocol):
    """The commands the actions trigger; the window composes them from its parts."""

    @property
    def library(self) -> Library: ...

    @property
    def transfers(self) -> Transfers: ...

    def close(self) -> bool: ...
    def undo(self) -> None: ...
    def redo(self) -> None: ...
    def trash_selected(self) -> None: ...
    def delete_selected(self) -> None: ...
    def select_all(self) -> None: ...
    def focus_search(self) -> None: ...
    def focus_table(self) -> None: ...
    def focus_sidebar(self) -> None: ...
    def edit_selected(self) -> None: ...
    def toggle_read(self) -> None: ...
    def set_status(self, ids: list[int], status: str) -> None: ...
    def set_priority_of_selection(self, level: int) -> None: ...
    def ask_add_tags(self) -> None: ...
    def ask_remove_tags(self) -> None: ...
    def ask_new_list(self) -> None: ...
    def ask_list_from_selection(self) -> None: ...
    def add_to_list(self, name: str, ids: list[int]) -> None: ...
    def remove_selected_from_list(self) -> None: ...
    def ask_save_search(self) -> None: ...
    def show_note_tab(self) -> None: ...
    def show_related_tab(self) -> None: ...
    def original_order(self) -> None: ...
    def show_syntax(self) -> None: ...
    def show_about(self) -> None: ...
    def go_back(self) -> None: ...
    def go_forward(self) -> None: ...
    def can_go_back(self) -> bool: ...
    def can_go_forward(self) -> bool: ...
    def move_in_list(self, step: int) -> None: ...


class WindowActions(QObject):
    """The window's actions; ``writes`` ones are disabled for a read-only library."""

    def __init__(self, parent: QWidget, target: ActionTarget) -> None:
        super().__init__(parent)
        self.parent_widget = parent
        self.target = target
        w = target
        std = QKeySequence.StandardKey
        local = Qt.ShortcutContext.WidgetWithChildrenShortcut
        self.import_ = self._make("&Import…", w.transfers.choose_import_files, "Ctrl+I", writes=True,
                                  tip="Import BibTeX, RIS, CSL-JSON, arXiv or Daily Papers files")
        self.import_folder = self._make("Import &Folder…", w.transfers.choose_import_folder, "Ctrl+Shift+I",
                                        writes=True, tip="Import every file Lectern reads in a folder and its "
                                                         "subfolders")
        self.paste = self._make("&Paste Papers", w.transfers.paste_papers, std.Paste, writes=True, context=local,
                                tip="Import a Daily Papers page's text or arXiv ids from the clipboard")
        self.export = self._make("&Export…", w.transfers.choose_export, "Ctrl+E",
                                 tip="Export the selection, a list, a tag or the search results")
        self.reindex = self._make("Rebuild Search &Index", w.transfers.rebuild_index, writes=True,
                                  tip="Throw the search index away and rebuild it from the library")
        self.quit = self._make("&Quit", w.close, std.Quit)
        self.undo = self._make("&Undo", w.undo, std.Undo, writes=True)
        self.redo = self._make("&Redo", w.redo, "Ctrl+Shift+Z", writes=True)
        self.redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.copy_bibtex = self._make("Copy &BibTeX", w.transfers.copy_bibtex, "Ctrl+Shift+C")
        self.copy_cite = self._make("Copy \\&cite{key}", w.transfers.copy_cite, "Ctrl+Shift+K")
        self.delete = self._make("Move to &Trash", w.delete_selected, std.Delete, writes=True, context=local,
                                 tip="Delete: in a reading list, off the list; elsewhere, to the Trash")
        self.trash = self._make("Move to &Trash", w.trash_selected, writes=True,
                                tip="Delete the papers from the library (they wait in the Trash)")
        self.select_all = self._make("Select &All", w.select_all, std.SelectAll, context=local)
        self.find = self._make("&Find", w.focus_search, std.Find)
        self.edit_paper = self._make("&Edit Paper…", w.edit_selected, "F2", writes=True,
                                     tip="Edit the title, authors, year, venue, identifiers and citation key "
                                         "(F2 or Enter)")
        self.toggle_read = self._make("&Toggle Read", w.toggle_read, "Ctrl+R", writes=True)
        self.read = self._make("Mark &Read", lambda: w.set_status(w.selected_ids(), "read"), writes=True)
        self.reading = self._make("Mark Rea&ding", lambda: w.set_status(w.selected_ids(), "reading"), writes=True)
        self.unread = self._make("Mark &Unread", lambda: w.set_status(w.selected_ids(), "unread"), writes=True)
        self.priorities = [
            self._make(name, partial(w.set_priority_of_selection, level),
                       f"Alt+{level}", writes=True)
            for level, name in enumerate(PRIORITIES)
        ]
        self.add_tags = self._make("Add &Tags…", w.ask_add_tags, "Ctrl+T", writes=True)
        self.remove_tags = self._make("Remo&ve Tags…", w.ask_remove_tags, "Ctrl+Shift+T", writes=True)
        self.new_list = self._make("&New Reading List…", w.ask_new_list, "Ctrl+Shift+N", writes=True)
        self.list_from_selection = self._make("New List from &Selection…", w.ask_list_from_selection, writes=True)
        self.remove_from_list = self._make("Remove from This &List", w.remove_selected_from_list, writes=True)
        self.save_search = self._make("&Save Search as Smart List…", w.ask_save_search, "Ctrl+Shift+S",
                                      writes=True)
        self.note = self._make("Edit &Note", w.show_note_tab, "Ctrl+Shift+E")
        self.related = self._make("Show &Related Papers", w.show_related_tab, "Ctrl+Shift+R")
        self.original_order = self._make("&Original Order", w.original_order,
                                         tip="Search rank, reading-list order or newest first")
        self.focus_table = self._make("Go to &Papers", w.focus_table, "Ctrl+1")
        self.focus_sidebar = self._make("Go to &Sidebar", w.focus_sidebar, "Ctrl+2")
        self.back = self._make("&Back", w.go_back, "Alt+Left", tip="The view and paper shown before (Alt+Left)")
        self.forward = self._make("&Forward", w.go_forward, "Alt+Right", tip="Forward again (Alt+Right)")
        self.move_up = self._make("Move &Up in List", lambda: w.move_in_list(-1), "Alt+Up", writes=True, context=local,
                                  tip="Move the selected papers one place up the reading list")
        self.move_down = self._make("Move Do&wn in List", lambda: w.move_in_list(1), "Alt+Down", writes=True, context=local,
                                    tip="Move the selected papers one place down the reading list")
        self.syntax = self._make("&Search Syntax", w.show_syntax, std.HelpContents)
        self.about = self._make("&About Lectern", w.show_about)
        self.selection_actions = [self.copy_bibtex, self.copy_cite, self.delete, self.trash, self.toggle_read,
                                  self.read,
                                  self.reading, self.unread, self.add_tags, self.remove_tags, self.note,
                                  self.related, self.list_from_selection, *self.priorities]

    def _make(self, text: str, slot: Callable[[], Any], shortcut: QKeySequence | QKeySequence.StandardKey | str
              | None = None, *, tip: str = "", writes: bool = False,
              context: Qt.ShortcutContext | None = None) -> QAction:
        action = QAction(text, self.parent_widget)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if context is not None:
            action.setShortcutContext(context)
        if tip:
            action.setStatusTip(tip)
        action.setProperty("writes", writes)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def all(self) -> list[QAction]:
        return [a for a in vars(self).values() if isinstance(a, QAction)] + self.priorities

    # -- menus ------------------------------------------------------------------------------

    def build_menus(self, bar: QMenuBar, toolbar: QToolBar) -> None:
        file_menu = bar.addMenu("&File")
        self.file_menu = file_menu
        file_menu.addActions([self.import_, self.import_folder, self.paste, self.export])
        file_menu.addSeparator()
        file_menu.addAction(self.reindex)
        file_menu.addSeparator()
        file_menu.addAction(self.quit)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo, self.redo])
        edit.addSeparator()
        edit.addActions([self.copy_bibtex, self.copy_cite, self.paste])
        edit.addSeparator()
        edit.addActions([self.select_all, self.delete, self.trash])
        edit.addSeparator()
        edit.addAction(self.find)
        papers = bar.addMenu("&Papers")
        self.papers_menu = papers
        papers.addAction(self.edit_paper)
        papers.addSeparator()
        papers.addActions([self.toggle_read, self.read, self.reading, self.unread])
        self.priority_menu = papers.addMenu("&Priority")
        self.priority_menu.addActions(self.priorities)
        papers.addSeparator()
        papers.addActions([self.add_tags, self.remove_tags])
        self.add_to_list_menu = papers.addMenu("Add to &List")
        self.add_to_list_menu.aboutToShow.connect(lambda: self.fill_list_menu(self.add_to_list_menu))
        self.fill_list_menu(self.add_to_list_menu)
        papers.addActions([self.remove_from_list, self.move_up, self.move_down])
        papers.addSeparator()
        papers.addActions([self.note, self.related])
        lists = bar.addMenu("&Lists")
        lists.addActions([self.new_list, self.list_from_selection])
        lists.addSeparator()
        lists.addAction(self.save_search)
        view = bar.addMenu("&View")
        view.addActions([self.back, self.forward])
        view.addSeparator()
        view.addActions([self.original_order, self.focus_table, self.focus_sidebar])
        help_menu = bar.addMenu("&Help")
        help_menu.addActions([self.syntax, self.about])
        toolbar.addAction(self.import_)
        toolbar.addAction(self.export)
        toolbar.addSeparator()

    def fill_list_menu(self, menu: QMenu) -> None:
        """``Add to List ▸``: one entry per reading list, then "New List from Selection…"."""
        w = self.target
        menu.clear()
        enabled = bool(w.selected_ids()) and not w.library.readonly
        for scope in w.sidebar_scopes("list"):
            action = menu.addAction(scope.name)
            action.setEnabled(enabled)
            action.triggered.connect(lambda _=False, name=scope.name: w.add_to_list(name, w.selected_ids()))
        if menu.actions():
            menu.addSeparator()
        menu.addAction(self.list_from_selection)

    def table_menu(self) -> QMenu:
        w = self.target
        menu = QMenu(self.parent_widget)
        menu.addAction(self.edit_paper)
        menu.addSeparator()
        menu.addActions([self.toggle_read, self.read, self.reading, self.unread])
        menu.addMenu(self.priority_menu)
        menu.addSeparator()
        menu.addActions([self.add_tags, self.remove_tags])
        lists = menu.addMenu("Add to List")
        self.fill_list_menu(lists)
        in_list = w.scope.kind == "list"
        if in_list:
            menu.addActions([self.delete, self.move_up, self.move_down])  # Delete is "Remove from This List"
        menu.addSeparator()
        menu.addActions([self.copy_bibtex, self.copy_cite, self.export])
        menu.addSeparator()
        menu.addActions([self.note, self.related])
        menu.addSeparator()
        menu.addAction(self.trash if in_list else self.delete)
        return menu

    def update(self) -> None:
        """Enable what makes sense for the selection; show what Undo would undo."""
        w = self.target
        selected = bool(w.selected_ids())
        for action in self.selection_actions:
            action.setEnabled(selected)
        self.edit_paper.setEnabled(len(w.selected_ids()) == 1)
        in_list = w.scope.kind == "list"
        self.remove_from_list.setEnabled(selected and in_list)
        self.delete.setText("&Remove from This List" if in_list else "Move to &Trash")
        self.trash.setVisible(in_list)
        movable = selected and in_list and not w.query
        self.move_up.setEnabled(movable)
        self.move_down.setEnabled(movable)
        self.back.setEnabled(w.can_go_back())
        self.forward.setEnabled(w.can_go_forward())
        self.save_search.setEnabled(bool(w.query))
        label = w.library.undo_label
        self.undo.setText(f"&Undo {label}" if label else "&Undo")
        self.undo.setEnabled(label is not None)
        redo = w.library.redo_label
        self.redo.setText(f"&Redo {redo}" if redo else "&Redo")
        self.redo.setEnabled(redo is not None)
        if w.library.readonly:
            for action in self.all():
                if action.property("writes"):
                    action.setEnabled(False)
