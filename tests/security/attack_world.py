"""The attack suite's world: a real bureau server, a user of each role enrolled over HTTP, and a registry.

The server runs as ``cunfang-server serve`` on 127.0.0.1 (SQLite file, or a fresh PostgreSQL database);
attackers talk to it with plain HTTP requests, as a modified laptop could. The helpers that start servers
live in tests/sync/conftest.py and are loaded from there by path (tests/ has no packages).
"""

from __future__ import annotations

import importlib.util
import sys
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import requests
import sqlalchemy as sa

from app.roles import ROLES, Role
from sync import protocol

_spec = importlib.util.spec_from_file_location("sync_test_servers", Path(__file__).parents[1] / "sync" / "conftest.py")
servers = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = servers
_spec.loader.exec_module(servers)

OWN, OTHER = "V1", "V2"
KIND_OF_FORM = {"elder_visit": "elder", "child_visit": "child"}
SNAPSHOT_TABLES = ("records", "record_revisions", "conflicts", "registry", "registry_seq")


@dataclass
class Attacker:
    """An enrolled user of one role: as a limited role they hold village V1 only."""

    role: Role
    credential: str
    base: str

    @property
    def form_id(self) -> str:
        return "elder_visit" if self.role.may_use_form("elder_visit") else "child_visit"

    @property
    def kind(self) -> str:
        return KIND_OF_FORM[self.form_id]

    def call(self, method: str, path: str, *, headers: dict | None = None, **kwargs) -> requests.Response:
        return requests.request(method, self.base + protocol.API + path, timeout=30,
                                headers={"Authorization": f"Bearer {self.credential}", **(headers or {})}, **kwargs)

    def push(self, *envelopes: protocol.RecordEnvelope) -> list[protocol.RecordResult]:
        answer = self.call("POST", "/records", json={"records": [e.model_dump(mode="json") for e in envelopes]})
        assert answer.status_code == 200, answer.text
        return protocol.PushResponse.model_validate(answer.json()).results

    def push_registry(self, *items: protocol.RegistryEntity) -> list[protocol.RegistryResult]:
        answer = self.call("POST", "/registry", json={"items": [i.model_dump(mode="json") for i in items]})
        assert answer.status_code == 200, answer.text
        return protocol.RegistryPushResponse.model_validate(answer.json()).results

    def pull_registry(self) -> list[protocol.RegistryEntity]:
        items, cursor = [], 0
        while True:
            answer = self.call("GET", "/registry", params={"cursor": cursor})
            assert answer.status_code == 200, answer.text
            page = protocol.RegistryPage.model_validate(answer.json())
            items += page.items
            cursor = page.cursor
            if not page.more:
                return items


class World:
    """The server, its database, an attacker per role and the registry they attack (persons of V1 and V2)."""

    def __init__(self, server):
        self.server = server
        self.engine = server.service.engine
        self.attackers = {name: self.enroll(f"{name}-{uuid.uuid4().hex[:6]}", name) for name in ROLES}
        self.admin = self.enroll(f"owner-{uuid.uuid4().hex[:6]}", "admin")  # sets the scene (not an attacker)
        self.versions = {row.form_id: row.version for row in self.query("SELECT form_id, version FROM forms")}
        self.data: dict[str, dict] = {}
        villages = [protocol.RegistryEntity(kind="village", id=v, village_id=v, updated_at=now(),
                                            fields={"name": f"{v}村", "town": "示范镇", "county": "示范县"})
                    for v in (OWN, OTHER)]
        assert all(r.outcome is protocol.Outcome.ACCEPTED for r in self.admin.push_registry(*villages))
        self.persons = {(kind, v): self.add_person(kind, v) for kind in ("elder", "child") for v in (OWN, OTHER)}

    def enroll(self, name: str, role: str, villages: str | None = None) -> Attacker:
        token = self.server.user(name, role, villages or ("*" if ROLES[role].all_villages else OWN))
        answer = requests.post(self.server.url + protocol.API + "/enroll", json={"token": token,
                                                                                 "device_name": name}, timeout=30)
        answer.raise_for_status()
        return Attacker(ROLES[role], answer.json()["credential"], self.server.url)

    def add_person(self, kind: str, village: str, *, id_number: str | None = None, by: Attacker | None = None) -> str:
        person = "p-" + uuid.uuid4().hex
        fields = {"name": f"{kind}-{village}", "kind": kind, "village_id": village}
        if id_number:
            fields["id_number"] = id_number
        result, = (by or self.admin).push_registry(protocol.RegistryEntity(
            kind="person", id=person, village_id=village, fields=fields, updated_at=now()))
        assert result.outcome is protocol.Outcome.ACCEPTED, result
        return person

    def query(self, sql: str, params: dict | None = None) -> list:
        with self.engine.connect() as conn:
            return conn.execute(sa.text(sql), params or {}).all()

    def snapshot(self) -> dict[str, list]:
        """Everything the server holds about records and the registry (not its audit log), in a fixed order."""
        out = {}
        with self.engine.connect() as conn:
            for table in SNAPSHOT_TABLES:
                rows = conn.execute(sa.text(f"SELECT * FROM {table}")).all()
                out[table] = sorted(tuple(str(v) for v in row) for row in rows)
        return out

    def record(self, uuid_: str) -> dict | None:
        rows = self.query("SELECT * FROM records WHERE uuid = :u", {"u": uuid_})
        return dict(rows[0]._mapping) if rows else None

    def envelope(self, form_id: str, *, village: str | None, person: str | None, uuid_: str | None = None,
                 revision: int = 1, base: int | None = None) -> protocol.RecordEnvelope:
        if form_id not in self.data:
            from app.demo import _VisitData

            self.data[form_id] = _VisitData(date.today()).make(form_id, date.today(), 30, 0, {})
        data = dict(self.data[form_id])
        version = self.versions[form_id]
        return protocol.RecordEnvelope(
            uuid=uuid_ or str(uuid.uuid4()), revision=revision, prev_revision=revision - 1 or None,
            base_revision=base, form_id=form_id, form_version=version, village_id=village, person_id=person,
            author="测试", title="探访", created_at=now(), updated_at=now(), data=data,
            content_hash=protocol.content_hash(form_id, version, data, []))


def target(world: World, form_id: str, village: str, *, person: bool = True) -> str:
    """A record of ``village`` pushed by the administrator (revision 1); returns its uuid."""
    kind = "elder" if form_id == "elder_visit" else "child"
    env = world.envelope(form_id, village=village, person=world.persons[(kind, village)] if person else None)
    result, = world.admin.push(env)
    assert result.outcome is protocol.Outcome.ACCEPTED, result
    return env.uuid


def now() -> str:
    from sync.server.services.common import utc_now

    return utc_now()


