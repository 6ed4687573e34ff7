"""One window per library: a second start brings the running window forward instead.

The window that has a library open for writing listens on a local socket named
after the library (and the user); a second ``lectern`` for the same library
connects, asks it to come forward, and exits.  When nobody answers (the
library is held by a CLI command, or by a window of an older version), the
second start asks whether to open the library read-only.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QMessageBox, QWidget

log = logging.getLogger(__name__)

ACTIVATE = b"activate\n"
ACTIVATED = b"ok\n"
TIMEOUT_MS = 1500


def server_name(directory: Path) -> str:
    """The socket name for one library of one user (short: socket paths have a length limit)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no user name in odd containers
        user = "user"
    digest = hashlib.sha256(f"{user}\0{directory.resolve()}".encode()).hexdigest()[:20]
    return f"lectern-{digest}"


def activate_running(directory: Path, timeout_ms: int = TIMEOUT_MS) -> bool:
    """Ask the window that has ``directory`` open to come forward; True when it answered."""
    socket = QLocalSocket()
    socket.connectToServer(server_name(directory))
    if not socket.waitForConnected(timeout_ms):
        return False
    try:
        socket.write(ACTIVATE)
        if not socket.waitForBytesWritten(timeout_ms):
            return False
        while socket.bytesAvailable() < len(ACTIVATED):
            if not socket.waitForReadyRead(timeout_ms):
                return False
        return bytes(socket.readAll().data()).startswith(ACTIVATED)
    finally:
        socket.disconnectFromServer()


class InstanceServer(QObject):
    """Listens for later starts on the same library and calls ``activate`` when one asks."""

    def __init__(self, directory: Path, activate: Callable[[], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._activate = activate
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self.server.newConnection.connect(self._connected)
        self.name = server_name(directory)

    def listen(self) -> bool:
        """Start listening (call only while holding the library's write lock: a stale socket is removed)."""
        QLocalServer.removeServer(self.name)
        if not self.server.listen(self.name):
            log.warning("cannot listen on %s: %s", self.name, self.server.errorString())
            return False
        return True

    def close(self) -> None:
        self.server.close()

    def _connected(self) -> None:
        while self.server.hasPendingConnections():
            socket = self.server.nextPendingConnection()
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)

    def _read(self, socket: QLocalSocket) -> None:
        if not socket.canReadLine():
            return
        line = bytes(socket.readLine().data())
        if line == ACTIVATE:
            self._activate()
            socket.write(ACTIVATED)
            socket.flush()


def bring_forward(window: QWidget) -> None:
    """Show ``window`` on top: restored if minimised, raised, given the focus (as far as the desktop allows)."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()


def ask_read_only(directory: Path, reason: str) -> bool:
    """The library is in use and nobody answered: open it read-only (True) or quit (False)?"""
    box = QMessageBox(QMessageBox.Icon.Warning, "Lectern — Library in Use",
                      f"The library at {directory} is in use by another Lectern process.")
    box.setInformativeText(
        "You can open it read-only to look without changing anything, or quit.\n\n"
        "Reading commands work meanwhile, for example:\n"
        f"    lectern --library {directory} search 'pruning'")
    box.setDetailedText(reason[:1].upper() + reason[1:])
    read_only = box.addButton("Open Read-Only", QMessageBox.ButtonRole.AcceptRole)
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(read_only)
    box.setEscapeButton(quit_button)
    box.exec()
    return box.clickedButton() is read_only
