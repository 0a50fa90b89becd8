"""A cadre types a name's initials the way the name is said: 曾国明 is zgm, not cgm."""

from __future__ import annotations

import pytest

from app.store import Store
from app.store.keyring import FAST_KDF

PASS = "surname-test-passphrase"
VILLAGE = "341100101201"


@pytest.fixture
def store(village_store):  # tests/conftest.py: one village, VILLAGE 东山村
    return village_store


def names(found: list[dict]) -> list[str]:
    return [p["name"] for p in found]


@pytest.mark.parametrize(("name", "typed"), [
    ("曾国明", "zgm"), ("曾国明", "zengguo"), ("翟红莉", "zhl"), ("单雄", "shanx"), ("仇建国", "qjg"),
    ("解小梅", "xxm"), ("区志强", "ozq"), ("朴正熙", "pzx"), ("覃美玲", "qml"), ("尉迟恭", "ycg"), ("卜凡", "bf"),
    ("单于军", "syj"),  # 单 with a given name, not the compound surname 单于
])
def test_a_surname_read_its_own_way_is_found_by_how_it_is_said(store, name, typed):
    store.add_person(name=name, kind="elder", village_id=VILLAGE)
    store.add_person(name="张三", kind="elder", village_id=VILLAGE)
    assert names(store.search_persons(typed)) == [name]


def test_a_store_made_before_the_surname_readings_is_brought_up_to_date(tmp_path):
    directory = tmp_path / "data"
    old = Store.create(directory, PASS, kdf=FAST_KDF, migrate_upto=7)
    old.add_village(VILLAGE, "东山村")
    for name in ("曾国明", "翟红莉", "张三"):
        old.add_person(name=name, kind="elder", village_id=VILLAGE)
    # what an earlier release stored: every character's usual reading
    old.conn.execute("UPDATE persons SET pinyin = 'cengguoming', initials = 'cgm' WHERE name = '曾国明'")
    old.conn.execute("UPDATE persons SET pinyin = 'dihongli', initials = 'dhl' WHERE name = '翟红莉'")
    assert names(old.search_persons("zgm")) == []
    old.close()

    upgraded = Store.open(directory, PASS)
    try:
        assert names(upgraded.search_persons("zgm")) == ["曾国明"]
        assert names(upgraded.search_persons("zhaihong")) == ["翟红莉"]
        assert names(upgraded.search_persons("zs")) == ["张三"]
        rows = upgraded.query("SELECT name, pinyin, initials FROM persons ORDER BY name")
        assert {r["name"]: (r["pinyin"], r["initials"]) for r in rows} == {
            "曾国明": ("zengguoming", "zgm"), "翟红莉": ("zhaihongli", "zhl"), "张三": ("zhangsan", "zs")}
    finally:
        upgraded.close()
