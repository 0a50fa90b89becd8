"""One real bureau server per database (SQLite, PostgreSQL) for a whole module of the attack suite."""

from __future__ import annotations

import uuid

import pytest

from .attack_world import World, servers


@pytest.fixture(scope="session")
def pg_ready() -> bool:
    return servers.postgres_reachable()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def world(request, tmp_path_factory, pg_ready):
    """A running server on each database, shared by a module's tests (each test uses fresh record ids)."""
    directory = tmp_path_factory.mktemp("security")
    name = None
    if request.param == "sqlite":
        db = str(directory / "server.db")
    else:
        if not pg_ready:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres)")
        import psycopg

        name = f"cunfang_sec_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(servers.PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        db = f"postgresql://postgres@127.0.0.1:5432/{name}"
    server = servers.Server(db=db, port=servers.free_port(), log=directory / "server.log").start()
    try:
        yield World(server)
    finally:
        server.stop()
        if name:
            import psycopg

            with psycopg.connect(servers.PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
