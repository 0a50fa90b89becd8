"""house_number: the address as 地名 rules write it — 省 市 县 乡镇 村 (组) (街路巷) 号 附号.

地名管理条例 (2022) 第二条 counts 街路巷 and 门牌 among 地名; since 民函〔2023〕44号 (乡村著名行动) villages name
their roads and lanes and number houses along them, so a house is written 幸福路17号 rather than 三组17号.
A 附号 is written 17号之一 (research §6.3). The form only asks for the village, chosen from the township's list
(``select_one_from_file villages.csv``, made from the region table, app/regions.py): the province, city, county
and township come with it.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_builtin_child_and_other_forms import NOW, house

from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.regions import (
    VILLAGES_INSTANCE,
    chinese_numeral,
    national,
    province_city_rows,
    village_rows,
    villages_instance,
)
from app.registry import build_address

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"


def township_of(code: str) -> dict:
    """The instances a laptop in that village's township fills forms with (Store.form_instances)."""
    return {VILLAGES_INSTANCE: villages_instance(village_rows(national(), code[:9]))}


@pytest.fixture(scope="module")
def form():
    return load_form(FORMS / "house_number.xlsx")


def test_province_and_city_come_from_the_village_code(form):
    result = fill(form, house(), now=NOW)
    assert result["data"]["province_city"] == "安徽省合肥市"
    assert result["data"]["full_addr"] == "安徽省合肥市肥西县三河镇太华村三组12号"


@pytest.mark.parametrize(("code", "start"), [
    ("110101001001", "北京市"),  # 市辖区 is no place of its own
    ("429004100001", "湖北省"),  # 省直辖县级行政区划: no city between province and county
])
def test_municipalities_and_counties_under_the_province(form, code, start):
    result = fill(form, house(region_code=code, side="na"), now=NOW, instances=township_of(code))
    assert result["data"]["province_city"] == start
    # the county and township come with the village: 北京市东城区东华门街道多福巷社区…, 湖北省仙桃市郑场镇…
    assert result["data"]["full_addr"] == national().full_address(code, group="三组", number="12")


def test_houses_numbered_along_a_named_road(form):
    # 民函〔2023〕44号: name village roads and lanes and number along them
    answers = house(numbering="road", road_name="幸福路", house_no="17", side="odd")
    result = fill(form, answers, now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["full_addr"] == "安徽省合肥市肥西县三河镇太华村三组幸福路17号"
    no_road = fill(form, {**answers, "road_name": ""}, now=NOW)
    assert no_road["errors"] == {"road_name": "沿路、街、巷编号的，请填写路、街、巷名称"}
    no_group = {k: v for k, v in answers.items() if k != "group_name"}
    assert fill(form, no_group, now=NOW)["data"]["full_addr"] == "安徽省合肥市肥西县三河镇太华村幸福路17号"


def test_group_numbering_needs_the_group(form):
    answers = {k: v for k, v in house().items() if k != "group_name"}
    assert set(fill(form, answers, now=NOW)["errors"]) == {"group_name"}


@pytest.mark.parametrize("annex", ["1", "2", "9", "10", "11", "20", "21", "99"])
def test_the_annex_is_written_as_zhi_yi(form, annex):
    # research §6.3: 附号 written 17号之一; the form and app/regions.py write the same numeral
    result = fill(form, house(house_no="17", side="odd", house_no_annex=annex), now=NOW)
    assert result["valid"], result["errors"]
    assert result["data"]["full_addr"] == f"安徽省合肥市肥西县三河镇太华村三组17号之{chinese_numeral(annex)}"


def test_the_form_address_agrees_with_the_region_table(form):
    # the laptop's own address writer (app/regions.py) and the form give one address for one house
    table = national()
    village = table.get("110101001001")
    answers = house(region_code=village.code, numbering="road", road_name="幸福路", house_no="17", side="odd",
                    house_no_annex="1")
    del answers["group_name"]
    result = fill(form, answers, now=NOW, instances=township_of(village.code))
    assert result["data"]["full_addr"] == table.full_address(village.code, road="幸福路", number="17", annex="1")


def test_the_registry_fallback_writes_the_annex_after_hao():
    assert build_address({"county": "肥西县", "village": "新民村", "house_no": 17, "house_no_suffix": "之一"}) == \
        "肥西县新民村17号之一"


def test_the_shipped_province_city_file_matches_the_region_table():
    with (FORMS / "province_city.csv").open(encoding="utf-8") as f:
        rows = [tuple(r) for r in csv.reader(f)]
    assert rows[0] == ("code", "name")
    assert rows[1:] == province_city_rows()
