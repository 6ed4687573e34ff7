"""``lectern delete``, ``lectern trash list|restore|empty`` and ``lectern import DIR``, run as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.end2end.test_cli import BIB, lectern

RIS = """TY  - JOUR
TI  - Deep Residual Learning for Image Recognition
AU  - He, Kaiming
PY  - 2016
ER  -
"""


def test_delete_goes_to_the_trash_and_restores(tmp_path: Path) -> None:
    lib, bib = tmp_path / "library", tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    lectern(lib, "import", str(bib))
    lectern(lib, "list", "create", "Thesis")
    lectern(lib, "list", "add", "Thesis", "vaswani2017attention")
    deleted = lectern(lib, "delete", "vaswani2017attention")
    assert "moved 1 paper to the Trash" in deleted.stdout
    assert "vaswani2017attention" not in lectern(lib, "search", "attention").stdout
    assert "papers: 1" in lectern(lib, "stats").stdout
    listed = json.loads(lectern(lib, "trash", "list", "--json").stdout)
    assert [p["citekey"] for p in listed["papers"]] == ["vaswani2017attention"]
    pid = listed["papers"][0]["id"]
    assert "vaswani2017attention" in lectern(lib, "trash").stdout  # list is the default
    lectern(lib, "trash", "restore", str(pid))
    assert "Attention Is All You Need" in lectern(lib, "search", "attention").stdout
    assert "vaswani2017attention" in lectern(lib, "list", "show", "Thesis").stdout
    assert "the Trash is empty" in lectern(lib, "trash", "list").stdout


def test_trash_restore_list_and_empty(tmp_path: Path) -> None:
    lib, bib = tmp_path / "library", tmp_path / "papers.bib"
    bib.write_text(BIB, encoding="utf-8")
    lectern(lib, "import", str(bib))
    lectern(lib, "list", "create", "Thesis")
    lectern(lib, "list", "delete", "Thesis")
    assert "list 'Thesis' (0 papers" in lectern(lib, "trash", "list").stdout
    lectern(lib, "trash", "restore", "--list", "Thesis")
    assert "Thesis" in lectern(lib, "list", "all").stdout
    lectern(lib, "delete", "vaswani2017attention")
    refused = lectern(lib, "trash", "empty", check=False)
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert "deleted 1 item for good" in lectern(lib, "trash", "empty", "--yes").stdout
    missing = lectern(lib, "trash", "restore", "1", check=False)
    assert missing.returncode == 1 and "not in the Trash: 1" in missing.stderr
    assert "Traceback" not in missing.stderr


def test_import_a_folder_recursively(tmp_path: Path) -> None:
    lib, folder = tmp_path / "library", tmp_path / "refs"
    (folder / "2016" / "deep").mkdir(parents=True)
    (folder / ".git").mkdir()
    (folder / "a.bib").write_text(BIB, encoding="utf-8")
    (folder / "2016" / "deep" / "resnet.ris").write_text(RIS, encoding="utf-8")
    (folder / ".git" / "config.txt").write_text("[core]", encoding="utf-8")
    (folder / "paper.pdf").write_bytes(b"%PDF-1.4")
    result = lectern(lib, "import", str(folder))
    assert result.stdout.startswith("imported 3,")
    assert "Deep Residual Learning" in lectern(lib, "search", "residual").stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    refused = lectern(lib, "import", str(empty), check=False)
    assert refused.returncode == 1 and "no importable files" in refused.stderr
