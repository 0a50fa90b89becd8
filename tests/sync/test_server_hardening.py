"""The bureau server tried as an attacker would (issue 17): wrong types, revoked laptops, huge bodies,
poisoned uploads, a laptop's audit log cut or forked. Every test talks to real server processes on 127.0.0.1."""

from __future__ import annotations

import requests
from conftest import add_visit

from sync import protocol
from sync.client import outbox
from sync.client.client import SyncClient
from sync.client.client import settings as sync_settings

API = protocol.API


def sync(store, **kwargs):
    with SyncClient(store, **kwargs) as client:
        return client.run()


def bearer(store) -> dict[str, str]:
    return {"Authorization": f"Bearer {sync_settings(store)['credential']}"}


# ---------------------------------------------------------------------- strict types


def test_a_number_sent_as_text_is_refused_not_coerced(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    uuid = add_visit(laptop, "V1")
    outbox.queue_finalized(laptop)
    good = outbox.pending(laptop, 10)[0].model_dump(mode="json")

    for field, value in (("revision", "1"), ("revision", 1.0), ("revision", True), ("uuid", 12345678),
                         ("data", "{}")):
        body = {"records": [dict(good, **{field: value})]}
        answer = requests.post(sqlite_server.url + API + "/records", json=body, headers=bearer(laptop), timeout=30)
        assert answer.status_code == 422, (field, value, answer.text)
        assert answer.json()["code"] == "SYNC_BAD_REQUEST" and field in answer.json()["message"]
    assert sqlite_server.service.count_records()["records"] == 0
    bad_audit = {"entries": [{"id": "1", "at": "2026-01-01", "action": "x", "prev_hash": "0" * 64,
                              "hash": "0" * 64}]}
    answer = requests.post(sqlite_server.url + API + "/audit", json=bad_audit, headers=bearer(laptop), timeout=30)
    assert answer.status_code == 422
    chunk = requests.put(sqlite_server.url + API + "/attachments/" + "a" * 64, params={"offset": "x", "total": 1},
                         data=b"x", headers=bearer(laptop), timeout=30)
    assert chunk.status_code == 422

    report = sync(laptop)  # the client itself sends proper types

    assert report.error == "" and [r.outcome for r in report.results] == [protocol.Outcome.ACCEPTED]
    assert report.results[0].uuid == uuid


# ---------------------------------------------------------------------- revocation


def test_a_revoked_laptop_is_refused_at_once_by_every_worker(tmp_path, start_server, laptop_factory):
    server = start_server(str(tmp_path / "server.db"), workers=2)
    laptop = laptop_factory(server)
    headers = bearer(laptop)

    def answers(n: int) -> list[int]:
        # a new connection each time, so the two workers share the requests
        return [requests.get(server.url + API + "/me", headers=headers | {"Connection": "close"},
                             timeout=30).status_code for _ in range(n)]

    assert answers(30) == [200] * 30  # every worker has seen (and could remember) this credential
    server.cli("device", "revoke", sync_settings(laptop)["device_id"])

    assert answers(30) == [401] * 30
