"""The document dump every engine indexes: one JSON line per paper, the fields Lectern indexed plus the year."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TypedDict


class BenchDoc(TypedDict):
    """One paper as every engine indexes it: ``paper_document(paper).fields`` (whatever they are now) and the year."""

    pid: int
    year: int | None
    fields: dict[str, str]


def text(doc: BenchDoc, name: str) -> str:
    return doc["fields"].get(name, "")


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
