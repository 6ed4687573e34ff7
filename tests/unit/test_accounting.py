"""Every entry of every corpus file is accounted for: imported, merged, or reported as a problem.

The number of entries comes from a plain scan of each file, not from the
parsers: ``@type{`` (``(``) for BibTeX other than ``@comment``/``@string``/
``@preamble`` and the ``@xdata`` field containers, ``TY`` lines (and records
closed by ``ER`` without one) for RIS, ``PT`` lines for Web of Science,
top-level array items for JSON, ``<entry>`` tags for Atom.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core.importing import FileAccount, ImportOutcome
from desktop_app.core.library import Library
from desktop_app.formats.encoding import decode_bytes

_BIB_ENTRY = re.compile(r"(?<!\\)@[ \t]*([A-Za-z][\w-]*)[ \t]*[{(]")
_NOT_ENTRIES = frozenset({"comment", "string", "preamble", "xdata"})
_ATOM_ENTRY = re.compile(r"<(?:atom:)?entry[\s>]")
IMPORTABLE = (".bib", ".ris", ".json", ".atom", ".xml")


def scan_bib(text: str) -> int:
    return sum(1 for m in _BIB_ENTRY.finditer(text) if m.group(1).lower() not in _NOT_ENTRIES)


def scan_ris(text: str) -> int:
    text = text.lstrip("\ufeff")
    if text.startswith("FN "):
        return len(re.findall(r"^PT ", text, re.M))
    count, open_record = 0, False
    for line in text.split("\n"):
        line = line.lstrip("\ufeff").strip()
        if line.startswith("TY  -"):
            count, open_record = count + 1, True
        elif line.startswith("ER  -"):
            count += not open_record
            open_record = False
    return count


def scan_json(text: str) -> int:
    value = json.loads(text)
    return len(value) if isinstance(value, list) else 1


def scan_atom(text: str) -> int:
    return len(_ATOM_ENTRY.findall(text))


SCANNERS: dict[str, Callable[[str], int]] = {
    ".bib": scan_bib, ".ris": scan_ris, ".json": scan_json, ".atom": scan_atom, ".xml": scan_atom,
}


def entries_in(path: Path) -> int:
    text, _ = decode_bytes(path.read_bytes())
    return SCANNERS[path.suffix.lower()](text)


def test_the_plain_scan_counts_what_a_reader_would() -> None:
    assert scan_bib("@comment{x}\n@string{a = {b}}\n@preamble{\"\\@ifundefined{url}\"}\n"
                    "@Article{k, title={T}}\n@xdata{d, note={n}}\n@commented{c, title={C}}") == 2
    assert scan_ris("TY  - JOUR\nTI  - A\nER  - \nTI  - no type\nER  - \nTY  - BOOK\n") == 3
    assert scan_json('[{"title": "a"}, 1, {"title": "b"}]') == 3
    assert scan_atom("<feed><entry><id>1</id></entry><entry>\n</entry></feed>") == 2


@pytest.fixture(scope="module")
def corpus_import(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ImportOutcome]:
    files = sorted(p for p in corpus.rglob("*") if p.suffix.lower() in IMPORTABLE)
    with Library.open(tmp_path_factory.mktemp("accounting") / "lib") as library:
        yield library.import_files(files)


def test_every_corpus_file_accounts_for_every_entry(corpus_import: ImportOutcome,
                                                    ci_report: Callable[[str, str], None]) -> None:
    assert len(corpus_import.files) >= 330
    wrong: list[tuple[int, FileAccount]] = []
    totals = [0, 0, 0, 0]
    for account in corpus_import.files:
        found = entries_in(Path(account.source))
        if found != account.imported + account.merged + account.problems or not account.balanced:
            wrong.append((found, account))
        for index, number in enumerate((found, account.imported, account.merged, account.problems)):
            totals[index] += number
    assert wrong == []
    found, imported, merged, problems = totals
    assert found == imported + merged + problems
    ci_report("Entry accounting over the corpus",
              f"{len(corpus_import.files)} files, {found} entries found: {imported} imported, "
              f"{merged} merged, {problems} reported as problems "
              f"({corpus_import.problem_count} problems in all)")


def test_an_unreadable_file_holds_no_entry(corpus_import: ImportOutcome) -> None:
    unread = [a for a in corpus_import.files if not a.readable]
    assert unread and all(entries_in(Path(a.source)) == 0 for a in unread)
    assert all(a.summary() == "could not be read" for a in unread)


def test_each_file_reports_its_own_line(corpus_import: ImportOutcome) -> None:
    xampl = next(a for a in corpus_import.files if a.source.endswith("/xampl.bib"))
    assert xampl.summary() == (f"{xampl.entries} entries: {xampl.imported} imported, "
                               f"{xampl.merged} merged, {xampl.problems} problem"
                               + ("" if xampl.problems == 1 else "s"))
    assert xampl.entries == entries_in(Path(xampl.source))
