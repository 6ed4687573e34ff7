"""File > Rebuild Search Index with the background indexer: the window says what is true."""

from __future__ import annotations

from desktop_app.gui.window import MainWindow
from tests.conftest import DAILY_PAGE
from tests.gui.conftest import WAIT_MS, import_daily_page, wait_idle, wait_indexed


def test_rebuild_hands_over_to_the_index_progress(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    assert window.monitor.running
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    indexing: list[tuple[int, int]] = []
    window.monitor.progressed.connect(lambda done, pending: indexing.append((done, pending)))

    window.commands.reindex.trigger()
    assert window.task_strip.isVisible() and not window.task_strip.cancel_button.isVisible()
    qtbot.waitUntil(lambda: bool(messages) or window.transfers.rebuilding is not None, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(m.startswith("Search index rebuilt") for m in messages), timeout=WAIT_MS)
    wait_indexed(qtbot, window)

    said = [m for m in messages if m]
    assert not any(m.startswith("Rebuilt the search index (") for m in said), "no 'done' while it has just begun"
    assert said[-1] == "Search index rebuilt: 108 papers indexed"
    if len(said) > 1:  # the indexer took longer than the reset: the queue was announced first
        assert said[0] == "Rebuilding the search index: 108 papers queued"
        assert indexing and indexing[-1][1] == 0
    assert not window.task_strip.isVisible()
    assert not window.index_strip.isVisible()
    assert window.transfers.rebuilding is None
    window.search("pruning")
    wait_idle(qtbot, window)
    assert window.table_model.rowCount() == len(window.library.search("pruning").ids) > 0


def test_the_queue_message_and_index_strip_while_the_indexer_works(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    import_daily_page(qtbot, window, DAILY_PAGE)
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    # what the rebuild op does off the GUI thread, then its result arriving at once (the child
    # process needs a moment to start, so the papers are still queued)
    assert window.library.rebuild_index() == 108
    window.transfers._rebuild_queued(108)
    assert messages[-1] == "Rebuilding the search index: 108 papers queued"
    assert window.transfers.rebuilding == 108
    assert window.index_strip.isVisible()
    assert window.index_strip.label.text() == "Indexing 0 of 108"
    qtbot.waitUntil(lambda: messages[-1] == "Search index rebuilt: 108 papers indexed", timeout=WAIT_MS)
    wait_indexed(qtbot, window)
    assert not window.index_strip.isVisible()
