"""The document dump every engine indexes: one JSON line per paper, as Lectern indexed it (plus the year)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict


class BenchDoc(TypedDict):
    """One paper as every engine indexes it: Lectern's indexed fields plus the year."""

    pid: int
    title: str
    authors: str
    abstract: str
    keywords: str
    venue: str
    ids: str
    year: int | None


def write_docs(docs: Iterator[BenchDoc], path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for doc in docs:
            handle.write(json.dumps(doc, ensure_ascii=False) + "\n")
            count += 1
    return count


def read_docs(path: Path) -> list[BenchDoc]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
