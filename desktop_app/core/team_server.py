"""Reaching a team library's server from a front end: the connection string, a test, one-line reasons.

The window asks for a server by host and database, a ``postgresql://`` URL or a
libpq service name; ``build_conninfo`` turns that into one connection string
(never with a password: a password typed for this session is handed to
``keep_password_for_session`` and lives only in this process's memory).
``check`` connects and says who we are there and whether the database holds a
shared library; ``explain`` turns any connection failure into one line a
researcher can act on (wrong password, host unreachable, certificate mismatch).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.domain.errors import InvalidInputError, LecternError
from desktop_app.storage import outbox

if TYPE_CHECKING:
    from desktop_app.core.facade.base import LibraryBase

TLS_MODES = ("verify-full", "verify-ca", "require", "prefer", "disable")
TLS_HELP = {
    "verify-full": "Encrypted; the server's certificate must be signed by your CA and name this host.",
    "verify-ca": "Encrypted; the certificate must be signed by your CA (the host name is not checked).",
    "require": "Encrypted, but the server is not verified (give a CA certificate to use verify-full).",
    "prefer": "Encrypted only if the server offers it, and not verified.",
    "disable": "Not encrypted: only for a server on this computer or a trusted network.",
    "": "As the connection URL or the service file says.",
}
MEMBER_ROLE = "lectern_member"
ARBITER_ROLE = "lectern_arbiter"


class ServerProblem(LecternError):
    """The server cannot be used for this; the message is one line for the dialog."""


@dataclass(frozen=True)
class ServerCheck:
    """What a test connection found."""

    user: str
    server: str
    member: bool
    arbiter: bool
    holds_library: bool
    papers: int
    tls: bool

    @property
    def role(self) -> str:
        """``alice (member, arbiter)``: the PostgreSQL role and its Lectern group roles."""
        groups = [name for name, yes in (("member", self.member), ("arbiter", self.arbiter)) if yes]
        return f"{self.user} ({', '.join(groups) if groups else 'not a member'})"

    def summary(self) -> str:
        library = (f"holds a shared library of {self.papers} paper{'s' if self.papers != 1 else ''}"
                   if self.holds_library else "holds no shared library yet")
        return f"Connected as {self.role}{' over TLS' if self.tls else ''}; the database {library}."


def default_root_certificate() -> Path:
    """Where libpq looks for the CA certificate when ``sslrootcert`` is not given."""
    if os.name == "nt":
        return Path(os.environ.get("APPDATA", "~")).expanduser() / "postgresql" / "root.crt"
    return Path.home() / ".postgresql" / "root.crt"


def ca_configured(sslrootcert: str = "") -> bool:
    """A CA certificate is given here, in ``PGSSLROOTCERT`` or in libpq's default place."""
    return bool(sslrootcert.strip() or os.environ.get("PGSSLROOTCERT")) or default_root_certificate().is_file()


def default_tls_mode(sslrootcert: str = "") -> str:
    """``verify-full`` when a root CA is configured; otherwise encrypted without verification."""
    return "verify-full" if ca_configured(sslrootcert) else "require"


def build_conninfo(*, url: str = "", service: str = "", host: str = "", port: str = "", dbname: str = "",
                   user: str = "", sslmode: str = "", sslrootcert: str = "") -> str:
    """One libpq connection string (``key=value`` form) without a password; raises ``InvalidInputError``."""
    from psycopg import ProgrammingError
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params: dict[str, str] = {}
    if url.strip():
        if not url.strip().startswith(("postgresql://", "postgres://")) and "=" not in url:
            raise InvalidInputError("a connection URL starts with postgresql://")
        try:
            params = {k: str(v) for k, v in conninfo_to_dict(url.strip()).items()}
        except ProgrammingError as exc:
            raise InvalidInputError(f"not a PostgreSQL connection URL: {_one_line(str(exc))}") from exc
    elif service.strip():
        params["service"] = service.strip()
    else:
        if not host.strip():
            raise InvalidInputError("give the server's host name")
        if not dbname.strip():
            raise InvalidInputError("give the database name")
        params["host"] = host.strip()
        if port.strip():
            if not port.strip().isdigit() or not 0 < int(port) < 65536:
                raise InvalidInputError(f"the port must be a number from 1 to 65535, not {port.strip()!r}")
            params["port"] = port.strip()
        params["dbname"] = dbname.strip()
    if user.strip() and not url.strip():
        params["user"] = user.strip()
    if sslmode:
        if sslmode not in TLS_MODES:
            raise InvalidInputError(f"unknown TLS mode {sslmode!r}")
        params["sslmode"] = sslmode
    if sslrootcert.strip():
        params["sslrootcert"] = str(Path(sslrootcert.strip()).expanduser())
    params.pop("password", None)
    return make_conninfo(**params)


def keep_password_for_session(conninfo: str, password: str | None) -> None:
    """Use ``password`` for ``conninfo`` until Lectern quits; never written anywhere (None forgets it)."""
    from desktop_app.sync.conninfo import use_password_for_session

    use_password_for_session(conninfo, password)


def linked_conninfo(library: LibraryBase) -> str | None:
    """The (password-less) connection string of the shared library this one syncs with, if any."""
    link = outbox.link(library.db.conn)
    return link.conninfo if link is not None else None


def describe(conninfo: str) -> str:
    from desktop_app.sync.conninfo import describe as describe_conninfo

    return describe_conninfo(conninfo)


def check(conninfo: str, password: str | None = None) -> ServerCheck:
    """Connect and look: who we are, our Lectern roles, whether a library is there; raises ``ServerProblem``."""
    import psycopg
    from psycopg.conninfo import make_conninfo

    from desktop_app.sync.conninfo import connect

    try:
        with connect(make_conninfo(conninfo, password=password) if password else conninfo) as conn:
            user, member, arbiter, holds = conn.execute(
                "SELECT current_user, "
                "EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = %s AND pg_has_role(current_user, r.oid, 'MEMBER')), "
                "EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = %s AND pg_has_role(current_user, r.oid, 'MEMBER')), "
                "to_regclass('lectern_meta') IS NOT NULL",
                (MEMBER_ROLE, ARBITER_ROLE)).fetchone() or ("", False, False, False)
            papers = 0
            if holds and member:
                row = conn.execute("SELECT count(*) FROM fields WHERE kind = 'paper' AND field = '_deleted' "
                                   "AND value = 'false'::jsonb").fetchone()
                papers = int(row[0]) if row else 0
            tls = bool(conn.pgconn.ssl_in_use)
            return ServerCheck(str(user), describe(conninfo), bool(member), bool(arbiter), bool(holds), papers, tls)
    except (psycopg.Error, LecternError) as exc:
        raise ServerProblem(explain(exc)) from exc


def check_can_share(found: ServerCheck) -> None:
    if found.holds_library:
        raise ServerProblem("That database already holds a shared library: join it instead, or use an empty "
                            "database.")


def check_can_join(found: ServerCheck) -> None:
    if not found.holds_library:
        raise ServerProblem("That database holds no shared library yet: someone shares one there first.")
    if not found.member:
        raise ServerProblem(f"{found.user} is not a member of the team ({MEMBER_ROLE}): ask the database "
                            "administrator to grant it.")


def _one_line(text: str) -> str:
    return " ".join(text.split())


_REASONS: tuple[tuple[str, str], ...] = (
    (r'password authentication failed for user "([^"]*)"', 'Wrong password for user "{0}" (or a wrong user name).'),
    (r"no password supplied", "The server wants a password: type it above, or put it in ~/.pgpass."),
    (r'role "([^"]*)" does not exist', 'The server has no user "{0}".'),
    (r'database "([^"]*)" does not exist', 'The server has no database "{0}".'),
    (r'server certificate for "([^"]*)"(?: \(and \d+ other names?\))? does not match host name "([^"]*)"',
     'Certificate mismatch: the server\'s certificate is for "{0}", not "{1}".'),
    (r"certificate verify failed",
     "Certificate mismatch: the server's certificate is not signed by the CA certificate given."),
    (r'root certificate file "([^"]*)" does not exist',
     'No CA certificate at {0}: choose the file, or use TLS mode "require".'),
    (r"server does not support SSL",
     'The server does not accept TLS: ask its administrator, or choose "prefer" for a server on this computer.'),
    (r'no pg_hba\.conf entry for host "([^"]*)", user "([^"]*)"',
     'The server does not let "{1}" in from {0} (pg_hba.conf): ask its administrator.'),
    (r"permission denied for database", "That user may not connect to the database: ask its administrator."),
    (r'connection to server at "([^"]*)", port (\d+) failed: Connection refused',
     "Cannot reach {0} port {1}: nothing answers there (is the server running, is the port right?)."),
    (r"Connection refused", "Cannot reach the server: the connection was refused."),
    (r"(?:failed to resolve host|could not translate host name) '?\"?([^'\" :]*)",
     'Unknown host "{0}": check the server name.'),
    (r"timeout expired|timed out", "Cannot reach the server: no answer within a few seconds."),
    (r'definition of service "([^"]*)" not found', 'No service "{0}" in the service file (~/.pg_service.conf).'),
    (r"service file .* not found", "The service file was not found."),
)


def explain(exc: BaseException) -> str:
    """One line saying why a connection or a share/join failed (the full text goes to the log)."""
    texts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(texts) < 4:
        texts.append(str(seen))
        seen = seen.__cause__
    everything = "\n".join(texts)
    for pattern, message in _REASONS:
        match = re.search(pattern, everything)
        if match:
            return message.format(*match.groups())
    from desktop_app.sync.conninfo import OfflineError

    text = _one_line(texts[-1] if isinstance(exc, OfflineError) else texts[0]) or type(exc).__name__
    text = re.sub(r"^connection failed: connection to server at [^:]*: (FATAL:\s+)?", "", text)
    text = text[:1].upper() + text[1:]
    return text if len(text) <= 200 else text[:197] + "..."
