"""The shared library's PostgreSQL schema as numbered migrations (``lectern_meta.schema``).

Every change is a row of ``fields``: one field of one entity (a paper, a reading
list, a saved search, a review, a file's metadata), with the server revision
that last wrote it.  Deletes are tombstones (the ``_deleted`` field set to
true).  ``revision`` is a single-row counter: a push locks it, so revisions
commit in the order they are handed out and "everything after revision N" is a
complete answer for a pull.

Members (``lectern_member``) may only read; they write through
``lectern_push``, a ``SECURITY DEFINER`` function owned by the role that shared
the library, with a fixed ``search_path`` and no dynamic SQL.  Screening
decisions (``review_decisions``) are append-only rows that row-level security
hides from other members until an arbiter (``lectern_arbiter``) unblinds their
review; unblinding gives the review's decisions a new revision so the next
pull of every member brings them.
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
    # 2: reviews and files as entities, append-only screening decisions hidden by review until
    # an arbiter unblinds it, and every member write through lectern_push (SECURITY DEFINER)
    """
    ALTER TABLE fields DROP CONSTRAINT fields_kind_check;
    ALTER TABLE fields ADD CONSTRAINT fields_kind_check
        CHECK (kind IN ('paper', 'list', 'search', 'review', 'file'));
    DROP TABLE decisions;
    DROP TABLE screening;
    CREATE TABLE review_decisions (
        id uuid PRIMARY KEY,
        review uuid NOT NULL,
        paper uuid NOT NULL,
        stage text NOT NULL CHECK (stage IN ('title_abstract', 'full_text')),
        reviewer text NOT NULL,
        verdict text NOT NULL CHECK (verdict IN ('include', 'exclude', 'maybe')),
        reason text NOT NULL DEFAULT '',
        note text NOT NULL DEFAULT '',
        decided text NOT NULL,
        final boolean NOT NULL DEFAULT false,
        withdrawn boolean NOT NULL DEFAULT false,
        member text NOT NULL,
        rev bigint NOT NULL,
        writer uuid NOT NULL
    );
    CREATE INDEX review_decisions_by_rev ON review_decisions(rev);
    CREATE INDEX review_decisions_by_review ON review_decisions(review);
    -- citation keys and names are unique among live entities: these find a clash
    CREATE INDEX fields_citekeys ON fields (lower(value #>> '{}')) WHERE kind = 'paper' AND field = 'citekey';
    CREATE INDEX fields_names ON fields (kind, lower(value #>> '{}')) WHERE field = 'name';
    CREATE TABLE unblinded_reviews (
        review uuid PRIMARY KEY,
        rev bigint NOT NULL,
        member text NOT NULL
    );

    CREATE FUNCTION lectern_keep_conflict(p_kind text, p_key uuid, p_field text, p_server jsonb,
                                          p_server_rev bigint, p_client_value jsonb, p_client uuid,
                                          p_member text, p_rev bigint) RETURNS jsonb
    LANGUAGE sql SET search_path = @schema@, pg_temp AS $keep$
        INSERT INTO conflicts(kind, key, field, server_value, server_rev, client_value, client, member, rev)
        VALUES (p_kind, p_key, p_field, p_server, p_server_rev, p_client_value, p_client, p_member, p_rev)
        RETURNING jsonb_build_object('id', id, 'kind', kind, 'key', key, 'field', field,
                                     'server_value', server_value, 'client_value', client_value,
                                     'member', member, 'rev', rev, 'client', client);
    $keep$;

    CREATE FUNCTION lectern_push(p_client uuid, p_changes jsonb, p_resolutions jsonb) RETURNS jsonb
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = @schema@, pg_temp AS $push$
    DECLARE
        v_member text := session_user;
        v_arbiter boolean := pg_has_role(session_user, 'lectern_arbiter', 'MEMBER');
        v_applied bigint;
        v_top bigint;
        v_rev bigint;
        v_written bigint := 0;
        v_rows bigint;
        v_conflicts jsonb := '[]';
        v_corrections jsonb := '[]';
        v_value jsonb;
        m_found boolean;
        m_value jsonb;
        m_rev bigint;
        m_writer uuid;
        c record;
        o record;
    BEGIN
        INSERT INTO clients(client, member) VALUES (p_client, v_member) ON CONFLICT (client) DO NOTHING;
        SELECT applied_seq INTO v_applied FROM clients
            WHERE client = p_client AND member = v_member FOR UPDATE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'this client id belongs to another member' USING ERRCODE = 'insufficient_privilege';
        END IF;
        SELECT max((e->>'seq')::bigint) INTO v_top FROM jsonb_array_elements(p_changes) e
            WHERE (e->>'seq')::bigint > v_applied;
        IF v_top IS NULL AND jsonb_array_length(p_resolutions) = 0 THEN
            RETURN jsonb_build_object('rev', NULL, 'applied_seq', v_applied, 'written', 0,
                                      'conflicts', v_conflicts, 'corrections', v_corrections);
        END IF;
        UPDATE revision SET value = value + 1 RETURNING value INTO v_rev;
        FOR c IN SELECT * FROM jsonb_to_recordset(p_changes)
                 AS x(seq bigint, kind text, key uuid, field text, value jsonb, base bigint)
                 WHERE x.seq > v_applied ORDER BY x.seq LOOP
            v_value := coalesce(c.value, 'null'::jsonb);
            IF c.kind = 'decision' THEN  -- append-only: a decision row, or its withdrawal by its maker
                IF c.field = 'row' AND coalesce((v_value->>'final')::boolean, false) AND NOT v_arbiter
                   AND NOT EXISTS (SELECT 1 FROM review_decisions WHERE id = c.key) THEN
                    -- only an arbiter rules: anyone else's ruling is kept withdrawn, with a conflict
                    v_value := jsonb_set(v_value, '{withdrawn}', 'true'::jsonb);
                    v_conflicts := v_conflicts || lectern_keep_conflict('decision', c.key, 'final', 'null', v_rev,
                                                                        v_value->'verdict', p_client, v_member, v_rev);
                END IF;
                IF c.field = 'row' AND NOT EXISTS (SELECT 1 FROM review_decisions WHERE id = c.key)
                   AND EXISTS (SELECT 1 FROM review_decisions WHERE review = (v_value->>'review')::uuid
                               AND reviewer = v_value->>'reviewer' AND member <> v_member) THEN
                    -- another member decides under that reviewer name: kept withdrawn, with a conflict
                    -- (which names the reviewer, never the verdict: conflicts are not blind)
                    v_value := jsonb_set(v_value, '{withdrawn}', 'true'::jsonb);
                    v_conflicts := v_conflicts || lectern_keep_conflict('decision', c.key, 'reviewer', 'null', v_rev,
                                                                        v_value->'reviewer', p_client, v_member, v_rev);
                END IF;
                IF c.field = 'row' THEN
                    INSERT INTO review_decisions(id, review, paper, stage, reviewer, verdict, reason, note,
                                                 decided, final, withdrawn, member, rev, writer)
                    VALUES (c.key, (v_value->>'review')::uuid, (v_value->>'paper')::uuid, v_value->>'stage',
                            v_value->>'reviewer', v_value->>'verdict', coalesce(v_value->>'reason', ''),
                            coalesce(v_value->>'note', ''), v_value->>'decided',
                            coalesce((v_value->>'final')::boolean, false),
                            coalesce((v_value->>'withdrawn')::boolean, false), v_member, v_rev, p_client)
                    ON CONFLICT (id) DO NOTHING;
                ELSIF c.field = 'withdrawn' THEN
                    UPDATE review_decisions SET withdrawn = true, rev = v_rev
                        WHERE id = c.key AND member = v_member AND NOT withdrawn;
                ELSE
                    RAISE EXCEPTION 'unknown decision field %', c.field USING ERRCODE = 'invalid_parameter_value';
                END IF;
                GET DIAGNOSTICS v_rows = ROW_COUNT;
                v_written := v_written + v_rows;
                CONTINUE;
            END IF;
            SELECT value, rev, writer INTO m_value, m_rev, m_writer FROM fields
                WHERE kind = c.kind AND key = c.key AND field = c.field;
            m_found := FOUND;
            IF m_found AND m_value = v_value THEN
                CONTINUE;
            END IF;
            IF m_found AND ((m_rev > c.base AND m_writer <> p_client)
                            OR (c.kind = 'review' AND c.field = 'blind' AND NOT v_arbiter)) THEN
                -- somebody else wrote it after this client's base (or only an arbiter may unblind):
                -- the server keeps its value and both are kept as a conflict
                v_conflicts := v_conflicts || lectern_keep_conflict(c.kind, c.key, c.field, m_value, m_rev,
                                                                    v_value, p_client, v_member, v_rev);
                v_corrections := v_corrections || jsonb_build_object('kind', c.kind, 'key', c.key,
                                                                     'field', c.field, 'value', m_value, 'rev', m_rev);
                CONTINUE;
            END IF;
            IF (c.kind = 'paper' AND c.field = 'citekey' AND EXISTS (
                    SELECT 1 FROM fields f WHERE f.kind = 'paper' AND f.field = 'citekey'
                    AND lower(f.value #>> '{}') = lower(v_value #>> '{}') AND f.key <> c.key
                    AND NOT EXISTS (SELECT 1 FROM fields d WHERE d.kind = 'paper' AND d.key = f.key
                                    AND d.field = '_deleted' AND d.value = 'true'::jsonb)))
               OR (c.field = 'name' AND c.kind IN ('list', 'search', 'review') AND EXISTS (
                    SELECT 1 FROM fields f WHERE f.field = 'name' AND f.kind = c.kind
                    AND lower(f.value #>> '{}') = lower(v_value #>> '{}') AND f.key <> c.key
                    AND NOT EXISTS (SELECT 1 FROM fields d WHERE d.kind = c.kind AND d.key = f.key
                                    AND d.field = '_deleted' AND d.value = 'true'::jsonb))) THEN
                -- another member took this citation key or name first: this one gets a suffix made
                -- from its shared id, the same on every desktop
                v_value := to_jsonb((v_value #>> '{}') || CASE WHEN c.kind = 'paper'
                                    THEN '-' || left(c.key::text, 4) ELSE ' (' || left(c.key::text, 4) || ')' END);
                v_corrections := v_corrections || jsonb_build_object('kind', c.kind, 'key', c.key,
                                                                     'field', c.field, 'value', v_value, 'rev', v_rev);
            END IF;
            IF c.field <> '_deleted' THEN
                SELECT value, rev, writer INTO m_value, m_rev, m_writer FROM fields
                    WHERE kind = c.kind AND key = c.key AND field = '_deleted';
                IF FOUND AND m_value = 'true'::jsonb AND m_rev > c.base AND m_writer <> p_client THEN
                    -- an edit of something deleted meanwhile
                    v_conflicts := v_conflicts || lectern_keep_conflict(c.kind, c.key, c.field, 'null', m_rev,
                                                                        v_value, p_client, v_member, v_rev);
                END IF;
            ELSIF v_value = 'true'::jsonb THEN
                FOR o IN SELECT field, value, rev FROM fields
                         WHERE kind = c.kind AND key = c.key AND rev > c.base AND writer <> p_client
                           AND field <> '_deleted' LOOP
                    v_conflicts := v_conflicts || lectern_keep_conflict(c.kind, c.key, o.field, o.value, o.rev,
                                                                        'null', p_client, v_member, v_rev);
                END LOOP;
            END IF;
            INSERT INTO fields(kind, key, field, value, rev, writer, member)
            VALUES (c.kind, c.key, c.field, v_value, v_rev, p_client, v_member)
            ON CONFLICT (kind, key, field) DO UPDATE SET value = excluded.value, rev = excluded.rev,
                writer = excluded.writer, member = excluded.member;
            v_written := v_written + 1;
            IF c.kind = 'review' AND c.field = 'blind' THEN
                IF v_value IN ('false'::jsonb, '0'::jsonb) THEN
                    -- unblinded: every decision of the review gets this revision, so pulls bring them
                    INSERT INTO unblinded_reviews(review, rev, member) VALUES (c.key, v_rev, v_member)
                        ON CONFLICT (review) DO NOTHING;
                    UPDATE review_decisions SET rev = v_rev WHERE review = c.key;
                ELSE
                    DELETE FROM unblinded_reviews WHERE review = c.key;
                END IF;
            END IF;
        END LOOP;
        FOR o IN SELECT * FROM jsonb_to_recordset(p_resolutions) AS x(id bigint, resolution text) LOOP
            UPDATE conflicts SET resolution = o.resolution, rev = v_rev WHERE id = o.id;
        END LOOP;
        v_top := greatest(v_applied, coalesce(v_top, v_applied));
        UPDATE clients SET applied_seq = v_top WHERE client = p_client;
        PERFORM pg_notify('lectern_changes', v_rev::text);
        RETURN jsonb_build_object('rev', v_rev, 'applied_seq', v_top, 'written', v_written,
                                  'conflicts', v_conflicts, 'corrections', v_corrections);
    END;
    $push$;
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

# Rights and row-level security; run after the migrations on every share (idempotent).
_GRANTS = """
REVOKE ALL ON lectern_meta, revision, fields, clients, conflicts, review_decisions, unblinded_reviews
    FROM {member}, {arbiter};
GRANT SELECT ON lectern_meta, revision, fields, conflicts, review_decisions, unblinded_reviews TO {member};
REVOKE ALL ON FUNCTION lectern_push(uuid, jsonb, jsonb) FROM PUBLIC;
REVOKE ALL ON FUNCTION lectern_keep_conflict(text, uuid, text, jsonb, bigint, jsonb, uuid, text, bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION lectern_push(uuid, jsonb, jsonb) TO {member};
ALTER TABLE fields ENABLE ROW LEVEL SECURITY;
ALTER TABLE conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE review_decisions ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS members ON fields;
CREATE POLICY members ON fields FOR SELECT TO {member} USING (true);
DROP POLICY IF EXISTS members ON conflicts;
CREATE POLICY members ON conflicts FOR SELECT TO {member} USING (true);
DROP POLICY IF EXISTS blind ON review_decisions;
CREATE POLICY blind ON review_decisions FOR SELECT TO {member} USING (
    member = current_user
    OR pg_has_role(current_user, {arbiter_name}, 'MEMBER')
    OR EXISTS (SELECT 1 FROM unblinded_reviews u WHERE u.review = review_decisions.review));
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
            here = conn.execute("SELECT current_schema()").fetchone()[0]  # type: ignore[index]
            text = MIGRATIONS[number].replace("@schema@", sql.Identifier(here).as_string(conn))
            conn.execute(text)  # our own constant text
            conn.execute("INSERT INTO lectern_meta(key, value) VALUES ('schema', %s) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (str(number + 1),))
        conn.execute(sql.SQL(_GRANTS).format(
            member=sql.Identifier(MEMBER_ROLE), arbiter=sql.Identifier(ARBITER_ROLE),
            arbiter_name=sql.Literal(ARBITER_ROLE)))
    return version
