"""What every server service shares: the database handle, refusals with an HTTP status, the server's audit."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from app.errors import CunFangError, ErrorCode
from sync.server import tables as t
from sync.server.scope import Caller

REGISTRY_LOCK = 7031  # PostgreSQL advisory lock: registry changes commit in ``seq`` order


class ServiceError(CunFangError):
    """A refusal with an HTTP status; ``code``/``message`` go on the wire."""

    def __init__(self, status: int, code: ErrorCode, **context: object):
        self.status = status
        super().__init__(code, **context)


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class Database:
    """The server's engine with the few helpers every service uses."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def read(self) -> Connection:
        """A connection for reading only (on SQLite it does not wait for, or block, the one writer)."""
        return self.engine.connect().execution_options(readonly=True)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def dialect_insert(self):
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert

    def insert_ignore(self, conn: Connection, table: sa.Table, rows: list[dict]) -> int:
        """INSERT … ON CONFLICT DO NOTHING on either database; returns rows inserted."""
        return conn.execute(self.dialect_insert()(table).on_conflict_do_nothing(), rows).rowcount

    def meta(self, key: str) -> str:
        with self.read() as conn:
            return conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).scalar_one()

    @staticmethod
    def audit(conn: Connection, *, action: str, caller: Caller | None = None, subject: str = "",
              revision: int | None = None, outcome: str = "", code: str = "", message: str = "") -> None:
        """One line of the server's own audit log, in the caller's transaction."""
        conn.execute(t.audit.insert().values(
            at=utc_now(), user_name=caller.user_name if caller else "", device_id=caller.device_id if caller else "",
            action=action, subject=subject, revision=revision, outcome=outcome, code=code, message=message))
