"""A catch-up loop in a child process: the parent wakes it, it reports progress and idleness.

Both background indexers (the paper index, ``core/indexing.py``; PDF pages,
``core/fulltext.py``) run this way: a child process with its own GIL reads its
queue from SQLite when woken, sends ``("progress", done, pending)``,
``("error", text)`` and ``("idle", wake number)``, and stops when told to or
when the pipe to its parent closes.  The work is derived data, so a killed
child loses nothing: the queue still holds it.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

log = logging.getLogger(__name__)

Report = Callable[[Any], None]  # called with an object that has ``done`` and ``pending``
Cancel = Callable[[], bool]


class ChildWorker:
    """The parent's side: start the child, wake it, wait until it is idle, stop it."""

    def __init__(self, target: Callable[[str, Connection], None], directory: str, *, name: str,
                 daemon: bool, on_progress: Callable[[Any], None] | None,
                 on_error: Callable[[Any], None] | None, progress_type: Callable[..., Any],
                 error_type: Callable[[str], Any], stop_timeout: float, kill_on_timeout: bool) -> None:
        context = multiprocessing.get_context("spawn")
        self._conn, child_conn = context.Pipe()
        self._child_conn = child_conn
        self._process = context.Process(target=target, args=(directory, child_conn), name=name, daemon=daemon)
        self.on_progress = on_progress
        self.on_error = on_error
        self._name = name
        self._progress_type = progress_type
        self._error_type = error_type
        self._stop_timeout = stop_timeout
        self._kill_on_timeout = kill_on_timeout
        self._send_lock = threading.Lock()
        self._wakes = 0
        self._idle = threading.Event()
        self._listener = threading.Thread(target=self._listen, name=f"{name}-listener", daemon=True)

    def start(self) -> None:
        self._process.start()
        self._child_conn.close()
        self._listener.start()
        self.wake()

    def _send(self, message: tuple[str, int]) -> None:
        with self._send_lock:
            try:
                self._conn.send(message)
            except (OSError, ValueError):  # the child is gone; the queue keeps the work
                log.warning("the %s process is not running", self._name)

    def wake(self) -> None:
        with self._send_lock:
            self._wakes += 1
            number = self._wakes
        self._idle.clear()
        self._send(("wake", number))

    def stop(self, timeout: float | None = None) -> None:
        timeout = self._stop_timeout if timeout is None else timeout
        self._send(("stop", 0))
        self._process.join(timeout)
        if self._process.is_alive():  # mid-commit on a huge batch: derived data copes with a kill
            log.warning("the %s process did not stop in %.0f s; ending it", self._name, timeout)
            if self._kill_on_timeout:
                self._process.kill()
            else:
                self._process.terminate()
            self._process.join(5)
        self._conn.close()
        self._listener.join(5)

    def wait_idle(self, timeout: float = 60.0) -> bool:
        """Block until the child has drained its queue after the last wake (tests, shutdown)."""
        return self._idle.wait(timeout)

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    def _listen(self) -> None:
        while True:
            try:
                kind, *values = self._conn.recv()
            except (EOFError, OSError):
                return
            if kind == "progress" and self.on_progress:
                self.on_progress(self._progress_type(*values))
            elif kind == "idle" and values[0] >= self._wakes:
                self._idle.set()
            elif kind == "error":
                log.error("%s failed: %s", self._name, values[0])
                if self.on_error:
                    self.on_error(self._error_type(values[0]))


def serve(conn: Connection, catch_up: Callable[[Report, Cancel], object], *,
          after: Callable[[], object] | None = None, label: str) -> None:
    """The child's side: catch up whenever woken (then ``after`` unless stopping), until told to stop."""
    state = {"stop": False, "latest": 0}

    def take(message: tuple[str, int]) -> None:
        kind, number = message
        if kind == "stop":
            state["stop"] = True
        else:
            state["latest"] = max(state["latest"], number)

    def stopping() -> bool:
        while conn.poll():
            take(conn.recv())
        return bool(state["stop"])

    def report(progress: Any) -> None:
        conn.send(("progress", progress.done, progress.pending))

    try:
        while not state["stop"]:
            take(conn.recv())
            if stopping():
                break
            try:
                catch_up(report, stopping)
                if after is not None and not stopping():
                    after()
            except Exception as exc:  # report and keep serving: the queue still holds the work
                log.exception("%s failed", label)
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            conn.send(("idle", state["latest"]))
    except (EOFError, OSError, BrokenPipeError):
        pass  # the parent went away
