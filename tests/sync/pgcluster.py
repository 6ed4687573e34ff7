"""A throwaway PostgreSQL cluster for the sync tests: initdb in a temp dir, pg_ctl on a free port.

Run as root, the server runs as the ``postgres`` system user (initdb refuses root).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import psycopg

BIN = Path(os.environ.get("LECTERN_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "lectern_admin"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One cluster: ``start``/``stop`` it, ``conninfo`` for a role and database."""

    def __init__(self) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="lectern-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self._user = None if os.geteuid() != 0 else "postgres"
        if self._user:
            entry = pwd.getpwnam(self._user)
            os.chown(self.root, entry.pw_uid, entry.pw_gid)
        self.root.chmod(0o755)
        self._run([str(BIN / "initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
                   "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"])
        self.ca = self.root / "ca.crt"
        self._make_certificates()

    def _make_certificates(self) -> None:
        """A test CA and a server certificate for localhost / 127.0.0.1 (TLS with verify-full)."""
        root = self.root
        (root / "san.ext").write_text("subjectAltName=DNS:localhost,IP:127.0.0.1\n")
        for args in (
            ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=Lectern test CA",
             "-keyout", "ca.key", "-out", "ca.crt"],
            ["req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-keyout", "server.key",
             "-out", "server.csr"],
            ["x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
             "-days", "2", "-out", "server.crt", "-extfile", "san.ext"],
        ):
            subprocess.run(["openssl", *args], cwd=root, check=True, capture_output=True, timeout=60)
        key = root / "server.key"
        key.chmod(0o600)
        if self._user:
            entry = pwd.getpwnam(self._user)
            for name in ("server.key", "server.crt"):
                os.chown(root / name, entry.pw_uid, entry.pw_gid)

    def _run(self, args: list[str]) -> subprocess.CompletedProcess[str]:
        return subprocess.run(args, user=self._user, check=True, capture_output=True, text=True,
                              timeout=60, cwd=self.root)

    def start(self) -> None:
        options = (f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c full_page_writes=off -c max_connections=60 "
                   f"-c ssl=on -c ssl_cert_file={self.root}/server.crt -c ssl_key_file={self.root}/server.key")
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"])

    def stop(self, mode: str = "fast") -> None:
        self._run([str(BIN / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop"])

    def conninfo(self, dbname: str = "postgres", user: str = SUPERUSER) -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def admin(self, dbname: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(self.conninfo(dbname), autocommit=True)

    def destroy(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)
