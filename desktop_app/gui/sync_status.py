"""The shared library in the window: a status-bar button (synced / N waiting / offline / conflicts),
continuous sync on its own thread, and the conflict dialog."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QStatusBar,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core.changes import Changes
from desktop_app.core.library import Library
from desktop_app.core.sync_state import is_shared
from desktop_app.domain.errors import LecternError

if TYPE_CHECKING:
    from desktop_app.core import sync_ops


def _ops() -> ModuleType:
    """The sync operations, imported on first use: psycopg loads only for a shared library."""
    from desktop_app.core import sync_ops

    return sync_ops

_LABELS = {"synced": "Synced", "offline": "Offline", "local": "Not shared"}


def state_text(state: sync_ops.SyncStatus) -> str:
    if state.state == "conflicts":
        return f"{state.conflicts} conflict{'s' if state.conflicts != 1 else ''}"
    if state.state == "waiting":
        return f"{state.waiting} change{'s' if state.waiting != 1 else ''} waiting"
    text = _LABELS[state.state]
    if state.state == "offline" and state.waiting:
        text += f" ({state.waiting} waiting)"
    return text


def _show(value: Any) -> str:
    if value is None:
        return "(deleted)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


class ConflictDialog(QDialog):
    """Every open conflict with both values; keep the shared value or make the other one win."""

    resolved = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setWindowTitle("Sync Conflicts")
        self.setObjectName("syncConflicts")
        self.resize(760, 320)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Two people edited the same field. The shared library kept the first edit; "
                                "the other one is kept here until you choose."))
        self.table = QTableWidget(0, 5, self)
        self.table.setHorizontalHeaderLabels(["Item", "Field", "Kept", "Other edit", "By"])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column in (2, 3):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.keep_button = QPushButton("Keep Shared Value", self)
        self.other_button = QPushButton("Use Other Edit", self)
        buttons.addButton(self.keep_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.other_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.keep_button.clicked.connect(lambda: self._resolve("kept"))
        self.other_button.clicked.connect(lambda: self._resolve("other"))
        self.message = QLabel("", self)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.refresh()

    def refresh(self) -> None:
        self.conflicts = _ops().conflicts(self.library)
        self.table.setRowCount(len(self.conflicts))
        for row, conflict in enumerate(self.conflicts):
            values = (f"{conflict['kind']} {conflict['entity']}", conflict["field"], _show(conflict["kept"]),
                      _show(conflict["other"]), conflict["by"])
            for column, text in enumerate(values):
                item = QTableWidgetItem(text[:500])
                item.setToolTip(text[:2000])
                self.table.setItem(row, column, item)
        self.table.resizeRowsToContents()
        if self.conflicts:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        chosen = bool(self.table.selectionModel().selectedRows())
        self.keep_button.setEnabled(chosen)
        self.other_button.setEnabled(chosen)

    def _resolve(self, take: str) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        conflict = self.conflicts[rows[0].row()]
        try:
            _ops().resolve(self.library, int(conflict["id"]), take)
        except LecternError as exc:
            self.message.setText(str(exc))
            return
        self.message.setText("")
        self.resolved.emit()
        self.refresh()


class _Bridge(QObject):
    state = Signal(object, object)  # SyncStatus, SyncReport | None


class SyncStatusPanel(QToolButton):
    """The status-bar button of a shared library; owns the sync loop."""

    def __init__(self, library: Library, apply_changes: Callable[[Changes], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("syncStatus")
        self.setAutoRaise(True)
        self.library = library
        self.apply_changes = apply_changes
        self.role = ""
        self.bridge = _Bridge(self)
        self.bridge.state.connect(self._show_state, Qt.ConnectionType.QueuedConnection)
        self.clicked.connect(self._clicked)
        self.loop = _ops().SyncLoop(library, self.bridge.state.emit)
        self._show_state(_ops().status(library), None)

    def start(self) -> None:
        self.loop.start()

    def stop(self) -> None:
        self.loop.stop()

    def wake(self, *_args: object) -> None:
        self.loop.wake()

    def _show_state(self, state: sync_ops.SyncStatus, report: sync_ops.SyncReport | None) -> None:
        self.state = state
        self.setText(state_text(state))
        attention = state.state in ("conflicts", "offline")
        self.setStyleSheet("QToolButton { color: #a34a00; font-weight: bold; }" if attention else "")
        self._show_tooltip()
        if report is not None and report.touched:
            existing = set(self.library.rows(sorted(report.touched)))
            self.apply_changes(Changes(modified=frozenset(existing), notes=frozenset(existing),
                                       removed=frozenset(report.touched - existing),
                                       tags=True, lists=True, searches=True, index=True))

    def set_role(self, role: str) -> None:
        """Who we are on the server, e.g. ``alice (member, arbiter)``, for the tooltip."""
        self.role = role
        self._show_tooltip()

    def _show_tooltip(self) -> None:
        state = self.state
        tip = f"Shared library: {state.server}"
        if self.role:
            tip += f"\nYour role: {self.role}"
        if state.last_error:
            tip += f"\nLast error: {state.last_error}"
        if state.last_sync:
            tip += f"\nLast sync: {state.last_sync[:19].replace('T', ' ')} UTC"
        self.setToolTip(tip + ("\nClick to resolve conflicts" if state.conflicts else "\nClick to sync now"))

    def _clicked(self) -> None:
        if self.state.conflicts:
            dialog = ConflictDialog(self.library, self.window())
            dialog.resolved.connect(self.wake)
            dialog.exec()
        else:
            self.wake()


def install(status_bar: QStatusBar, library: Library, apply_changes: Callable[[Changes], None],
            changes_applied: SignalInstance) -> SyncStatusPanel | None:
    """Show and start syncing when the library is shared (a writable one); None otherwise."""
    if library.readonly or not is_shared(library):
        return None
    panel = SyncStatusPanel(library, apply_changes, status_bar)
    status_bar.addPermanentWidget(panel)
    changes_applied.connect(panel.wake)
    panel.start()
    return panel
