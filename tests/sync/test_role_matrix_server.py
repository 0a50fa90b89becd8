"""The roles table decides what a laptop's credential carries and what the server accepts.

Each role × a record of each form kind in its own and another village, and × pulling the registry. The laptops
here have no local accounts, so the enrolled user's role and villages alone decide: records they cover are
sent and accepted; the others stay on the laptop with a plain reason and never reach the server. (What the
server does when a modified client sends them anyway: tests/security/.) Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import pytest
from conftest import add_visit

from sync.client.client import SyncClient
from sync.protocol import Outcome

ROLES = {  # role: (villages given on the server, {(form, village) the server accepts})
    "village_cadre": ("V1", {("elder_visit", "V1")}),
    "child_director": ("V1", {("child_visit", "V1")}),
    "township_staff": ("*", {(f, v) for f in ("elder_visit", "child_visit") for v in ("V1", "V2")}),
    "admin": ("*", {(f, v) for f in ("elder_visit", "child_visit") for v in ("V1", "V2")}),
}
SEES = {  # role: the registry persons (kind, village) a pull brings
    "village_cadre": {("elder", "V1")},
    "child_director": {("child", "V1")},
    "township_staff": {(k, v) for k in ("elder", "child") for v in ("V1", "V2")},
    "admin": {(k, v) for k in ("elder", "child") for v in ("V1", "V2")},
}


def sync(store):
    with SyncClient(store) as client:
        return client.run()


@pytest.mark.parametrize("role", list(ROLES))
def test_records_outside_the_roles_forms_or_villages_stay_on_the_laptop_with_a_reason(server, laptop_factory, role):
    villages, accepted = ROLES[role]
    laptop = laptop_factory(server, f"u-{role}", role, villages)
    for village in ("V1", "V2"):
        laptop.add_village(village, f"{village}村")  # the laptop itself does not stop it (no local accounts)
    sent = {add_visit(laptop, village, form_id=form, name=f"{form}-{village}"): (form, village)
            for form in ("elder_visit", "child_visit") for village in ("V1", "V2")}

    report = sync(laptop)

    outcomes = {sent[r.uuid]: r for r in report.results}
    assert set(outcomes) == accepted and all(r.outcome is Outcome.ACCEPTED for r in outcomes.values())
    for uuid, key in sent.items():
        if key not in accepted:
            record = laptop.get_record(uuid)
            assert record["status"] == "finalized" and "不负责" in record["server_message"]  # a plain reason
    assert bool(report.waiting) == (len(accepted) < len(sent))
    counts = server.service.count_records()
    assert counts["records"] == len(accepted)


def test_pulls_bring_only_the_roles_kinds_in_its_villages(server, laptop_factory):
    staff = laptop_factory(server, "staff", "township_staff", "*")
    for village in ("V1", "V2"):
        staff.add_village(village, f"{village}村")
        for kind in ("elder", "child"):
            staff.add_person(name=f"{kind}-{village}", kind=kind, village_id=village)
    assert sync(staff).error == ""
    for role, (villages, _) in ROLES.items():
        laptop = laptop_factory(server, f"pull-{role}", role, villages)
        sync(laptop)
        got = {(r["kind"], r["village_id"]) for r in laptop.query("SELECT kind, village_id FROM persons")}
        assert got == SEES[role], role
