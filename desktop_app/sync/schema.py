"""The shared library's PostgreSQL schema as numbered migrations (``lectern_meta.schema``).

Every change is a row of ``fields``: one field of one entity (a paper, a reading
list, a saved search), with the server revision that last wrote it.  Deletes are
tombstones (the ``_deleted`` field set to true).  ``revision`` is a single-row
counter: a push locks it, so revisions commit in the order they are handed out
and "everything after revision N" is a complete answer for a pull.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from desktop_app.domain.errors import LecternError

MEMBER_ROLE = "lectern_member"
ARBITER_ROLE = "lectern_arbiter"
CHANNEL = "lectern_changes"

MIGRATIONS: tuple[str, ...] = (
    # 1: fields with revisions, clients, conflicts, blind screening decisions
    """
    CREATE TABLE lectern_meta (key text PRIMARY KEY, value text NOT NULL);
    CREATE TABLE revision (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        value bigint NOT NULL
    );
    INSERT INTO revision(value) VALUES (0);
    CREATE TABLE fields (
        kind text NOT NULL CHECK (kind IN ('paper', 'list', 'search')),
        key uuid NOT NULL,
        field text NOT NULL,
        value jsonb NOT NULL,
        rev bigint NOT NULL,
        writer uuid NOT NULL,
        member text NOT NULL DEFAULT current_user,
        PRIMARY KEY (kind, key, field)
    );
    CREATE INDEX fields_by_rev ON fields(rev);
    CREATE TABLE clients (
        client uuid PRIMARY KEY,
        member text NOT NULL DEFAULT current_user,
        applied_seq bigint NOT NULL DEFAULT 0
    );
    CREATE TABLE conflicts (
        id bigserial PRIMARY KEY,
        kind text NOT NULL,
        key uuid NOT NULL,
        field text NOT NULL,
        server_value jsonb,
        server_rev bigint NOT NULL,
        client_value jsonb NOT NULL,
        client uuid NOT NULL,
        member text NOT NULL DEFAULT current_user,
        rev bigint NOT NULL,
        resolution text
    );
    CREATE INDEX conflicts_by_rev ON conflicts(rev);
    CREATE TABLE screening (
        one boolean PRIMARY KEY DEFAULT true CHECK (one),
        unblinded boolean NOT NULL DEFAULT false
    );
    INSERT INTO screening(unblinded) VALUES (false);
    CREATE TABLE decisions (
        paper uuid NOT NULL,
        reviewer text NOT NULL DEFAULT current_user,
        decision text NOT NULL CHECK (decision IN ('include', 'exclude', 'maybe')),
        reason text NOT NULL DEFAULT '',
        PRIMARY KEY (paper, reviewer)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

# Rights and row-level security; run after the migrations on every share (idempotent).
_GRANTS = """
GRANT SELECT ON lectern_meta, screening TO {member};
GRANT SELECT, INSERT, UPDATE ON fields, clients, conflicts, revision TO {member};
GRANT USAGE ON SEQUENCE conflicts_id_seq TO {member};
GRANT SELECT, INSERT, UPDATE, DELETE ON decisions TO {member};
GRANT UPDATE ON screening TO {arbiter};
ALTER TABLE fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE decisions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS members ON fields;
CREATE POLICY members ON fields TO {member} USING (true) WITH CHECK (member = current_user);
DROP POLICY IF EXISTS own_client ON clients;
CREATE POLICY own_client ON clients TO {member}
    USING (member = current_user) WITH CHECK (member = current_user);
DROP POLICY IF EXISTS members ON conflicts;
CREATE POLICY members ON conflicts TO {member} USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS blind ON decisions;
CREATE POLICY blind ON decisions FOR SELECT TO {member} USING (
    reviewer = current_user
    OR pg_has_role(current_user, {arbiter_name}, 'MEMBER')
    OR (SELECT unblinded FROM screening));
DROP POLICY IF EXISTS own_write ON decisions;
CREATE POLICY own_write ON decisions FOR INSERT TO {member} WITH CHECK (reviewer = current_user);
DROP POLICY IF EXISTS own_update ON decisions;
CREATE POLICY own_update ON decisions FOR UPDATE TO {member}
    USING (reviewer = current_user) WITH CHECK (reviewer = current_user);
DROP POLICY IF EXISTS own_delete ON decisions;
CREATE POLICY own_delete ON decisions FOR DELETE TO {member} USING (reviewer = current_user);
"""


class ServerSchemaError(LecternError):
    """The shared library's database is not one this Lectern can use."""


def schema_version(conn: psycopg.Connection) -> int:
    """The migrations already run (0 for a database Lectern has not set up)."""
    exists = conn.execute("SELECT to_regclass('lectern_meta') IS NOT NULL").fetchone()
    if not exists or not exists[0]:
        return 0
    row = conn.execute("SELECT value FROM lectern_meta WHERE key = 'schema'").fetchone()
    return int(row[0]) if row else 0


def check_version(conn: psycopg.Connection) -> None:
    version = schema_version(conn)
    if version == 0:
        raise ServerSchemaError("that database holds no shared Lectern library (run `lectern share` first)")
    if version > SCHEMA_VERSION:
        raise ServerSchemaError(f"the shared library has schema {version}; this Lectern knows "
                                f"{SCHEMA_VERSION} (update Lectern)")


def ensure_roles(conn: psycopg.Connection) -> None:
    """Create the member and arbiter group roles when missing (needs CREATEROLE)."""
    for role in (MEMBER_ROLE, ARBITER_ROLE):
        row = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
        if row:
            continue
        try:
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        except psycopg.errors.InsufficientPrivilege as exc:
            raise ServerSchemaError(
                f"the group role {role} does not exist and you may not create it; ask the database "
                f"administrator to run: CREATE ROLE {role} NOLOGIN") from exc


def migrate(conn: psycopg.Connection) -> int:
    """Bring the database to ``SCHEMA_VERSION`` in one transaction; returns the old version."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('lectern schema'))")
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            check_version(conn)
        ensure_roles(conn)
        for number in range(version, SCHEMA_VERSION):
            conn.execute(MIGRATIONS[number])  # our own constant text
            conn.execute("INSERT INTO lectern_meta(key, value) VALUES ('schema', %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(number + 1),))
        conn.execute(sql.SQL(_GRANTS).format(
            member=sql.Identifier(MEMBER_ROLE), arbiter=sql.Identifier(ARBITER_ROLE),
            arbiter_name=sql.Literal(ARBITER_ROLE)))
    return version
