"""``lectern import`` on damaged files: one accounting line per file, exit 1 only when nothing was read."""

from __future__ import annotations

from pathlib import Path

from tests.end2end.test_cli import lectern


def test_accounting_lines_and_exit_codes(tmp_path: Path) -> None:
    library = tmp_path / "library"
    good = tmp_path / "good.bib"
    good.write_bytes(b"@article{a, title={Clean one}}\n@article{b, title={Bro\x00ken}}\n@misc{empty,\n}\n")
    only_er = tmp_path / "only-er.ris"
    only_er.write_text("ER  - \nER  - \n", encoding="utf-8")
    result = lectern(library, "import", str(good), check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "imported 2, merged 0 duplicates, 2 problems"
    assert lines[1] == f"{good}: 3 entries: 2 imported, 0 merged, 1 problem"
    assert f"{good}:2: removed control character(s) U+0000 from the entry here" in lines
    bad = lectern(library, "import", str(only_er), check=False)
    assert bad.returncode == 1, bad.stdout
    assert f"{only_er}: " in bad.stdout and "Traceback" not in bad.stderr


def test_the_true_problem_count_and_the_first_thousand(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bib"
    junk.write_text("@article{ok, title={Fine}}\n" + "@a{\n" * 1200, encoding="utf-8")
    result = lectern(tmp_path / "library", "import", str(junk), "--no-index")
    lines = result.stdout.splitlines()
    assert lines[0] == "imported 1, merged 0 duplicates, 1200 problems"
    assert lines[1] == f"{junk}: 1201 entries: 1 imported, 0 merged, 1200 problems"
    assert len([line for line in lines if line.startswith(f"{junk}:") and "could not be read" in line]) == 1000
    assert lines[-1] == "... and 200 more problems not listed"
