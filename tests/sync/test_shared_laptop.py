"""A township laptop shared by two local accounts of two villages, against a real server (SQLite, PostgreSQL).

Each account enrolls its own server credential on the same laptop; a run sends only the records the
signed-in account and its credential cover, under that credential. Each one's records are accepted,
neither sees the other's (in a run's results, the counts, or what the server files under their name),
and an account without a credential of its own keeps its records on the laptop with a plain reason.
"""

from __future__ import annotations

import json

from conftest import PASS, add_visit, new_laptop

from app import accounts
from app.store.keyring import FAST_KDF
from sync.client.client import SyncClient, enroll, settings
from sync.client.outbox import outbox_count
from sync.protocol import Outcome

ADMIN_PW, USER_PW = "East-hill-2026-a", "Lake-side-2026-b"  # pass the password rules


def township_laptop(directory):
    """A laptop with accounts: ``cadre_a`` of V1 and ``cadre_b`` of V2."""
    store, _ = accounts.create_with_admin(directory, "admin", "管理员", ADMIN_PW, kdf=FAST_KDF)
    for village in ("V1", "V2"):
        store.add_village(village, f"{village}村", town="示范镇", county="示范县")
    accounts.add_account(store, "cadre_a", "甲", "village_cadre", ["V1"], USER_PW)
    accounts.add_account(store, "cadre_b", "乙", "village_cadre", ["V2"], USER_PW)
    store.close()


def run(store):
    with SyncClient(store) as client:
        return client.run()


def test_two_accounts_of_two_villages_each_send_their_own_under_their_own_credential(server, tmp_path):
    data = tmp_path / "laptop"
    township_laptop(data)
    mine: dict[str, set[str]] = {}
    for login, village in (("cadre_a", "V1"), ("cadre_b", "V2")):
        store = accounts.sign_in(data, login, USER_PW)
        enroll(store, server.url, server.user(f"server-{login}", "village_cadre", village), device_name="乡镇共用电脑")
        mine[login] = {add_visit(store, village, name=f"老人{login[-1]}{i}") for i in range(2)}
        store.close()

    reports = {}
    for login in ("cadre_a", "cadre_b"):
        store = accounts.sign_in(data, login, USER_PW)
        assert outbox_count(store) == 2  # its own two, not the other account's
        reports[login] = run(store)
        assert settings(store)["device_id"]  # its own device credential on the server
        store.close()

    for login, report in reports.items():
        other = "cadre_b" if login == "cadre_a" else "cadre_a"
        assert report.error == ""
        assert {r.uuid for r in report.results} == mine[login]  # nothing of the other account in its run
        assert all(r.outcome is Outcome.ACCEPTED for r in report.results)
        assert report.waiting == []
        assert not {r.uuid for r in report.results} & mine[other]
    with server.service.engine.connect() as conn:
        import sqlalchemy as sa

        filed = {(row.uuid, row.user_name, row.village_id) for row in conn.execute(sa.text(
            "SELECT uuid, user_name, village_id FROM record_revisions"))}
    assert filed == {(u, "server-cadre_a", "V1") for u in mine["cadre_a"]} | {
        (u, "server-cadre_b", "V2") for u in mine["cadre_b"]}

    for login in ("cadre_a", "cadre_b"):
        store = accounts.sign_in(data, login, USER_PW)
        last = json.loads(settings(store)["last_run"])
        assert last["counts"] == {"accepted": 2}  # its own run, not the other account's
        assert {r["status"] for r in store.list_records()} == {"accepted"}
        assert {r["uuid"] for r in store.list_records()} == mine[login]
        store.close()


def test_an_account_without_its_own_credential_keeps_its_records_with_a_reason(server, tmp_path):
    """The laptop was enrolled (laptop-wide) for V1 before accounts; cadre b of V2 has no credential of their own."""
    data = tmp_path / "laptop"
    laptop = new_laptop(data)
    laptop.add_village("V1", "V1村", town="示范镇")
    laptop.add_village("V2", "V2村", town="示范镇")
    enroll(laptop, server.url, server.user("server-a", "village_cadre", "V1"), device_name="乡镇共用电脑")
    accounts.adopt_accounts(laptop, "admin", "管理员", ADMIN_PW)
    accounts.add_account(laptop, "cadre_a", "甲", "village_cadre", ["V1"], USER_PW)
    accounts.add_account(laptop, "cadre_b", "乙", "village_cadre", ["V2"], USER_PW)
    laptop.close()
    assert PASS  # (the passphrase no longer opens it)

    b = accounts.sign_in(data, "cadre_b", USER_PW)
    waiting = add_visit(b, "V2", name="乙的老人")
    report = run(b)  # under the laptop's V1 credential: nothing of b's may go
    assert report.results == [] and report.error == ""
    assert len(report.waiting) == 1 and "cadre_b" in report.waiting[0] and "登记" in report.waiting[0]
    record = b.get_record(waiting)
    assert record["status"] == "finalized" and "登记" in record["server_message"]  # not queued: waits here
    assert server.service.count_records()["records"] == 0

    enroll(b, server.url, server.user("server-b", "village_cadre", "V2"), device_name="乡镇共用电脑")
    report = run(b)
    assert [(r.uuid, r.outcome) for r in report.results] == [(waiting, Outcome.ACCEPTED)]
    b.close()

    a = accounts.sign_in(data, "cadre_a", USER_PW)  # a has no credential of their own: the laptop's (V1) carries a's
    sent = add_visit(a, "V1", name="甲的老人")
    report = run(a)
    assert [(r.uuid, r.outcome) for r in report.results] == [(sent, Outcome.ACCEPTED)]
    assert report.waiting == []
    a.close()


def test_the_laptops_audit_chain_reaches_the_server_whole_under_each_credential_without_false_findings(server, tmp_path):
    """One laptop, one audit chain (every account's sign-ins, records and syncs in it): each credential's run sends
    the chain from where the server acknowledged it for that device, so each device the server knows for this
    laptop holds the whole chain up to its last run, linked as on the laptop, and no cut, fork or gap is claimed
    when the two accounts take turns."""
    from app.store.audit import entries_after

    data = tmp_path / "laptop"
    township_laptop(data)
    devices: dict[str, str] = {}
    for turn, login in enumerate(("cadre_a", "cadre_b", "cadre_a", "cadre_b", "cadre_a")):
        village = "V1" if login == "cadre_a" else "V2"
        store = accounts.sign_in(data, login, USER_PW)
        if login not in devices:
            enroll(store, server.url, server.user(f"server-{login}", "village_cadre", village),
                   device_name="乡镇共用电脑")
            devices[login] = settings(store)["device_id"]
        add_visit(store, village, name=f"老人{turn}")
        report = run(store)
        assert report.error == "" and report.audit_sent > 0
        laptop = entries_after(store, 0, 1_000_000)
        store.close()

        held = sorted(server.service.list_device_audit(devices[login]), key=lambda e: e["entry_id"])
        ids = [e["entry_id"] for e in held]
        assert ids == list(range(1, len(ids) + 1))  # from the first entry, no gap
        by_id = {e["id"]: e for e in laptop}
        assert all(e["hash"] == by_id[e["entry_id"]]["hash"] and e["prev_hash"] == by_id[e["entry_id"]]["prev_hash"]
                   for e in held)  # the laptop's own chain, not a copy per account
        later = [e["action"] for e in laptop if e["id"] > ids[-1]]
        assert later == ["sync"]  # all but the note of this very run, written after it sent the log
        actions = {e["action"] for e in held}
        assert "enroll" in actions
    for login, device in devices.items():
        assert server.service.list_findings(device) == [], login
    assert server.service.list_findings() == []
