"""The Share and Join dialogs of a team library: which server, how TLS is checked, a test connection.

Both ask for the server the same way (``ServerForm``): host and database, a
``postgresql://`` URL or a libpq service name; a TLS mode (``verify-full`` when a
CA certificate is configured); a password for this session only.  The work runs
off the GUI thread (``gui/ops.py``); a failure is one line in the dialog, the
details go to the log.  The server fields are remembered in the UI settings,
the password never is.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings, Qt, QTimer, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.core import team_server
from desktop_app.core.library import Library
from desktop_app.domain.errors import InvalidInputError
from desktop_app.gui import theme
from desktop_app.gui.ops import Op, OpContext, run_op
from desktop_app.gui.settings import ui_settings

log = logging.getLogger(__name__)

MODES = ("Host and database", "Connection URL", "Service name")
SETTINGS_PREFIX = "team/server/"
REMEMBERED = ("mode", "host", "port", "dbname", "user", "url", "service", "sslmode", "sslrootcert")
PASSWORD_HELP = (  # explicit lines: a word-wrapped label makes a form layout leave gaps
    "Lectern never saves a password. Leave this empty and PostgreSQL's client finds it in<br>"
    "<code>~/.pgpass</code> (<code>host:port:database:user:password</code>, mode 0600), in the service<br>"
    "file's <code>passfile</code>, or in <code>PGPASSWORD</code> (a password manager or keyring can keep<br>"
    "those for you). A password typed here is used only until Lectern quits.")


def _muted(label: QLabel) -> QLabel:
    palette = QPalette(label.palette())
    palette.setColor(QPalette.ColorRole.WindowText, theme.muted_color(label.palette()))
    label.setPalette(palette)
    return label


class ServerForm(QWidget):
    """Which PostgreSQL server and database, as the user knows it; ``conninfo()`` has no password."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.mode = QComboBox(self)
        self.mode.setObjectName("serverMode")
        self.mode.addItems(MODES)
        self.host = QLineEdit(self, placeholderText="db.example.org")
        self.port = QLineEdit(self, placeholderText="5432")
        self.port.setMaximumWidth(80)
        self.dbname = QLineEdit(self, placeholderText="team_library")
        self.user = QLineEdit(self, placeholderText="your PostgreSQL user name")
        self.url = QLineEdit(self, placeholderText="postgresql://alice@db.example.org/team_library")
        self.service = QLineEdit(self, placeholderText="a [name] in ~/.pg_service.conf")
        self.sslmode = QComboBox(self)
        self.sslmode.setObjectName("tlsMode")
        self.sslrootcert = QLineEdit(self, placeholderText=f"default: {team_server.default_root_certificate()}")
        browse = QPushButton("Choose…", self)
        browse.clicked.connect(self._choose_certificate)
        self.tls_help = _muted(QLabel(self))
        self.tls_help.setObjectName("tlsHelp")
        self.password = QLineEdit(self, placeholderText="only for this session; empty: use ~/.pgpass")
        self.password.setObjectName("sessionPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        password_help = _muted(QLabel(PASSWORD_HELP, self))
        password_help.setTextFormat(Qt.TextFormat.RichText)

        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.rows = form
        form.addRow("&Connect with:", self.mode)
        host_row = QHBoxLayout()
        host_row.addWidget(self.host, 1)
        host_row.addWidget(QLabel("Port:", self))
        host_row.addWidget(self.port)
        host_label = QLabel("&Host:", self)
        host_label.setBuddy(self.host)
        form.addRow(host_label, host_row)
        form.addRow("&Database:", self.dbname)
        form.addRow("&User:", self.user)
        form.addRow("U&RL:", self.url)
        form.addRow("&Service:", self.service)
        self.mode_rows: tuple[tuple[QWidget, ...], ...] = (  # the rows each way of connecting shows
            (host_label, self.dbname, self.user), (self.url,), (self.service,))
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.sslrootcert, 1)
        ca_row.addWidget(browse)
        ca_label = QLabel("CA c&ertificate:", self)
        ca_label.setBuddy(self.sslrootcert)
        form.addRow(ca_label, ca_row)
        form.addRow("&TLS:", self.sslmode)
        form.addRow("", self.tls_help)
        form.addRow("&Password:", self.password)
        form.addRow("", password_help)

        self.mode.currentIndexChanged.connect(self._mode_changed)
        self.sslmode.currentIndexChanged.connect(self._show_tls_help)
        self.sslrootcert.editingFinished.connect(self._certificate_changed)
        for edit in (self.host, self.port, self.dbname, self.user, self.url, self.service, self.sslrootcert,
                     self.password):
            edit.textChanged.connect(self.changed)
        self.mode.currentIndexChanged.connect(self.changed)
        self.sslmode.currentIndexChanged.connect(self.changed)
        self._fill_tls_modes()
        self._mode_changed()

    # -- TLS -----------------------------------------------------------------------------

    def _fill_tls_modes(self, chosen: str | None = None) -> None:
        modes = list(team_server.TLS_MODES)
        if self.mode.currentIndex() != 0:
            modes.insert(0, "")  # a URL or a service may say it
        self.sslmode.blockSignals(True)
        self.sslmode.clear()
        for mode in modes:
            self.sslmode.addItem(mode or "as the URL or service says", mode)
        wanted = chosen if chosen is not None else team_server.default_tls_mode(self.sslrootcert.text())
        self.sslmode.setCurrentIndex(max(0, modes.index(wanted) if wanted in modes else 0))
        self.sslmode.blockSignals(False)
        self._show_tls_help()

    def _show_tls_help(self) -> None:
        mode = str(self.sslmode.currentData() or "")
        text = team_server.TLS_HELP[mode]
        if mode.startswith("verify") and not team_server.ca_configured(self.sslrootcert.text()):
            text += " No CA certificate is configured: choose one above."
        self.tls_help.setText(text)

    def _certificate_changed(self) -> None:
        if self.sslrootcert.text().strip() and self.sslmode.currentData() in ("require", "prefer"):
            self.sslmode.setCurrentIndex(self.sslmode.findData("verify-full"))
        self._show_tls_help()

    def _choose_certificate(self) -> None:
        path, _filter = QFileDialog.getOpenFileName(self, "CA Certificate", str(Path.home()),
                                                    "Certificates (*.crt *.pem *.cer);;All files (*)")
        if path:
            self.sslrootcert.setText(path)
            self._certificate_changed()

    def _mode_changed(self) -> None:
        chosen = self.mode.currentIndex()
        for mode, rows in enumerate(self.mode_rows):
            for row in rows:
                self.rows.setRowVisible(row, mode == chosen)
        self._fill_tls_modes(str(self.sslmode.currentData() or "") if self.sslmode.count() else None)

    # -- values -------------------------------------------------------------------------

    def conninfo(self) -> str:
        """The connection string (no password); raises ``InvalidInputError`` for a missing field."""
        mode = self.mode.currentIndex()
        return team_server.build_conninfo(
            url=self.url.text() if mode == 1 else "", service=self.service.text() if mode == 2 else "",
            host=self.host.text(), port=self.port.text(), dbname=self.dbname.text(),
            user=self.user.text() if mode == 0 else "", sslmode=str(self.sslmode.currentData() or ""),
            sslrootcert=self.sslrootcert.text())

    def session_password(self) -> str | None:
        return self.password.text() or None

    def values(self) -> dict[str, str]:
        return {"mode": str(self.mode.currentIndex()), "host": self.host.text(), "port": self.port.text(),
                "dbname": self.dbname.text(), "user": self.user.text(), "url": self.url.text(),
                "service": self.service.text(), "sslmode": str(self.sslmode.currentData() or ""),
                "sslrootcert": self.sslrootcert.text()}

    def remember(self, store: QSettings) -> None:
        """Keep the server fields for next time (never the password)."""
        for key, value in self.values().items():
            store.setValue(SETTINGS_PREFIX + key, value)
        store.sync()

    def restore(self, store: QSettings) -> None:
        saved = {key: store.value(SETTINGS_PREFIX + key) for key in REMEMBERED}
        for key, edit in (("host", self.host), ("port", self.port), ("dbname", self.dbname), ("user", self.user),
                          ("url", self.url), ("service", self.service), ("sslrootcert", self.sslrootcert)):
            if isinstance(saved[key], str):
                edit.setText(saved[key])
        mode = saved["mode"]
        if isinstance(mode, str) and mode.isdigit() and int(mode) < len(MODES):
            self.mode.setCurrentIndex(int(mode))
        if isinstance(saved["sslmode"], str):
            self._fill_tls_modes(saved["sslmode"])

    def set_enabled(self, enabled: bool) -> None:
        for child in self.findChildren(QWidget):
            child.setEnabled(enabled)


class TeamDialog(QDialog):
    """A server form, a one-line status, a busy bar, Test Connection and the dialog's own action."""

    action_text = "OK"

    def __init__(self, title: str, intro: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        self.op: Op[Any] | None = None
        layout = QVBoxLayout(self)
        intro_label = QLabel(intro, self)
        intro_label.setWordWrap(True)
        layout.addWidget(intro_label)
        self.form = ServerForm(self)
        self.form.restore(ui_settings())
        layout.addWidget(self.form)
        layout.addStretch(1)
        self.status = QLabel(self)
        self.status.setObjectName("teamStatus")
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(10)
        self.progress.setVisible(False)
        layout.addWidget(self.status)
        layout.addWidget(self.progress)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel, self)
        self.test_button = self.buttons.addButton("&Test Connection", QDialogButtonBox.ButtonRole.ActionRole)
        self.action_button = self.buttons.addButton(self.action_text, QDialogButtonBox.ButtonRole.AcceptRole)
        self.action_button.setDefault(True)
        self.test_button.clicked.connect(self.test_connection)
        self.action_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.form.changed.connect(lambda: self.say(""))
        self.form.mode.currentIndexChanged.connect(lambda: QTimer.singleShot(0, self._fit_height))

    def _fit_height(self) -> None:
        """Shrink to the rows the chosen way of connecting shows (hidden rows leave no gap)."""
        self.resize(self.width(), self.minimumSizeHint().height())

    @property
    def busy(self) -> bool:
        return self.op is not None

    def say(self, text: str, *, error: bool = False, good: bool = False) -> None:
        """One line under the form: an error in the warning colour, a success in green."""
        colour = "#b3261e" if error else "#1b7a3d" if good else ""
        self.status.setStyleSheet(f"QLabel {{ color: {colour}; }}" if colour else "")
        self.status.setText(text)

    def reject(self) -> None:
        if not self.busy:  # the server work finishes first (it cannot be cut off halfway safely)
            super().reject()

    def _conninfo(self) -> str | None:
        try:
            return self.form.conninfo()
        except InvalidInputError as exc:
            self.say(str(exc)[:1].upper() + str(exc)[1:] + ".", error=True)
            return None

    def run(self, first: str, work: Callable[[OpContext], Any], done: Callable[[Any], None]) -> None:
        """Run ``work`` off the GUI thread with the form locked and a busy bar; errors become one line."""
        self.say(first)
        self.form.set_enabled(False)
        self.test_button.setEnabled(False)
        self.action_button.setEnabled(False)
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(False)
        self.progress.setVisible(True)

        def finish() -> None:
            self.op = None
            self.form.set_enabled(True)
            self.test_button.setEnabled(True)
            self.action_button.setEnabled(True)
            self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setEnabled(True)
            self.progress.setVisible(False)

        def succeeded(result: Any) -> None:
            finish()
            done(result)

        def failed(exc: BaseException) -> None:
            finish()
            log.info("%s failed", self.windowTitle(), exc_info=(type(exc), exc, exc.__traceback__))
            self.say(team_server.explain(exc), error=True)

        self.op = run_op(self, work, succeeded, failed, lambda text: self.say(str(text)), label=self.windowTitle())

    def test_connection(self) -> None:
        conninfo = self._conninfo()
        if conninfo is None:
            return
        password = self.form.session_password()
        self.run(f"Connecting to {team_server.describe(conninfo)}…",
                 lambda _ctx: team_server.check(conninfo, password), self._tested)

    def _tested(self, found: team_server.ServerCheck) -> None:
        self.say(found.summary(), good=True)

    def start(self) -> None:
        raise NotImplementedError


class ShareDialog(TeamDialog):
    """File ▸ Team Library ▸ Share This Library…: publish this library to an empty database."""

    action_text = "&Share"
    shared = Signal(object)  # ServerCheck

    def __init__(self, library: Library, share: Callable[[Library, str], object],
                 parent: QWidget | None = None) -> None:
        count = library.count()
        super().__init__(
            "Share This Library",
            f"Publish this library ({count} paper{'s' if count != 1 else ''}) to an empty PostgreSQL database. "
            "Everyone on the team then joins it from their own Lectern and works on a copy that syncs; "
            "yours stays here too.", parent)
        self.setObjectName("shareDialog")
        self.library = library
        self._share = share

    def start(self) -> None:
        conninfo = self._conninfo()
        if conninfo is None:
            return
        password = self.form.session_password()
        count = self.library.count()

        def work(ctx: OpContext) -> team_server.ServerCheck:
            found = team_server.check(conninfo, password)
            team_server.check_can_share(found)
            ctx.progress(f"Sending {count} paper{'s' if count != 1 else ''} to {found.server}…", force=True)
            team_server.keep_password_for_session(conninfo, password)
            try:
                self._share(self.library, conninfo)
            except BaseException:
                team_server.keep_password_for_session(conninfo, None)
                raise
            return found

        self.run(f"Connecting to {team_server.describe(conninfo)}…", work, self._done)

    def _done(self, found: team_server.ServerCheck) -> None:
        self.form.remember(ui_settings())
        self.shared.emit(found)
        self.accept()


class JoinDialog(TeamDialog):
    """File ▸ Team Library ▸ Join a Team Library…: a new folder becomes a replica of a shared library."""

    action_text = "&Join"
    joined = Signal(object)  # the new Library, open

    def __init__(self, join: Callable[[Library, str], object], parent: QWidget | None = None) -> None:
        super().__init__(
            "Join a Team Library",
            "Make a copy of a shared library in a new folder on this computer. It opens in its own window "
            "and syncs with the team while you work, also offline.", parent)
        self.setObjectName("joinDialog")
        self._join = join
        self.folder = QLineEdit(self)
        self.folder.setObjectName("joinFolder")
        self.folder.setText(str(_free_folder(Path.home() / "Lectern Team Library")))
        choose = QPushButton("Choose…", self)
        choose.clicked.connect(self._choose_folder)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        label = QLabel("New &folder:", self)
        label.setBuddy(self.folder)
        self.form.rows.insertRow(0, label, row)
        self.folder.textChanged.connect(lambda: self.say(""))

    def _choose_folder(self) -> None:
        path = QFileDialog.getExistingDirectory(self, "A New, Empty Folder for the Team Library",
                                                str(Path(self.folder.text()).expanduser().parent))
        if path:
            self.folder.setText(path)

    def _target(self) -> Path | None:
        text = self.folder.text().strip()
        if not text:
            self.say("Choose a new, empty folder for the library.", error=True)
            return None
        folder = Path(text).expanduser()
        if folder.exists() and not folder.is_dir():
            self.say(f"{folder} is a file: choose a new, empty folder.", error=True)
            return None
        if folder.is_dir() and any(folder.iterdir()) and not (folder / "library.sqlite").exists():
            self.say(f"{folder} holds other files: choose a new, empty folder.", error=True)
            return None
        return folder

    def start(self) -> None:
        conninfo = self._conninfo()
        folder = self._target()
        if conninfo is None or folder is None:
            return
        password = self.form.session_password()
        existed = folder.exists()
        fresh = not existed or not any(folder.iterdir())

        def work(ctx: OpContext) -> Library:
            found = team_server.check(conninfo, password)
            team_server.check_can_join(found)
            ctx.progress(f"Copying {found.papers} paper{'s' if found.papers != 1 else ''} from {found.server}…",
                         force=True)
            team_server.keep_password_for_session(conninfo, password)
            library = Library.open(folder)
            try:
                self._join(library, conninfo)
            except BaseException:
                library.close()
                team_server.keep_password_for_session(conninfo, None)
                if fresh:  # only what we made there: the folder was new or empty
                    _remove_made(folder, keep_folder=existed)
                raise
            return library

        self.run(f"Connecting to {team_server.describe(conninfo)}…", work, self._done)

    def _done(self, library: Library) -> None:
        self.form.remember(ui_settings())
        self.joined.emit(library)
        self.accept()


def _free_folder(base: Path) -> Path:
    """``base``, or ``base 2``, ``base 3``… : the first that does not exist yet."""
    candidate, number = base, 2
    while candidate.exists():
        candidate = base.with_name(f"{base.name} {number}")
        number += 1
    return candidate


def _remove_made(folder: Path, *, keep_folder: bool) -> None:
    """Take away the library a failed join made in a folder that was new or empty."""
    if not keep_folder:
        shutil.rmtree(folder, ignore_errors=True)
        return
    for child in folder.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
