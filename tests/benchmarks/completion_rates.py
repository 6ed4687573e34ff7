"""How long completing the Daily Papers page takes under the services' real rate limits.

Runs the whole chain against the local fake services (no internet) with the documented
intervals (arXiv 3 s, HF 0.6 s, S2 1 s, Crossref 0.2 s) and reports requests per service,
the wall time, the time spent waiting for the limits, and a second, cached run.

    python -m tests.benchmarks.completion_rates
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from desktop_app.core.library import Library
from tests.conftest import DAILY_PAGE, SHARED
from tests.fakeapi import seed, server


def main() -> None:
    apis = server.FakeApis(SHARED / "fixtures" / "metadata-apis", seed.build(DAILY_PAGE.read_text(encoding="utf-8")))
    with server.running(apis), tempfile.TemporaryDirectory() as tmp, Library.open(Path(tmp) / "lib") as library:
        library.fetch_arxiv = None
        library.import_files([DAILY_PAGE])
        for run in ("first run", "second run (cache)"):
            ids = sorted(library.all_ids()) if run.startswith("second") else library.incomplete_ids()
            with library.metadata_client(base_urls=apis.base_urls, rate_scale=1.0) as client:
                started = time.monotonic()
                report = library.complete_metadata(ids, client=client, dry_run=run.startswith("second"))
                elapsed = time.monotonic() - started
            stats = report.requests
            print(f"{run}: {report.summary()} in {elapsed:.1f} s; requests {stats['requests']}; "
                  f"cache hits {stats['cache_hits']}; waited for rate limits {stats['waited_seconds']} s")


if __name__ == "__main__":
    main()
