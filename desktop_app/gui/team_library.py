"""File ▸ Team Library: share this library, join a shared one, sync now, unshare; owns the sync button.

The menu items follow the state (Share only for a plain library, Unshare only for a
shared one, nothing that writes for a read-only one). Sharing installs the sync
status button and starts syncing; unsharing stops and removes it. A joined
library opens in a window of its own (``open_library``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from types import ModuleType
from typing import Any

from PySide6.QtCore import QObject, SignalInstance
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QMessageBox, QPushButton, QStatusBar, QWidget

from desktop_app.core import team_server
from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.sync_state import is_shared
from desktop_app.gui import sync_status
from desktop_app.gui.ops import run_op
from desktop_app.gui.team_dialogs import JoinDialog, ShareDialog

log = logging.getLogger(__name__)


def _ops() -> ModuleType:
    """The sync operations, imported on first use (psycopg loads only then)."""
    from desktop_app.core import sync_ops

    return sync_ops


class TeamLibrary(QObject):
    """The Team Library menu and the sync status button of one window's library."""

    def __init__(self, library: Library, status_bar: QStatusBar, apply_changes: Callable[[Changes], None],
                 changes_applied: SignalInstance, open_library: Callable[[Library], object],
                 message: Callable[[str], None], parent: QWidget) -> None:
        super().__init__(parent)
        self.library = library
        self.status_bar = status_bar
        self.apply_changes = apply_changes
        self.changes_applied = changes_applied
        self.open_library = open_library
        self.message = message
        self.parent_widget = parent
        self.dialog: ShareDialog | JoinDialog | None = None
        self.unshare_box: QMessageBox | None = None
        self.busy = False
        self.panel = sync_status.install(status_bar, library, apply_changes, changes_applied)
        if self.panel is not None:
            self._look_up_role()

    # -- the menu -------------------------------------------------------------------------

    def install_menu(self, file_menu: QMenu, before: QAction) -> QMenu:
        menu = QMenu("&Team Library", file_menu)
        menu.setObjectName("teamLibraryMenu")
        self.share_action = menu.addAction("&Share This Library…", self.share)
        self.share_action.setStatusTip("Publish this library to a PostgreSQL database for your team")
        self.join_action = menu.addAction("&Join a Team Library…", self.join)
        self.join_action.setStatusTip("Copy a shared library into a new folder and open it")
        menu.addSeparator()
        self.sync_action = menu.addAction("Sync &Now", self.sync_now)
        self.unshare_action = menu.addAction("&Unshare…", self.unshare)
        self.unshare_action.setStatusTip("Stop syncing; the library stays here as a plain local library")
        menu.aboutToShow.connect(self.update_actions)
        file_menu.insertMenu(before, menu)
        file_menu.insertSeparator(before)
        self.menu = menu
        self.update_actions()
        return menu

    def update_actions(self) -> None:
        shared = is_shared(self.library)
        writable = not self.library.readonly and not self.busy
        self.share_action.setEnabled(writable and not shared)
        self.unshare_action.setEnabled(writable and shared)
        self.sync_action.setEnabled(self.panel is not None and not self.busy)
        self.join_action.setEnabled(True)

    # -- share --------------------------------------------------------------------------------

    def share(self) -> ShareDialog:
        dialog = ShareDialog(self.library, lambda library, conninfo: _ops().share(library, conninfo),
                             self.parent_widget)
        dialog.shared.connect(self._shared)
        self._show(dialog)
        return dialog

    def _shared(self, found: team_server.ServerCheck) -> None:
        self.panel = sync_status.install(self.status_bar, self.library, self.apply_changes, self.changes_applied)
        if self.panel is not None:
            self.panel.set_role(found.role)
        self.update_actions()
        self.message(f"Shared at {found.server}: your team can join it now")

    # -- join ---------------------------------------------------------------------------------

    def join(self) -> JoinDialog:
        dialog = JoinDialog(lambda library, conninfo: _ops().join(library, conninfo), self.parent_widget)
        dialog.joined.connect(self._joined)
        self._show(dialog)
        return dialog

    def _joined(self, library: Library) -> None:
        self.message(f"Joined: {library.directory} opens in its own window")
        self.open_library(library)

    def _show(self, dialog: ShareDialog | JoinDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- sync now, unshare ------------------------------------------------------------------

    def sync_now(self) -> None:
        if self.panel is not None:
            self.panel.wake()

    def unshare(self) -> QMessageBox:
        """Ask first; the answer arrives later (the box is window-modal, not a nested loop)."""
        state = _ops().status(self.library)
        box = QMessageBox(QMessageBox.Icon.Question, "Unshare This Library",
                          f"Stop syncing this library with {state.server}?", parent=self.parent_widget)
        waiting = (f"\n\n{state.waiting} change{'s' if state.waiting != 1 else ''} not sent yet will stay "
                   "only here." if state.waiting else "")
        box.setInformativeText("It stays here as a plain local library with all its papers, notes and lists. "
                               "The shared copy on the server and your teammates' copies are not touched."
                               + waiting)
        button = box.addButton("Unshare", QMessageBox.ButtonRole.DestructiveRole)
        box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.finished.connect(lambda _code: self._unshare_answered(box, button))
        self.unshare_box = box
        box.open()
        return box

    def _unshare_answered(self, box: QMessageBox, button: QPushButton) -> None:
        self.unshare_box = None
        box.deleteLater()
        if box.clickedButton() is button:
            self.detach()

    def detach(self) -> None:
        """Stop the sync loop and unlink the library, off the GUI thread."""
        panel = self.panel
        self.busy = True
        self.update_actions()

        def work(_ctx: Any) -> int:
            if panel is not None:
                panel.stop()
            return int(_ops().unshare(self.library))

        def done(dropped: int) -> None:
            self.busy = False
            self._remove_panel()
            self.update_actions()
            self.message("Unshared: this is a plain local library now"
                         + (f" ({dropped} unsent changes stay only here)" if dropped else ""))

        def failed(exc: BaseException) -> None:
            self.busy = False
            log.warning("unshare failed: %s", exc)
            if panel is not None and is_shared(self.library):
                panel.loop = _ops().SyncLoop(self.library, panel.bridge.state.emit)
                panel.start()
            self.update_actions()
            QMessageBox.warning(self.parent_widget, "Unshare", f"Could not unshare: {team_server.explain(exc)}")

        run_op(self, work, done, failed, label="unshare")

    def _remove_panel(self) -> None:
        if self.panel is None:
            return
        self.changes_applied.disconnect(self.panel.wake)
        self.status_bar.removeWidget(self.panel)
        self.panel.deleteLater()
        self.panel = None

    def _look_up_role(self) -> None:
        """Ask the server who we are (for the sync button's tooltip), off the GUI thread."""
        conninfo = team_server.linked_conninfo(self.library)
        panel = self.panel
        if conninfo is None or panel is None:
            return

        def show(found: team_server.ServerCheck) -> None:
            if self.panel is panel:
                panel.set_role(found.role)

        def unknown(exc: BaseException) -> None:
            log.info("cannot look up the role on the shared library: %s", exc)

        run_op(self, lambda _ctx: team_server.check(conninfo), show, unknown, label="team role")

    def stop(self) -> None:
        if self.panel is not None:
            self.panel.stop()
