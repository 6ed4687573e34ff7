"""Fixtures for the sync tests: a real PostgreSQL cluster per session, a fresh database per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from psycopg import sql

from tests.sync.pgcluster import Cluster

MEMBERS = ("alice", "bob", "carol", "dave")
_numbers = itertools.count(1)


@pytest.fixture(scope="session")
def cluster() -> Iterator[Cluster]:
    pg = Cluster()
    pg.start()
    with pg.admin() as conn:
        for role in ("lectern_member", "lectern_arbiter"):
            conn.execute(sql.SQL("CREATE ROLE {} NOLOGIN").format(sql.Identifier(role)))
        for role in (*MEMBERS, "mallory"):
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(role)))
        for role in MEMBERS:
            conn.execute(sql.SQL("GRANT lectern_member TO {}").format(sql.Identifier(role)))
        conn.execute("GRANT lectern_arbiter TO carol")
    try:
        yield pg
    finally:
        pg.destroy()


@pytest.fixture
def database(cluster: Cluster) -> str:
    """A new empty database owned by alice (who shares the library); returns its name."""
    name = f"team{next(_numbers)}"
    with cluster.admin() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {} OWNER alice").format(sql.Identifier(name)))
    return name
