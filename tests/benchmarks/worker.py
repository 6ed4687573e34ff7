"""One benchmark phase in a process of its own, so its peak RSS and CPU time are its own.

``python -m tests.benchmarks.worker PHASE SPEC.json RESULT.json``; the
engine's modules are imported only for the phase that needs them.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path

from tests.benchmarks.measure import Stopwatch, peak_rss_mb


def main(argv: list[str]) -> int:
    phase, spec_path, out_path = argv
    spec = json.loads(Path(spec_path).read_text(encoding="utf-8"))
    if phase.startswith("lectern-"):
        from tests.benchmarks.lectern_bench import PHASES
    else:
        from tests.benchmarks.baselines import PHASES
    clock = Stopwatch()
    result = PHASES[phase](spec)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    result["process"] = {
        "wall_s": clock.wall(), "cpu_s": clock.cpu(), "peak_rss_mb": peak_rss_mb(),
        "children_cpu_s": children.ru_utime + children.ru_stime, "children_peak_rss_mb": children.ru_maxrss / 1024,
        "desktop_app": sys.modules["desktop_app"].__file__ if "desktop_app" in sys.modules else "",
    }
    Path(out_path).write_text(json.dumps(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
