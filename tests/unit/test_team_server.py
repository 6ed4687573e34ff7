"""The team-library connection helpers: building the connection string, TLS defaults, one-line reasons."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from desktop_app.core import team_server
from desktop_app.domain.errors import InvalidInputError
from desktop_app.sync.conninfo import OfflineError


def test_host_fields_make_a_connection_string_without_a_password(tmp_path: Path) -> None:
    ca = tmp_path / "ca.crt"
    text = team_server.build_conninfo(host=" db.example.org ", port="6543", dbname="team", user="alice",
                                      sslmode="verify-full", sslrootcert=str(ca))
    assert conninfo_to_dict(text) == {"host": "db.example.org", "port": "6543", "dbname": "team",
                                      "user": "alice", "sslmode": "verify-full", "sslrootcert": str(ca)}


def test_a_url_keeps_its_own_settings_and_loses_its_password() -> None:
    text = team_server.build_conninfo(url="postgresql://bob:secret@db.example.org/team?sslmode=verify-ca",
                                      user="ignored")
    params = conninfo_to_dict(text)
    assert "password" not in params and "secret" not in text
    assert params["user"] == "bob" and params["sslmode"] == "verify-ca"
    assert conninfo_to_dict(team_server.build_conninfo(url="postgresql://db/team", sslmode="require"))[
        "sslmode"] == "require"


def test_a_service_name_is_enough() -> None:
    assert conninfo_to_dict(team_server.build_conninfo(service="team")) == {"service": "team"}


@pytest.mark.parametrize(("fields", "message"), [
    ({}, "give the server's host name"),
    ({"host": "db"}, "give the database name"),
    ({"host": "db", "dbname": "x", "port": "99999"}, "the port must be a number from 1 to 65535, not '99999'"),
    ({"url": "db.example.org/team"}, "a connection URL starts with postgresql://"),
    ({"host": "db", "dbname": "x", "sslmode": "maybe"}, "unknown TLS mode 'maybe'"),
])
def test_missing_or_wrong_fields_say_which(fields: dict[str, str], message: str) -> None:
    with pytest.raises(InvalidInputError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        team_server.build_conninfo(**fields)


def test_verify_full_is_the_default_only_with_a_root_certificate(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PGSSLROOTCERT", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("APPDATA", str(tmp_path))
    assert team_server.default_tls_mode() == "require"
    assert team_server.default_tls_mode("/etc/team-ca.crt") == "verify-full"
    monkeypatch.setenv("PGSSLROOTCERT", "/etc/team-ca.crt")
    assert team_server.default_tls_mode() == "verify-full"
    monkeypatch.delenv("PGSSLROOTCERT")
    root = team_server.default_root_certificate()
    root.parent.mkdir(parents=True)
    root.write_text("-----BEGIN CERTIFICATE-----\n")
    assert team_server.default_tls_mode() == "verify-full"


@pytest.mark.parametrize(("text", "line"), [
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  password authentication '
     'failed for user "bob"\nconnection to server at "10.0.0.5", port 5432 failed: FATAL:  password '
     'authentication failed for user "bob"', 'Wrong password for user "bob" (or a wrong user name).'),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: Connection refused\n\tIs the '
     'server running on that host and accepting TCP/IP connections?',
     "Cannot reach 10.0.0.5 port 5432: nothing answers there (is the server running, is the port right?)."),
    ("failed to resolve host 'db.nowhere': [Errno -2] Name or service not known",
     'Unknown host "db.nowhere": check the server name.'),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: server certificate for '
     '"db.example.org" (and 1 other name) does not match host name "10.0.0.5"',
     'Certificate mismatch: the server\'s certificate is for "db.example.org", not "10.0.0.5".'),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: SSL error: certificate verify '
     'failed', "Certificate mismatch: the server's certificate is not signed by the CA certificate given."),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: fe_sendauth: no password '
     'supplied', "The server wants a password: type it above, or put it in ~/.pgpass."),
    ('connection failed: connection to server at "10.0.0.5", port 5432 failed: FATAL:  something new\n'
     'second line', "Something new second line"),
])
def test_connection_failures_become_one_line(text: str, line: str) -> None:
    cause = psycopg.OperationalError(text)
    wrapped = OfflineError("cannot reach the shared library at bob@10.0.0.5:5432/team: " + text.splitlines()[-1])
    wrapped.__cause__ = cause
    assert team_server.explain(wrapped) == line
    assert team_server.explain(cause) == line


def test_the_role_names_the_lectern_groups() -> None:
    found = team_server.ServerCheck("carol", "carol@db:5432/team", True, True, True, 3, True)
    assert found.role == "carol (member, arbiter)"
    assert found.summary() == ("Connected as carol (member, arbiter) over TLS; the database holds a shared "
                               "library of 3 papers.")
    stranger = team_server.ServerCheck("mallory", "mallory@db:5432/team", False, False, True, 0, False)
    assert stranger.role == "mallory (not a member)"
    with pytest.raises(team_server.ServerProblem, match="mallory is not a member of the team"):
        team_server.check_can_join(stranger)
