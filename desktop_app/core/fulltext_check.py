"""``lectern check`` for PDFs: the full-text index against the ``files`` table.

Two ways they drift apart (a crash between the index commit and the SQLite one, a
file row removed by hand, a restored database): pages indexed for files that no
longer exist, and files whose text was read (or is still to be read) but is not in
the index and not queued.  Repair queues those files: the full-text indexer deletes
the pages of a file that is gone and reads (from the text cache) one that is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from desktop_app.core.library_files import LibraryFiles
from desktop_app.storage import files as store

log = logging.getLogger(__name__)


@dataclass
class FulltextCheck:
    problems: list[str] = field(default_factory=list)
    repaired: list[str] = field(default_factory=list)
    stale: set[int] = field(default_factory=set)  # file ids with pages indexed but no file row
    missing: set[int] = field(default_factory=set)  # file ids with text but no indexed page


def check_fulltext(files: LibraryFiles, *, repair: bool) -> FulltextCheck:
    result = FulltextCheck()
    index = files.index
    if not index.is_open():
        result.problems.append(index.problem() or "the full-text index is not open")
        if repair:
            files.rebuild()
            result.repaired.append("rebuilt the full-text index (text comes back from the text cache)")
        return result
    try:
        indexed = index.indexed_files()
    except Exception as exc:  # a damaged segment shows up here, as for the paper index
        log.warning("full-text index unreadable", exc_info=True)
        result.problems.append(f"the full-text index cannot be read ({type(exc).__name__})")
        if repair:
            files.rebuild()
            result.repaired.append("rebuilt the full-text index (text comes back from the text cache)")
        return result
    conn = files.db.conn
    rows = {int(fid): (status, bool(path)) for fid, status, path in
            conn.execute("SELECT id, text_status, path FROM files")}
    queued = {int(r[0]) for r in conn.execute("SELECT file_id FROM fulltext_queue")}
    result.stale = indexed - rows.keys() - queued
    result.missing = {fid for fid, (status, here) in rows.items()  # a shared file not here has no pages here
                      if here and status in ("ok", "pending") and fid not in indexed and fid not in queued}
    if result.stale:
        result.problems.append(f"{len(result.stale)} files no longer attached still have pages in the full-text index")
    if result.missing:
        result.problems.append(f"{len(result.missing)} attached files have text missing from the full-text index")
    if repair and (result.stale or result.missing):
        with files.db.write() as wconn:
            store.enqueue_text(wconn, sorted(result.stale | result.missing))
        files.wake()
        result.repaired.append(f"queued {len(result.stale | result.missing)} files for the full-text index")
    return result
