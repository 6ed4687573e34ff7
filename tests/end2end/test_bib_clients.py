"""Real clients judge the export: a library holding the Daily Papers page and the BibTeX corpus,
exported as BibTeX and as biblatex, goes through ``../shared/tools/check_bib``.

The clients named in ``LECTERN_BIB_CLIENTS`` (default: the ``--minimal`` set that CI installs;
``all`` for every client check_bib knows) run and must report no error and every entry; a
missing one fails the test instead of skipping it.  The tables go to the end of the test log.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from desktop_app.core.library import Library
from desktop_app.formats.entry_types import is_known, original_type
from tests.conftest import CHECK_BIB, DAILY_PAGE

MINIMAL_CLIENTS = "bibtex,biber,pandoc,bibtool"
ALL_CLIENTS = ["biber", "bibtex", "latex", "biblatex", "pandoc", "bibtool", "jabref", "bibclean", "bibutils", "pybtex"]
DIALECTS = ("bibtex", "biblatex")


@pytest.fixture(scope="module")
def exports(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, tuple[Path, int, int]]]:
    """The two exports of one library built from the corpus, with the number of papers and of
    papers whose type no client knows (``@conversation``): issue 11 has biblatex write them
    back, and bibtool's biblatex rules reject exactly those."""
    directory = tmp_path_factory.mktemp("clients")
    with Library.open(directory / "library") as library:
        library.fetch_arxiv = None
        files = [DAILY_PAGE, *sorted((corpus / "bibtex").rglob("*.bib"))]
        library.import_files(files)
        ids = library.ids_for_export()
        unknown = sum(1 for p in library.papers(ids) if not is_known(original_type(p)))
        result = {}
        for dialect in DIALECTS:
            target = directory / f"lectern-{dialect}.bib"
            target.write_text(library.export(ids, dialect), encoding="utf-8")
            result[dialect] = (target, len(ids), unknown)
        yield result


@pytest.mark.clients
@pytest.mark.parametrize("dialect", DIALECTS)
def test_the_clients_load_the_export_without_errors(
        exports: dict[str, tuple[Path, int, int]], dialect: str, ci_report: Callable[[str, str], None]) -> None:
    if not CHECK_BIB.is_file():
        pytest.fail(f"check_bib is missing at {CHECK_BIB}")
    path, papers, kept_unknown_types = exports[dialect]
    env = {**os.environ, "CHECK_BIB_UNICODE_OK": "1"}
    if dialect == "biblatex":
        env["CHECK_BIB_PANDOC_FROM"] = "biblatex"
    wanted = os.environ.get("LECTERN_BIB_CLIENTS", MINIMAL_CLIENTS)
    only = [] if wanted == "all" else ["--only", wanted]
    run = subprocess.run([str(CHECK_BIB), *only, str(path)], capture_output=True, text=True, timeout=1800,
                         env=env, check=False)
    table = (run.stdout + run.stderr).strip()
    ci_report(f"check_bib: {papers} papers exported as {dialect}", table)

    rows = {line.split()[0]: line for line in table.splitlines()[1:] if line.strip()}
    required = ALL_CLIENTS if wanted == "all" else wanted.split(",")
    missing = [c for c in required if c not in rows or " skipped: " in rows[c]]
    assert not missing, f"required BibTeX clients are not installed: {missing} " \
                        f"(run ../shared/tools/install-bib-clients)\n{table}"
    for client, line in rows.items():
        if " entries=" not in line:
            continue
        entries = int(line.split(" entries=")[1].split()[0])
        errors = int(line.split(" errors=")[1].split()[0])
        unknown = kept_unknown_types if (client, dialect) == ("bibtool", "biblatex") else 0
        assert (entries, errors) == (papers - unknown, unknown), \
            f"{client} read {entries} of {papers} entries with {errors} errors:\n{table}"
    if dialect == "bibtex" or not kept_unknown_types:
        assert run.returncode == 0, f"a client reported errors on the {dialect} export:\n{table}"
