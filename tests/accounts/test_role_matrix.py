"""Each role × each action × own / other village, on the laptop (app/ layer): what each account sees and may do.

The table below is the expectation, written from the issue (村干部: their village's elderly and households;
儿童主任: their village's children; 乡镇工作人员: every village, review and export; 管理员: also accounts).
"""

from __future__ import annotations

import pytest

from app import accounts
from app.errors import CunFangError, ErrorCode
from app.spreadsheets.importer import undo_import
from app.spreadsheets.records import export_records

from .conftest import ADMIN_PW, PEOPLE, USER_PW

SEES = {  # login: the people whose person row and visit record the account sees
    "cadre1": {"王秀英"},  # the elder of v1
    "cadre2": {"李桂兰"},  # the elder of v2
    "director1": {"张小明"},  # the child of v1
    "staff": set(PEOPLE),
    "admin": set(PEOPLE),
}
MAY = {  # login: actions allowed (export, import, accounts)
    "cadre1": set(), "cadre2": set(), "director1": set(),
    "staff": {"export", "import"},
    "admin": {"export", "import", "accounts"},
}


def sign_in(township, login):
    return accounts.sign_in(township, login, ADMIN_PW if login == "admin" else USER_PW)


@pytest.mark.parametrize("login", list(SEES))
def test_lists_searches_and_counts_show_only_what_the_role_and_villages_allow(township, login):
    store = sign_in(township, login)
    try:
        assert {p["name"] for p in store.search_persons("", limit=100)} == SEES[login]
        assert {r["person_name"] for r in store.list_records(limit=100)} == SEES[login]
        assert sum(store.counts_by_status().values()) == len(SEES[login])
        for name in PEOPLE:  # by the last digits of the ID number, the way cadres search
            found = store.search_persons(PEOPLE[name][2][-4:])
            assert bool(found) == (name in SEES[login])
    finally:
        store.close()


@pytest.mark.parametrize("login", list(SEES))
@pytest.mark.parametrize("name", list(PEOPLE))
def test_opening_one_record_or_person_outside_the_scope_is_refused(township, visits, login, name):
    store = sign_in(township, login)
    try:
        if name in SEES[login]:
            assert store.get_record(visits[name])["title"] == f"探访 {name}"
        else:
            with pytest.raises(CunFangError) as info:
                store.get_record(visits[name])
            assert info.value.code == ErrorCode.ACCESS_VILLAGE
    finally:
        store.close()


@pytest.mark.parametrize(("login", "form_id", "village", "allowed"), [
    ("cadre1", "elder_visit", "v1", True),
    ("cadre1", "elder_visit", "v2", False),
    ("cadre1", "child_visit", "v1", False),
    ("director1", "child_visit", "v1", True),
    ("director1", "child_visit", "v2", False),
    ("director1", "elder_visit", "v1", False),
    ("staff", "home_adaptation", "v2", True),
    ("staff", "child_visit", "v2", True),
    ("admin", "elder_visit", "v2", True),
])
def test_filling_a_form_is_allowed_for_the_roles_forms_in_its_villages(township, login, form_id, village, allowed):
    store = sign_in(township, login)
    try:
        if allowed:
            uuid = store.save_draft(form_id=form_id, form_version="2026.1", data={}, village_id=village)
            assert store.get_record(uuid)["created_by"] == login
            assert uuid in {d["uuid"] for d in store.drafts()}
        else:
            with pytest.raises(CunFangError) as info:
                store.save_draft(form_id=form_id, form_version="2026.1", data={}, village_id=village)
            assert info.value.code in (ErrorCode.ACCESS_FORM, ErrorCode.ACCESS_VILLAGE)
            assert "不" in str(info.value)
    finally:
        store.close()


@pytest.mark.parametrize("login", list(MAY))
def test_export_import_and_accounts_are_for_the_roles_that_have_them(township, tmp_path, login):
    store = sign_in(township, login)
    try:
        outcomes = {}
        for action, attempt in {
            "export": lambda: export_records(store, tmp_path / "out.xlsx"),
            "accounts": lambda: accounts.add_account(store, "newbie", "新人", "village_cadre", ["v1"], USER_PW),
            "import": lambda: undo_import(store, 999),  # refused by rights first, else "no such import"
        }.items():
            try:
                attempt()
                outcomes[action] = True
            except CunFangError as exc:
                if exc.code == ErrorCode.IMPORT_NOT_FOUND:  # allowed to undo, and there is nothing to undo
                    outcomes[action] = True
                    continue
                assert exc.code == ErrorCode.ACCESS_DENIED
                assert store.account.role_def.label in str(exc)
                outcomes[action] = False
        assert {a for a, ok in outcomes.items() if ok} == MAY[login]
        assert (tmp_path / "out.xlsx").exists() == ("export" in MAY[login])
    finally:
        store.close()


def test_whole_id_numbers_in_an_export_need_the_right(township, tmp_path):
    store = sign_in(township, "staff")
    export_records(store, tmp_path / "full.xlsx", full_ids=True)  # township staff may
    store.close()
    store = sign_in(township, "cadre1")
    with pytest.raises(CunFangError):
        export_records(store, tmp_path / "cadre.xlsx", full_ids=True)
    store.close()
    assert not (tmp_path / "cadre.xlsx").exists()


def test_a_cadre_cannot_register_a_child_or_move_a_person_to_another_village(township):
    store = sign_in(township, "cadre1")
    try:
        with pytest.raises(CunFangError):
            store.add_person(name="新孩子", kind="child", village_id="v1")
        with pytest.raises(CunFangError):
            store.add_person(name="外村老人", kind="elder", village_id="v2")
        elder = store.search_persons("王秀英")[0]
        with pytest.raises(CunFangError):
            store.update_person(elder["id"], village_id="v2")
        store.add_person(name="新登记老人", kind="elder", village_id="v1")
        assert store.get_person(elder["id"])["village_id"] == "v1"
    finally:
        store.close()
