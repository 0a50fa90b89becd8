"""What the bureau server does, independent of HTTP: the entity services put together behind one facade.

Each entity has its module in ``services/`` (accounts and devices, forms, attachments, records,
registry, the laptops' audit logs); who may read or write what is decided in one place,
``scope.py``. The HTTP layer (``api.py``), USB package import (``packages.py``) and the
``cunfang-server`` commands (``cli.py``) all call this facade, so a package gets exactly the
per-record results a sync would and a console command is checked like a request.
"""

from __future__ import annotations

import uuid as uuid_module

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync import package, protocol
from sync.protocol import RecordEnvelope, RecordResult, RegistryEntity, RegistryResult
from sync.server import scope
from sync.server import tables as t
from sync.server.scope import Caller
from sync.server.services.accounts import Accounts
from sync.server.services.attachments import DEVICE_QUOTA, UPLOAD_DAYS, Attachments
from sync.server.services.audit import DeviceAudit
from sync.server.services.common import Database, ServiceError, sha256, utc_now
from sync.server.services.forms import Forms
from sync.server.services.records import Records
from sync.server.services.regions import Regions
from sync.server.services.registry import Registry

SERVER_VERSION = "0.1.0"

__all__ = ["SERVER_VERSION", "Caller", "Service", "ServiceError", "sha256", "utc_now"]


class Service:
    """The server's services on one database. Methods taking a ``Caller`` apply its scope (``scope.py``);
    console commands pass ``scope.operator()``."""

    def __init__(self, engine: Engine, *, upload_days: float = UPLOAD_DAYS, device_quota: int = DEVICE_QUOTA):
        self.engine = engine
        self.db = Database(engine)
        self.accounts = Accounts(self.db)
        self.forms = Forms(self.db)
        self.attachments = Attachments(self.db, expire_days=upload_days, device_quota=device_quota)
        self.regions = Regions(self.db)
        self.records = Records(self.db, self.forms, self.attachments, self.regions)
        self.registry = Registry(self.db)
        self.device_audit = DeviceAudit(self.db)

    @property
    def is_postgres(self) -> bool:
        return self.db.is_postgres

    def ensure_setup(self) -> None:
        """First start: a server id, the USB package key pair, and the built-in forms."""
        with self.engine.begin() as conn:
            have = {row.key for row in conn.execute(sa.select(t.meta.c.key))}
            if "server_id" not in have:
                private, public = package.new_keypair()
                self.db.insert_ignore(conn, t.meta, [{"key": "server_id", "value": str(uuid_module.uuid4())},
                                                     {"key": "package_private", "value": private},
                                                     {"key": "package_public", "value": public}])
        self.forms.add_builtin()

    def meta(self, key: str) -> str:
        return self.db.meta(key)

    # ---------------------------------------------------------------- users and devices

    def add_user(self, name: str, role_name: str, villages: list[str]) -> str:
        return self.accounts.add_user(name, role_name, villages)

    def new_token(self, name: str) -> str:
        return self.accounts.new_token(name)

    def enroll(self, token: str, device_name: str) -> protocol.EnrollResponse:
        return self.accounts.enroll(token, device_name)

    user_info = staticmethod(Accounts.user_info)

    def authenticate(self, credential: str) -> Caller:
        return self.accounts.authenticate(credential)

    def revoke_device(self, device_id: str) -> bool:
        return self.accounts.revoke_device(device_id)

    def list_devices(self) -> list[dict]:
        return self.accounts.list_devices()

    # ---------------------------------------------------------------- forms and attachments

    def add_form(self, content: bytes) -> tuple[str, str]:
        return self.forms.add(content)

    def form_def(self, form_id: str, version: str):
        return self.forms.definition(form_id, version)

    def form_list(self, caller: Caller) -> protocol.FormList:
        return self.forms.listing(caller)

    def form_content(self, caller: Caller, form_id: str, version: str) -> bytes | None:
        return self.forms.content(caller, form_id, version)

    def region_lists(self, caller: Caller) -> protocol.RegionLists:
        return self.regions.listing()

    def region_list(self, caller: Caller, county: str) -> protocol.RegionList | None:
        return self.regions.content(county)

    def attachment_status(self, caller: Caller, digest: str) -> protocol.AttachmentStatus:
        return self.attachments.status(caller.device_id, digest)

    def put_chunk(self, caller: Caller, digest: str, offset: int, total: int,
                  data: bytes) -> protocol.AttachmentStatus:
        return self.attachments.put_chunk(caller.device_id, digest, offset, total, data)

    def add_attachment(self, content: bytes) -> str:
        return self.attachments.add(content)

    # ---------------------------------------------------------------- records

    def push(self, caller: Caller, envelopes: list[RecordEnvelope]) -> list[RecordResult]:
        return self.records.push(caller, envelopes)

    def push_one(self, caller: Caller, env: RecordEnvelope) -> RecordResult:
        return self.records.push(caller, [env])[0]

    def move_record(self, uuid_: str, village_id: str, *, caller: Caller | None = None) -> RecordResult:
        return self.records.move(caller or scope.operator(), uuid_, village_id)

    def list_conflicts(self, *, open_only: bool = True, caller: Caller | None = None) -> list[dict]:
        return self.records.list_conflicts(caller or scope.operator(), open_only=open_only)

    def resolve_conflict(self, conflict_id: int, keep: str, *, resolver: str) -> dict:
        return self.records.resolve_conflict(scope.operator(resolver), conflict_id, keep)

    def count_records(self, caller: Caller | None = None) -> dict:
        return self.records.count(caller or scope.operator())

    # ---------------------------------------------------------------- registry and audit

    def registry_pull(self, caller: Caller, cursor: int, limit: int = protocol.REGISTRY_PAGE) -> protocol.RegistryPage:
        return self.registry.pull(caller, cursor, limit)

    def registry_push(self, caller: Caller, items: list[RegistryEntity]) -> list[RegistryResult]:
        return self.registry.push(caller, items)

    def audit_push(self, caller: Caller, push: protocol.AuditPush) -> protocol.AuditPushResponse:
        return self.device_audit.push(caller, push)

    def audit_head(self, device_id: str) -> tuple[int, str] | None:
        return self.device_audit.head(device_id)

    def list_device_audit(self, device_id: str | None = None) -> list[dict]:
        return self.device_audit.entries(device_id)

    def list_findings(self, device_id: str | None = None) -> list[dict]:
        return self.device_audit.findings(device_id)
