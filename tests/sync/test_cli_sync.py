"""``lectern share|join|sync|conflicts|unshare`` through the command line entry point."""

from __future__ import annotations

import io
import json
from pathlib import Path

from desktop_app.cli import run
from tests.sync.helpers import seed
from tests.sync.pgcluster import Cluster


def lectern(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def test_share_join_sync_conflicts_and_unshare(tmp_path: Path, cluster: Cluster, database: str) -> None:
    seed(tmp_path / "a", 3).close()
    a, b = ["--library", str(tmp_path / "a")], ["--library", str(tmp_path / "b")]
    code, out, err = lectern(*a, "share", cluster.conninfo(database, "alice").replace("alice@", "alice:pw@"))
    assert code == 0 and "shared 3 papers" in out
    assert "not saved" in err and "pw" not in out + err
    code, out, _ = lectern(*b, "join", cluster.conninfo(database, "bob"))
    assert code == 0 and "3 papers" in out
    code, out, _ = lectern(*b, "search", "number")
    assert code == 0 and "key1" in out

    assert lectern(*a, "status", "key1", "read")[0] == 0
    assert lectern(*b, "status", "key1", "reading")[0] == 0
    assert lectern(*a, "sync")[0] == 0
    code, out, _ = lectern(*b, "sync", "--json")
    assert code == 0 and json.loads(out)["new_conflicts"] == 1
    code, out, _ = lectern(*b, "conflicts", "--json")
    [conflict] = json.loads(out)
    assert (conflict["field"], conflict["kept"], conflict["other"], conflict["by"]) == (
        "status", "read", "reading", "bob")
    code, out, _ = lectern(*b, "sync", "--status")
    assert out.startswith("conflicts:")
    assert lectern(*b, "conflicts", "resolve", str(conflict["id"]), "--take", "other")[0] == 0
    assert lectern(*b, "sync")[0] == 0
    assert lectern(*a, "sync")[0] == 0
    code, out, _ = lectern(*a, "show", "key1", "--json")
    assert json.loads(out)["status"] == "reading"
    assert lectern(*a, "conflicts")[1] == "no conflicts\n"

    code, out, _ = lectern(*b, "unshare")
    assert code == 0 and "plain local library" in out
    code, _, err = lectern(*b, "sync")
    assert code == 1 and err.startswith("lectern: error: ") and "not shared" in err


def test_sync_while_the_server_is_down_is_a_one_line_error(tmp_path: Path, cluster: Cluster,
                                                            database: str) -> None:
    seed(tmp_path / "a", 2).close()
    a = ["--library", str(tmp_path / "a")]
    assert lectern(*a, "share", cluster.conninfo(database, "alice"))[0] == 0
    assert lectern(*a, "status", "key0", "read")[0] == 0
    cluster.stop()
    try:
        code, out, err = lectern(*a, "sync")
        assert code == 1 and out == ""
        assert err.count("\n") == 1 and err.startswith("lectern: error: cannot reach")
        assert "1 changes wait" in err
        code, out, _ = lectern(*a, "sync", "--status")
        assert out.startswith("offline: 1 changes waiting")
    finally:
        cluster.start()
    code, out, _ = lectern(*a, "sync")
    assert code == 0 and "pushed 1" in out
