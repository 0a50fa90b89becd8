"""Exporting records and 台账 to spreadsheets that open right in Excel, WPS and LibreOffice.

Every workbook is read back with openpyxl and with python-calamine (the Rust reader WPS-like
tools resemble): IDs, phones and house numbers must come back as text, dates as dates.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from app import china
from app.errors import CunFangError, ErrorCode
from app.roles import ROLES, laptop_role
from app.spreadsheets.cells import converter
from app.spreadsheets.ledgers import export_ledger, ledgers
from app.spreadsheets.records import Filters, export_records
from app.store import Store

ROOT = Path(__file__).resolve().parents[2]
PASS = "村访通-secret"
EAST, WEST = "340102001001", "340102001002"
ELDER_ID = china.make_id("340102", date(1941, 2, 14), 451)
CARER_ID = china.make_id("340102", date(1970, 5, 1), 12)
MOBILE = "13905511234"


def registry(store, *, village=EAST, name="王秀英", house_no="007", phone=MOBILE, status="finalized",
             created: str | None = None, **answers) -> str:
    """An 特殊困难老年人基本信息台账 record, as the registry form stores it."""
    data = {"reg_date": "2026-03-02", "registrar": "李秀兰", "elder_name": name, "id_type": "resident_id",
            "id_no": ELDER_ID, "sex_input": "2", "birth_input": "1941-02-14", "elder_phone": phone,
            "village": "东山村", "house_no": house_no, "elder_type": "left_behind alone", "risk_tier": "high",
            "remarks": f"其子身份证 {CARER_ID}，电话 {MOBILE}", "visit_interval": 7, "age": 85,
            "carers": [{"carer_name": "王强", "relation": "2", "phone": "05516512345", "away": "1"},
                       {"carer_name": "王芳", "relation": "3", "phone": MOBILE, "away": "0"}]}
    data.update(answers)
    uuid = store.save_draft(form_id="elder_registry", form_version="2026.1", data=data, village_id=village,
                            author="李秀兰", title=name)
    store.conn.execute("UPDATE records SET status = ? WHERE uuid = ?", (status, uuid))
    if created:
        store.conn.execute("UPDATE records SET created_at = ? WHERE uuid = ?", (created, uuid))
    return uuid


def rows_openpyxl(path: Path, sheet: str | int = 0) -> list[tuple]:
    workbook = load_workbook(path)
    ws = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return list(ws.iter_rows(values_only=True))


def rows_calamine(path: Path, sheet: str | int = 0) -> list[list]:
    workbook = CalamineWorkbook.from_path(str(path))
    found = workbook.get_sheet_by_index(sheet) if isinstance(sheet, int) else workbook.get_sheet_by_name(sheet)
    return found.to_python(skip_empty_area=False)


def by_header(rows) -> list[dict]:
    header = list(rows[0])
    return [dict(zip(header, row, strict=False)) for row in rows[1:]]


# ---------------------------------------------------------------------------- the workbook


def test_ids_phones_and_house_numbers_are_text_and_dates_are_dates_in_both_readers(store, tmp_path):
    registry(store)
    out = tmp_path / "台账.xlsx"

    result = export_records(store, out, forms=["elder_registry"], full_ids=True)

    assert result.rows == 1 and result.files == [out]
    for read in (rows_openpyxl, rows_calamine):
        row = by_header(read(out))[0]
        assert row["证件号码"] == ELDER_ID and isinstance(row["证件号码"], str)  # never 3.4E+17
        assert row["本人联系电话"] == MOBILE
        assert row["门牌号"] == "007"  # the leading zeros survive
        assert row["登记(更新)日期"] in (date(2026, 3, 2), datetime(2026, 3, 2))
        assert row["探访周期(天)"] == 7  # a number stays a number
    carers = by_header(rows_calamine(out, "赡(扶)养人、家属"))
    assert carers[0]["手机号"] == "05516512345"  # a landline's leading zero
    workbook = load_workbook(out)
    cell = workbook.worksheets[0]["A2"]
    headers = [c.value for c in workbook.worksheets[0][1]]
    assert workbook.worksheets[0].cell(2, headers.index("登记(更新)日期") + 1).number_format == "yyyy-mm-dd"
    assert cell.data_type == "s"


def test_choices_are_written_as_their_labels_or_as_codes_on_request(store, tmp_path):
    registry(store)
    labels, codes = tmp_path / "labels.xlsx", tmp_path / "codes.xlsx"

    export_records(store, labels, forms=["elder_registry"])
    export_records(store, codes, forms=["elder_registry"], codes=True)

    named = by_header(rows_calamine(labels))[0]
    assert named["性别"] == "女" and named["风险等级"] == "高风险" and named["状态"] == "已定稿"
    assert named["特殊困难类型"] == "农村留守、独居"
    coded = by_header(rows_calamine(codes))[0]
    assert coded["性别"] == "2" and coded["风险等级"] == "high" and coded["状态"] == "finalized"
    assert coded["特殊困难类型"] == "left_behind alone"


def test_repeats_get_their_own_sheet_linked_by_the_record_id(store, tmp_path):
    first = registry(store)
    second = registry(store, name="李桂兰", carers=[{"carer_name": "李明", "relation": "2", "phone": MOBILE}])
    out = tmp_path / "台账.xlsx"

    export_records(store, out, forms=["elder_registry"])

    workbook = load_workbook(out)
    assert workbook.sheetnames == ["特殊困难老年人基本信息台账", "赡(扶)养人、家属", "说明"]
    carers = by_header(rows_openpyxl(out, "赡(扶)养人、家属"))
    assert [(c["记录编号"], c["序号"], c["姓名"], c["与老人关系"]) for c in carers] == [
        (first, 1, "王强", "子"), (first, 2, "王芳", "女"), (second, 1, "李明", "子")]
    records = {r["记录编号"] for r in by_header(rows_openpyxl(out))}
    assert {c["记录编号"] for c in carers} == records


def test_the_explanation_sheet_describes_every_column(store, tmp_path):
    registry(store)
    out = tmp_path / "台账.xlsx"

    export_records(store, out, forms=["elder_registry"])

    notes = rows_openpyxl(out, "说明")
    assert any("特殊困难老年人基本信息台账" in (row[0] or "") for row in notes[:3])
    table = notes.index(("工作表", "列", "列标题", "问题名称", "类型", "选项（代码 = 文字）", "说明"))
    described = {(row[0], row[2]): row for row in notes[table + 1:]}
    sex = described[("特殊困难老年人基本信息台账", "性别")]
    assert sex[3] == "sex_input" and sex[4] == "单选" and "1 = 男" in sex[5] and "2 = 女" in sex[5]
    assert "已遮蔽" in described[("特殊困难老年人基本信息台账", "证件号码")][6]
    assert described[("赡(扶)养人、家属", "手机号")][4] == "文本"
    headers = rows_openpyxl(out)[0]
    assert all(("特殊困难老年人基本信息台账", h) in described for h in headers)


def test_the_header_is_frozen_filters_are_on_and_widths_fit_chinese(store, tmp_path):
    registry(store)
    registry(store, name="欧阳秀英")
    out = tmp_path / "台账.xlsx"

    export_records(store, out, forms=["elder_registry"])

    ws = load_workbook(out).worksheets[0]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref.startswith("A1:") and ws.auto_filter.ref.endswith("3")
    headers = [c.value for c in ws[1]]
    width = {h: ws.column_dimensions[ws.cell(1, i + 1).column_letter].width for i, h in enumerate(headers)}
    assert width["证件号码"] >= 18  # 18 characters, all shown
    assert width["现居住地址"] >= 10 and width["记录编号"] >= 36
    assert width["性别"] < width["证件号码"]


# ---------------------------------------------------------------------------- CSV


def test_csv_is_utf8_with_a_bom_and_repeats_go_to_a_second_file(store, tmp_path):
    uuid = registry(store)
    out = tmp_path / "台账.csv"

    result = export_records(store, out, forms=["elder_registry"], full_ids=True)

    carers = tmp_path / "台账-carers.csv"
    assert result.files == [out, carers]
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM Excel and WPS need to see Chinese
    assert "证件号码".encode("gbk") not in raw  # UTF-8, not Excel's old GBK
    with out.open(encoding="utf-8-sig", newline="") as fh:
        row = next(csv.DictReader(fh))
    assert row["证件号码"] == ELDER_ID  # as it is: no apostrophe, no =""
    assert row["门牌号"] == "007" and row["登记(更新)日期"] == "2026-03-02" and row["性别"] == "女"
    with carers.open(encoding="utf-8-sig", newline="") as fh:
        linked = list(csv.DictReader(fh))
    assert [c["记录编号"] for c in linked] == [uuid, uuid] and linked[0]["手机号"] == "05516512345"


# ---------------------------------------------------------------------------- privacy and filters


def test_id_and_phone_numbers_are_masked_unless_full_ids(store, tmp_path):
    registry(store)
    masked, full = tmp_path / "masked.xlsx", tmp_path / "full.xlsx"

    export_records(store, masked, forms=["elder_registry"])
    export_records(store, full, forms=["elder_registry"], full_ids=True)

    hidden = by_header(rows_calamine(masked))[0]
    assert hidden["证件号码"] == ELDER_ID[:4] + "*" * 10 + ELDER_ID[-4:]
    assert hidden["本人联系电话"] == "139****1234"
    assert CARER_ID not in hidden["备注"] and MOBILE not in hidden["备注"]  # also inside free text
    assert hidden["门牌号"] == "007"  # an address, not a personal number
    assert by_header(rows_calamine(masked, 1))[0]["手机号"] == "055****2345"
    shown = by_header(rows_calamine(full))[0]
    assert shown["证件号码"] == ELDER_ID and CARER_ID in shown["备注"]


def test_a_number_question_holding_an_id_keeps_it_as_text():
    as_number = converter("integer", full_ids=True)
    assert as_number(int(ELDER_ID[:17])) == ELDER_ID[:17]  # too long for a spreadsheet number
    assert as_number("0551") == "0551" and as_number(42) == 42 and as_number("3.5") == 3.5
    assert converter("integer")(int(MOBILE)) == "139****1234"


def test_only_township_staff_and_administrators_see_full_ids(store):
    assert ROLES["township_staff"].sees_full_ids and ROLES["admin"].sees_full_ids
    assert not ROLES["village_cadre"].sees_full_ids and not ROLES["child_director"].sees_full_ids
    assert laptop_role(store).name == "township_staff"  # the installer, before any account exists
    store.set_setting("sync.user", json.dumps({"name": "刘主任", "role": "child_director"}))
    assert laptop_role(store).name == "child_director"
    store.set_setting("sync.user", "{damaged")
    assert not laptop_role(store).sees_full_ids


def test_filters_by_village_record_date_and_status(store, tmp_path):
    def day(d: date) -> str:  # half past midnight local time on that day, as the store writes it (UTC)
        return datetime(d.year, d.month, d.day, 0, 30).astimezone().astimezone(UTC).isoformat(timespec="milliseconds")

    march = registry(store, name="三月", created=day(date(2026, 3, 10)))
    april = registry(store, name="四月", created=day(date(2026, 4, 30)))
    registry(store, name="西河", village=WEST, created=day(date(2026, 4, 1)))
    registry(store, name="草稿", status="draft", created=day(date(2026, 4, 2)))
    out = tmp_path / "f.xlsx"

    def names(**filters) -> list[str]:
        export_records(store, out, forms=["elder_registry"], filters=Filters(**filters))
        return [r["对象姓名"] or r["老人姓名"] for r in by_header(rows_calamine(out))]

    assert names(village="东山村") == ["三月", "四月", "草稿"]
    assert names(village=EAST, since=date(2026, 4, 1), until=date(2026, 4, 30)) == ["四月", "草稿"]
    assert names(until=date(2026, 3, 31)) == ["三月"]
    assert names(status="draft") == ["草稿"]
    assert [r["记录编号"] for r in by_header(rows_calamine(out))] != [march, april]
    with pytest.raises(CunFangError) as unknown:
        names(village="火星村")
    assert unknown.value.code == ErrorCode.EXPORT_VILLAGE_UNKNOWN and "东山村" in str(unknown.value)
    with pytest.raises(CunFangError) as reversed_dates:
        names(since=date(2026, 5, 1), until=date(2026, 4, 1))
    assert reversed_dates.value.code == ErrorCode.EXPORT_DATES_REVERSED


def test_many_records_page_through_the_store_in_creation_order(store, tmp_path, monkeypatch):
    monkeypatch.setattr("app.store.exports.PAGE", 7)
    made = [registry(store, name=f"老人{i}") for i in range(30)]
    seen = []

    export_records(store, tmp_path / "p.csv", forms=["elder_registry"], progress=lambda *a: seen.append(a))

    with (tmp_path / "p.csv").open(encoding="utf-8-sig") as fh:
        assert [r["记录编号"] for r in csv.DictReader(fh)] == made
    assert seen[0] == (0, 30, "开始导出") and seen[-1] == (30, 30, "完成")


def test_a_cancelled_export_leaves_no_file_and_keeps_the_old_one(store, tmp_path):
    for i in range(5):
        registry(store, name=f"老人{i}")
    out = tmp_path / "台账.xlsx"
    out.write_bytes(b"the previous export")
    cancel = threading.Event()

    for target in (out, tmp_path / "new.csv"):
        with pytest.raises(CunFangError) as info:
            export_records(store, target, forms=["elder_registry"], cancel=cancel,
                           progress=lambda done, total, text: cancel.set())
        assert info.value.code == ErrorCode.EXPORT_CANCELLED
    assert out.read_bytes() == b"the previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "台账.xlsx"]  # no .part, no scratch files


def test_an_export_is_written_to_the_audit_log(store, tmp_path):
    from app.store.audit import entries

    registry(store)
    export_records(store, tmp_path / "a.xlsx", forms=["elder_registry"], full_ids=True,
                   filters=Filters(village="东山村"))

    entry = entries(store, action="export")[0]
    assert entry["subject"] == "a.xlsx"
    assert entry["detail"] == {"forms": ["elder_registry"], "rows": 1, "full_ids": True,
                               "filters": {"village": EAST}}


# ---------------------------------------------------------------------------- 台账 layouts


@pytest.fixture
def registry_people(store):
    """Two left-behind children (one with a visit), a vulnerable child, two elders and a guardian."""
    today = date.today()
    home = store.add_household(village_id=EAST, group_name="三组", house_number="07",
                               address="示范县示范镇东山村三组07号")
    guardian = store.add_person(name="刘桂芳", kind="guardian", phone=MOBILE, village_id=EAST, household_id=home)
    child = store.add_person(name="刘小雨", kind="child", id_number=china.make_id("340102", date(2016, 9, 20), 242),
                             sex="2", birth_date="2016-09-20", categories=["留守儿童"], village_id=EAST,
                             household_id=home, last_visit=(today - timedelta(days=100)).isoformat(),
                             next_due=(today - timedelta(days=10)).isoformat(), extra={"guardianship": "fair"})
    store.add_person(name="陈浩然", kind="child", categories=["留守儿童"], village_id=WEST)
    store.add_person(name="困境儿童", kind="child", categories=["困境儿童"], village_id=EAST)
    elder = store.add_person(name="王秀英", kind="elder", id_number=ELDER_ID, phone=MOBILE, categories=["独居老人"],
                             risk_tier="高风险", village_id=EAST, household_id=home,
                             last_visit=(today - timedelta(days=3)).isoformat(),
                             next_due=(today + timedelta(days=4)).isoformat())
    store.add_person(name="迁出老人", kind="elder", village_id=EAST, status="moved_out")
    for days, method in ((40, "phone"), (3, "home")):
        uuid = store.save_draft(form_id="elder_visit", form_version="2026.1", person_id=elder, village_id=EAST,
                                data={"visit_date": (today - timedelta(days=days)).isoformat(),
                                      "visit_method": method, "visitor": "李秀兰", "met_in_person": "1",
                                      "issues": "冬季取暖炉损坏"})
        created = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="milliseconds")
        store.conn.execute("UPDATE records SET status = 'accepted', created_at = ? WHERE uuid = ?", (created, uuid))
    visit = store.save_draft(form_id="child_visit", form_version="2026.1", person_id=child, village_id=EAST,
                             data={"visit_date": today.isoformat(), "guard_eval": "poor"})
    store.conn.execute("UPDATE records SET status = 'queued' WHERE uuid = ?", (visit,))
    return {"child": child, "elder": elder, "guardian": guardian}


def test_the_left_behind_children_roster(store, registry_people, tmp_path):
    out = tmp_path / "花名册.xlsx"

    result = export_ledger(store, "left_behind_roster", out)

    assert result.rows == 2
    rows = rows_calamine(out)
    assert rows[0][0] == "示范镇农村留守儿童花名册" and "共 2 人" in rows[1][0]
    roster = by_header(rows[2:])
    assert [(r["序号"], r["村(居)"], r["姓名"]) for r in roster] == [(1, "东山村", "刘小雨"), (2, "西河村", "陈浩然")]
    child = roster[0]
    assert child["性别"] == "女" and child["公民身份证号码"].startswith("3401**********")
    assert child["出生日期"] == date(2016, 9, 20) and isinstance(child["年龄"], float | int)
    assert child["(受委托)监护人"] == "刘桂芳" and child["监护人联系电话"] == "139****1234"
    assert child["监护情况"] == "差"  # the newest visit's evaluation, as its label
    assert child["是否逾期"] == "是" and child["家庭住址"] == "示范县示范镇东山村三组07号"
    ws = load_workbook(out).worksheets[0]
    assert ws.freeze_panes == "A4" and ws.auto_filter.ref.startswith("A3:")


def test_the_elder_visit_ledger_has_one_row_per_person_with_last_visit_and_next_due(store, registry_people, tmp_path):
    out = tmp_path / "探访台账.xlsx"

    result = export_ledger(store, "elder_visit_ledger", out, full_ids=True)

    assert result.rows == 1  # the elder who moved away is not on it
    elder = by_header(rows_openpyxl(out)[2:])[0]
    today = date.today()
    assert elder["姓名"] == "王秀英" and elder["身份证号"] == ELDER_ID and elder["联系电话"] == MOBILE
    assert elder["最近探访日期"].date() == today - timedelta(days=3)
    assert elder["下次应探访日期"].date() == today + timedelta(days=4)
    assert elder["探访方式"] == "上门入户" and elder["发现的问题"] == "冬季取暖炉损坏"
    assert elder["本年探访次数"] == (2 if (today - timedelta(days=40)).year == today.year else 1)
    assert elder["风险等级"] == "高风险" and elder["困难类型"] == "独居老人" and elder["逾期天数"] is None


def test_a_record_ledger_lists_visits_and_takes_the_village_filter(store, registry_people, tmp_path):
    out = tmp_path / "登记簿.csv"

    result = export_ledger(store, "elder_visit_log", out, filters=Filters(village="东山村"))

    assert result.rows == 2
    with out.open(encoding="utf-8-sig") as fh:
        visits = list(csv.DictReader(fh))
    assert [v["探访方式"] for v in visits] == ["电话", "上门入户"] and visits[0]["记录状态"] == "已接收"


def test_a_county_changes_a_ledger_without_code(store, registry_people, tmp_path):
    mine = store.data_dir / "ledgers"
    mine.mkdir()
    (mine / "left_behind_roster.json").write_text(json.dumps({
        "title": "留守儿童名单（本县）", "source": {"persons": {"kind": "child", "category": "留守儿童"}},
        "columns": [{"header": "儿童", "field": "person.name"}, {"header": "监护", "field": "person.extra.guardianship",
                                                                 "map": {"fair": "一般"}}]}, ensure_ascii=False),
        encoding="utf-8")
    (mine / "broken.json").write_text('{"title": "坏的", "source": {"persons": {}}, "columns": '
                                      '[{"header": "x", "field": "person.salary"}]}', encoding="utf-8")
    assert {"left_behind_roster", "elder_visit_ledger", "broken"} <= set(ledgers(store.data_dir))
    out = tmp_path / "名单.xlsx"

    export_ledger(store, "留守儿童名单（本县）", out)

    assert by_header(rows_calamine(out)[2:])[0] == {"儿童": "刘小雨", "监护": "一般"}
    with pytest.raises(CunFangError) as info:
        export_ledger(store, "broken", out)
    assert info.value.code == ErrorCode.LEDGER_INVALID and "person.salary" in str(info.value)
    with pytest.raises(CunFangError) as unknown:
        export_ledger(store, "no_such", out)
    assert unknown.value.code == ErrorCode.LEDGER_UNKNOWN


# ---------------------------------------------------------------------------- the command


def run(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFANG_")} | {"CUNFANG_PASSPHRASE": PASS}
    return subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL,
                          timeout=300)


def test_cunfang_export_from_the_command_line(store, registry_people, tmp_path):
    registry(store)
    store.close()
    data = tmp_path / "data"
    out = tmp_path / "out.xlsx"

    done = run("export", "--form", "elder_registry", "--out", str(out), "--village", "东山村", "--full-ids",
               data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "已导出 1 条记录" in done.stdout and by_header(rows_calamine(out))[0]["证件号码"] == ELDER_ID
    ledger = run("export", "--ledger", "left_behind_roster", "--out", str(tmp_path / "r.csv"), data_dir=data)
    assert ledger.returncode == 0 and "CSV" in ledger.stdout
    listed = run("export", "--list", data_dir=data)
    assert "elder_registry" in listed.stdout and "农村留守儿童花名册" in listed.stdout
    for args, words in ((("--form", "elder_registry", "--out", "x.pdf"), ".pdf"),
                        (("--form", "elder_registry", "--out", "x.xlsx", "--from", "2026-13-01"), "2026-13-01"),
                        (("--out", "x.xlsx"), "--form")):
        refused = run("export", *args, data_dir=data)
        assert refused.returncode != 0 and words in refused.stderr and "Traceback" not in refused.stderr

    with Store.open(data, PASS) as again:
        again.set_setting("sync.user", json.dumps({"name": "村干部", "role": "village_cadre"}))
    refused = run("export", "--form", "elder_registry", "--out", str(out), "--full-ids", data_dir=data)
    assert refused.returncode != 0 and "村干部" in refused.stderr


def test_the_garbage_collector_pauses_during_exports_and_comes_back_once_the_last_one_ends():
    import gc
    import threading

    from app.spreadsheets.sinks import paused_gc

    assert gc.isenabled()
    inner_started, release = threading.Event(), threading.Event()

    def other_export():
        with paused_gc():
            inner_started.set()
            release.wait(5)

    with paused_gc():
        assert not gc.isenabled()
        worker = threading.Thread(target=other_export)
        worker.start()
        inner_started.wait(5)
    assert not gc.isenabled()  # the other export still runs
    release.set()
    worker.join(5)
    assert gc.isenabled()
    with pytest.raises(RuntimeError), paused_gc():
        raise RuntimeError("cancelled")
    assert gc.isenabled()
