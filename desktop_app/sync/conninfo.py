"""Connection strings for a shared library: never keep a password, connect with libpq's own lookups.

A password belongs in libpq's mechanisms (``~/.pgpass``, a service file,
``PGPASSWORD``), so the connection string Lectern saves in the library has
none; ``sslmode=verify-full`` and the rest pass through untouched.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from desktop_app.domain.errors import InvalidInputError, LecternError

CONNECT_TIMEOUT = 5

_session_passwords: dict[str, str] = {}
"""Passwords typed into the window for this process only, by password-less connection string (never saved)."""


class OfflineError(LecternError):
    """The server cannot be reached (or refused us); local work goes on and waits."""


def without_password(conninfo: str) -> tuple[str, bool]:
    """The connection string minus any password, and whether it had one."""
    try:
        params = conninfo_to_dict(conninfo)
    except psycopg.ProgrammingError as exc:
        raise InvalidInputError(f"not a PostgreSQL connection string: {exc}") from exc
    had = params.pop("password", None) is not None
    return make_conninfo(**{k: str(v) for k, v in params.items()}), had


def describe(conninfo: str) -> str:
    """``user@host:port/dbname`` for messages (never a password)."""
    params = conninfo_to_dict(conninfo)
    return (f"{params.get('user', '')}{'@' if params.get('user') else ''}{params.get('host', 'localhost')}:"
            f"{params.get('port', 5432)}/{params.get('dbname', '')}")


def use_password_for_session(conninfo: str, password: str | None) -> None:
    """Connect to ``conninfo`` with ``password`` from now on in this process (None forgets it)."""
    clean, _had = without_password(conninfo)
    if password:
        _session_passwords[clean] = password
    else:
        _session_passwords.pop(clean, None)


def _with_session_password(conninfo: str) -> str:
    if not _session_passwords:
        return conninfo
    clean, had_password = without_password(conninfo)
    password = None if had_password else _session_passwords.get(clean)
    return make_conninfo(conninfo, password=password) if password else conninfo


def connect(conninfo: str) -> psycopg.Connection:
    """An autocommit connection (each unit of work opens its own transaction)."""
    try:
        return psycopg.connect(_with_session_password(conninfo), autocommit=True, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as exc:
        reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise OfflineError(f"cannot reach the shared library at {describe(conninfo)}: {reason}") from exc
