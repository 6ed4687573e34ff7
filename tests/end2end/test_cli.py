"""The ``lectern`` command-line contract, run as a user runs it: a subprocess per command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import DAILY_PAGE

BIB = r"""@article{vaswani2017attention,
  title = {Attention Is All You Need},
  author = {Vaswani, Ashish and Shazeer, Noam and Parmar, Niki},
  journal = {Advances in Neural Information Processing Systems},
  year = {2017},
  eprint = {1706.03762},
  archivePrefix = {arXiv},
}

@inproceedings{broken2020,
  title = {Unfinished entry,
  author = {Nobody},

@inproceedings{d2020pruning,
  title = {Pruning Neural Networks at Initialization in D{\"u}sseldorf},
  author = {D{\"o}rner, Dietrich},
  booktitle = {ICLR},
  year = {2020},
}
"""


def lectern(library: Path, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LECTERN_LIBRARY": str(library)}
    result = subprocess.run(
        [sys.executable, "-m", "desktop_app", *args],
        input=stdin, capture_output=True, text=True, env=env, timeout=120,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"lectern {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def lib(tmp_path: Path) -> Path:
    return tmp_path / "library"


@pytest.fixture
def bib(tmp_path: Path) -> Path:
    path = tmp_path / "papers.bib"
    path.write_text(BIB, encoding="utf-8")
    return path


def test_import_reports_counts_and_problems_with_lines(lib: Path, bib: Path) -> None:
    result = lectern(lib, "import", str(bib), "--tag", "seed", "--list", "Reading")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("imported 2, merged 0 duplicates, ")
    problem_count = int(lines[0].split(", ")[2].split()[0])
    assert lines[1] == f"{bib}: 3 entries: 2 imported, 0 merged, 1 problem"  # one accounting line per file
    assert problem_count == len(lines) - 2 >= 1
    assert any(line.startswith(f"{bib}:") and line.split(":")[1].isdigit() for line in lines[2:])
    again = lectern(lib, "import", str(bib))
    assert again.stdout.startswith("imported 0, merged 2 duplicates")


def test_unreadable_file_exits_1_and_changes_nothing(lib: Path, bib: Path, tmp_path: Path) -> None:
    lectern(lib, "import", str(bib))
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 50)
    result = lectern(lib, "import", str(junk), str(tmp_path / "missing.bib"), check=False)
    assert result.returncode == 1
    assert "imported 0" in result.stdout and "junk.bin" in result.stdout and "missing.bib" in result.stdout
    stats = json.loads(lectern(lib, "stats", "--json").stdout)
    assert stats["papers"] == 2


def test_search_json_contract(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    hits = json.loads(lectern(lib, "search", "Dusseldorf", "--json").stdout)
    assert [h["citekey"] for h in hits] == ["d2020pruning"]
    hit = hits[0]
    assert set(hit) == {"id", "citekey", "title", "authors", "year", "score", "snippet"}
    assert hit["authors"] == ["Dietrich Dörner"] and hit["year"] == 2020
    assert "<b>Düsseldorf</b>" in hit["snippet"]
    assert json.loads(lectern(lib, "search", "year:2017..2018", "--json").stdout)[0]["citekey"] == "vaswani2017attention"


def test_bad_query_is_one_line_not_a_traceback(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    result = lectern(lib, "search", "year:2024..2020", check=False)
    assert result.returncode == 1
    assert result.stderr.strip().startswith("lectern: error:") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_show_by_id_and_key(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    shown = json.loads(lectern(lib, "show", "vaswani2017attention", "--json").stdout)
    assert shown["arxiv_id"] == "1706.03762" and shown["authors"][0]["family"] == "Vaswani"
    by_id = json.loads(lectern(lib, "show", str(shown["id"]), "--json").stdout)
    assert by_id["citekey"] == "vaswani2017attention"
    missing = lectern(lib, "show", "nosuchkey", check=False)
    assert missing.returncode == 1 and "no paper" in missing.stderr


def test_tags_lists_status_notes_round_trip(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    lectern(lib, "tag", "add", "transformers", "vaswani2017attention", "d2020pruning")
    lectern(lib, "tag", "remove", "transformers", "d2020pruning")
    lectern(lib, "tag", "rename", "transformers", "attention")
    assert json.loads(lectern(lib, "tag", "list", "--json").stdout) == [{"name": "attention", "count": 1}]

    lectern(lib, "list", "create", "Thesis")
    lectern(lib, "list", "add", "Thesis", "vaswani2017attention", "d2020pruning")
    lectern(lib, "list", "move", "Thesis", "d2020pruning", "1")
    lectern(lib, "status", "d2020pruning", "read")
    shown = json.loads(lectern(lib, "list", "show", "Thesis", "--json").stdout)
    assert [p["citekey"] for p in shown["papers"]] == ["d2020pruning", "vaswani2017attention"]
    assert (shown["count"], shown["read"]) == (2, 1)
    assert json.loads(lectern(lib, "list", "all", "--json").stdout) == [{"name": "Thesis", "count": 2, "read": 1}]

    lectern(lib, "note", "set", "vaswani2017attention", stdin="Multi-head *attention* explained.\n")
    assert "Multi-head" in lectern(lib, "note", "show", "vaswani2017attention").stdout
    assert [h["citekey"] for h in json.loads(lectern(lib, "search", "note:multi-head", "--json").stdout)] == ["vaswani2017attention"]
    assert [h["citekey"] for h in json.loads(lectern(lib, "search", "tag:attention AND status:unread", "--json").stdout)] == ["vaswani2017attention"]

    lectern(lib, "list", "remove", "Thesis", "vaswani2017attention")
    lectern(lib, "list", "delete", "Thesis")
    assert json.loads(lectern(lib, "list", "all", "--json").stdout) == []


def test_note_from_file(lib: Path, bib: Path, tmp_path: Path) -> None:
    lectern(lib, "import", str(bib))
    note = tmp_path / "note.md"
    note.write_text("# Heading\n\nSee https://arxiv.org/abs/1706.03762\n", encoding="utf-8")
    lectern(lib, "note", "set", "d2020pruning", "--file", str(note))
    assert lectern(lib, "note", "show", "d2020pruning").stdout.startswith("# Heading")


def test_export_formats_and_scopes(lib: Path, bib: Path, tmp_path: Path) -> None:
    lectern(lib, "import", str(bib))
    lectern(lib, "tag", "add", "x", "d2020pruning")
    out = tmp_path / "out.bib"
    lectern(lib, "export", "--all", "--format", "bibtex", "-o", str(out))
    text = out.read_text(encoding="utf-8")
    assert text.count("@") == 2 and "D{\\\"o}rner" in text
    tagged = lectern(lib, "export", "--tag", "x", "--format", "biblatex").stdout
    assert tagged.count("@") == 1 and "Dörner" in tagged
    queried = lectern(lib, "export", "--query", "attention", "--format", "csljson").stdout
    assert [item["id"] for item in json.loads(queried)] == ["vaswani2017attention"]
    ris = lectern(lib, "export", "--all", "--format", "ris").stdout
    assert ris.count("ER  -") == 2


def test_related_reindex_check_stats(lib: Path) -> None:
    lectern(lib, "import", str(DAILY_PAGE))
    stats = json.loads(lectern(lib, "stats", "--json").stdout)
    assert stats["papers"] == 108 and stats["pending_index"] == 0
    hits = json.loads(lectern(lib, "search", "pruning", "--json", "--limit", "5").stdout)
    assert hits
    related = json.loads(lectern(lib, "related", hits[0]["citekey"], "--json", "--limit", "3").stdout)
    assert len(related) == 3 and hits[0]["id"] not in [r["id"] for r in related]
    assert "reindexed 108" in lectern(lib, "reindex").stdout
    assert "library is consistent: 108 papers, 108 indexed" in lectern(lib, "check").stdout


def test_second_writer_is_refused_while_readers_still_work(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    with subprocess.Popen(
        [sys.executable, "-c",
         "import sys; from desktop_app.core.library import Library; "
         f"lib = Library.open({str(lib)!r}); print('locked', flush=True); sys.stdin.readline()"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    ) as holder:
        assert holder.stdout is not None and holder.stdin is not None
        assert holder.stdout.readline().strip() == "locked"
        refused = lectern(lib, "tag", "add", "x", "d2020pruning", check=False)
        assert refused.returncode == 1
        assert "in use by another Lectern process" in refused.stderr
        assert len(refused.stderr.strip().splitlines()) == 1
        assert json.loads(lectern(lib, "search", "pruning", "--json").stdout)[0]["citekey"] == "d2020pruning"
        holder.stdin.close()
        holder.wait(timeout=30)
    lectern(lib, "tag", "add", "x", "d2020pruning")


def test_library_flag_beats_environment(tmp_path: Path, bib: Path) -> None:
    env_lib, flag_lib = tmp_path / "env", tmp_path / "flag"
    lectern(env_lib, "--library", str(flag_lib), "import", str(bib))
    assert (flag_lib / "library.sqlite").exists() and not env_lib.exists()


def test_backup_and_restore_commands(lib: Path, bib: Path) -> None:
    lectern(lib, "import", str(bib))
    backup_line = lectern(lib, "backup").stdout.strip()
    backup = Path(backup_line.removeprefix("backed up to "))
    assert backup.exists()
    lectern(lib, "tag", "add", "later", "d2020pruning")
    lectern(lib, "restore", str(backup))
    assert json.loads(lectern(lib, "tag", "list", "--json").stdout) == []
    assert json.loads(lectern(lib, "stats", "--json").stdout)["papers"] == 2
