"""Rural house numbers: the standard address, no duplicate number in a village, the plate list."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from app.errors import CunFangError, ErrorCode
from app.forms.xlsform import load_form
from app.registry import build_address
from app.spreadsheets.plain import export_plates
from app.store import Store
from app.store.keyring import FAST_KDF

FORM = load_form(Path(__file__).resolve().parents[1] / "resources" / "forms" / "house_number.xlsx")


def house(**changes) -> dict:
    answers = {"region_code": "340123101202",  # 肥西县三河镇太华村
               "group_name": "三组", "house_no": "12", "side": "even", "plate_type": "small", "plate_status": "new",
               "install_date": "2026-11-20", "bldg_use": "residence", "occupied": "resident", "head_name": "王德福",
               "head_phone": "138 0000 1234", "location": "31.5201 117.3102 28 6", "photo": "plate-12.jpg",
               "registrar": "李秀兰"}
    answers.update(changes)
    return answers


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", "house-pass", kdf=FAST_KDF)
    s.set_township("340123101")  # 三河镇: its villages are the ones the form offers
    yield s
    s.close()


def register(store, **changes) -> dict:
    uuid = store.save_draft(form_id="house_number", form_version=FORM.version, data=house(**changes),
                            title=f"门牌 {changes.get('house_no', '12')}")
    return store.finalize(uuid, FORM)


def test_standard_address():
    assert build_address({**house(), "county": "肥西县", "town": "三河镇", "village": "太华村"}) == \
        "肥西县三河镇太华村三组12号"


def test_the_same_village_never_gets_a_duplicate_house_number(store):
    register(store)
    register(store, house_no="14")
    with pytest.raises(CunFangError) as info:
        register(store, head_name="张三")
    assert info.value.code == ErrorCode.HOUSE_NUMBER_TAKEN
    assert "太华村已经有门牌号 12" in str(info.value)
    register(store, region_code="340123101203")  # 联合村: another village may use 12
    drafts = [r for r in store.list_records(form_id="house_number") if r["status"] == "draft"]
    assert len(drafts) == 1  # the refused one is kept as a draft to correct, nothing lost


def test_printable_list_of_plates_to_make(store, tmp_path):
    register(store, house_no="3", side="odd")
    register(store, house_no="1", side="odd", plate_status="damaged")
    register(store, house_no="2", plate_status="intact")
    out = tmp_path / "plates.xlsx"
    assert export_plates(store, out) == 2
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("序号", "村", "组", "门牌号")
    assert [r[3] for r in rows[1:]] == ["1", "3"]
    assert rows[1][6] == "破损待换" and rows[2][6] == "新装"


def test_a_house_number_record_makes_the_household(store):
    first = register(store)
    (household,) = store.query("SELECT * FROM households")
    assert (household["village_id"], household["house_number"]) == ("340123101202", "12")
    assert household["address"] == "安徽省合肥市肥西县三河镇太华村三组12号"
    assert first["household_id"] == household["id"]
    assert [v["name"] for v in store.villages() if v["id"] == "340123101202"] == ["太华村"]
