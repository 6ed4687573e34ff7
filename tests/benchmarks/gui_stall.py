"""How long does the Lectern window's event loop stall while it imports, indexes and searches?

Run on purpose (not a test)::

    python tests/benchmarks/gui_stall.py [--corpus DIR] [--query TEXT] [--json OUT.json]

It opens the real window offscreen on a temporary library (and temporary
QSettings), starts a 5 ms heartbeat QTimer on the GUI thread, then:

1. imports every ``.json`` file under ``paperlists`` (12,345 papers) through
   ``MainWindow.import_files`` (the path File > Import takes);
2. waits while the background indexer catches up (the status-bar progress);
3. types a query into the search box one character at a time (QTest key
   clicks, spaced by QTimer) and waits for the results.

It prints the longest gap between heartbeats in each phase (the goal is
< 100 ms), the progress values the bars showed and how long each phase took.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QSettings, Qt, QTimer  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop_app.core.library import Library  # noqa: E402
from desktop_app.gui import runtime  # noqa: E402
from desktop_app.gui.transfers import Transfers  # noqa: E402
from desktop_app.gui.window import MainWindow  # noqa: E402

HEARTBEAT_MS = 5
KEY_INTERVAL_MS = 90
GOAL_MS = 100.0
TIMEOUT_S = 600


@dataclass
class Phase:
    name: str
    started: float = 0.0
    ended: float = 0.0
    max_gap_ms: float = 0.0
    worst: list[tuple[float, float]] = field(default_factory=list)  # (gap ms, seconds into phase)
    beats: int = 0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class StallMeter:
    """A heartbeat on the GUI thread; gaps between beats are event-loop stalls."""

    def __init__(self) -> None:
        self.phase: Phase | None = None
        self.phases: list[Phase] = []
        self._last = time.perf_counter()
        self.timer = QTimer()
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setInterval(HEARTBEAT_MS)
        self.timer.timeout.connect(self._beat)

    def start(self) -> None:
        self._last = time.perf_counter()
        self.timer.start()

    def begin(self, name: str) -> Phase:
        now = time.perf_counter()
        if self.phase is not None:
            self.phase.ended = now
        self.phase = Phase(name, started=now)
        self.phases.append(self.phase)
        self._last = now
        return self.phase

    def end(self) -> None:
        if self.phase is not None:
            self.phase.ended = time.perf_counter()
            self.phase = None

    def _beat(self) -> None:
        now = time.perf_counter()
        gap = (now - self._last) * 1000
        self._last = now
        phase = self.phase
        if phase is None:
            return
        phase.beats += 1
        if gap > phase.max_gap_ms:
            phase.max_gap_ms = gap
        if gap > 40:
            phase.worst.append((round(gap, 1), round(now - phase.started, 2)))


class Watchdog:
    """With ``--trace``: when the heartbeat is late, print what every thread is doing."""

    def __init__(self, meter: StallMeter, threshold_ms: float) -> None:
        self.meter = meter
        self.threshold = threshold_ms / 1000
        self.main = threading.main_thread().ident
        self._stop = threading.Event()
        self.samples: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True, name="stall-watchdog")

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _run(self) -> None:
        reported = 0.0
        while not self._stop.wait(0.01):
            late = time.perf_counter() - self.meter._last
            if late > self.threshold and self.meter._last != reported:
                reported = self.meter._last
                frames = sys._current_frames()
                lines = [f"--- heartbeat {late * 1000:.0f} ms late "
                         f"(phase {self.meter.phase.name if self.meter.phase else '-'})"]
                for ident, frame in frames.items():
                    if ident == threading.get_ident():
                        continue
                    name = next((t.name for t in threading.enumerate() if t.ident == ident), str(ident))
                    stack = traceback.extract_stack(frame)[-6:]
                    lines.append(f"  [{'GUI' if ident == self.main else name}]")
                    lines.extend(f"      {fs.filename.split('/')[-1]}:{fs.lineno} {fs.name}" for fs in stack)
                self.samples.append("\n".join(lines))


SLOT_TIMES: dict[str, list[float]] = {}


def time_gui_methods() -> None:
    """With ``--slots``: record how long the window's GUI-thread handlers take."""
    handlers = {
        MainWindow: ("_view_loaded", "apply_changes", "_update_detail", "_index_progress", "refresh_sidebar",
                     "reload"),
        Transfers: ("show_import_report", "_index_progressed"),
    }
    for owner, names in handlers.items():
        for name in names:
            original = getattr(owner, name)

            def timed(self: object, *args: object, __original=original, __name=name) -> object:  # type: ignore[no-untyped-def]
                start = time.perf_counter()
                try:
                    return __original(self, *args)
                finally:
                    SLOT_TIMES.setdefault(__name, []).append((time.perf_counter() - start) * 1000)

            setattr(owner, name, timed)


class Scenario:
    def __init__(self, window: MainWindow, files: list[Path], query: str, meter: StallMeter,
                 app: QApplication) -> None:
        self.window = window
        self.files = files
        self.query = query
        self.meter = meter
        self.app = app
        self.imported = 0
        self.results = 0
        self._poll = QTimer()
        self._poll.setInterval(100)
        self._typed = 0
        self.first_rows_at: float | None = None

    def start(self) -> None:
        self.meter.start()
        self.meter.begin("idle")
        QTimer.singleShot(300, self._import)

    def _import(self) -> None:
        phase = self.meter.begin("import")
        self.window.importFinished.connect(self._imported)
        self.window.viewLoaded.connect(self._view_loaded)
        op = self.window.import_files(self.files)
        if op is None:
            raise SystemExit("the import did not start")
        self._import_phase = phase

    def _view_loaded(self) -> None:
        if self.first_rows_at is None and self.window.table_model.rowCount() > 0:
            self.first_rows_at = time.perf_counter() - self._import_phase.started

    def _imported(self, outcome: object) -> None:
        self.imported = len(getattr(outcome, "imported", []))
        self.meter.begin("indexing")
        self._poll.timeout.connect(self._check_index)
        self._poll.start()

    def _check_index(self) -> None:
        if self.window.library.pending_index() == 0 and self.window.is_idle():
            self._poll.stop()
            self._poll.timeout.disconnect(self._check_index)
            report = self.window.transfers.last_report
            if report is not None:
                report.close()
            self.meter.begin("typing")
            self.window.search_bar.field.setFocus()
            self._type_next()

    def _type_next(self) -> None:
        if self._typed < len(self.query):
            QTest.keyClicks(self.window.search_bar.field, self.query[self._typed])
            self._typed += 1
            QTimer.singleShot(KEY_INTERVAL_MS, self._type_next)
            return
        self._poll.timeout.connect(self._check_results)
        self._poll.start()

    def _check_results(self) -> None:
        if self.window.query == self.query.strip() and self.window.is_idle():
            self._poll.stop()
            self.results = self.window.table_model.rowCount()
            self.meter.end()
            self.app.quit()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus" / "paperlists")
    parser.add_argument("--query", default="graph neural network pruning")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    parser.add_argument("--slots", action="store_true", help="time the window's GUI-thread handlers")
    parser.add_argument("--trace", type=float, metavar="MS",
                        help="print every thread's stack when the heartbeat is this late")
    args = parser.parse_args(argv)
    if args.slots:
        time_gui_methods()
    files = sorted(args.corpus.rglob("*.json"))
    if not files:
        print(f"no .json files under {args.corpus}", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="lectern-stall-") as tmp:
        QSettings.setDefaultFormat(QSettings.Format.IniFormat)
        QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(Path(tmp) / "settings"))
        app = QApplication.instance() or QApplication([sys.argv[0]])
        runtime.tune_for_gui()  # as run_gui does
        library = Library.open(Path(tmp) / "library")
        window = MainWindow(library)
        runtime.settle_startup_objects()
        window.persist = False
        window.resize(1400, 900)
        window.show()
        meter = StallMeter()
        scenario = Scenario(window, files, args.query, meter, app)  # type: ignore[arg-type]
        watchdog = Watchdog(meter, args.trace) if args.trace else None
        if watchdog is not None:
            watchdog.start()
        QTimer.singleShot(0, scenario.start)
        QTimer.singleShot(TIMEOUT_S * 1000, lambda: (print("gui_stall: gave up waiting", file=sys.stderr),
                                                     app.exit(3)))
        started = time.perf_counter()
        app.exec()
        total = time.perf_counter() - started
        if watchdog is not None:
            watchdog.stop()
            print("\n".join(watchdog.samples))
        task_values = window.task_strip.values
        index_history = window.monitor.history
        window.close()
        library.close()

    report = {
        "files": len(files),
        "imported": scenario.imported,
        "results": scenario.results,
        "query": args.query,
        "first_rows_after_s": round(scenario.first_rows_at or -1, 2),
        "total_s": round(total, 1),
        "phases": {p.name: {"seconds": round(p.seconds, 2), "max_stall_ms": round(p.max_gap_ms, 1),
                            "beats": p.beats, "stalls_over_40ms": p.worst[:12]} for p in meter.phases},
        "import_progress_values": task_values,
        "index_progress": [f"{d}/{d + p}" for d, p in index_history],
    }
    print(f"files {report['files']}, imported {report['imported']} papers, "
          f"first rows visible after {report['first_rows_after_s']} s, total {report['total_s']} s")
    for name, phase in report["phases"].items():  # type: ignore[union-attr]
        flag = "ok" if phase["max_stall_ms"] < GOAL_MS else "OVER GOAL"
        print(f"  {name:9s} {phase['seconds']:7.2f} s   longest stall {phase['max_stall_ms']:6.1f} ms  {flag}"
              f"   ({len(phase['stalls_over_40ms'])} stalls > 40 ms: {phase['stalls_over_40ms'][:6]})")
    print(f"  import progress bar values: {task_values}")
    print(f"  indexing progress: {', '.join(report['index_progress'][:20])}"  # type: ignore[index]
          f"{' …' if len(index_history) > 20 else ''}")
    print(f"  query {args.query!r}: {scenario.results} results")
    for name, times in sorted(SLOT_TIMES.items()):
        print(f"  slot {name:20s} calls {len(times):5d}  max {max(times):7.1f} ms  total {sum(times):8.1f} ms")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2), encoding="utf-8")
    worst = max(p.max_gap_ms for p in meter.phases if p.name != "idle")
    return 0 if worst < GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
