"""The bureau server tried as an attacker would (issue 17): wrong types, revoked laptops, huge bodies,
poisoned uploads, a laptop's audit log cut or forked. Every test talks to real server processes on 127.0.0.1."""

from __future__ import annotations

import hashlib
import json
import select
import socket
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

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


def test_a_revoked_laptop_is_refused_at_once_by_every_worker(server_db, start_server, laptop_factory):
    server = start_server(server_db, workers=2)
    laptop = laptop_factory(server)
    headers = bearer(laptop)

    def answers(n: int) -> list[int]:
        # a new connection each time, so the two workers share the requests
        return [requests.get(server.url + API + "/me", headers=headers | {"Connection": "close"},
                             timeout=30).status_code for _ in range(n)]

    assert answers(30) == [200] * 30  # every worker has seen (and could remember) this credential
    server.cli("device", "revoke", sync_settings(laptop)["device_id"])

    assert answers(30) == [401] * 30


# ---------------------------------------------------------------------- big bodies

HUGE = 200 * 2**20
BUFFERED = 16 * 2**20  # more than loopback socket buffers hold: a body refused early gets no further


def memory_kib(pid: int) -> dict[str, int]:
    """The server process's resident memory now (VmRSS) and at its peak so far (VmHWM), in KiB."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {key: int(fields[key].split()[0]) for key in ("VmRSS", "VmHWM")}


def stream_post(port: int, path: str, *, method: str = "POST", headers: dict[str, str] | None = None, total: int = HUGE,
                declare_length: bool = False) -> tuple[int | None, int]:
    """POST (or PUT) ``total`` bytes to the server, produced as they are sent (never held): chunked, or with a
    Content-Length. Stops as soon as the server answers or closes; returns (HTTP status or None, bytes sent)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {total}" if declare_length else "Transfer-Encoding: chunked"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    sock.setblocking(False)
    block = b'{"records": [' + b" " * (2**20 - 13)
    sent, pending, ended = 0, b"", False
    try:
        while True:
            if not pending and sent < total:
                piece = block[: min(len(block), total - sent)]
                pending = piece if declare_length else b"%x\r\n%s\r\n" % (len(piece), piece)
                sent += len(piece)
            elif not pending and not ended:
                pending, ended = (b"" if declare_length else b"0\r\n\r\n"), True
            readable, writable, _ = select.select([sock], [sock] if pending else [], [], 60)
            if readable:
                break
            if not writable:
                return None, sent  # neither reading nor answering for a minute
            pending = pending[sock.send(pending):]
    except (BrokenPipeError, ConnectionResetError):
        pass
    answer = b""
    sock.setblocking(True)
    try:
        while b"\r\n" not in answer:
            data = sock.recv(65536)
            if not data:
                break
            answer += data
    except (ConnectionResetError, TimeoutError):
        pass
    sock.close()
    status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.1 ") else None
    return (int(status) if status else None), sent


def test_a_200_mb_post_is_refused_before_it_is_read(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    assert sync(laptop).error == ""  # warm: forms loaded, every route used once
    pid = sqlite_server.process.pid
    before = memory_kib(pid)["VmRSS"]
    port = sqlite_server.port

    # a stranger: refused before the body is read, whether it declares its length or not
    # (what we count as sent includes what the kernel's socket buffers took: a few MiB on loopback)
    status, sent = stream_post(port, API + "/records", declare_length=True)  # too large, and says so
    assert status == 413 and sent <= BUFFERED
    status, sent = stream_post(port, API + "/records")  # chunked: no length given
    assert status == 401 and sent <= BUFFERED
    # four strangers at once
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda call: stream_post(port, call[1], method=call[0]), [
            ("POST", API + "/records"), ("POST", API + "/registry"), ("POST", API + "/audit"),
            ("PUT", API + "/attachments/" + "a" * 64 + "?offset=0&total=10")]))
    assert [status for status, _ in results] == [401] * 4 and all(sent <= BUFFERED for _, sent in results)
    # enrollment needs no credential, so its body is small and counted as it arrives
    assert stream_post(port, API + "/enroll")[0] == 413
    assert stream_post(port, API + "/nowhere")[0] == 413
    assert stream_post(port, API + "/me", method="GET")[0] == 413  # a GET takes no body at all
    # an enrolled laptop gets as far as the limit of its route, never further
    status, sent = stream_post(port, API + "/records", headers=bearer(laptop))
    assert status == 413 and sent <= protocol.MAX_JSON_BODY + BUFFERED
    status, sent = stream_post(port, API + "/attachments/" + "a" * 64 + "?offset=0&total=10", method="PUT",
                               headers=bearer(laptop))
    assert status == 413 and sent <= protocol.MAX_CHUNK + BUFFERED

    grown = memory_kib(pid)["VmHWM"] - before
    print(f"server RSS before {before // 1024} MiB, peak growth {grown / 1024:.1f} MiB")
    assert grown < 64 * 1024, f"the server grew by {grown // 1024} MiB"
    assert requests.get(sqlite_server.url + API + "/me", headers=bearer(laptop), timeout=30).ok
    add_visit(laptop, "V1", name="李建国", attachments={"p.jpg": b"x" * (protocol.CHUNK_SIZE * 3 + 5)})
    report = sync(laptop)  # ordinary syncs are untouched by the limits
    assert report.error == "" and [r.outcome for r in report.results] == [protocol.Outcome.ACCEPTED]


def test_a_record_too_large_to_push_is_answered_alone(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    huge = add_visit(laptop, "V1", name="王秀英")
    fine = [add_visit(laptop, "V1", name=name) for name in ("李建国", "张桂兰")]
    data = json.loads(laptop.query("SELECT data FROM records WHERE uuid = ?", [huge])[0]["data"])
    data["notes"] = "很长的备注" * (protocol.MAX_JSON_BODY // 10)  # past the push limit on its own
    laptop.conn.execute("UPDATE records SET data = ? WHERE uuid = ?", [json.dumps(data, ensure_ascii=False), huge])

    report = sync(laptop)

    assert report.error == ""
    outcomes = {r.uuid: r for r in report.results}
    assert [outcomes[u].outcome for u in fine] == [protocol.Outcome.ACCEPTED] * 2
    assert outcomes[huge].outcome is protocol.Outcome.RETRY and "16 MB" in outcomes[huge].message


# ---------------------------------------------------------------------- the laptop's audit log, seen from the server


def cut_audit_log(laptop, after: int, *, reanchor: bool = True) -> None:
    """What someone with the data key can do: delete the newest entries and make the laptop's own head agree
    (``reanchor=False``: the head in keyring.json is left as it was, as a cut with an SQLite tool leaves it)."""
    from app.store.audit import HEAD_SETTING

    laptop.conn.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    laptop.conn.execute("DELETE FROM audit_log WHERE id > ?", [after])
    last = laptop.query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    laptop.set_setting(HEAD_SETTING, f"{last['id']}:{last['hash']}")
    from app.store.audit import anchor

    if reanchor:
        anchor(laptop)  # the head kept in keyring.json too: with the data key, its MAC can be made again


def test_a_cut_or_rewritten_audit_log_is_flagged_by_the_server(server, laptop_factory):
    from app.store.audit import append, verify

    laptop = laptop_factory(server)
    add_visit(laptop, "V1")
    assert sync(laptop).error == ""
    for n in range(3):
        append(laptop, "export", subject=f"台账{n}.xlsx")
    assert sync(laptop).error == ""
    acknowledged = max(r["entry_id"] for r in server.service.list_device_audit())
    device = sync_settings(laptop)["device_id"]
    assert server.service.list_findings() == []

    # the newest entries (the exports) are deleted; the laptop's own check cannot tell any more
    cut_audit_log(laptop, acknowledged - 3)
    assert verify(laptop).ok
    assert sync(laptop).error == ""
    found = server.service.list_findings()
    assert [(f["kind"], f["entry_id"], f["device_id"]) for f in found] == [("cut", acknowledged - 2, device)]
    assert f"第 {acknowledged - 2} 至 {acknowledged} 条审计记录不见了" in found[0]["message"]
    assert sync(laptop).error == ""  # reported once: from now on the log continues from what is there
    assert len(server.service.list_findings()) == 1

    # entries deleted and written again in their place: a different entry at an acknowledged position
    assert sync(laptop).error == ""
    acknowledged = server.service.audit_head(device)[0]
    cut_audit_log(laptop, acknowledged - 2)
    for n in range(4):
        append(laptop, "login", subject=f"补写{n}")
    assert verify(laptop).ok
    assert sync(laptop).error == ""
    kinds = [(f["kind"], f["entry_id"]) for f in server.service.list_findings()]
    assert kinds[0] == ("fork", acknowledged) and len(kinds) == 2

    listing = server.cli("audit", "list").stdout
    assert "审计记录被截断" in listing and "审计记录被改写" in listing and device[:8] in listing
    assert "审计异常 2 项" in server.cli("device", "list").stdout


def test_a_laptops_own_tamper_report_is_kept_and_listed(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    assert sync(laptop).error == ""
    head = laptop.query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")[0]
    report = {"entries": [], "head": head, "integrity": {"tampered": True, "problems": [
        {"code": "ACCOUNTS_TAMPERED", "message": "账户“lisi”的角色被改成了管理员，不是管理员做的。",
         "at": "2026-12-06T08:00:00", "subject": "lisi"}]}}
    for _ in range(2):  # reported at two syncs: kept once
        answer = requests.post(sqlite_server.url + API + "/audit", json=report, headers=bearer(laptop), timeout=30)
        assert answer.status_code == 200, answer.text
    found = sqlite_server.service.list_findings()
    assert [(f["kind"], f["code"]) for f in found] == [("tampered", "ACCOUNTS_TAMPERED")]
    listing = sqlite_server.cli("audit", "list").stdout
    assert "电脑自查发现篡改" in listing and "角色被改成了管理员" in listing
    assert "审计异常 1 项" in sqlite_server.cli("device", "list").stdout
    bad = dict(report, integrity={"tampered": "yes"})
    assert requests.post(sqlite_server.url + API + "/audit", json=bad, headers=bearer(laptop),
                         timeout=30).status_code == 422


# ---------------------------------------------------------------------- poisoned attachments


def put(server, laptop, digest: str, offset: int, total: int, data: bytes) -> requests.Response:
    return requests.put(f"{server.url}{API}/attachments/{digest}", params={"offset": offset, "total": total},
                        data=data, headers=bearer(laptop) | {"Content-Type": "application/octet-stream"}, timeout=30)


def received(server, laptop, digest: str) -> int:
    return requests.get(f"{server.url}{API}/attachments/{digest}", headers=bearer(laptop), timeout=30).json()[
        "received"]


def test_garbage_uploaded_for_another_laptops_photo_does_not_block_it(server, laptop_factory):
    attacker = laptop_factory(server, "mallory")
    victim = laptop_factory(server, "zhang")
    photo = bytes(range(256)) * 2000  # 512000 bytes, two chunks
    digest = hashlib.sha256(photo).hexdigest()
    record = add_visit(victim, "V1", attachments={"照片.jpg": photo})
    other = add_visit(victim, "V1", name="李建国")

    # the attack from the issue: garbage of the right size for the victim's hash, declaring one byte more
    garbage = b"\0" * len(photo)
    for offset in range(0, len(photo), protocol.CHUNK_SIZE):
        assert put(server, attacker, digest, offset, len(photo) + 1,
                   garbage[offset: offset + protocol.CHUNK_SIZE]).ok
    report = sync(victim)

    assert report.error == "", report.error
    assert {r.uuid: r.outcome for r in report.results} == {record: protocol.Outcome.ACCEPTED,
                                                           other: protocol.Outcome.ACCEPTED}
    assert victim.get_record(record)["status"] == "accepted"
    # later chunks must keep the total of the first: a change discards that upload
    again = hashlib.sha256(b"another photo").hexdigest()
    assert put(server, attacker, again, 0, 100, b"\0" * 10).ok
    changed = put(server, attacker, again, 10, 101, b"\0" * 10)
    assert changed.status_code == 422 and changed.json()["code"] == "SYNC_ATTACHMENT_TOTAL_CHANGED"
    assert received(server, attacker, again) == 0


def test_an_unfinished_upload_belongs_to_the_laptop_that_started_it(sqlite_server, laptop_factory):
    owner, other = laptop_factory(sqlite_server, "zhang"), laptop_factory(sqlite_server, "li")
    content = b"signature" * 40_000
    digest = hashlib.sha256(content).hexdigest()
    first = content[: protocol.CHUNK_SIZE]
    assert put(sqlite_server, owner, digest, 0, len(content), first).json()["received"] == len(first)
    # another laptop cannot add to it: for that laptop nothing was started
    refused = put(sqlite_server, other, digest, len(first), len(content), content[len(first):])
    assert refused.status_code == 409 and "第 0 字节" in refused.json()["message"]
    # and a bad join of its own is discarded, so it starts again
    bad = b"x" * len(content)
    assert put(sqlite_server, other, digest, 0, len(content), bad[: protocol.CHUNK_SIZE]).ok
    joined = put(sqlite_server, other, digest, protocol.CHUNK_SIZE, len(content), bad[protocol.CHUNK_SIZE:])
    assert joined.status_code == 422 and joined.json()["code"] == "SYNC_ATTACHMENT_BAD_HASH"
    assert received(sqlite_server, other, digest) == 0
    # the owner carries on where it stopped
    done = put(sqlite_server, owner, digest, len(first), len(content), content[len(first):]).json()
    assert done == {"hash": digest, "received": len(content), "complete": True}
    assert received(sqlite_server, other, digest) == len(content)  # stored once, for everyone


def test_unfinished_uploads_expire_and_each_laptop_has_a_quota(tmp_path, start_server, laptop_factory, monkeypatch):
    import sqlalchemy as sa

    from sync.server import tables as t

    monkeypatch.setenv("CUNFANG_DEVICE_QUOTA_MB", "1")
    server = start_server(str(tmp_path / "server.db"))
    laptop = laptop_factory(server)
    big = b"p" * (600 * 1024)
    assert put(server, laptop, "a" * 64, 0, len(big), big[:1000]).ok
    over = put(server, laptop, "b" * 64, 0, len(big), big[:1000])  # 1.2 MB of unfinished uploads: over the quota
    assert over.status_code == 413 and over.json()["code"] == "SYNC_ATTACHMENT_QUOTA"
    assert "1 MB" in over.json()["message"] and "7 天后自动清除" in over.json()["message"]
    # a week later the first one has expired: its room is free again
    with server.service.engine.begin() as conn:
        conn.execute(t.attachment_uploads.update().values(started_at="2020-01-01T00:00:00.000+00:00"))
    assert put(server, laptop, "b" * 64, 0, len(big), big[:1000]).ok
    with server.service.engine.connect() as conn:
        left = conn.execute(sa.select(t.attachment_uploads.c.hash)).scalars().all()
        chunks = conn.execute(sa.select(t.attachment_chunks.c.hash)).scalars().all()
    assert left == ["b" * 64] and chunks == ["b" * 64]

    # a record whose photo cannot complete is reported on that record alone; the others go through
    photo = b"q" * (2 * 2**20)
    stuck = add_visit(laptop, "V1", attachments={"大照片.jpg": photo})
    fine = add_visit(laptop, "V1", name="李建国")
    report = sync(laptop)
    assert report.error == ""
    outcomes = {r.uuid: r for r in report.results}
    assert outcomes[fine].outcome is protocol.Outcome.ACCEPTED
    assert outcomes[stuck].outcome is protocol.Outcome.RETRY and outcomes[stuck].code == "SYNC_ATTACHMENT_UNFINISHED"
    assert "大照片.jpg" in outcomes[stuck].message and "上限" in outcomes[stuck].message
    assert "其他记录照常发送" in outcomes[stuck].message
    assert laptop.get_record(stuck)["status"] in ("finalized", "queued")


def test_a_cut_the_laptop_noticed_itself_reaches_the_bureau_as_its_own_report(sqlite_server, laptop_factory):
    """The laptop anchors its audit head outside the table (keyring.json); entries cut before the server ever saw
    them are noticed by the laptop at its next entry, and its integrity report at sync says so."""
    from app.store.audit import append

    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    assert sync(laptop).error == ""
    for n in range(3):
        append(laptop, "export", subject=f"台账{n}.xlsx")
    newest = laptop.query("SELECT max(id) AS n FROM audit_log")[0]["n"]
    cut_audit_log(laptop, newest - 2, reanchor=False)  # never sent: the server cannot know of them
    append(laptop, "login", subject="zhang")  # the laptop notices before it writes
    assert sync(laptop).error == ""
    found = [f for f in sqlite_server.service.list_findings() if f["kind"] == "tampered"]
    assert [f["code"] for f in found] == ["AUDIT_TAIL_WAS_CUT"]
    assert "审计记录末尾曾被删除" in found[0]["message"]


def test_a_photo_damaged_on_the_laptop_holds_back_its_record_alone(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    photo = b"\xff\xd8" + b"j" * 300_000
    damaged = add_visit(laptop, "V1", attachments={"照片.jpg": photo})
    fine = add_visit(laptop, "V1", name="李建国", attachments={"签名.png": b"sig" * 1000})
    digest = hashlib.sha256(photo).hexdigest()
    laptop.conn.execute("UPDATE attachments SET content = ? WHERE hash = ?", [b"\0" + photo[1:], digest])

    report = sync(laptop)

    assert report.error == ""
    outcomes = {r.uuid: r for r in report.results}
    assert outcomes[fine].outcome is protocol.Outcome.ACCEPTED
    assert outcomes[damaged].outcome is protocol.Outcome.RETRY
    assert "照片.jpg" in outcomes[damaged].message and "已丢弃" in outcomes[damaged].message
    assert received(sqlite_server, laptop, digest) == 0  # each bad join was discarded, nothing left behind


def test_migration_0004_acknowledges_what_each_laptop_already_sent(server_db):
    import sqlalchemy as sa
    from alembic import command
    from alembic.config import Config

    from sync.server import tables as t
    from sync.server.db import MIGRATIONS, make_engine, migrate

    engine = make_engine(server_db)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0003")
    with engine.begin() as conn:
        for device, last in (("d1", 3), ("d2", 1)):
            for n in range(1, last + 1):
                conn.execute(sa.text("INSERT INTO device_audit VALUES (:d, :n, 'at', 'u', 'a', '', '{}', :p, :h, 'r')"),
                             {"d": device, "n": n, "p": f"{n - 1:064d}", "h": f"{n:064d}"})
        conn.execute(sa.text("INSERT INTO attachment_chunks VALUES (:h, 0, :data)"), {"h": "a" * 64, "data": b"x"})
    assert migrate(engine) == "0007"  # the head: the console (0005), its counts (0006) and region lists (0007) come after
    with engine.connect() as conn:
        heads = {row.device_id: (row.entry_id, row.hash) for row in conn.execute(sa.select(t.device_audit_heads))}
        chunks = conn.execute(sa.select(sa.func.count()).select_from(t.attachment_chunks)).scalar_one()
    assert heads == {"d1": (3, f"{3:064d}"), "d2": (1, f"{1:064d}")} and chunks == 0
    engine.dispose()
