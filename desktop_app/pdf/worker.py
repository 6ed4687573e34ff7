"""Extraction in a child process with a per-file time limit.

PDFium is C++: a hostile PDF can crash it or loop forever.  ``PdfWorker``
keeps one child process that extracts file after file; a file that takes
longer than the limit gets the child killed (and a fresh one for the next
file), a file that crashes the child costs only that file.  Either way the
caller gets a problem line, never a hang.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from desktop_app.pdf.extract import PdfProblem, PdfText, check_size, extract

log = logging.getLogger(__name__)

TIME_LIMIT = 30.0  # seconds per file; a 500-page paper takes about 2 s here
MEMORY_LIMIT = 3 * 1024 * 1024 * 1024  # address space of the child: a PDF bomb fails, not the machine

Extractor = Callable[[Path], PdfText]


@dataclass
class Extraction:
    """One file's result: text, or the reason there is none."""

    path: str
    text: PdfText | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.text is not None


class PdfWorker:
    """A reusable extraction child process (``with PdfWorker() as w: w.extract(path)``)."""

    def __init__(self, time_limit: float = TIME_LIMIT, extractor: Extractor = extract) -> None:
        self.time_limit = time_limit
        self._extractor = extractor
        self._context = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._conn: Connection | None = None

    def __enter__(self) -> PdfWorker:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _start(self) -> Connection:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            return self._conn
        self._stop_process()
        parent, child = self._context.Pipe()
        self._process = self._context.Process(target=_child_main, args=(child, self._extractor),
                                              name="lectern-pdf", daemon=True)
        self._process.start()
        child.close()
        self._conn = parent
        return parent

    def extract(self, path: Path | str) -> Extraction:
        path = Path(path)
        try:
            check_size(path)  # before a child reads a 2 GB file into memory
        except PdfProblem as exc:
            return Extraction(str(path), problem=str(exc))
        conn = self._start()
        try:
            conn.send(str(path))
            if not conn.poll(self.time_limit):
                log.warning("PDF extraction of %s timed out after %.0f s", path, self.time_limit)
                self._stop_process()
                return Extraction(str(path), problem=f"gave up reading it after {self.time_limit:g} s")
            kind, value = conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            code = self._process.exitcode if self._process is not None else None
            log.warning("PDF extraction of %s crashed the extraction process (exit %s)", path, code)
            self._stop_process()
            return Extraction(str(path), problem="the PDF reader crashed on this file")
        if kind == "ok":
            return Extraction(str(path), text=value)
        return Extraction(str(path), problem=str(value))

    def _stop_process(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
        process, self._process = self._process, None
        if process is not None:
            if process.is_alive():
                process.kill()
            process.join(5)

    def close(self) -> None:
        if self._conn is not None and self._process is not None and self._process.is_alive():
            try:
                self._conn.send(None)
                self._process.join(2)
            except (OSError, BrokenPipeError):
                pass
        self._stop_process()


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


def _child_main(conn: Connection, extractor: Extractor) -> None:
    _limit_memory()
    while True:
        try:
            path = conn.recv()
        except (EOFError, OSError):
            return
        if path is None:
            return
        try:
            reply: tuple[str, object] = ("ok", extractor(Path(path)))
        except PdfProblem as exc:
            reply = ("problem", str(exc))
        except MemoryError:
            reply = ("problem", "needs more memory than a PDF should (skipped)")
        except Exception as exc:  # anything else PDFium or a broken file raises: that file's problem
            reply = ("problem", f"cannot read the PDF ({type(exc).__name__}: {exc})")
        try:
            conn.send(reply)
        except (OSError, BrokenPipeError):
            return


def extract_one(path: Path | str, time_limit: float = TIME_LIMIT) -> Extraction:
    """Extract a single file in a fresh child process (CLI and GUI one-offs)."""
    with PdfWorker(time_limit) as worker:
        return worker.extract(path)
