"""The server refuses practice records as a second line (issue 19, item 4): a laptop never sends what its practice
store (练习模式, app/practice.py) holds, and a record that says it was made in one (``practice: true``) is refused
by a real server on 127.0.0.1 with its own code and a Chinese sentence, the whole batch unstored."""

from __future__ import annotations

import base64
import hashlib
import re

import pytest
import requests
from conftest import add_visit

from app.errors import CunFangError, ErrorCode
from sync import package, protocol
from sync.client import outbox
from sync.client.client import settings as sync_settings

API = protocol.API


def bearer(store) -> dict[str, str]:
    return {"Authorization": f"Bearer {sync_settings(store)['credential']}"}


def test_a_hand_made_push_of_a_practice_record_is_refused_and_nothing_stored(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    for name in ("王秀英", "李桂兰"):
        add_visit(laptop, "V1", name=name)
    outbox.queue_finalized(laptop)
    real, other = (env.model_dump(mode="json") for env in outbox.pending(laptop, 10))
    assert "practice" not in real  # a real record's envelope reads as before (older servers forbid extra fields)

    answer = requests.post(sqlite_server.url + API + "/records", json={"records": [real, dict(other, practice=True)]},
                           headers=bearer(laptop), timeout=30)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == ErrorCode.SYNC_PRACTICE_REFUSED.name
    message = answer.json()["message"]
    assert "练习模式" in message and not re.search(r"[A-Za-z_]{4,}", message), message
    assert sqlite_server.service.count_records()["records"] == 0  # not even the real one of the batch

    answer = requests.post(sqlite_server.url + API + "/records", json={"records": [real, other]},
                           headers=bearer(laptop), timeout=30)  # the same records without the marker go
    assert answer.ok and {r["outcome"] for r in answer.json()["results"]} == {"accepted"}
    assert sqlite_server.service.count_records()["records"] == 2


def test_a_usb_package_with_a_practice_record_is_refused_before_anything_is_kept(sqlite_server, laptop_factory,
                                                                               tmp_path):
    from sync.server.packages import import_package

    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    outbox.queue_finalized(laptop)
    config = sync_settings(laptop)
    env = outbox.pending(laptop, 10)[0]
    envelope = env.model_copy(update={"practice": True}).model_dump(mode="json")
    assert envelope["practice"] is True
    registry = [item.model_dump(mode="json") for item in outbox.dirty_registry(laptop, 100)]
    attachment = b"x"
    blob = package.seal({"protocol": protocol.PROTOCOL_VERSION, "created_at": env.created_at,
                         "device_id": config["device_id"], "credential": config["credential"],
                         "server_id": config.get("server_id", ""), "records": [envelope], "registry": registry,
                         "attachments": {hashlib.sha256(attachment).hexdigest(): base64.b64encode(attachment).decode()}}, config["package_key"])
    path = tmp_path / "练习.cfpkg"
    path.write_bytes(blob)
    service = sqlite_server.service
    assert registry and kept(service) == (0, 0, 0)
    with pytest.raises(CunFangError) as refused:
        import_package(service, path)
    assert refused.value.code is ErrorCode.SYNC_PRACTICE_REFUSED
    assert kept(service) == (0, 0, 0)  # no record, no registry row, no attachment


def kept(service) -> tuple[int, int, int]:
    import sqlalchemy as sa

    with service.engine.connect() as conn:
        return tuple(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                     for table in ("record_revisions", "registry", "attachments"))
