"""``lectern review create --from-file`` (a database's search export), ``review delete`` and ``review rename-reason``."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from desktop_app.core.library import Library
from desktop_app.storage import outbox as box
from tests.end2end.test_review_cli import lectern, library_dir  # noqa: F401 - the fixture

RIS = "".join(f"TY  - JOUR\nTI  - Zinc therapy trial {i}\nAU  - Doe, Jane\nPY  - 201{i}\nER  -\n" for i in range(3))


def test_create_from_a_search_export_remembers_the_database_for_prisma(tmp_path: Path) -> None:
    export = tmp_path / "pubmed-export.ris"
    export.write_text(RIS, encoding="utf-8")
    lib = ["--library", str(tmp_path / "lib")]
    code, out, err = lectern(*lib, "review", "create", "Zinc", "--from-file", str(export), "--database", "PubMed")
    assert code == 0, err
    assert "imported 3, merged 0 duplicates, 0 problems" in out and "created review 'Zinc'" in out
    assert "added 3 record(s) from PubMed (pubmed-export.ris)" in out
    code, out, _ = lectern(*lib, "review", "prisma", "Zinc", "--json")
    assert code == 0 and json.loads(out)["identified"] == [{"source": "PubMed (pubmed-export.ris)", "records": 3}]
    again = tmp_path / "scopus.ris"
    again.write_text(RIS, encoding="utf-8")  # the same three records, found again
    code, out, err = lectern(*lib, "review", "add", "Zinc", "--from-file", str(again), "--database", "Scopus")
    assert code == 0, err
    assert "merged 3 duplicates" in out and "added 0 record(s) from Scopus (scopus.ris)" in out
    counts = json.loads(lectern(*lib, "review", "prisma", "Zinc", "--json")[1])
    assert counts["identified"] == [{"source": "PubMed (pubmed-export.ris)", "records": 3},
                                    {"source": "Scopus (scopus.ris)", "records": 3}]
    assert counts["duplicates_removed"] == 3


def test_create_from_an_unreadable_export_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ris"
    bad.write_text("not an export\n", encoding="utf-8")
    lib = ["--library", str(tmp_path / "lib")]
    code, out, err = lectern(*lib, "review", "create", "Zinc", "--from-file", str(bad))
    assert code == 1 and f"{bad}:1: no RIS records" in out  # the problem, with file and line
    assert err == "lectern: error: bad.ris has no papers: a review needs records\n"
    code, _, err = lectern(*lib, "review", "create", "Zinc", "--from-file", str(tmp_path / "missing.ris"))
    assert code == 1 and err.count("\n") == 1 and "Traceback" not in err
    assert lectern(*lib, "review", "status", "Zinc")[2] == "lectern: error: no review named 'Zinc'\n"
    code, _, err = lectern(*lib, "review", "create", "Zinc", "--database", "PubMed")
    assert code == 1 and "use it with --from-file" in err


def test_delete_needs_yes_and_says_what_is_lost(library_dir: Path) -> None:  # noqa: F811 - the fixture
    lib = ["--library", str(library_dir)]
    assert lectern(*lib, "review", "create", "Zinc", "--from-list", "Hits")[0] == 0
    assert lectern(*lib, "review", "reviewer", "Ada")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "1", "include")[0] == 0
    assert lectern(*lib, "review", "decide", "Zinc", "2", "exclude", "--reviewer", "Grace")[0] == 0
    code, out, err = lectern(*lib, "review", "delete", "Zinc")
    assert code == 1 and out == ""
    assert err == ("lectern: error: deleting review 'Zinc' loses its 2 screening decisions by 2 reviewers for good "
                   "(reviews have no Trash); add --yes to do it\n")
    assert lectern(*lib, "review", "status", "Zinc")[0] == 0  # still there
    code, out, err = lectern(*lib, "review", "delete", "zinc", "--yes")  # names ignore case
    assert code == 0, err
    assert out == "deleted review 'Zinc' and its 2 decisions; its 4 records stay in the library\n"
    assert lectern(*lib, "review", "status", "Zinc")[2] == "lectern: error: no review named 'Zinc'\n"
    code, _, err = lectern(*lib, "review", "delete", "Zinc", "--yes")
    assert code == 1 and err == "lectern: error: no review named 'Zinc'\n"


def test_rename_reason_carries_to_the_decisions(library_dir: Path) -> None:  # noqa: F811 - the fixture
    lib = ["--library", str(library_dir)]
    assert lectern(*lib, "review", "create", "Zinc", "--from-list", "Hits")[0] == 0
    assert lectern(*lib, "review", "reviewer", "Ada")[0] == 0
    assert lectern(*lib, "review", "edit", "Zinc", "--reason", "Wrong outcome", "--reason", "Not a trial")[0] == 0
    for paper in ("1", "2"):
        assert lectern(*lib, "review", "decide", "Zinc", paper, "include")[0] == 0
        assert lectern(*lib, "review", "decide", "Zinc", paper, "exclude", "--reason", "Wrong outcome",
                       "--stage", "full-text")[0] == 0
    code, out, err = lectern(*lib, "review", "rename-reason", "Zinc", "Wrong outcome", "Outcome not measured")
    assert code == 0, err
    assert out == "renamed 'Wrong outcome' to 'Outcome not measured' in review 'Zinc' and in 2 decisions\n"
    counts = json.loads(lectern(*lib, "review", "prisma", "Zinc", "--json")[1])
    assert counts["reports_excluded"] == [{"reason": "Outcome not measured", "reports": 2}]
    code, _, err = lectern(*lib, "review", "rename-reason", "Zinc", "Nope", "X")
    assert code == 1 and err == "lectern: error: 'Nope' is not one of this review's exclusion reasons\n"
    # now a team library: the note says what does not travel
    with Library.open(library_dir) as library, library.db.write() as conn:
        box.assign_missing_keys(conn, lambda: str(uuid.uuid4()))
        box.create_link(conn, "postgresql://u@h/db", "client", 7)
    code, out, err = lectern(*lib, "review", "rename-reason", "Zinc", "Not a trial", "Not an RCT")
    assert code == 0 and out.endswith("and in 0 decisions\n")
    assert err == ("lectern: note: the team gets the new list at the next sync; decisions other members hold "
                   "keep the old name\n")
