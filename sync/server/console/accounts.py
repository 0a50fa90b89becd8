"""Console accounts: argon2id passwords, the laptop's lockout, sessions kept in the database.

Separate from the users whose devices sync. Nothing is kept in one process's memory: any
server host sharing the database checks any session, counter or account the same way.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.exc import IntegrityError

from app import passwords
from app.accounts import _check_login as check_login
from app.errors import CunFangError, ErrorCode
from app.roles import ANY, Role
from app.store import lockout
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database, sha256, utc_now

IDLE_SECONDS = 30 * 60  # a session unused this long is over
COOKIE = "cunfang_console"
HASHER = PasswordHasher()  # argon2id with the library's defaults (RFC 9106 low-memory profile)
# A hash to verify against when the name is unknown, so both answers take the same time
_DUMMY_HASH = HASHER.hash(secrets.token_urlsafe(16))


@dataclass(frozen=True)
class ConsoleRole:
    name: str
    label: str
    pages: frozenset[str]
    scope_role: Role  # what scope.py applies to records and persons
    needs_township: bool = False


_READ = frozenset({"overview", "persons", "records", "queue", "export", "conflicts", "audit"})
_IT = frozenset({"users", "forms", "audit"})
CONSOLE_ROLES: dict[str, ConsoleRole] = {r.name: r for r in (
    ConsoleRole("county_admin", "县局管理员", _READ | _IT | {"resolve"},
                Role("county_admin", "县局管理员", ANY, ANY, all_villages=True, administers=True, sees_full_ids=True)),
    ConsoleRole("county_viewer", "县局查看", _READ,
                Role("county_viewer", "县局查看", ANY, ANY, all_villages=True, sees_full_ids=True)),
    ConsoleRole("township", "乡镇", frozenset({"overview", "persons", "records", "queue", "export"}),
                Role("township", "乡镇", ANY, ANY, sees_full_ids=True), needs_township=True),
    ConsoleRole("it", "信息化", _IT, Role("it", "信息化", (), ())),  # no form, no kind of person: no personal data
)}


def console_role(name: str) -> ConsoleRole:
    for candidate in CONSOLE_ROLES.values():
        if name in (candidate.name, candidate.label):
            return candidate
    raise CunFangError(ErrorCode.SYNC_ROLE_UNKNOWN, role=name,
                       roles="、".join(f"{r.name}（{r.label}）" for r in CONSOLE_ROLES.values()))


@dataclass(frozen=True)
class ConsoleUser:
    id: int
    name: str
    display_name: str
    role: ConsoleRole
    township: str
    csrf: str = ""

    @property
    def caller(self) -> Caller:
        """Who this account is to ``scope.py``: the device id names the console."""
        return Caller(self.display_name or self.name, self.role.scope_role, [] if self.role.needs_township else [ANY],
                      "console", township=self.township)

    def may(self, page: str) -> bool:
        return page in self.role.pages


class ConsoleAccounts:
    def __init__(self, db: Database):
        self.db = db

    # ---------------------------------------------------------------- administration (CLI and 用户 page)

    def add(self, name: str, role_name: str, password: str, *, township: str = "", display_name: str = "") -> None:
        login = check_login(name)
        chosen = console_role(role_name)
        township = township.strip()
        if chosen.needs_township != bool(township) or (township and not (township.isdigit() and len(township) == 9)):
            raise CunFangError(ErrorCode.CONSOLE_TOWNSHIP_NEEDED)
        passwords.check(password, login=login, name=display_name)
        with self.db.engine.begin() as conn:
            try:
                conn.execute(t.console_users.insert().values(
                    name=login, display_name=display_name.strip(), role=chosen.name, township=township,
                    password_hash=HASHER.hash(password), active=True, created_at=utc_now()))
            except IntegrityError as exc:
                raise CunFangError(ErrorCode.ACCOUNT_EXISTS, login=login) from exc
            self.db.audit(conn, action="console_user_add", subject=login, message=f"{chosen.label} {township}")

    def list(self) -> list[dict]:
        with self.db.read() as conn:
            rows = conn.execute(sa.select(t.console_users).order_by(t.console_users.c.name)).all()
        return [{"name": r.name, "display_name": r.display_name, "role": r.role,
                 "role_label": CONSOLE_ROLES[r.role].label, "township": r.township, "active": r.active,
                 "created_at": r.created_at, "last_login": r.last_login} for r in rows]

    def reset(self, name: str, password: str) -> None:
        """A new password; the account's sessions end and its lockout is lifted."""
        login = check_login(name)
        passwords.check(password, login=login)
        with self.db.engine.begin() as conn:
            user_id = self._id(conn, login)
            conn.execute(t.console_users.update().where(t.console_users.c.id == user_id)
                         .values(password_hash=HASHER.hash(password), active=True))
            conn.execute(t.console_sessions.delete().where(t.console_sessions.c.user_id == user_id))
            conn.execute(t.console_logins.delete().where(t.console_logins.c.name == login))
            self.db.audit(conn, action="console_user_reset", subject=login)

    def disable(self, name: str) -> None:
        login = check_login(name)
        with self.db.engine.begin() as conn:
            user_id = self._id(conn, login)
            conn.execute(t.console_users.update().where(t.console_users.c.id == user_id).values(active=False))
            conn.execute(t.console_sessions.delete().where(t.console_sessions.c.user_id == user_id))
            self.db.audit(conn, action="console_user_disable", subject=login)

    @staticmethod
    def _id(conn, login: str) -> int:
        user_id = conn.execute(sa.select(t.console_users.c.id).where(t.console_users.c.name == login)).scalar()
        if user_id is None:
            raise CunFangError(ErrorCode.ACCOUNT_NOT_FOUND, login=login)
        return user_id

    # ---------------------------------------------------------------- signing in

    def sign_in(self, name: str, password: str, *, now: float | None = None) -> str:
        """A new session's cookie value, or ACCOUNT_WAIT / ACCOUNT_BAD_LOGIN. Five wrong passwords in a row are
        free, then each waits twice as long (``app.store.lockout``); unknown names share one counter."""
        now = time.time() if now is None else now
        login = name.strip().lower()
        with self.db.engine.begin() as conn:
            row = conn.execute(sa.select(t.console_users).where(t.console_users.c.name == login)).one_or_none()
            key = login if row is not None else lockout.UNKNOWN
            attempts = self._attempts(conn, key)
            wait = lockout.wait_seconds(attempts, key, now)
            if wait:
                raise CunFangError(ErrorCode.ACCOUNT_WAIT, seconds=wait)
            if not self._verify(row.password_hash if row is not None else _DUMMY_HASH, password) \
                    or row is None or not row.active:
                lockout.record_failure(attempts, key, now)
                self._save_attempts(conn, key, attempts[key])
                self.db.audit(conn, action="console_login", subject=login if row is not None
                              else lockout.UNKNOWN_LOGIN, outcome="refused")
                failed = True
            else:
                failed = False
                conn.execute(t.console_logins.delete().where(t.console_logins.c.name == key))
                token = secrets.token_urlsafe(32)
                conn.execute(t.console_sessions.insert().values(
                    token_hash=sha256(token), user_id=row.id, csrf=secrets.token_urlsafe(32), created_at=utc_now(),
                    last_seen=int(now)))
                conn.execute(t.console_users.update().where(t.console_users.c.id == row.id)
                             .values(last_login=utc_now()))
                self.db.audit(conn, action="console_login", subject=login, outcome="ok")
        if failed:  # the counter is committed before the refusal
            raise CunFangError(ErrorCode.ACCOUNT_BAD_LOGIN)
        return token

    @staticmethod
    def _verify(password_hash: str, password: str) -> bool:
        try:
            return HASHER.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @staticmethod
    def _attempts(conn, key: str) -> dict[str, dict]:
        row = conn.execute(sa.select(t.console_logins).where(t.console_logins.c.name == key)).one_or_none()
        return {key: {"failures": row.failures, "locked_until": float(row.locked_until)}} if row else {}

    def _save_attempts(self, conn, key: str, entry: dict) -> None:
        values = {"failures": int(entry["failures"]), "locked_until": int(entry["locked_until"] + 0.999)}
        if not conn.execute(t.console_logins.update().where(t.console_logins.c.name == key).values(**values)).rowcount:
            self.db.insert_ignore(conn, t.console_logins, [{"name": key, **values}])

    def session(self, token: str, *, now: float | None = None) -> ConsoleUser | None:
        """The account behind a session cookie, or None when unknown, idle too long or the account disabled;
        each use restarts the idle clock."""
        if not token:
            return None
        now = time.time() if now is None else now
        with self.db.engine.begin() as conn:
            row = conn.execute(
                sa.select(t.console_sessions.c.csrf, t.console_sessions.c.last_seen, t.console_users)
                .join(t.console_users, t.console_users.c.id == t.console_sessions.c.user_id)
                .where(t.console_sessions.c.token_hash == sha256(token))).one_or_none()
            if row is None:
                return None
            if row.last_seen + IDLE_SECONDS < now or not row.active:
                conn.execute(t.console_sessions.delete().where(t.console_sessions.c.token_hash == sha256(token)))
                return None
            if now - row.last_seen >= 30:  # at most one write a half minute per session
                conn.execute(t.console_sessions.update().where(t.console_sessions.c.token_hash == sha256(token))
                             .values(last_seen=int(now)))
        return ConsoleUser(row.id, row.name, row.display_name, CONSOLE_ROLES[row.role], row.township, row.csrf)

    def sign_out(self, token: str) -> None:
        with self.db.engine.begin() as conn:
            conn.execute(t.console_sessions.delete().where(t.console_sessions.c.token_hash == sha256(token)))
