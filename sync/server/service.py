"""What the bureau server does, independent of HTTP: enrollment, records, attachments, forms, registry, audit.

The HTTP layer (``api.py``) and USB package import (``cli.py``) both call this, so
a package gets exactly the per-record results a sync would. Each record is
applied in its own transaction and the unique key (uuid, revision) decides
races between workers: there is no check-then-insert window to lose.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import threading
import time
import uuid as uuid_module
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from app.errors import CunFangError, ErrorCode
from app.roles import ROLES, Role, role
from sync import package, protocol
from sync.protocol import Outcome, RecordEnvelope, RecordResult, RegistryEntity, RegistryResult
from sync.server import tables as t

SERVER_VERSION = "0.1.0"
TOKEN_DAYS = 14
FORMS_DIR = Path(__file__).resolve().parents[2] / "resources" / "forms"
AUTH_CACHE_SECONDS = 10.0
REGISTRY_LOCK = 7031  # PostgreSQL advisory lock: registry changes commit in ``seq`` order


class ServiceError(CunFangError):
    """A refusal with an HTTP status; ``code``/``message`` go on the wire."""

    def __init__(self, status: int, code: ErrorCode, **context: object):
        self.status = status
        super().__init__(code, **context)


@dataclass(frozen=True)
class Caller:
    """Who is calling: an enrolled device of an active user."""

    user_name: str
    role: Role
    villages: list[str]
    device_id: str

    def sees_village(self, village_id: str | None) -> bool:
        return self.role.may_see_village(village_id, self.villages)


def _bounded_by_now(item: RegistryEntity) -> RegistryEntity:
    """A laptop's time no later than the server's: a laptop clock days ahead must not make its change count as
    newer than every change made after it (the merge's "newer change" and the row's time), nor pass a future
    time to the other laptops (whose clock checks read it)."""
    from app.clock import parse_time

    stamp = parse_time(item.updated_at)
    if stamp is not None and stamp > datetime.now(UTC):
        return item.model_copy(update={"updated_at": utc_now()})
    return item


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def sha256(data: bytes | str) -> str:
    return hashlib.sha256(data.encode() if isinstance(data, str) else data).hexdigest()


class Service:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._forms: dict[tuple[str, str], object] = {}
        self._forms_lock = threading.Lock()
        self._callers: dict[str, tuple[Caller, float]] = {}

    def _read(self) -> Connection:
        """A connection for reading only (on SQLite it does not wait for, or block, the one writer)."""
        return self.engine.connect().execution_options(readonly=True)

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    # ------------------------------------------------------------------ setup

    def ensure_setup(self) -> None:
        """First start: a server id, the USB package key pair, and the built-in forms."""
        with self.engine.begin() as conn:
            have = {row.key for row in conn.execute(sa.select(t.meta.c.key))}
            if "server_id" not in have:
                private, public = package.new_keypair()
                self._insert_ignore(conn, t.meta, [{"key": "server_id", "value": str(uuid_module.uuid4())},
                                                   {"key": "package_private", "value": private},
                                                   {"key": "package_public", "value": public}])
            has_forms = conn.execute(sa.select(sa.func.count()).select_from(t.forms)).scalar_one()
        if not has_forms:
            for path in sorted(FORMS_DIR.glob("*.xlsx")):
                self.add_form(path.read_bytes())

    def meta(self, key: str) -> str:
        with self._read() as conn:
            return conn.execute(sa.select(t.meta.c.value).where(t.meta.c.key == key)).scalar_one()

    def _insert_ignore(self, conn: Connection, table: sa.Table, rows: list[dict]) -> int:
        """INSERT … ON CONFLICT DO NOTHING on either database; returns rows inserted."""
        return conn.execute(self._dialect_insert()(table).on_conflict_do_nothing(), rows).rowcount

    def _audit(self, conn: Connection, *, action: str, caller: Caller | None = None, subject: str = "",
               revision: int | None = None, outcome: str = "", code: str = "", message: str = "") -> None:
        conn.execute(t.audit.insert().values(
            at=utc_now(), user_name=caller.user_name if caller else "", device_id=caller.device_id if caller else "",
            action=action, subject=subject, revision=revision, outcome=outcome, code=code, message=message))

    # ------------------------------------------------------------------ users and devices

    def add_user(self, name: str, role_name: str, villages: list[str]) -> str:
        """Create a user; returns their one-time enrollment token."""
        chosen = role(role_name)
        with self.engine.begin() as conn:
            try:
                user_id = conn.execute(t.users.insert().values(
                    name=name, role=chosen.name, villages=json.dumps(villages), active=True,
                    created_at=utc_now())).inserted_primary_key[0]
            except IntegrityError as exc:
                raise ServiceError(409, ErrorCode.SYNC_USER_EXISTS, name=name) from exc
            self._audit(conn, action="user_add", subject=name, message=f"{chosen.label} {','.join(villages)}")
        return self.new_token(name, user_id=user_id)

    def new_token(self, name: str, *, user_id: int | None = None) -> str:
        """A fresh one-time enrollment token for an existing user (valid for TOKEN_DAYS days)."""
        token = "cf-" + secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
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
        with self.engine.begin() as conn:
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
            self._audit(conn, action="enroll", caller=caller, subject=device_id, message=device_name)
        return protocol.EnrollResponse(device_id=device_id, credential=credential, server_id=self.meta("server_id"),
                                       package_key=self.meta("package_public"), user=self.user_info(caller))

    @staticmethod
    def user_info(caller: Caller) -> protocol.UserInfo:
        return protocol.UserInfo(name=caller.user_name, role=caller.role.name, role_label=caller.role.label,
                                 villages=caller.villages)

    def authenticate(self, credential: str) -> Caller:
        """The caller behind a device credential, or a refusal when unknown or revoked.

        Each worker remembers an answer for AUTH_CACHE_SECONDS (every chunk and batch asks), so a
        revocation takes effect within that time on every worker.
        """
        key = sha256(credential)
        cached = self._callers.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        caller = self._authenticate(credential)
        self._callers[key] = (caller, time.monotonic() + AUTH_CACHE_SECONDS)
        return caller

    def _authenticate(self, credential: str) -> Caller:
        query = (sa.select(t.devices.c.id, t.devices.c.revoked_at, t.users.c.name, t.users.c.role,
                           t.users.c.villages, t.users.c.active)
                 .join(t.users, t.users.c.id == t.devices.c.user_id)
                 .where(t.devices.c.credential_hash == sha256(credential)))
        with self._read() as conn:
            row = conn.execute(query).one_or_none()
        if row is None or row.revoked_at or not row.active:
            raise ServiceError(401, ErrorCode.SYNC_DEVICE_REVOKED)
        return Caller(row.name, ROLES[row.role], json.loads(row.villages), row.id)

    def revoke_device(self, device_id: str) -> bool:
        with self.engine.begin() as conn:
            done = conn.execute(t.devices.update().where(t.devices.c.id == device_id, t.devices.c.revoked_at.is_(None))
                                .values(revoked_at=utc_now())).rowcount
            self._audit(conn, action="revoke", subject=device_id, outcome="ok" if done else "unknown")
        self._callers.clear()
        return bool(done)

    def list_devices(self) -> list[dict]:
        query = (sa.select(t.devices.c.id, t.devices.c.name, t.devices.c.created_at, t.devices.c.revoked_at,
                           t.users.c.name.label("user"))
                 .join(t.users, t.users.c.id == t.devices.c.user_id).order_by(t.devices.c.created_at))
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    # ------------------------------------------------------------------ forms

    def add_form(self, content: bytes) -> tuple[str, str]:
        """Publish a form version (checked by the same engine the laptops use); returns (form_id, version)."""
        from app.forms.xlsform import load_form

        form = load_form(content)
        with self.engine.begin() as conn:
            self._insert_ignore(conn, t.forms, [{
                "form_id": form.form_id, "version": form.version or "", "title": form.title or form.form_id,
                "content": content, "sha256": sha256(content), "created_at": utc_now()}])
        with self._forms_lock:
            self._forms[(form.form_id, form.version or "")] = form
        return form.form_id, form.version or ""

    def form_def(self, form_id: str, version: str):
        """The engine's form for a published version (loaded once per process), or None."""
        key = (form_id, version)
        with self._forms_lock:
            if key in self._forms:
                return self._forms[key]
        with self._read() as conn:
            content = conn.execute(sa.select(t.forms.c.content).where(
                t.forms.c.form_id == form_id, t.forms.c.version == version)).scalar_one_or_none()
        if content is None:
            return None
        from app.forms.xlsform import load_form

        form = load_form(bytes(content))
        with self._forms_lock:
            self._forms[key] = form
        return form

    def form_list(self, caller: Caller) -> protocol.FormList:
        with self._read() as conn:
            rows = conn.execute(sa.select(t.forms.c.form_id, t.forms.c.version, t.forms.c.title, t.forms.c.sha256,
                                          sa.func.length(t.forms.c.content).label("size"))
                                .order_by(t.forms.c.form_id, t.forms.c.version)).all()
        return protocol.FormList(forms=[protocol.FormInfo(**row._mapping) for row in rows
                                        if caller.role.may_use_form(row.form_id)])

    def form_content(self, caller: Caller, form_id: str, version: str) -> bytes | None:
        if not caller.role.may_use_form(form_id):
            return None
        with self._read() as conn:
            content = conn.execute(sa.select(t.forms.c.content).where(
                t.forms.c.form_id == form_id, t.forms.c.version == version)).scalar_one_or_none()
        return bytes(content) if content is not None else None

    # ------------------------------------------------------------------ attachments

    def attachment_status(self, digest: str) -> protocol.AttachmentStatus:
        with self._read() as conn:
            return self._attachment_status(conn, digest)

    @staticmethod
    def _attachment_status(conn: Connection, digest: str) -> protocol.AttachmentStatus:
        size = conn.execute(sa.select(t.attachments.c.size).where(t.attachments.c.hash == digest)).scalar_one_or_none()
        if size is not None:
            return protocol.AttachmentStatus(hash=digest, received=size, complete=True)
        received = 0
        for offset, length in conn.execute(
            sa.select(t.attachment_chunks.c.offset, sa.func.length(t.attachment_chunks.c.data))
            .where(t.attachment_chunks.c.hash == digest).order_by(t.attachment_chunks.c.offset)
        ):
            if offset != received:
                break
            received += length
        return protocol.AttachmentStatus(hash=digest, received=received, complete=False)

    def put_chunk(self, digest: str, offset: int, total: int, data: bytes) -> protocol.AttachmentStatus:
        """Store one chunk at ``offset``; the last one completes the attachment if the hash matches.

        A chunk sent again (its answer was lost) changes nothing; a chunk that does not
        start where the server stopped is refused with the offset to resume from.
        """
        if total > protocol.MAX_ATTACHMENT:
            raise ServiceError(413, ErrorCode.SYNC_ATTACHMENT_TOO_BIG, name=digest[:12],
                               size_mb=round(total / 2**20, 1), limit_mb=protocol.MAX_ATTACHMENT // 2**20)
        with self.engine.begin() as conn:
            status = self._attachment_status(conn, digest)
            if status.complete or offset + len(data) <= status.received:
                return status
            if offset != status.received or offset + len(data) > total:
                raise ServiceError(409, ErrorCode.SYNC_BAD_REQUEST,
                                   reason=f"附件应从第 {status.received} 字节继续上传")
            self._insert_ignore(conn, t.attachment_chunks, [{"hash": digest, "offset": offset, "data": data}])
            received = offset + len(data)
            if received < total:
                return protocol.AttachmentStatus(hash=digest, received=received, complete=False)
            content = b"".join(bytes(row.data) for row in conn.execute(
                sa.select(t.attachment_chunks.c.data).where(t.attachment_chunks.c.hash == digest)
                .order_by(t.attachment_chunks.c.offset)))
            conn.execute(t.attachment_chunks.delete().where(t.attachment_chunks.c.hash == digest))
            bad = sha256(content) != digest
            if not bad:
                self._insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content), "content": content,
                                                           "created_at": utc_now()}])
        if bad:  # the partial chunks are gone (committed above); the laptop uploads again from 0
            raise ServiceError(422, ErrorCode.SYNC_ATTACHMENT_BAD_HASH, hash=digest[:12])
        return protocol.AttachmentStatus(hash=digest, received=len(content), complete=True)

    def add_attachment(self, content: bytes) -> str:
        """Store a whole attachment at once (USB packages)."""
        digest = sha256(content)
        with self.engine.begin() as conn:
            self._insert_ignore(conn, t.attachments, [{"hash": digest, "size": len(content), "content": content,
                                                       "created_at": utc_now()}])
        return digest

    # ------------------------------------------------------------------ records

    def push(self, caller: Caller, envelopes: list[RecordEnvelope]) -> list[RecordResult]:
        """Apply a batch: each record on its own, so one bad record never blocks the others.

        Records are checked (form engine, villages, attachments) before the write transaction;
        then the batch is written in one transaction with a few statements for the whole batch
        (one disk flush); a record that loses a race to another worker is looked at again.
        """
        known = self._known_hashes(envelopes)
        # a revision already stored with the same content is a duplicate: no need to run the form engine again
        checked = [(env, None if known.get((env.uuid, env.revision)) == env.content_hash
                    and self._rights_problem(caller, env) is None else self._check(caller, env)) for env in envelopes]
        with self.engine.begin() as conn:
            return self._write_batch(conn, caller, checked)

    def _known_hashes(self, envelopes: list[RecordEnvelope]) -> dict[tuple[str, int], str]:
        uuids = sorted({env.uuid for env in envelopes})
        if not uuids:
            return {}
        with self._read() as conn:
            rows = conn.execute(sa.select(t.record_revisions.c.uuid, t.record_revisions.c.revision,
                                          t.record_revisions.c.content_hash)
                                .where(t.record_revisions.c.uuid.in_(uuids))).all()
        return {(row.uuid, row.revision): row.content_hash for row in rows}

    def _rights_problem(self, caller: Caller, env: RecordEnvelope) -> CunFangError | None:
        """Why this user may not submit this record (role's forms, villages), or None."""
        if not caller.role.may_use_form(env.form_id):
            known = self.form_def(env.form_id, env.form_version)
            return CunFangError(ErrorCode.SYNC_FORM_NOT_ALLOWED, role=caller.role.label,
                                form_id=getattr(known, "title", None) or env.form_id)
        village_id = self._village_of(caller, env)
        if village_id is None and not caller.role.all_villages:
            return CunFangError(ErrorCode.SYNC_NO_VILLAGE)
        if village_id is not None and not caller.sees_village(village_id):
            return CunFangError(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village_id)
        return None

    def push_one(self, caller: Caller, env: RecordEnvelope) -> RecordResult:
        return self.push(caller, [env])[0]

    def _village_of(self, caller: Caller, env: RecordEnvelope) -> str | None:
        if env.village_id:
            return env.village_id
        if len(caller.villages) == 1:
            return caller.villages[0]
        return None

    def _check(self, caller: Caller, env: RecordEnvelope) -> tuple[Outcome, CunFangError, list[str]] | None:
        """Why a record cannot be applied now (rejected for good, or retry later), or None."""
        if protocol.content_hash(env.form_id, env.form_version, env.data, env.attachments) != env.content_hash:
            return Outcome.RETRY, CunFangError(ErrorCode.SYNC_CONTENT_MISMATCH), []
        refused = self._rights_problem(caller, env)
        if refused is not None:
            return Outcome.REJECTED, refused, []
        form = self.form_def(env.form_id, env.form_version)
        if form is None:
            return Outcome.REJECTED, CunFangError(ErrorCode.SYNC_FORM_UNKNOWN, form_id=env.form_id,
                                                  version=env.form_version or "（无）"), []
        from app.forms.fill import fill

        result = fill(form, env.data, saved=True)
        if not result["valid"]:
            key, first = next(iter(result["errors"].items()))
            return Outcome.REJECTED, CunFangError(ErrorCode.SYNC_RECORD_INVALID, first=f"{key}：{first}",
                                                  count=len(result["errors"])), []
        wanted = sorted({a.hash for a in env.attachments})
        if wanted:
            with self._read() as conn:
                have = set(conn.execute(sa.select(t.attachments.c.hash).where(t.attachments.c.hash.in_(wanted)))
                           .scalars())
            missing = [h for h in wanted if h not in have]
            if missing:
                return Outcome.RETRY, CunFangError(ErrorCode.SYNC_ATTACHMENTS_MISSING, count=len(missing)), missing
        return None

    def _write_batch(self, conn: Connection, caller: Caller,
                     checked: list[tuple[RecordEnvelope, tuple | None]]) -> list[RecordResult]:
        now = utc_now()
        results: dict[int, RecordResult] = {}
        for i, (env, refusal) in enumerate(checked):
            if refusal is not None:
                outcome, error, missing = refusal
                results[i] = RecordResult(uuid=env.uuid, revision=env.revision, outcome=outcome,
                                          code=error.code.name, message=error.message, missing=missing)
        todo = [(i, env) for i, (env, refusal) in enumerate(checked) if refusal is None]
        accepted: list[RecordEnvelope] = []
        for _attempt in range(5):
            if not todo:
                break
            stored, heads = self._revisions_of(conn, [env for _, env in todo])
            fresh: list[tuple[int, RecordEnvelope]] = []
            for i, env in todo:
                key, head = (env.uuid, env.revision), heads.get(env.uuid)
                if key in stored:
                    results[i] = (RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.DUPLICATE,
                                               server_revision=head) if stored[key][0] == env.content_hash
                                  else self._conflict(conn, caller, env, head or env.revision, now))
                elif head is not None and env.base_revision != head and not (
                        env.revision > head and stored.get((env.uuid, head), ("", ""))[1] == caller.device_id):
                    # edited from an older revision than the newest here, and not this laptop's own line of
                    # edits (whose earlier answer was lost): a competing edit
                    results[i] = self._conflict(conn, caller, env, head, now)
                else:
                    fresh.append((i, env))
                    stored[key] = (env.content_hash, caller.device_id)
                    heads[env.uuid] = max(head or 0, env.revision)
            inserted = self._insert_revisions(conn, caller, [env for _, env in fresh], now)
            for i, env in fresh:
                if (env.uuid, env.revision) in inserted:
                    accepted.append(env)
                    results[i] = RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.ACCEPTED,
                                              server_revision=heads[env.uuid])
            todo = [(i, env) for i, env in fresh if (env.uuid, env.revision) not in inserted]  # lost a race
        if todo:
            raise ServiceError(503, ErrorCode.SYNC_SERVER_ERROR, status="busy")
        self._upsert_heads(conn, caller, accepted, now)
        ordered = [results[i] for i in range(len(checked))]
        if ordered:
            conn.execute(t.audit.insert(), [
                {"at": now, "user_name": caller.user_name, "device_id": caller.device_id, "action": "push",
                 "subject": r.uuid, "revision": r.revision, "outcome": r.outcome.value, "code": r.code,
                 "message": r.message} for r in ordered])
        return ordered

    @staticmethod
    def _revisions_of(conn: Connection, envelopes: list[RecordEnvelope]
                      ) -> tuple[dict[tuple[str, int], tuple[str, str]], dict[str, int]]:
        """Stored revisions of these records ((uuid, revision) → (content hash, device)) and their newest."""
        uuids = sorted({env.uuid for env in envelopes})
        stored = {(row.uuid, row.revision): (row.content_hash, row.device_id) for row in conn.execute(
            sa.select(t.record_revisions.c.uuid, t.record_revisions.c.revision, t.record_revisions.c.content_hash,
                      t.record_revisions.c.device_id).where(t.record_revisions.c.uuid.in_(uuids)))}
        heads = dict(conn.execute(sa.select(t.records.c.uuid, t.records.c.revision)
                                  .where(t.records.c.uuid.in_(uuids))).all())
        return stored, heads

    def _insert_revisions(self, conn: Connection, caller: Caller, envelopes: list[RecordEnvelope],
                          now: str) -> set[tuple[str, int]]:
        """Insert new revisions in one statement; returns those stored (the rest lost a race to another worker)."""
        if not envelopes:
            return set()
        rows = [{"uuid": env.uuid, "revision": env.revision, "prev_revision": env.prev_revision,
                 "content_hash": env.content_hash, "form_id": env.form_id, "form_version": env.form_version,
                 "village_id": self._village_of(caller, env), "person_id": env.person_id,
                 "household_id": env.household_id, "author": env.author, "title": env.title,
                 "data": protocol.canonical_json(env.data),
                 "attachments": protocol.canonical_json([a.model_dump() for a in env.attachments]),
                 "created_at": env.created_at, "updated_at": env.updated_at, "received_at": now,
                 "user_name": caller.user_name, "device_id": caller.device_id}
                for env in sorted(envelopes, key=lambda e: (e.uuid, e.revision))]  # one lock order for all workers
        statement = (self._dialect_insert()(t.record_revisions).values(rows).on_conflict_do_nothing()
                     .returning(t.record_revisions.c.uuid, t.record_revisions.c.revision))
        return {(row.uuid, row.revision) for row in conn.execute(statement)}

    def _dialect_insert(self):
        if self.is_postgres:
            from sqlalchemy.dialects.postgresql import insert
        else:
            from sqlalchemy.dialects.sqlite import insert
        return insert

    def _conflict(self, conn: Connection, caller: Caller, env: RecordEnvelope, server_revision: int,
                  now: str) -> RecordResult:
        added = self._insert_ignore(conn, t.conflicts, [{
            "uuid": env.uuid, "revision": env.revision, "content_hash": env.content_hash,
            "envelope": env.model_dump_json(), "server_revision": server_revision, "user_name": caller.user_name,
            "device_id": caller.device_id, "received_at": now}])
        if added:
            conn.execute(t.records.update().where(t.records.c.uuid == env.uuid)
                         .values(conflicts=t.records.c.conflicts + 1))
        error = CunFangError(ErrorCode.SYNC_CONFLICT, server_revision=server_revision)
        return RecordResult(uuid=env.uuid, revision=env.revision, outcome=Outcome.CONFLICT, code=error.code.name,
                            message=error.message, server_revision=server_revision)

    def _upsert_heads(self, conn: Connection, caller: Caller, envelopes: list[RecordEnvelope], now: str) -> None:
        """Make each record's newest revision its head (one statement; an older revision never replaces a newer)."""
        newest: dict[str, RecordEnvelope] = {}
        for env in envelopes:
            if env.uuid not in newest or newest[env.uuid].revision < env.revision:
                newest[env.uuid] = env
        if not newest:
            return
        rows = [{"uuid": env.uuid, "revision": env.revision, "form_id": env.form_id,
                 "form_version": env.form_version, "village_id": self._village_of(caller, env),
                 "person_id": env.person_id, "title": env.title, "author": env.author,
                 "data": protocol.canonical_json(env.data), "updated_at": env.updated_at, "received_at": now,
                 "conflicts": 0} for _, env in sorted(newest.items())]
        statement = self._dialect_insert()(t.records).values(rows)
        update = {k: statement.excluded[k] for k in rows[0] if k not in ("uuid", "conflicts")}
        conn.execute(statement.on_conflict_do_update(index_elements=["uuid"], set_=update,
                                                     where=t.records.c.revision < statement.excluded.revision))

    def audit_push(self, caller: Caller, entries: list[protocol.AuditEntry]) -> protocol.AuditPushResponse:
        """Keep a laptop's audit entries, checking that each links to the one before (on the laptop's chain)."""
        from app.store.audit import GENESIS, entry_hash

        now = utc_now()
        entries = sorted(entries, key=lambda e: e.id)
        with self.engine.begin() as conn:
            known = dict(conn.execute(sa.select(t.device_audit.c.entry_id, t.device_audit.c.hash).where(
                t.device_audit.c.device_id == caller.device_id,
                t.device_audit.c.entry_id.in_([e.id - 1 for e in entries] + [e.id for e in entries]))).all())
            hashes, chain_ok = dict(known), True
            for entry in entries:
                expected = GENESIS if entry.id == 1 else hashes.get(entry.id - 1)
                recomputed = entry_hash(entry.prev_hash, entry.id, entry.at, entry.user, entry.action,
                                        entry.subject, entry.detail)
                if (recomputed != entry.hash or (expected is not None and entry.prev_hash != expected)
                        or hashes.get(entry.id, entry.hash) != entry.hash):
                    chain_ok = False  # altered, removed or rewritten on the laptop
                hashes[entry.id] = entry.hash
            rows = [{"device_id": caller.device_id, "entry_id": e.id, "at": e.at, "user_name": e.user,
                     "action": e.action, "subject": e.subject, "detail": e.detail, "prev_hash": e.prev_hash,
                     "hash": e.hash, "received_at": now} for e in entries]
            stored = self._insert_ignore(conn, t.device_audit, rows) if rows else 0
            if not chain_ok:
                self._audit(conn, action="device_audit", caller=caller, outcome="broken",
                            message="a laptop's audit log does not chain: entries removed or altered on the laptop")
            last = conn.execute(sa.select(sa.func.max(t.device_audit.c.entry_id)).where(
                t.device_audit.c.device_id == caller.device_id)).scalar_one() or 0
        return protocol.AuditPushResponse(stored=stored, last_id=last, chain_ok=chain_ok)

    def list_conflicts(self, *, open_only: bool = True) -> list[dict]:
        """Revisions that lost a race, with what the server has instead (for a person to decide)."""
        query = sa.select(t.conflicts, t.records.c.revision.label("head"), t.records.c.title).join(
            t.records, t.records.c.uuid == t.conflicts.c.uuid, isouter=True).order_by(t.conflicts.c.id)
        if open_only:
            query = query.where(t.conflicts.c.resolved_at.is_(None))
        with self._read() as conn:
            return [dict(row._mapping) for row in conn.execute(query)]

    def resolve_conflict(self, conflict_id: int, keep: str, *, resolver: str) -> dict:
        """Close a conflict: ``keep="server"`` leaves the record as it is; ``keep="laptop"`` makes the set-aside
        version the record's newest revision (a new revision, so nothing is overwritten)."""
        if keep not in ("server", "laptop"):
            raise ServiceError(422, ErrorCode.SYNC_BAD_REQUEST, reason="keep 只能是 server 或 laptop")
        now = utc_now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.conflicts).where(t.conflicts.c.id == conflict_id,
                                                            t.conflicts.c.resolved_at.is_(None))).one_or_none()
            if row is None:
                raise ServiceError(404, ErrorCode.SYNC_BAD_REQUEST, reason=f"没有待处理的冲突 {conflict_id}")
            revision = None
            if keep == "laptop":
                env = RecordEnvelope.model_validate_json(row.envelope)
                head = conn.execute(sa.select(t.records.c.revision).where(t.records.c.uuid == env.uuid)
                                    ).scalar_one_or_none() or 0
                chosen = env.model_copy(update={"revision": head + 1, "prev_revision": head or None,
                                                "base_revision": head or None, "updated_at": now})
                caller = Caller(resolver, ROLES["admin"], ["*"], row.device_id)
                self._insert_revisions(conn, caller, [chosen], now)
                self._upsert_heads(conn, caller, [chosen], now)
                revision = chosen.revision
            conn.execute(t.conflicts.update().where(t.conflicts.c.id == conflict_id).values(resolved_at=now))
            conn.execute(t.records.update().where(t.records.c.uuid == row.uuid, t.records.c.conflicts > 0)
                         .values(conflicts=t.records.c.conflicts - 1))
            self._audit(conn, action="resolve", subject=row.uuid, revision=revision, outcome=keep,
                        message=f"conflict {conflict_id} by {resolver}")
        return {"uuid": row.uuid, "kept": keep, "revision": revision}

    def count_records(self) -> dict:
        with self._read() as conn:
            by_form = dict(conn.execute(sa.select(t.records.c.form_id, sa.func.count())
                                        .group_by(t.records.c.form_id)).all())
            revisions = conn.execute(sa.select(sa.func.count()).select_from(t.record_revisions)).scalar_one()
            open_conflicts = conn.execute(sa.select(sa.func.count()).select_from(t.conflicts)
                                          .where(t.conflicts.c.resolved_at.is_(None))).scalar_one()
        return {"records": sum(by_form.values()), "revisions": revisions, "conflicts": open_conflicts,
                "by_form": by_form}

    # ------------------------------------------------------------------ registry

    def registry_pull(self, caller: Caller, cursor: int, limit: int = protocol.REGISTRY_PAGE) -> protocol.RegistryPage:
        """Villages, households and persons changed after ``cursor``, of the caller's villages and kinds only."""
        query = sa.select(t.registry).where(t.registry.c.seq > cursor).order_by(t.registry.c.seq).limit(limit)
        if not (caller.role.all_villages or "*" in caller.villages):
            query = query.where(t.registry.c.village_id.in_(caller.villages))
        with self._read() as conn:
            rows = conn.execute(query).all()
        items = []
        for row in rows:
            fields = json.loads(row.fields)
            if row.kind == "person" and not caller.role.may_see_kind(str(fields.get("kind", "other"))):
                continue
            items.append(RegistryEntity(kind=row.kind, id=row.id, village_id=row.village_id, fields=fields,
                                        updated_at=row.updated_at, seq=row.seq))
        last = rows[-1].seq if rows else cursor
        return protocol.RegistryPage(items=items, cursor=last, more=len(rows) == limit)

    def registry_push(self, caller: Caller, items: list[RegistryEntity]) -> list[RegistryResult]:
        return [self._registry_one(caller, item) for item in items]

    def _registry_one(self, caller: Caller, item: RegistryEntity) -> RegistryResult:
        item = _bounded_by_now(item)
        village_id = item.id if item.kind == "village" else item.village_id
        kind_ok = item.kind != "person" or caller.role.may_see_kind(str(item.fields.get("kind", "other")))
        if not kind_ok or (village_id and not caller.sees_village(village_id)) or (
                not village_id and not caller.role.all_villages):
            error = CunFangError(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village_id or "（无）")
            return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.REJECTED, code=error.code.name,
                                  message=error.message)
        id_number = str(item.fields.get("id_number") or "") if item.kind == "person" else ""
        if len(id_number) > t.registry.c.id_number.type.length or "\x00" in id_number:
            error = CunFangError(ErrorCode.SYNC_BAD_REQUEST, reason="身份证号过长或含有无效字符")
            return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.REJECTED, code=error.code.name,
                                  message=error.message)
        with self.engine.begin() as conn:
            if self.is_postgres:
                conn.execute(sa.select(sa.func.pg_advisory_xact_lock(REGISTRY_LOCK)))
            existing = conn.execute(sa.select(t.registry.c.seq, t.registry.c.updated_at, t.registry.c.fields).where(
                t.registry.c.kind == item.kind, t.registry.c.id == item.id)).one_or_none()
            if existing is None and id_number:
                other = conn.execute(sa.select(t.registry.c.id, t.registry.c.seq).where(
                    t.registry.c.kind == "person", t.registry.c.id_number == id_number)).one_or_none()
                if other is not None:
                    self._audit(conn, action="registry", caller=caller, subject=item.id, outcome="duplicate",
                                message=f"same person as {other.id}")
                    return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.DUPLICATE, same_as=other.id,
                                          seq=other.seq)
            fields, updated_at, lost = dict(item.fields), item.updated_at, {}
            if existing is not None and existing.seq != item.base_seq:
                fields, lost = self._merge(conn, existing, item)
                updated_at = max(existing.updated_at, item.updated_at)
            if existing is not None and protocol.canonical_json(fields) == existing.fields:
                # sent again (its answer was lost) or changed back: nothing new for the other laptops to pull
                return RegistryResult(kind=item.kind, id=item.id, outcome=Outcome.ACCEPTED, seq=existing.seq,
                                      merged=fields != item.fields)
            seq = conn.execute(t.registry_seq.insert().values(kind=item.kind, id=item.id,
                                                              fields=protocol.canonical_json(fields))
                               ).inserted_primary_key[0]
            values = {"village_id": village_id, "id_number": id_number or None,
                      "fields": protocol.canonical_json(fields), "updated_at": updated_at, "seq": seq}
            if existing is None:
                conn.execute(t.registry.insert().values(kind=item.kind, id=item.id, **values))
            else:
                conn.execute(t.registry.update().where(t.registry.c.kind == item.kind, t.registry.c.id == item.id)
                             .values(**values))
            outcome = Outcome.CONFLICT if lost else Outcome.ACCEPTED
            self._audit(conn, action="registry", caller=caller, subject=item.id, outcome=outcome.value,
                        message=protocol.canonical_json(lost) if lost else "")
        return RegistryResult(kind=item.kind, id=item.id, outcome=outcome, seq=seq, merged=fields != item.fields)

    @staticmethod
    def _merge(conn: Connection, existing, item: RegistryEntity) -> tuple[dict, dict]:
        """Three-way merge of a laptop's change into a row someone else changed since the laptop last saw it.

        Fields only the laptop changed take its value; fields only the server side changed keep theirs;
        a field both changed takes the newer change, and the other value is returned (for the audit).
        """
        base: dict = {}
        if item.base_seq is not None:
            text = conn.execute(sa.select(t.registry_seq.c.fields).where(t.registry_seq.c.seq == item.base_seq)
                                ).scalar_one_or_none()
            base = json.loads(text) if text else {}
        current = json.loads(conn.execute(sa.select(t.registry.c.fields).where(
            t.registry.c.kind == item.kind, t.registry.c.id == item.id)).scalar_one())
        merged, lost = dict(current), {}
        laptop_newer = item.updated_at > existing.updated_at
        for key, ours in item.fields.items():
            theirs = current.get(key)
            if ours == theirs:
                continue
            # without a base (the laptop never saw this row from the server) both sides count as changed
            we_changed = key not in base or ours != base[key]
            they_changed = key not in base or theirs != base[key]
            if not we_changed:
                continue
            if they_changed and not laptop_newer:
                lost[key] = ours
                continue
            if they_changed:
                lost[key] = theirs
            merged[key] = ours
        return merged, lost

