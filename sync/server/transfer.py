"""Copy a bureau server's database into another one: ``cunfang-server db copy --from URL --to URL``.

The way from the SQLite default to PostgreSQL (or back, or between two PostgreSQL servers). Every table of
``tables.metadata`` is read in one consistent snapshot of the source and written in batches (by rows and by
bytes: attachments are large) into a target brought to the same Alembic revision and still empty. The whole
copy is one transaction on the target, so a failed copy leaves it empty and can simply be run again. On
PostgreSQL the id sequences are moved past the copied ids, so the server's next insert does not collide. Then
every table's row count is compared between source and target.

The source is only read; it must already be at this program's schema revision (any ``cunfang-server`` command
on it, such as ``records count``, brings it there). The copy includes ``meta`` (the server id and the USB package
key pair): enrolled laptops and their packages keep working with the copy.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine, make_url

from sync.server import tables as t
from sync.server.db import make_engine, migrate, normalize_url

BATCH_ROWS = 1000                  # rows per insert batch
BATCH_BYTES = 32 * 1024 * 1024     # ... or fewer, once they hold this much (attachments are up to 64 MiB each)
Progress = Callable[[str, int], None]  # table name, rows copied so far


class TransferError(Exception):
    """A copy that cannot be done, said plainly (in Chinese) for the person at the terminal."""


@dataclass(frozen=True)
class TableCount:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def shown(url: str) -> str:
    """A database URL fit to print: the password hidden."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - not a URL SQLAlchemy can parse: print it as typed
        return url


def copy_database(source_url: str, target_url: str, *, batch_rows: int = BATCH_ROWS, batch_bytes: int = BATCH_BYTES,
                  progress: Progress | None = None) -> list[TableCount]:
    """Copy every table from ``source_url`` into the empty database ``target_url``; returns the checked counts.

    Raises ``TransferError`` when the source is not a bureau database at this schema revision, the target
    already holds data, or the counts differ afterwards (then the target is left as written, for a look).
    """
    source_url, target_url = normalize_url(source_url), normalize_url(target_url)
    if source_url == target_url:
        raise TransferError("源数据库和目标数据库是同一个。")
    if source_url.startswith("sqlite") and not Path(make_url(source_url).database or "").is_file():
        raise TransferError(f"找不到源数据库文件：{make_url(source_url).database}")
    source, target = make_engine(source_url), make_engine(target_url)
    try:
        return _copy(source, target, batch_rows=max(1, batch_rows), batch_bytes=max(1, batch_bytes),
                     progress=progress or (lambda _table, _rows: None))
    except sa.exc.OperationalError as exc:
        raise TransferError(f"无法连接或读写数据库：{str(exc.orig or exc).strip().splitlines()[0]}") from exc
    finally:
        source.dispose()
        target.dispose()


def _revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from sync.server.db import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return ScriptDirectory.from_config(config).get_current_head() or ""


def _counts(conn: Connection) -> dict[str, int]:
    return {table.name: conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in t.metadata.sorted_tables}


def _copy(source: Engine, target: Engine, *, batch_rows: int, batch_bytes: int,
          progress: Progress) -> list[TableCount]:
    revision, head = _revision(source), _head()
    if revision is None:
        raise TransferError("源数据库里没有村访通服务器的表（是不是地址写错了？）。")
    if revision != head:
        raise TransferError(f"源数据库的结构是第 {revision} 版，本程序是第 {head} 版：请先对源数据库运行一次 "
                            "cunfang-server --db 源数据库 records count（会自动升级），再复制。")
    migrate(target)  # creates the tables in a new database; a target at the head already is left as it is
    with target.connect() as conn:
        filled = {name: n for name, n in _counts(conn).items() if n}
    if filled:
        listed = "，".join(f"{name} {n} 行" for name, n in filled.items())
        raise TransferError(f"目标数据库里已经有数据（{listed}）。请复制到一个新建的空数据库。")

    with _snapshot(source) as read, target.begin() as write:
        expected = _counts(read)
        for table in t.metadata.sorted_tables:
            _copy_table(read, write, table, batch_rows=batch_rows, batch_bytes=batch_bytes, progress=progress)
        if write.dialect.name == "postgresql":
            _advance_sequences(write)
    with target.connect() as conn:
        got = _counts(conn)
    counts = [TableCount(name, expected[name], got[name]) for name in expected]
    wrong = [c for c in counts if not c.ok]
    if wrong:
        listed = "，".join(f"{c.table} 源 {c.source} 行、目标 {c.target} 行" for c in wrong)
        raise TransferError(f"复制后行数不一致：{listed}。目标数据库不可用，请删除后重新复制。")
    return counts


class _snapshot:
    """A read transaction that sees one moment of the source, however long the copy takes."""

    def __init__(self, engine: Engine):
        self.engine = engine

    def __enter__(self) -> Connection:
        options = {"isolation_level": "REPEATABLE READ"} if self.engine.dialect.name == "postgresql" else \
            {"readonly": True}  # SQLite (WAL): a deferred BEGIN, the snapshot taken at the first read
        self.conn = self.engine.connect().execution_options(**options)
        self.transaction = self.conn.begin()
        return self.conn

    def __exit__(self, *exc) -> None:
        self.transaction.rollback()  # only read
        self.conn.close()


def _size(row: dict) -> int:
    return sum(len(value) for value in row.values() if isinstance(value, (bytes, str)))


def _copy_table(read: Connection, write: Connection, table: sa.Table, *, batch_rows: int, batch_bytes: int,
                progress: Progress) -> int:
    query = sa.select(table).order_by(*table.primary_key.columns)
    result = read.execution_options(stream_results=True, yield_per=batch_rows).execute(query)
    batch: list[dict] = []
    size = copied = 0
    for row in result:
        values = dict(row._mapping)
        batch.append(values)
        size += _size(values)
        if len(batch) >= batch_rows or size >= batch_bytes:
            write.execute(table.insert(), batch)
            copied += len(batch)
            progress(table.name, copied)
            batch, size = [], 0
    if batch:
        write.execute(table.insert(), batch)
        copied += len(batch)
    progress(table.name, copied)
    return copied


def _advance_sequences(write: Connection) -> None:
    """PostgreSQL: each serial id's sequence continues after the largest copied id (explicit ids do not move it)."""
    for table in t.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        write.execute(sa.text(
            f"SELECT setval(pg_get_serial_sequence(:table, :column), "
            f'COALESCE((SELECT MAX("{column.name}") FROM "{table.name}"), 0) + 1, false)'),
            {"table": table.name, "column": column.name})
