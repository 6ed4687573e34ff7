"""A cancel token: checked between requests and woken during every wait."""

from __future__ import annotations

import threading


class Cancelled(Exception):
    """The user cancelled; what was done so far stays done."""


class CancelToken:
    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def check(self) -> None:
        if self._event.is_set():
            raise Cancelled("cancelled")

    def sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or raise ``Cancelled`` as soon as the token is cancelled."""
        if (seconds > 0 and self._event.wait(seconds)) or self._event.is_set():
            raise Cancelled("cancelled")
