"""The national division codes: choosing county → township → village instead of typing 12 digits."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from app import regions
from app.regions import RegionTable, national, short_village_name

TABLE = national()


def test_the_levels_are_complete():
    # 31 provinces; the counts the 国家统计局 2023 table gives (source in resources/regions/README.md)
    assert len(TABLE.children()) == 31
    assert [r.name for r in TABLE.children("34")][:2] == ["合肥市", "芜湖市"]
    assert {r.name for r in TABLE.children("3401")} >= {"瑶海区", "庐阳区", "蜀山区", "包河区", "长丰县"}


def test_known_codes_read_as_the_statistics_bureau_publishes_them():
    # codes printed on 国家统计局's pages and used in GB/T 2260
    assert TABLE.get("110101").name == "东城区"
    assert TABLE.get("110101001").name == "东华门街道"
    assert TABLE.get("340102").name == "瑶海区"
    assert TABLE.get("440305").name == "南山区"
    assert TABLE.get("999999") is None
    assert TABLE.get("3401021") is None  # no level has seven digits
    assert TABLE.get("") is None


def test_a_village_path_and_its_full_address():
    path = TABLE.path("110101001001")
    assert [r.level for r in path] == ["province", "city", "county", "township", "village"]
    assert path[-1].short_name == "多福巷社区"
    # 市辖区 is no place of its own; 附号 1 is written 之一
    assert TABLE.full_address("110101001001", group="三组", road="幸福路", number="17", annex="1") == \
        "北京市东城区东华门街道多福巷社区三组幸福路17号之一"


def test_village_names_as_people_say_them():
    assert short_village_name("东山村村民委员会") == "东山村"
    assert short_village_name("桃园村委会") == "桃园村"
    assert short_village_name("多福巷社区居委会") == "多福巷社区"
    assert short_village_name("新民村") == "新民村"


def test_search_finds_villages_inside_one_county_only():
    hits = TABLE.search("东", "340102")
    assert hits and all(h.code.startswith("340102") and "东" in h.name and h.level == "village" for h in hits)


def test_a_county_list_published_by_the_bureau_replaces_the_national_rows(tmp_path: Path):
    town = TABLE.children("340102")[0]
    (tmp_path / f"{town.code}.tsv").write_text(f"{town.code}901\t新建村村民委员会\n", encoding="utf-8")
    table = RegionTable(overrides=tmp_path)
    assert [r.short_name for r in table.children(town.code)] == ["新建村"]
    # other townships keep the national rows
    other = TABLE.children("340102")[1]
    assert table.children(other.code) == TABLE.children(other.code)


def test_a_damaged_county_list_is_read_line_by_line(tmp_path: Path):
    (tmp_path / "340102.tsv").write_text("not a line\n340102001\t明光路街道\n3401020019\t七位\n", encoding="utf-8")
    table = RegionTable(overrides=tmp_path)
    assert [r.name for r in table.children("340102")] == ["明光路街道"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["13", "34", "44", "51", "65"]), st.data())
def test_every_child_sits_under_its_parent(province: str, data):
    code = province
    while len(code) < 12:
        kids = TABLE.children(code)
        if not kids:
            break
        child = data.draw(st.sampled_from(kids))
        assert regions.parent_code(child.code) == code
        assert TABLE.path(child.code)[-1] == child
        code = child.code


def test_chinese_numerals_for_annex_numbers():
    assert [regions.chinese_numeral(str(n)) for n in (1, 2, 10, 12, 20, 21)] == ["一", "二", "十", "十二", "二十", "二十一"]


def test_a_county_list_renames_adds_and_drops_villages_in_the_forms_list():
    base = [(r.code, r.name) for r in national().under("340123")]
    county = [(c, "太华新村村民委员会" if c == "340123101202" else n) for c, n in base if c != "340123101216"]
    county.append(("340123101299", "新河村村民委员会"))
    rows = {r["name"]: r for r in regions.village_rows(RegionTable({"340123": county}), "340123101")}
    assert rows["340123101202"]["label"] == "太华新村"  # the bureau's name wins
    assert rows["340123101299"] == {"name": "340123101299", "label": "新河村", "town": "三河镇", "county": "肥西县",
                                    "province_city": "安徽省合肥市"}
    assert "340123101216" not in rows  # merged away
    assert len(regions.village_rows(national(), "340123101")) == len(rows)


def test_a_county_list_is_read_from_tab_or_comma_lines():
    assert regions.parse_rows("code,name\n340123101,三河镇\n340123101299,新河村\n") == [
        ("340123101", "三河镇"), ("340123101299", "新河村")]
    assert regions.parse_rows("340123101\t三河镇\n\n") == [("340123101", "三河镇")]
