"""Share, join and unshare a team library from the window, against the real throwaway cluster."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from psycopg import sql
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.core import sync_ops, team_server
from desktop_app.core.library import Library
from desktop_app.core.sync_state import is_shared
from desktop_app.gui import library_windows
from desktop_app.gui.ops import running_ops
from desktop_app.gui.team_dialogs import JoinDialog, ShareDialog, TeamDialog
from desktop_app.gui.window import MainWindow
from tests.gui.conftest import WAIT_MS, opened_urls, temporary_settings, wait_idle  # noqa: F401  (autouse fixtures)
from tests.sync.helpers import seed
from tests.sync.pgcluster import Cluster

SHOTS = Path(os.environ.get("LECTERN_SHOTS", "/tmp/syncgui17"))
PASSWORD_USER = "dana"


@pytest.fixture(scope="module")
def password() -> str:
    return "sesame-" + secrets.token_hex(8)


@pytest.fixture(scope="module")
def password_role(cluster: Cluster, password: str) -> str:
    """``dana``, a member who must give a password (scram-sha-256), unlike the trusted test roles."""
    with cluster.admin() as conn:
        conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {} IN ROLE lectern_member").format(
            sql.Identifier(PASSWORD_USER), sql.Literal(password)))
    hba = cluster.data / "pg_hba.conf"
    hba.write_text(f"host all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    with cluster.admin() as conn:
        conn.execute("SELECT pg_reload_conf()")
    return PASSWORD_USER


@pytest.fixture
def dana_database(cluster: Cluster, database: str, password_role: str) -> str:
    with cluster.admin() as conn:
        conn.execute(sql.SQL("ALTER DATABASE {} OWNER TO {}").format(sql.Identifier(database),
                                                                     sql.Identifier(password_role)))
    return database


@pytest.fixture
def windows(qtbot) -> Iterator[list[MainWindow]]:  # type: ignore[no-untyped-def]
    opened: list[MainWindow] = []
    yield opened
    for window in [*opened, *library_windows.open_windows()]:
        window.close()
    qtbot.waitUntil(lambda: running_ops() == 0, timeout=WAIT_MS)
    qtbot.waitUntil(lambda: not library_windows.open_windows(), timeout=WAIT_MS)
    for window in opened:
        window.library.close()


def _window(qtbot, windows: list[MainWindow], library: Library) -> MainWindow:  # type: ignore[no-untyped-def]
    window = MainWindow(library)
    qtbot.addWidget(window)
    window.resize(1280, 800)
    window.show()
    windows.append(window)
    wait_idle(qtbot, window)
    return window


def _fill_host(dialog: TeamDialog, cluster: Cluster, database: str, user: str, *, sslmode: str = "require",
               ca: Path | None = None, password: str = "") -> None:
    form = dialog.form
    form.mode.setCurrentIndex(0)
    form.host.setText("127.0.0.1")
    form.port.setText(str(cluster.port))
    form.dbname.setText(database)
    form.user.setText(user)
    form.sslrootcert.setText(str(ca) if ca else "")
    form.sslmode.setCurrentIndex(form.sslmode.findData(sslmode))
    form.password.setText(password)


def _status_after(qtbot, dialog: TeamDialog, click) -> str:  # type: ignore[no-untyped-def]
    click()
    assert dialog.busy
    qtbot.waitUntil(lambda: not dialog.busy, timeout=WAIT_MS)
    return dialog.status.text()


def _files_containing(folder: Path, secret: str) -> list[Path]:
    return [path for path in folder.rglob("*") if path.is_file() and secret.encode() in path.read_bytes()]


def test_share_from_the_window_with_a_session_password_that_is_never_saved(
        qtbot, tmp_path: Path, cluster: Cluster, dana_database: str, password: str,  # type: ignore[no-untyped-def]
        windows: list[MainWindow], temporary_settings: Path) -> None:  # noqa: F811
    library = seed(tmp_path / "dana", 5)
    window = _window(qtbot, windows, library)
    team = window.team
    assert window.sync_panel is None
    assert team.share_action.isEnabled() and not team.unshare_action.isEnabled()
    assert not team.sync_action.isEnabled()

    team.share_action.trigger()
    dialog = team.dialog
    assert isinstance(dialog, ShareDialog) and dialog.isVisible()
    _fill_host(dialog, cluster, dana_database, "dana", sslmode="verify-full", ca=cluster.ca, password="wrong")
    assert "signed by your CA and name this host" in dialog.form.tls_help.text()

    error = _status_after(qtbot, dialog, dialog.action_button.click)
    assert error == 'Wrong password for user "dana" (or a wrong user name).'
    assert dialog.isVisible() and not is_shared(library)

    dialog.form.password.setText(password)
    found = _status_after(qtbot, dialog, dialog.test_button.click)
    assert found == "Connected as dana (member) over TLS; the database holds no shared library yet."
    SHOTS.mkdir(parents=True, exist_ok=True)
    dialog.grab().save(str(SHOTS / "share-dialog-tested.png"))

    said: list[str] = []
    say = dialog.say

    def record(text: str, *, error: bool = False, good: bool = False) -> None:
        said.append(text)
        say(text, error=error, good=good)

    dialog.say = record  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.shared, timeout=WAIT_MS):
        dialog.action_button.click()
    assert is_shared(library)
    assert said[0] == f"Connecting to dana@127.0.0.1:{cluster.port}/{dana_database}…"
    assert f"Sending 5 papers to dana@127.0.0.1:{cluster.port}/{dana_database}…" in said
    panel = window.sync_panel
    assert panel is not None
    # The sync loop reconnects with the password kept in memory: it reaches "Synced", not "Offline".
    qtbot.waitUntil(lambda: panel.text() == "Synced" and sync_ops.status(library).last_sync is not None,
                    timeout=WAIT_MS)
    assert sync_ops.status(library).last_error is None
    assert f"Shared library: dana@127.0.0.1:{cluster.port}/{dana_database}" in panel.toolTip()
    assert "Your role: dana (member)" in panel.toolTip()
    assert not team.share_action.isEnabled() and team.unshare_action.isEnabled() and team.sync_action.isEnabled()

    window.apply_changes(library.update_paper("key1", title="Edited after sharing"))
    qtbot.waitUntil(lambda: panel.text() == "Synced" and sync_ops.status(library).waiting == 0, timeout=WAIT_MS)
    with cluster.admin(dana_database) as conn:
        titles = [row[0] for row in conn.execute("SELECT value #>> '{}' FROM fields WHERE field = 'title'")]
    assert "Edited after sharing" in titles and len(titles) == 5

    window.save_settings()
    saved = temporary_settings.rglob("*.ini")
    assert any(dana_database in path.read_text() for path in saved)  # the server is remembered...
    assert _files_containing(temporary_settings, password) == []  # ...its password is not
    assert _files_containing(library.directory, password) == []
    assert password not in (sync_ops.status(library).server + str(library.directory))


def test_join_from_the_window_opens_the_replica_in_its_own_window(
        qtbot, tmp_path: Path, cluster: Cluster, database: str,  # type: ignore[no-untyped-def]
        windows: list[MainWindow]) -> None:
    alice = seed(tmp_path / "alice", 6)
    sync_ops.share(alice, cluster.conninfo(database, "alice"))
    mine = Library.open(tmp_path / "bob-own")
    window = _window(qtbot, windows, mine)
    assert window.team.join_action.isEnabled()
    dialog = window.team.join()
    assert isinstance(dialog, JoinDialog)
    target = tmp_path / "bob-team"
    dialog.folder.setText(str(target))
    dialog.form.mode.setCurrentIndex(1)
    dialog.form.url.setText(f"postgresql://bob@127.0.0.1:{cluster.port}/{database}")
    dialog.form.sslmode.setCurrentIndex(dialog.form.sslmode.findData("require"))
    assert _status_after(qtbot, dialog, dialog.test_button.click) == (
        "Connected as bob (member) over TLS; the database holds a shared library of 6 papers.")

    dialog.action_button.click()
    qtbot.waitUntil(lambda: len(library_windows.open_windows()) == 1, timeout=WAIT_MS)
    joined = library_windows.open_windows()[0]
    assert isinstance(joined, MainWindow) and joined is not window
    assert joined.library.directory == target and joined.isVisible()
    wait_idle(qtbot, joined)
    assert joined.table_model.rowCount() == 6
    assert sorted(p.title for p in joined.library.papers(joined.library.all_ids())) == sorted(
        p.title for p in alice.papers(alice.all_ids()))
    assert joined.sync_panel is not None
    qtbot.waitUntil(lambda: joined.sync_panel is not None and joined.sync_panel.text() == "Synced",
                    timeout=WAIT_MS)
    assert window.library is mine and mine.count() == 0  # the first window keeps its own library

    alice.update_paper("key2", title="Seen in the joined window")
    sync_ops.sync_once(alice)
    qtbot.waitUntil(lambda: joined.library.paper("key2").title == "Seen in the joined window", timeout=WAIT_MS)

    joined.close()
    qtbot.waitUntil(lambda: not library_windows.open_windows(), timeout=WAIT_MS)
    again = Library.open(target)  # the joined window let go of its library when it closed
    assert again.count() == 6 and is_shared(again)
    again.close()
    alice.close()


def test_join_refuses_a_database_without_a_library_and_a_folder_with_other_files(
        qtbot, tmp_path: Path, cluster: Cluster, database: str,  # type: ignore[no-untyped-def]
        windows: list[MainWindow]) -> None:
    window = _window(qtbot, windows, Library.open(tmp_path / "own"))
    dialog = window.team.join()
    busy_folder = tmp_path / "papers"
    busy_folder.mkdir()
    (busy_folder / "thesis.pdf").write_bytes(b"%PDF-1.4")
    dialog.folder.setText(str(busy_folder))
    _fill_host(dialog, cluster, database, "bob")
    dialog.action_button.click()
    assert not dialog.busy
    assert dialog.status.text() == f"{busy_folder} holds other files: choose a new, empty folder."

    target = tmp_path / "new"
    dialog.folder.setText(str(target))
    assert _status_after(qtbot, dialog, dialog.action_button.click) == (
        "That database holds no shared library yet: someone shares one there first.")
    assert not target.exists() and not library_windows.open_windows()


def test_connection_errors_are_one_clear_line(qtbot, tmp_path: Path, cluster: Cluster,  # type: ignore[no-untyped-def]
                                             database: str, windows: list[MainWindow]) -> None:
    window = _window(qtbot, windows, seed(tmp_path / "lib", 2))
    dialog = window.team.share()
    form = dialog.form
    form.mode.setCurrentIndex(1)
    form.url.setText(f"host=wrong.example hostaddr=127.0.0.1 port={cluster.port} dbname={database} user=alice")
    form.sslrootcert.setText(str(cluster.ca))
    form.sslmode.setCurrentIndex(form.sslmode.findData("verify-full"))
    mismatch = _status_after(qtbot, dialog, dialog.test_button.click)
    assert mismatch.startswith("Certificate mismatch: the server's certificate is for ")
    assert mismatch.endswith('not "wrong.example".')

    form.mode.setCurrentIndex(0)
    _fill_host(dialog, cluster, database, "alice", sslmode="require")
    form.port.setText("1")
    assert _status_after(qtbot, dialog, dialog.test_button.click) == (
        "Cannot reach 127.0.0.1 port 1: nothing answers there (is the server running, is the port right?).")
    form.port.setText("port")
    dialog.test_button.click()
    assert dialog.status.text() == "The port must be a number from 1 to 65535, not 'port'."
    form.port.setText(str(cluster.port))
    form.dbname.setText("no_such_db")
    assert _status_after(qtbot, dialog, dialog.action_button.click) == 'The server has no database "no_such_db".'
    assert "\n" not in dialog.status.text() and not is_shared(window.library)
    dialog.reject()


def test_unshare_from_the_window_keeps_a_plain_local_library(
        qtbot, tmp_path: Path, cluster: Cluster, database: str,  # type: ignore[no-untyped-def]
        windows: list[MainWindow]) -> None:
    library = seed(tmp_path / "alice", 4)
    sync_ops.share(library, cluster.conninfo(database, "alice"))
    window = _window(qtbot, windows, library)
    panel = window.sync_panel
    assert panel is not None
    qtbot.waitUntil(lambda: "Your role: alice (member)" in panel.toolTip(), timeout=WAIT_MS)
    assert window.team.unshare_action.isEnabled() and not window.team.share_action.isEnabled()

    window.team.unshare_action.trigger()
    box = window.team.unshare_box
    assert box is not None and box.isVisible()
    assert f"alice@127.0.0.1:{cluster.port}/{database}" in box.text()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    QApplication.processEvents()
    assert is_shared(library) and window.sync_panel is panel

    window.team.unshare_action.trigger()
    box = window.team.unshare_box
    assert box is not None
    next(b for b in box.buttons() if b.text() == "Unshare").click()
    qtbot.waitUntil(lambda: window.sync_panel is None, timeout=WAIT_MS)
    assert not is_shared(library) and library.count() == 4
    assert window.team.share_action.isEnabled() and not window.team.unshare_action.isEnabled()
    window.apply_changes(library.update_paper("key1", title="Only here now"))
    with cluster.admin(database) as conn:
        assert conn.execute("SELECT count(*) FROM fields WHERE value = '\"Only here now\"'").fetchone() == (0,)


def test_a_service_name_and_pgpass_need_no_password_in_lectern(
        qtbot, tmp_path: Path, cluster: Cluster, dana_database: str, password: str,  # type: ignore[no-untyped-def]
        windows: list[MainWindow], monkeypatch: pytest.MonkeyPatch) -> None:
    services = tmp_path / "pg_service.conf"
    services.write_text(f"[team]\nhost=127.0.0.1\nport={cluster.port}\ndbname={dana_database}\nuser=dana\n"
                        "sslmode=require\n")
    passfile = tmp_path / "pgpass"
    passfile.write_text(f"127.0.0.1:{cluster.port}:{dana_database}:dana:{password}\n")
    passfile.chmod(0o600)
    monkeypatch.setenv("PGSERVICEFILE", str(services))
    monkeypatch.setenv("PGPASSFILE", str(passfile))
    window = _window(qtbot, windows, seed(tmp_path / "lib", 3))
    dialog = window.team.share()
    form = dialog.form
    form.mode.setCurrentIndex(2)
    assert not form.host.isVisible() and form.service.isVisible()
    form.service.setText("team")
    form.sslmode.setCurrentIndex(form.sslmode.findData(""))
    assert form.tls_help.text() == "As the connection URL or the service file says."
    assert _status_after(qtbot, dialog, dialog.test_button.click) == (
        "Connected as dana (member) over TLS; the database holds no shared library yet.")
    form.service.setText("elsewhere")
    assert _status_after(qtbot, dialog, dialog.test_button.click) == (
        'No service "elsewhere" in the service file (~/.pg_service.conf).')
    form.service.setText("team")
    with qtbot.waitSignal(dialog.shared, timeout=WAIT_MS):
        dialog.action_button.click()
    panel = window.sync_panel
    assert panel is not None
    qtbot.waitUntil(lambda: panel.text() == "Synced" and "Your role: dana (member)" in panel.toolTip(),
                    timeout=WAIT_MS)
    assert team_server.linked_conninfo(window.library) == "service=team"


def test_a_read_only_window_offers_only_join(qtbot, tmp_path: Path, cluster: Cluster,  # type: ignore[no-untyped-def]
                                            database: str, windows: list[MainWindow]) -> None:
    writer = seed(tmp_path / "alice", 2)
    sync_ops.share(writer, cluster.conninfo(database, "alice"))
    window = _window(qtbot, windows, Library.open(writer.directory, readonly=True))
    team = window.team
    team.update_actions()
    assert window.sync_panel is None  # the writer's process syncs, not a read-only look
    assert not team.share_action.isEnabled() and not team.unshare_action.isEnabled()
    assert not team.sync_action.isEnabled() and team.join_action.isEnabled()
    writer.close()
