"""Users, their one-time enrollment tokens, enrolled devices and the credentials that authenticate them."""

from __future__ import annotations

import json
import secrets
import uuid as uuid_module
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.errors import ErrorCode
from app.roles import ROLES, role
from sync import protocol
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.common import Database, ServiceError, sha256, utc_now

TOKEN_DAYS = 14


class Accounts:
    def __init__(self, db: Database):
        self.db = db

    def add_user(self, name: str, role_name: str, villages: list[str]) -> str:
        """Create a user; returns their one-time enrollment token."""
        chosen = role(role_name)
        with self.db.engine.begin() as conn:
            try:
                user_id = conn.execute(t.users.insert().values(
                    name=name, role=chosen.name, villages=json.dumps(villages), active=True,
                    created_at=utc_now())).inserted_primary_key[0]
            except IntegrityError as exc:
                raise ServiceError(409, ErrorCode.SYNC_USER_EXISTS, name=name) from exc
            self.db.audit(conn, action="user_add", subject=name, message=f"{chosen.label} {','.join(villages)}")
        return self.new_token(name, user_id=user_id)

    def new_token(self, name: str, *, user_id: int | None = None) -> str:
        """A fresh one-time enrollment token for an existing user (valid for TOKEN_DAYS days)."""
        token = "cf-" + secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.db.engine.begin() as conn:
            if user_id is None:
                user_id = conn.execute(sa.select(t.users.c.id).where(t.users.c.name == name)).scalar_one_or_none()
                if user_id is None:
                    raise ServiceError(404, ErrorCode.SYNC_TOKEN_INVALID)
            conn.execute(t.enrollment_tokens.insert().values(
                token_hash=sha256(token), user_id=user_id, created_at=now.isoformat(),
                expires_at=(now + timedelta(days=TOKEN_DAYS)).isoformat()))
        return token

    def enroll(self, token: str, device_name: str) -> protocol.EnrollResponse:
        """Exchange a one-time token for a device credential (only its hash is kept here)."""
        credential = "cfd-" + secrets.token_urlsafe(32)
        device_id = str(uuid_module.uuid4())
        now = utc_now()
        with self.db.engine.begin() as conn:
            used = conn.execute(
                t.enrollment_tokens.update()
                .where(t.enrollment_tokens.c.token_hash == sha256(token), t.enrollment_tokens.c.used_at.is_(None),
                       t.enrollment_tokens.c.expires_at > now)
                .values(used_at=now)
                .returning(t.enrollment_tokens.c.user_id)
            ).scalar_one_or_none()
            if used is None:
                raise ServiceError(401, ErrorCode.SYNC_TOKEN_INVALID)
            user = conn.execute(sa.select(t.users).where(t.users.c.id == used)).one()
            conn.execute(t.devices.insert().values(id=device_id, user_id=used, name=device_name,
                                                   credential_hash=sha256(credential), created_at=now))
            caller = Caller(user.name, role(user.role), json.loads(user.villages), device_id)
            self.db.audit(conn, action="enroll", caller=caller, subject=device_id, message=device_name)
        return protocol.EnrollResponse(device_id=device_id, credential=credential, server_id=self.db.meta("server_id"),
                                       package_key=self.db.meta("package_public"), user=self.user_info(caller))

    @staticmethod
    def user_info(caller: Caller) -> protocol.UserInfo:
        return protocol.UserInfo(name=caller.user_name, role=caller.role.name, role_label=caller.role.label,
                                 villages=caller.villages)

    def authenticate(self, credential: str) -> Caller:
        """The caller behind a device credential, or a refusal when unknown or revoked.

        Asked of the database on every request (one indexed lookup), never remembered by a worker: a
        revocation or a disabled user is refused by every worker from the very next request.
        """
        query = (sa.select(t.devices.c.id, t.devices.c.revoked_at, t.users.c.name, t.users.c.role,
                           t.users.c.villages, t.users.c.active)
                 .join(t.users, t.users.c.id == t.devices.c.user_id)
                 .where(t.devices.c.credential_hash == sha256(credential)))
        with self.db.read() as conn:
            row = conn.execute(query).one_or_none()
        if row is None or row.revoked_at or not row.active:
            raise ServiceError(401, ErrorCode.SYNC_DEVICE_REVOKED)
        return Caller(row.name, ROLES[row.role], json.loads(row.villages), row.id)

    def revoke_device(self, device_id: str) -> bool:
        with self.db.engine.begin() as conn:
            done = conn.execute(t.devices.update().where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None))
                                .values(revoked_at=utc_now())).rowcount
            self.db.audit(conn, action="revoke", subject=device_id, outcome="ok" if done else "unknown")
        return bool(done)

    def list_devices(self) -> list[dict]:
        findings = (sa.select(sa.func.count()).select_from(t.audit_findings)
                    .where(t.audit_findings.c.device_id == t.devices.c.id).scalar_subquery())
        query = (sa.select(t.devices.c.id, t.devices.c.name, t.devices.c.created_at, t.devices.c.revoked_at,
                           t.users.c.name.label("user"), findings.label("findings"))
                 .join(t.users, t.users.c.id == t.devices.c.user_id).order_by(t.devices.c.created_at))
        with self.db.read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]
