"""Opening the bureau server's database and bringing its schema up to date (Alembic)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
DEFAULT_URL = "sqlite:///cunfang-server.db"


def normalize_url(url: str) -> str:
    """Accept the URL forms county IT will type: a bare file path means SQLite; postgres:// means psycopg 3."""
    if "://" not in url:
        return f"sqlite:///{Path(url).resolve()}"
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite files get WAL, a busy timeout and foreign keys, as the laptop's store does."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.close()

            dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" event below starts transactions

        @event.listens_for(engine, "begin")
        def _immediate(conn) -> None:  # one writer at a time, decided at BEGIN: no lock upgrade deadlocks
            conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("readonly") else "BEGIN IMMEDIATE")

        return engine
    # no pre-ping round trip per checkout; connections are renewed every 10 minutes instead
    return create_engine(url, pool_recycle=600, pool_size=10, max_overflow=10)


def migrate(engine: Engine) -> str:
    """Apply every Alembic migration not yet applied; returns the head revision."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(config).get_current_head() or ""
