"""Interpreter settings that keep the GUI thread responsive while worker threads run Python.

Imports, indexing and searches run on worker threads, but they share one GIL
with the GUI thread.  Every paint, model ``data()`` call and timer slot needs
the GIL; by default a waiting thread may wait 5 ms per hand-over, and under
contention the GUI thread waits for many hand-overs in a row.  A 1 ms switch
interval gives the GIL back to the GUI thread sooner (measured with
``tests/benchmarks/gui_stall.py``).  ``gc.freeze()`` moves the objects built at
start-up (Qt wrappers, modules, schemas) out of the collector's way, so the full
collections that pause every thread scan less.
"""

from __future__ import annotations

import gc
import sys

SWITCH_INTERVAL_S = 0.001


def tune_for_gui() -> float:
    """Call once when the GUI starts (before worker threads get busy); returns the old interval."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    return previous


def restore(previous_interval: float) -> None:
    """Undo ``tune_for_gui`` and ``settle_startup_objects`` (when the window is gone)."""
    sys.setswitchinterval(previous_interval)
    gc.unfreeze()


def settle_startup_objects() -> None:
    """Call once the main window is built: collect, then freeze what survived."""
    gc.collect()
    gc.freeze()
