"""A laptop whose audit tail was cut tells the bureau at the next sync: the head, the cut, and the entries
written since, sent again so the server sees them fork from what it already holds."""

from __future__ import annotations

import json

import sqlalchemy as sa

from app.store.audit import append
from sync.client.client import SyncClient
from sync.server import tables as t


def sync(store):
    sent: list[dict] = []
    with SyncClient(store) as client:
        real_call = client._call

        def recording(method, path, model=None, **kwargs):  # the real request to the real server, remembered
            if path == "/audit":
                sent.append(kwargs["json"])
            return real_call(method, path, model, **kwargs)

        client._call = recording
        report = client.run()
    assert not report.error, report.error
    return sent


def cut_tail(store, n: int) -> None:
    store.conn.execute("DROP TRIGGER audit_log_no_delete")
    last = store.conn.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    store.conn.execute("DELETE FROM audit_log WHERE id > ?", (last - n,))
    left, digest = store.conn.execute("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    store.set_setting("audit.head", f"{left}:{digest}")


def test_a_cut_tail_is_reported_at_sync_and_the_server_sees_the_fork(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    for i in range(4):
        append(laptop, "export", subject=f"台账{i}.xlsx")
    first = sync(laptop)
    assert first[-1]["integrity"]["head_id"] == 5 and first[-1]["integrity"]["problems"] == []
    sync(laptop)  # the server now holds 1..6 (enroll, four exports, the first sync); 7 (this sync) stays here
    cut_tail(laptop, 3)  # entries 5..7 removed with the data key
    append(laptop, "export", subject="另一个.xlsx")  # the next entry notices the cut first
    sent = sync(laptop)
    integrity = sent[-1]["integrity"]
    assert [p["kind"] for p in integrity["problems"]] == ["audit_cut"]
    assert json.loads(integrity["problems"][0]["detail"])["expected"] == 7  # the anchored head: the 2nd sync
    assert sent[0]["entries"][0]["id"] == 5  # sent again from the cut
    assert integrity["head_id"] == 6  # 5: the cut, noticed; 6: the export (this sync's own entry comes after)
    with sqlite_server.service.engine.connect() as conn:
        flagged = conn.execute(sa.select(sa.func.count()).select_from(t.audit)
                               .where(t.audit.c.action == "device_audit", t.audit.c.outcome == "broken")).scalar_one()
    assert flagged >= 1
    again = sync(laptop)  # not sent again: the next sync goes on from where the last one left off
    assert [e["id"] for e in again[0]["entries"]] == [7]
