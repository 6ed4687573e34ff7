"""The window of a shared library: the sync status button, continuous sync, the conflict dialog."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from pathlib import Path

from PySide6.QtWidgets import QApplication

from desktop_app.core import sync_ops
from desktop_app.core.library import Library
from desktop_app.gui.ops import running_ops
from desktop_app.gui.sync_status import ConflictDialog
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS, opened_urls, temporary_settings  # noqa: F401  (autouse fixtures)
from tests.sync.helpers import seed
from tests.sync.pgcluster import Cluster

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "/tmp/sync17"))


def test_window_shows_sync_state_and_resolves_a_conflict(qtbot, tmp_path: Path, cluster: Cluster,
                                                          database: str) -> None:
    alice = seed(tmp_path / "alice", 6)
    sync_ops.share(alice, cluster.conninfo(database, "alice"))
    bob = Library.open(tmp_path / "bob")
    sync_ops.join(bob, cluster.conninfo(database, "bob"))
    window = MainWindow(bob)
    qtbot.addWidget(window)
    window.resize(1200, 640)
    window.show()
    panel = window.sync_panel
    assert panel is not None
    try:
        qtbot.waitUntil(lambda: panel.text() == "Synced", timeout=WAIT_MS)

        alice.update_paper("key2", title="Alice's title arrives by itself")
        sync_ops.sync_once(alice)
        qtbot.waitUntil(lambda: bob.paper("key2").title == "Alice's title arrives by itself", timeout=WAIT_MS)

        panel.loop.stop()  # make the race: both edit while Bob's window does not sync
        alice.update_paper("key3", title="Alice named it first")
        sync_ops.sync_once(alice)
        window.apply_changes(window.library.update_paper("key3", title="Bob's better title"))
        panel.loop = sync_ops.SyncLoop(bob, panel.bridge.state.emit)
        panel.start()  # pushes Bob's title, which loses: his window shows Alice's and the conflict
        qtbot.waitUntil(lambda: panel.text() == "1 conflict", timeout=WAIT_MS)
        row = window.table_model.ids.index(bob.resolve("key3"))
        qtbot.waitUntil(lambda: window.table_model.index(row, 0).data() == "Alice named it first",
                        timeout=WAIT_MS)
        SHOTS.mkdir(parents=True, exist_ok=True)
        window.grab().save(str(SHOTS / "window-conflict-status.png"))

        dialog = ConflictDialog(bob, window)
        qtbot.addWidget(dialog)
        dialog.show()
        assert dialog.table.rowCount() == 1
        assert [dialog.table.item(0, c).text() for c in range(1, 5)] == [
            "title", "Alice named it first", "Bob's better title", "bob"]
        QApplication.processEvents()
        dialog.grab().save(str(SHOTS / "conflict-dialog.png"))
        dialog.resolved.connect(panel.wake)
        dialog.table.selectRow(0)
        dialog.other_button.click()
        assert dialog.table.rowCount() == 0
        qtbot.waitUntil(lambda: panel.text() == "Synced", timeout=WAIT_MS)
        sync_ops.sync_once(alice)
        assert alice.paper("key3").title == "Bob's better title"
        assert sync_ops.conflicts(alice) == []
    finally:
        window.close()
        qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)
        bob.close()
        alice.close()
