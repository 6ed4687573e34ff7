"""The op helper: results, errors and progress come back in the GUI thread; cancel works."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject

from desktop_app.gui.ops import Cancelled, OpContext, run_op, running_ops, serial_pool


def test_result_arrives_in_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    gui = threading.get_ident()
    seen: dict[str, object] = {}

    def work(ctx: OpContext) -> int:
        seen["worker"] = threading.get_ident()
        for n in range(3):
            ctx.progress(n, force=True)
        return 42

    def done(value: int) -> None:
        seen["done"] = (value, threading.get_ident())

    progress: list[tuple[object, int]] = []
    op = run_op(None, work, done, on_progress=lambda v: progress.append((v, threading.get_ident())))
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert seen["worker"] != gui
    assert seen["done"] == (42, gui)
    assert [v for v, _ in progress] == [0, 1, 2] and {t for _, t in progress} == {gui}
    assert running_ops() == 0


def test_errors_arrive_in_the_gui_thread(qtbot) -> None:  # type: ignore[no-untyped-def]
    errors: list[BaseException] = []
    op = run_op(None, lambda _ctx: 1 / 0, lambda _v: pytest.fail("no result expected"), errors.append)
    with qtbot.waitSignal(op.finished, timeout=5000):
        pass
    assert isinstance(errors[0], ZeroDivisionError)


def test_cancel_is_seen_by_the_worker(qtbot) -> None:  # type: ignore[no-untyped-def]
    started = threading.Event()
    results: list[object] = []

    def work(ctx: OpContext) -> str:
        started.set()
        while not ctx.cancelled:
            ctx.progress("tick")
        raise Cancelled

    op = run_op(None, work, results.append, results.append)
    qtbot.waitUntil(started.is_set, timeout=5000)
    with qtbot.waitSignal(op.finished, timeout=5000):
        op.cancel()
    assert results == []  # a cancelled op reports to nobody


def test_serial_pool_runs_in_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    owner = QObject()
    pool = serial_pool(owner, "test")
    order: list[int] = []
    ops = [run_op(owner, lambda _ctx, n=n: n, order.append, pool=pool) for n in range(20)]
    qtbot.waitUntil(lambda: all(op.is_finished for op in ops), timeout=5000)
    assert order == list(range(20))
    pool.waitForDone()
