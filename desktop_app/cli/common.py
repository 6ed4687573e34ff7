"""What every CLI command module shares: the usage error, JSON output, and Ctrl+C as cancel."""

from __future__ import annotations

import json
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from desktop_app.core.vocabulary import CancelToken
from desktop_app.domain.errors import LecternError


class CliError(LecternError):
    """A usage mistake found after parsing (e.g. a missing --file)."""


def print_json(data: Any, out: TextIO) -> None:
    """Write ``data`` as indented UTF-8 JSON and a newline."""
    json.dump(data, out, ensure_ascii=False, indent=2)
    out.write("\n")


@contextmanager
def ctrl_c_cancels() -> Iterator[CancelToken]:
    """A token that Ctrl+C cancels for the length of the block (the work keeps what finished);
    off the main thread, where signals cannot be caught, the token is only cancelled by hand."""
    token = CancelToken()
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGINT, lambda *_: token.cancel())
    try:
        yield token
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
