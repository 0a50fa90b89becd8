"""The store's entity modules read within the signed-in account's scope; reading beyond it is a named
``unscoped_…`` function that writes the job to the audit log."""

from __future__ import annotations

from datetime import date

from app import accounts
from app.dashboard import build
from app.store import households, persons, records
from app.store.audit import entries
from tests.accounts.conftest import ADMIN_PW, PEOPLE, USER_PW


def test_each_read_covers_only_the_accounts_scope(township, visits):
    cadre = accounts.sign_in(township, "cadre2", USER_PW)  # the elders of 西河村 (v2)
    try:
        assert records.titles(cadre, visits.values()) == {visits["李桂兰"]: "探访 李桂兰"}
        assert records.form_ids(cadre) == ["elder_visit"] and records.counts_by_form(cadre) == {"elder_visit": 1}
        assert records.uuids_starting(cadre, visits["王秀英"][:8]) == []
        assert [p["name"] for p in persons.page(cadre)] == ["李桂兰"]
        assert all(h["village_id"] == "v2" for h in households.page(cadre))
        assert records.waiting_count(cadre) == 0 and records.rejected_count(cadre) == 0
    finally:
        cadre.close()


def test_reading_beyond_the_scope_is_named_and_audited_once(township):
    cadre = accounts.sign_in(township, "cadre1", USER_PW)
    try:
        id_number = PEOPLE["李桂兰"][2]  # a person of v2, outside cadre1's villages
        found = persons.unscoped_id_by_id_number(cadre, id_number, job="registry.register_person")
        assert found is not None
        persons.unscoped_id_by_id_number(cadre, id_number, job="registry.register_person")
        noted = entries(cadre, action="unscoped_read")
        assert [(e["user"], e["subject"]) for e in noted] == [("cadre1", "registry.register_person")]
        assert noted[0]["detail"] == {"role": "village_cadre"}
    finally:
        cadre.close()
    admin = accounts.sign_in(township, "admin", ADMIN_PW)
    try:
        persons.unscoped_id_by_id_number(admin, PEOPLE["李桂兰"][2], job="registry.register_person")
        assert len(entries(admin, action="unscoped_read")) == 1  # every right: nothing beyond the scope to note
    finally:
        admin.close()


def test_overdue_is_one_definition(township):
    admin = accounts.sign_in(township, "admin", ADMIN_PW)
    try:
        for name, (_kind, village, _id) in PEOPLE.items():
            person = next(p for p in persons.page(admin, village_id=village) if p["name"] == name)
            admin.update_person(person["id"], next_due="2026-01-01", status="active")
        today = date(2026, 3, 1)
        board = build(admin, today)
        assert board.overdue_total == persons.overdue_count(admin, today.isoformat()) == len(PEOPLE)
        assert {row["name"] for row in admin.overdue(today=today.isoformat())} == set(PEOPLE)
        rates = {r["village_id"]: r["overdue"] for r in persons.visit_rates(admin, "2026-03-01", today.isoformat())}
        assert rates == {"v1": 2, "v2": 2}
    finally:
        admin.close()
