"""台账 in the order a cadre knows from WPS and Excel: names by the pinyin of each character in turn, any column
sortable, and a large registry sorted by the store's query a page at a time (issue 19, item 10)."""

from __future__ import annotations

import pytest

from app.store import Store, persons
from app.store.keyring import FAST_KDF

PASS = "East-hill-2026-a"
VILLAGE = "341100101201"
# As WPS/Excel sort them: 阿 (a) before 安 (an); 西瓦 (xi wa) before 夏 (xia); 曾 read as a surname (zeng);
# every 张 before 章 (the same sound, another character), and 张三 before 张三丰.
EXCEL_ORDER = ["阿牛", "安然", "白雪", "西瓦", "夏", "曾国明", "张三", "张三丰", "张小", "章一"]


@pytest.fixture
def store(village_store):  # tests/conftest.py: one village, VILLAGE 东山村
    return village_store


def names(rows: list[dict]) -> list[str]:
    return [r["name"] for r in rows]


def test_names_are_listed_by_pinyin_character_by_character_as_excel_does(store):
    for name in reversed(EXCEL_ORDER):
        store.add_person(name=name, kind="elder", village_id=VILLAGE)
    assert names(persons.page(store)) == EXCEL_ORDER
    assert names(persons.page(store, sort="name")) == EXCEL_ORDER
    assert names(persons.page(store, sort="name", descending=True)) == EXCEL_ORDER[::-1]
    found = store.search_persons("张", sort="name")  # a search sorted by a column: matches in that order
    assert names(found) == ["张三", "张三丰", "张小"]


def test_any_column_sorts_with_blanks_last_and_risk_from_the_highest(store):
    store.add_village("341100101202", "白石村")  # 白 (bai) before 东 (dong), whatever the codes say
    rows = [("甲", "高风险", "2027-03-01", VILLAGE), ("乙", "一般", "", "341100101202"),
            ("丙", "重点", "2027-01-01", VILLAGE), ("丁", "", "2027-02-01", "341100101202")]
    for name, tier, due, village in rows:
        store.add_person(name=name, kind="elder", risk_tier=tier, next_due=due, village_id=village)
    assert names(persons.page(store, sort="risk_tier")) == ["甲", "丙", "乙", "丁"]
    assert names(persons.page(store, sort="risk_tier", descending=True)) == ["乙", "丙", "甲", "丁"]
    assert names(persons.page(store, sort="next_due")) == ["丙", "丁", "甲", "乙"]
    assert names(persons.page(store, sort="next_due", descending=True)) == ["甲", "丁", "丙", "乙"]
    assert names(persons.page(store, sort="village")) == ["丁", "乙", "丙", "甲"]  # 白石村, then 东山村
    with pytest.raises(ValueError):
        persons.page(store, sort="name; DROP TABLE persons")


def test_a_large_registry_is_sorted_in_the_query_a_page_at_a_time(store):
    from app.demo import load_demo
    from app.store.search import name_sort_key

    load_demo(store, persons=3000, seed=4)
    everyone = store.query("SELECT id, name FROM persons")
    expected = [p["id"] for p in sorted(everyone, key=lambda p: (name_sort_key(p["name"]), p["name"], p["id"]))]
    paged = [p["id"] for offset in range(0, len(everyone), 200)
             for p in persons.page(store, sort="name", limit=200, offset=offset)]
    assert paged == expected
    order, params = persons.order_by(store, "name")
    plan = " ".join(str(row) for row in store.conn.execute(
        f"EXPLAIN QUERY PLAN SELECT * FROM persons WHERE 1 ORDER BY {order} LIMIT 200 OFFSET 400", params))
    assert "persons_name_key" in plan, plan  # read in order from the index, not every row sorted for each page


def test_a_store_from_before_sorting_gets_its_names_keys(tmp_path):
    directory = tmp_path / "old"
    old = Store.create(directory, PASS, kdf=FAST_KDF, migrate_upto=10)
    old.add_village(VILLAGE, "东山村")
    for name in reversed(EXCEL_ORDER):
        old.add_person(name=name, kind="elder", village_id=VILLAGE)
    old.close()
    upgraded = Store.open(directory, PASS)
    try:
        assert names(persons.page(upgraded, sort="name")) == EXCEL_ORDER
    finally:
        upgraded.close()
