"""Pictures of the team-library dialogs at 1280x800 against a throwaway cluster (run under xvfb-run).

    xvfb-run -a -s "-screen 0 1280x800x24" .venv/bin/python -m tests.sync.team_screenshots /tmp/shots
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from psycopg import sql
from PySide6.QtCore import QPoint, QSettings
from PySide6.QtWidgets import QApplication, QToolTip

from desktop_app.core.library import Library
from desktop_app.gui import library_windows
from desktop_app.gui.window import MainWindow
from tests.sync.pgcluster import Cluster

CORPUS = Path("/work/shared/corpus/bibtex/bibtexparser/biber-examples.bib")


def _wait(app: QApplication, ready: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise TimeoutError("the picture's state did not come")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()


def _screen(app: QApplication, out: Path) -> None:
    deadline = time.monotonic() + 0.7  # popups and tooltips map a little later
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.02)
    screen = app.primaryScreen()
    screen.grabWindow(0).save(str(out))
    print(out)


def main(out_dir: Path) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    root = Path(tempfile.mkdtemp(prefix="lectern-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # never the user's own settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(root / "settings"))
    pg = Cluster()
    pg.start()
    try:
        with pg.admin() as conn:
            for role in ("lectern_member", "lectern_arbiter"):
                conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
            conn.execute("CREATE ROLE alice LOGIN IN ROLE lectern_member, lectern_arbiter")
            conn.execute("CREATE ROLE bob LOGIN IN ROLE lectern_member")
            conn.execute("CREATE DATABASE team_library OWNER alice")
        library = Library.open(root / "Literature review")
        library.import_text(CORPUS.read_text(), fmt="bibtex")
        window = MainWindow(library)
        window.setGeometry(0, 0, 1280, 800)
        window.show()
        _wait(app, window.is_idle)

        dialog = window.team.share()
        form = dialog.form
        form.mode.setCurrentIndex(0)
        form.host.setText("localhost")
        form.port.setText(str(pg.port))
        form.dbname.setText("team_library")
        form.user.setText("alice")
        form.sslrootcert.setText(str(pg.ca))
        form._certificate_changed()
        form.password.setText("not-the-password")
        dialog.move(window.geometry().center() - QPoint(dialog.width() // 2, dialog.height() // 2 + 60))
        dialog.test_button.click()
        _wait(app, lambda: not dialog.busy)
        _screen(app, out_dir / "share-dialog.png")
        form.port.setText("5999")
        dialog.test_button.click()
        _wait(app, lambda: not dialog.busy)
        _screen(app, out_dir / "share-dialog-error.png")
        form.port.setText(str(pg.port))
        dialog.action_button.click()
        _wait(app, lambda: window.sync_panel is not None and window.sync_panel.text() == "Synced"
              and "Your role" in window.sync_panel.toolTip())
        panel = window.sync_panel
        assert panel is not None
        QToolTip.showText(panel.mapToGlobal(QPoint(-260, -70)), panel.toolTip(), panel)
        _screen(app, out_dir / "sync-status-tooltip.png")
        QToolTip.hideText()
        file_menu = window.commands.file_menu
        file_menu.popup(window.mapToGlobal(QPoint(0, 20)))
        _wait(app, file_menu.isVisible)
        file_menu.setActiveAction(window.team.menu.menuAction())
        window.team.menu.popup(file_menu.geometry().topRight() + QPoint(0, 60))
        _screen(app, out_dir / "team-library-menu.png")
        window.team.menu.hide()
        file_menu.hide()

        box = window.team.unshare()
        _screen(app, out_dir / "unshare-confirm.png")
        box.reject()

        other = Library.open(root / "Bob's own")
        second = MainWindow(other)
        second.setGeometry(0, 0, 1280, 800)
        second.show()
        _wait(app, second.is_idle)
        join = second.team.join()
        join.folder.setText(str(root / "Team Library"))
        join.form.mode.setCurrentIndex(1)
        join.form.url.setText(f"postgresql://bob@localhost:{pg.port}/team_library")
        join.form.sslrootcert.setText(str(pg.ca))
        join.form._certificate_changed()
        join.form.sslmode.setCurrentIndex(join.form.sslmode.findData("verify-full"))
        join.test_button.click()
        _wait(app, lambda: not join.busy)
        _screen(app, out_dir / "join-dialog.png")
        join.action_button.click()
        _wait(app, lambda: bool(library_windows.open_windows()))
        joined = library_windows.open_windows()[0]
        joined.setGeometry(0, 0, 1280, 800)
        assert isinstance(joined, MainWindow)
        _wait(app, lambda: joined.is_idle() and joined.sync_panel is not None
              and joined.sync_panel.text() == "Synced")
        _screen(app, out_dir / "joined-window.png")
        for shown in (joined, second, window):
            shown.close()
        _wait(app, lambda: not library_windows.open_windows())
        other.close()
        library.close()
    finally:
        pg.destroy()
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/tmp/lectern-team-shots")))
