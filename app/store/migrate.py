"""Numbered schema migrations: ``migrations/NNN_name.sql`` or ``.py`` (with ``apply(conn)``).

Each runs in its own transaction together with the row that records it, so a
crash mid-migration leaves the database as it was before that migration.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app.errors import CunFangError, ErrorCode

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
_NAME = re.compile(r"(\d{3})_([a-z0-9_]+)\.(sql|py)$")


@dataclass(frozen=True)
class Migration:
    number: int
    name: str
    path: Path

    def apply(self, conn) -> None:
        if self.path.suffix == ".sql":
            for statement in _split_sql(self.path.read_text(encoding="utf-8")):
                conn.execute(statement)
        else:
            module = importlib.import_module(f"app.store.migrations.{self.path.stem}")
            module.apply(conn)


def available() -> list[Migration]:
    found = []
    for path in sorted(MIGRATIONS_DIR.iterdir()):
        m = _NAME.fullmatch(path.name)
        if m:
            found.append(Migration(int(m.group(1)), m.group(2), path))
    return found


def applied(conn) -> dict[int, str]:
    conn.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL,"
        " applied_at TEXT NOT NULL)"
    )
    return dict(conn.execute("SELECT number, name FROM schema_migrations").fetchall())


def migrate(conn, *, upto: int | None = None) -> list[Migration]:
    """Apply every pending migration (up to ``upto``); returns those applied now."""
    done = applied(conn)
    known = available()
    newest_known = max((m.number for m in known), default=0)
    if done and max(done) > newest_known:
        raise CunFangError(ErrorCode.STORE_NEWER, found=max(done), known=newest_known)
    ran = []
    for migration in known:
        if migration.number in done or (upto is not None and migration.number > upto):
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            migration.apply(conn)
            conn.execute(
                "INSERT INTO schema_migrations (number, name, applied_at) VALUES (?, ?, ?)",
                (migration.number, migration.name, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        ran.append(migration)
    return ran


def _split_sql(script: str) -> list[str]:
    """Split a script into statements, keeping trigger bodies (BEGIN … END;) whole."""
    statements, current, depth = [], [], 0
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        upper = stripped.upper()
        if upper.startswith("CREATE TRIGGER"):
            depth = 1
        if depth and upper in ("END;", "END"):
            depth = 0
            statements.append("\n".join(current))
            current = []
            continue
        if not depth and stripped.endswith(";"):
            statements.append("\n".join(current))
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
