"""Importing a village roster made in Excel, WPS or a CSV file, with the messiness real rosters have."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from app import china
from app.errors import CunFangError, ErrorCode
from app.spreadsheets import importer
from app.spreadsheets.importer import ImportOptions, analyse, mapping_for, read_table, run_import, undo_import
from app.store import Store
from app.store.keyring import FAST_KDF

ROOT = Path(__file__).resolve().parents[2]
PASS = "村访通-secret"
TODAY = date(2026, 3, 1)
EAST, WEST = "340102001001", "340102001002"  # 东山村 and 西河村 in the ``store`` fixture (conftest.py)

CHILD_1 = china.make_id("340102", date(2015, 4, 3), 121)   # a boy (odd 17th digit)
CHILD_2 = china.make_id("340102", date(2016, 9, 20), 242)  # a girl
CHILD_3 = china.make_id("340102", date(2014, 1, 8), 311)
ELDER_1 = china.make_id("340102", date(1941, 2, 14), 452)  # a woman
ELDER_2 = china.make_id("340102", date(1950, 12, 1), 562)
HEADER = ["序号", "姓名", "性别", "身份证号", "出生日期", "所在村", "村民小组", "门牌号", "监护人", "联系电话"]


def bad_check(id_number: str) -> str:
    last = id_number[-1]
    return id_number[:-1] + ("1" if last != "1" else "2")


def roster_xlsx(path: Path, rows: list[list], *, title: str | None = "东山村留守儿童花名册",
                header: list[str] = HEADER) -> Path:
    """A roster as a village makes it: a merged title, a line about who filled it, then the header."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "花名册"
    if title:
        sheet.append([title])
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.append(["填报单位：示范镇民政办", None, None, None, None, None, "填报日期：2026年2月"])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def roster_csv(path: Path, rows: list[list], encoding: str, header: list[str] = HEADER) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def preview_of(store, path, options=None, **read):
    table = read_table(path, **read)
    mapping, _ = mapping_for(store, table.headers)
    return table, mapping, analyse(store, table, mapping, options or ImportOptions(kind="child"), today=TODAY)


def by_row(preview) -> dict[int, importer.RowOutcome]:
    return {r.row: r for r in preview.rows}


# ---------------------------------------------------------------- reading what villages really send


def test_header_found_below_merged_title_rows_and_columns_matched_by_synonym(store, tmp_path):
    path = roster_xlsx(tmp_path / "花名册.xlsx", [
        [1, "张小明", "男", CHILD_1, "2015-04-03", "东山村", "三组", "18号", "张大山", "13800138000"],
        [2, "李小红", "女", CHILD_2, "2016.09", "西河村", "一组", "", "李强", ""],
    ], header=["序号", "名字", "性别", "公民身份号码", "出生年月", "村委会", "组", "门牌", "监护人姓名", "手机号"])
    table, mapping, preview = preview_of(store, path)
    assert table.header_row_number == 3 and table.row_numbers == [4, 5]
    assert "东山村留守儿童花名册" in table.title
    assert mapping == ["", "name", "sex", "id_number", "birth_date", "village", "group", "house_number",
                       "guardian_name", "phone"]
    rows = by_row(preview)
    assert [r.action for r in preview.rows] == ["add", "add"], [r.reasons for r in preview.rows]
    assert rows[4].values["village_id"] == EAST and rows[5].values["village_id"] == WEST
    assert rows[4].values["sex"] == "1" and rows[4].values["birth_date"] == "2015-04-03"
    assert rows[4].values["extra"] == {"guardian_name": "张大山"}
    assert rows[5].values["extra"] == {"guardian_name": "李强", "group_name": "一组"}  # no house number: no household
    assert preview.new_households == {(EAST, "18"): {"village_id": EAST, "group_name": "三组",
                                                     "house_number": "18号", "address": ""}}


def test_other_header_spellings_are_recognised():
    assert importer.guess_mapping(["身份证号码", "证件号码", "姓 名", "联系电话（手机）", "*身份证号", "监护人电话",
                                   "村民小组", "出生日期"]) == [
        "id_number", "", "name", "phone", "", "guardian_phone", "group", "birth_date"]
    assert importer.match_header("序号") == "" and importer.match_header("父亲姓名") is None


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-8-sig", "utf-8", "utf-16"])
def test_csv_in_every_encoding_excel_and_wps_write(store, tmp_path, encoding):
    path = roster_csv(tmp_path / "roster.csv", [
        [1, "张小明", "男", CHILD_1, "2015/4/3", "东山村", "三组", "", "张大山", "138 0013 8000"],
        [2, "欧阳娜娜", "女", CHILD_2, "2016年9月20日", "西河村", "", "", "", ""],
    ], encoding)
    table, _, preview = preview_of(store, path)
    assert table.encoding == {"gbk": "GBK", "gb18030": "GBK", "utf-8-sig": "UTF-8", "utf-8": "UTF-8",
                              "utf-16": "UTF-16"}[encoding]
    assert [(r.name, r.action, r.notes) for r in preview.rows] == [("张小明", "add", []), ("欧阳娜娜", "add", [])]
    assert preview.rows[0].values["phone"] == "13800138000"


def test_gbk_csv_with_a_title_line_and_a_totals_line(store, tmp_path):
    path = tmp_path / "西河村老人.csv"
    text = ("西河村特殊困难老年人台账,,,\n,,,\n姓名,身份证号,类别,联系电话\n"
            f"王秀英,{ELDER_1},空巢老人、高龄老人,13900001111\n合计：1人,,,\n")
    path.write_bytes(text.encode("gbk"))
    table, _, preview = preview_of(store, path, ImportOptions())
    assert table.header_row_number == 3
    first, total = preview.rows
    assert first.action == "add" and first.values["kind"] == "elder"  # from 类别
    assert first.values["village_id"] == WEST  # no 村 column: the village named in the title
    assert first.values["categories"] == ["空巢老人", "高龄老人"]
    assert total.action == "skipped"


def test_full_width_digits_padded_names_and_trailing_spaces_are_cleaned(store, tmp_path):
    full_width = CHILD_1.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    path = roster_xlsx(tmp_path / "r.xlsx", [
        [1, "张　三 ", "男 ", f" {full_width}  ", None, "东山村 ", None, None, None, "１３８００１３８０００ "],
        [2, "李四\u200b", "女", CHILD_2 + "\t", None, " 西河 ", None, None, None, None],
    ])
    _, _, preview = preview_of(store, path)
    first, second = preview.rows
    assert (first.action, first.name, first.id_number) == ("add", "张三", CHILD_1)
    assert first.values["phone"] == "13800138000" and first.values["village_id"] == EAST
    assert (second.action, second.name, second.id_number) == ("add", "李四", CHILD_2)
    assert second.values["village_id"] == WEST  # 西河 is 西河村


def test_ids_excel_stored_as_numbers_are_reported_never_guessed(store, tmp_path):
    zeroed = CHILD_3[:15] + "000"
    assert not china.id_valid(zeroed)
    path = roster_xlsx(tmp_path / "r.xlsx", [
        [1, "张小明", "男", float(CHILD_1), None, "东山村"],  # a number cell: 3.40102E+17 on screen
        [2, "李小红", "女", int(CHILD_2), None, "东山村"],    # an integer cell: more digits than Excel keeps
        [3, "王小兵", "男", zeroed, None, "东山村"],          # typed back from the damaged number
        [4, "赵小花", "女", "3.40102E+17", None, "东山村"],   # what a CSV saved by Excel holds
    ])
    _, _, preview = preview_of(store, path)
    rows = by_row(preview)
    assert all(r.action == "refused" for r in preview.rows)
    for number in (4, 5, 7):
        assert "被存成了数字" in rows[number].explanation() and "无法还原" in rows[number].explanation()
    assert rows[4].id_number == "3.40102E+17"
    assert "000 结尾" in rows[6].explanation()
    assert not any(r.values for r in preview.rows)  # nothing would be written, no ID made up


def test_each_refusal_has_a_plain_reason(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [
        [1, "张小明", "男", bad_check(CHILD_1), None, "东山村"],
        [2, "李小红", "女", CHILD_2, None, "南岗村"],
        [3, None, "男", CHILD_3, None, "东山村"],
        [4, "王小兵", "男", None, None, "东山村"],
        [5, "周一", "男", ELDER_1, None, "东山村"],
        [6, "周二", "男", ELDER_1, None, "西河村"],
        [7, "吴三", "女", ELDER_2, None, "东山村"],
        [8, "吴三", "女", ELDER_2, None, "东山村"],
    ])
    _, _, preview = preview_of(store, path, ImportOptions(kind="elder"))
    rows = by_row(preview)
    assert "校验位不正确" in rows[4].explanation()
    assert "村“南岗村”不在本机的村列表中" in rows[5].explanation()
    assert rows[6].explanation().startswith("缺少姓名")
    assert rows[7].explanation().startswith("缺少身份证号")
    assert "第 9 行相同而内容不同" in rows[8].explanation() and "第 8 行相同而内容不同" in rows[9].explanation()
    assert rows[10].action == "add" and "与第 10 行完全相同" in rows[11].explanation()
    assert [r.action for r in preview.rows] == ["refused"] * 6 + ["add", "refused"]
    assert preview.counts == {"add": 1, "update": 0, "same": 0, "refused": 7, "skipped": 0}


def test_rows_without_a_village_or_a_kind_are_refused(store, tmp_path):
    path = roster_csv(tmp_path / "r.csv", [["张三", ELDER_1], ["李四", china.make_id("340102", date(1980, 1, 1), 1)]],
                      "utf-8", header=["姓名", "身份证号"])
    _, _, preview = preview_of(store, path, ImportOptions())
    assert all("不知道是哪个村的" in r.explanation() for r in preview.rows)
    _, _, preview = preview_of(store, path, ImportOptions(village_id=EAST))
    assert preview.rows[0].values["kind"] == "elder"  # 85 years old
    assert "无法判断是老人还是儿童" in preview.rows[1].explanation()  # 46: neither


def test_cells_merged_down_a_column_are_filled_in(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [[1, "甲", "男", CHILD_1, None, "西河村"], [2, "乙", "女", CHILD_2],
                                              [3, "丙", "男", CHILD_3]])
    workbook = openpyxl.load_workbook(path)
    workbook.active.merge_cells("F4:F6")
    workbook.save(path)
    _, _, preview = preview_of(store, path)
    assert [r.values.get("village_id") for r in preview.rows] == [WEST, WEST, WEST]


def test_a_legacy_xls_workbook(store, tmp_path):
    xlwt = pytest.importorskip("xlwt")
    workbook = xlwt.Workbook(encoding="utf-8")
    sheet = workbook.add_sheet("花名册")
    sheet.write_merge(0, 0, 0, 3, "东山村留守儿童花名册")
    for col, text in enumerate(["姓名", "身份证号", "性别", "联系电话"]):
        sheet.write(2, col, text)
    for row, (name, id_number) in enumerate([("张小明", CHILD_1), ("李小红", float(CHILD_2))], start=3):
        sheet.write(row, 0, name)
        sheet.write(row, 1, id_number)
        sheet.write(row, 3, 13800138000)
    workbook.save(str(tmp_path / "r.xls"))
    table, _, preview = preview_of(store, tmp_path / "r.xls")
    assert table.header_row_number == 3
    first, second = preview.rows
    assert first.action == "add" and first.values["village_id"] == EAST and first.values["phone"] == "13800138000"
    assert second.action == "refused" and "被存成了数字" in second.explanation()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("r.xlsx", b"PK\x03\x04 this is not really a workbook", "不是 Excel/WPS 表格"),
    ("r.xls", b"\xd0\xcf\x11\xe0 broken", "不是 Excel/WPS 表格"),
    ("r.csv", b"", "文件是空的"),
    ("r.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "不是文本文件"),
])
def test_an_unreadable_file_gets_a_plain_message(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(CunFangError) as info:
        read_table(path)
    assert info.value.code == ErrorCode.IMPORT_UNREADABLE and reason in str(info.value)


def test_files_that_are_not_rosters(tmp_path):
    with pytest.raises(CunFangError) as info:
        read_table(tmp_path / "missing.xlsx")
    assert info.value.code == ErrorCode.IMPORT_UNREADABLE and "文件不存在" in str(info.value)
    (tmp_path / "a.pdf").write_bytes(b"%PDF")
    with pytest.raises(CunFangError) as info:
        read_table(tmp_path / "a.pdf")
    assert info.value.code == ErrorCode.IMPORT_UNSUPPORTED
    (tmp_path / "notes.csv").write_text("今天开会\n明天下乡\n", encoding="utf-8")
    with pytest.raises(CunFangError) as info:
        read_table(tmp_path / "notes.csv")
    assert info.value.code == ErrorCode.IMPORT_NO_HEADER


# ---------------------------------------------------------------- writing, in one transaction, and undoing


def test_nothing_is_written_until_confirmed(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [[1, "张小明", "男", CHILD_1, None, "东山村", "三组", "18"]])
    before = {t: store.query(f"SELECT count(*) AS n FROM {t}")[0]["n"]
              for t in ("persons", "households", "imports", "settings")}
    preview_of(store, path)
    assert before == {t: store.query(f"SELECT count(*) AS n FROM {t}")[0]["n"] for t in before}


def test_confirmed_import_writes_every_accepted_row_and_can_be_undone(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [
        [1, "张小明", "男", CHILD_1, None, "东山村", "三组", "18号", "张大山", "13800138000"],
        [2, "张小丽", "女", CHILD_2, None, "东山村", "三组", "18", "张大山"],
        [3, "错号", "男", bad_check(CHILD_3), None, "东山村"],
    ])
    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    result = run_import(store, table, mapping, importer.options_for_form("left_behind_child"), author="王干部",
                        today=TODAY)
    assert result.preview.counts["add"] == 2 and result.preview.counts["refused"] == 1
    people = store.query("SELECT * FROM persons ORDER BY name")
    assert [(p["name"], p["kind"], json.loads(p["categories"])) for p in people] == [
        ("张小丽", "child", ["留守儿童"]), ("张小明", "child", ["留守儿童"])]
    assert people[0]["household_id"] == people[1]["household_id"]  # 18 and 18号: one household, made once
    household = store.query("SELECT * FROM households")[0]
    assert (household["village_id"], household["group_name"], household["house_number"]) == (EAST, "三组", "18号")
    assert store.search_persons("zxm")[0]["name"] == "张小明"  # searchable like any person
    entry = store.query("SELECT * FROM imports")[0]
    assert (entry["added"], entry["updated"], entry["refused"], entry["author"]) == (2, 0, 1, "王干部")
    assert store.query("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1")[0]["action"] == "import"

    undone = undo_import(store, result.import_id)
    assert (undone.removed, undone.restored) == (2, 0)
    assert store.count_persons() == 0 and not store.query("SELECT * FROM households")
    with pytest.raises(CunFangError) as info:
        undo_import(store, result.import_id)
    assert info.value.code == ErrorCode.IMPORT_ALREADY_UNDONE


def test_existing_person_is_updated_by_id_number_and_undo_restores_the_previous_values(store, tmp_path):
    person = store.add_person(name="王秀英", id_number=ELDER_1, kind="elder", phone="13900001111",
                              categories=["空巢老人"], village_id=EAST, extra={"capability_level": "1"})
    path = roster_csv(tmp_path / "r.csv", [
        ["王秀英", ELDER_1, "13900002222", "空巢老人、高龄老人", "东山村", "女儿在外地"],
        ["李大爷", ELDER_2, "", "独居老人", "西河村", ""],
    ], "gbk", header=["姓名", "身份证号", "联系电话", "类别", "村", "备注"])
    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    preview = analyse(store, table, mapping, ImportOptions(kind="elder"), today=TODAY)
    update = preview.rows[0]
    assert update.action == "update" and update.person_id == person
    assert update.changes == {"phone": ["13900001111", "13900002222"],
                              "categories": [["空巢老人"], ["空巢老人", "高龄老人"]],
                              "sex": ["", "2"], "birth_date": ["", "1941-02-14"],
                              "extra.remarks": [None, "女儿在外地"]}
    assert "联系电话：13900001111 → 13900002222" in update.explanation()

    result = run_import(store, table, mapping, ImportOptions(kind="elder"), today=TODAY)
    after = store.get_person(person)
    assert after["phone"] == "13900002222" and json.loads(after["categories"]) == ["空巢老人", "高龄老人"]
    assert json.loads(after["extra"]) == {"capability_level": "1", "remarks": "女儿在外地"}
    again = analyse(store, table, mapping, ImportOptions(kind="elder"), today=TODAY)
    assert [r.action for r in again.rows] == ["same", "same"]  # importing twice changes nothing

    store.update_person(person, extra={"capability_level": "2", "remarks": "女儿在外地"})  # a later assessment
    undone = undo_import(store, result.import_id)
    assert (undone.removed, undone.restored, undone.kept) == (1, 1, 0)
    back = store.get_person(person)
    assert back["phone"] == "13900001111" and json.loads(back["categories"]) == ["空巢老人"]
    assert (back["sex"], back["birth_date"]) == ("", "")
    assert json.loads(back["extra"]) == {"capability_level": "2"}  # the later change stays
    assert store.count_persons() == 1


def test_undo_keeps_fields_changed_after_the_import(store, tmp_path):
    person = store.add_person(name="王秀英", id_number=ELDER_1, kind="elder", phone="13900001111", village_id=EAST)
    path = roster_csv(tmp_path / "r.csv", [["王秀英", ELDER_1, "13900002222"]], "utf-8",
                      header=["姓名", "身份证号", "联系电话"])
    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    result = run_import(store, table, mapping, ImportOptions(kind="elder"), today=TODAY)
    store.update_person(person, phone="13900003333")
    undone = undo_import(store, result.import_id)
    assert undone.kept == 1 and "保留了修改后的内容" in undone.summary()
    assert store.get_person(person)["phone"] == "13900003333"


def test_a_refused_kind_change(store, tmp_path):
    store.add_person(name="张小明", id_number=CHILD_1, kind="child", village_id=EAST, sex="1", birth_date="2015-04-03")
    path = roster_csv(tmp_path / "r.csv", [["张小明", CHILD_1]], "utf-8", header=["姓名", "身份证号"])
    _, _, preview = preview_of(store, path, ImportOptions(kind="elder"))
    assert preview.rows[0].action == "refused" and "台账中这个身份证号是儿童“张小明”" in preview.rows[0].explanation()
    _, _, preview = preview_of(store, path, ImportOptions())  # no kind chosen: the registry's is kept
    assert preview.rows[0].action == "same"


def test_a_failure_midway_leaves_nothing(store, tmp_path, monkeypatch):
    store.add_person(name="王秀英", id_number=ELDER_1, kind="elder", village_id=EAST)
    rows = [[i, f"老人{i}", "", china.make_id("340102", date(1940, 1, 1), i), None, "东山村", "一组", str(i)]
            for i in range(1, 450)]
    rows.append([450, "王秀英", "", ELDER_1, None, "东山村", "", "", "", "13900002222"])
    path = roster_xlsx(tmp_path / "r.xlsx", rows)
    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(Store, "update_person", broken)
    before_settings = store.query("SELECT * FROM settings")
    with pytest.raises(OSError):
        run_import(store, table, mapping, ImportOptions(kind="elder"), today=TODAY)
    assert store.count_persons() == 1
    assert not store.query("SELECT * FROM households") and not store.query("SELECT * FROM imports")
    assert not store.query("SELECT * FROM import_persons") and store.query("SELECT * FROM settings") == before_settings


def test_cancel_through_progress_leaves_nothing(store, tmp_path):
    rows = [[i, f"老人{i}", "", china.make_id("340102", date(1940, 1, 1), i), None, "东山村"] for i in range(1, 500)]
    table = read_table(roster_xlsx(tmp_path / "r.xlsx", rows))
    mapping, _ = mapping_for(store, table.headers)
    seen = []

    def progress(done, total, message):
        seen.append(done)
        if done >= 200:
            raise KeyboardInterrupt  # what ui.workers' Cancelled does: any exception rolls the import back

    with pytest.raises(KeyboardInterrupt):
        run_import(store, table, mapping, ImportOptions(kind="elder"), progress=progress, today=TODAY)
    assert seen == [0, 200] and store.count_persons() == 0


def test_undo_is_refused_whole_when_an_added_person_is_in_use(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [[1, "张小明", "男", CHILD_1, None, "东山村"],
                                              [2, "李小红", "女", CHILD_2, None, "东山村"]])
    table = read_table(path)
    mapping, _ = mapping_for(store, table.headers)
    result = run_import(store, table, mapping, ImportOptions(kind="child"), today=TODAY)
    person = store.query("SELECT id FROM persons WHERE name = '张小明'")[0]["id"]
    store.save_draft(form_id="child_visit", form_version="1", data={}, person_id=person, village_id=EAST)
    with pytest.raises(CunFangError) as info:
        undo_import(store, result.import_id)
    assert info.value.code == ErrorCode.IMPORT_UNDO_BLOCKED
    assert "张小明已有 1 条记录" in str(info.value) and "没有任何改动" in str(info.value)
    assert store.count_persons() == 2 and not store.query("SELECT undone_at FROM imports")[0]["undone_at"]
    store.conn.execute("UPDATE persons SET server_seq = 7 WHERE name = '李小红'")
    with pytest.raises(CunFangError) as info:
        undo_import(store, result.import_id)
    assert "李小红已经同步到县局服务器" in str(info.value)


def test_the_users_column_choices_are_remembered(store, tmp_path):
    header = ["编号", "老人称呼", "证件", "住在哪个村"]
    path = roster_csv(tmp_path / "r.csv", [["1", "王秀英", ELDER_1, "东山村"]], "utf-8", header=header)
    with pytest.raises(CunFangError) as info:  # nothing says 姓名 or 身份证号: no header row to find
        read_table(path)
    assert info.value.code == ErrorCode.IMPORT_NO_HEADER
    header = ["编号", "老人称呼", "身份证号", "住在哪个村"]
    path = roster_csv(tmp_path / "r.csv", [["1", "王秀英", ELDER_1, "东山村"]], "utf-8", header=header)
    table = read_table(path)
    mapping, remembered = mapping_for(store, table.headers)
    assert (mapping, remembered) == (["", "", "id_number", "village"], False)
    with pytest.raises(CunFangError) as info:
        analyse(store, table, mapping, ImportOptions(kind="elder"))
    assert info.value.code == ErrorCode.IMPORT_NOT_MAPPED and "姓名" in str(info.value)
    chosen = ["", "name", "id_number", "village"]
    importer.remember_mapping(store, table.headers, chosen)
    assert mapping_for(store, table.headers) == (chosen, True)
    assert mapping_for(store, ["老人称呼", "身份证号"])[1] is False  # other headers: other choices
    run_import(store, table, chosen, ImportOptions(kind="elder"), today=TODAY)
    assert store.query("SELECT name FROM persons")[0]["name"] == "王秀英"


def test_report_workbook_lists_every_row_with_ids_masked(store, tmp_path):
    path = roster_xlsx(tmp_path / "r.xlsx", [[1, "张小明", "男", CHILD_1, None, "东山村"],
                                              [2, "李小红", "女", float(CHILD_2), None, "东山村"]])
    _, _, preview = preview_of(store, path)
    importer.write_report(preview, tmp_path / "report.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "report.xlsx").active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("行号", "结果", "姓名", "身份证号", "原因或说明")
    assert rows[1][:4] == (4, "新增", "张小明", china.mask_id(CHILD_1))
    assert rows[2][:4] == (5, "拒绝", "李小红", "3.40102E+17") and "被存成了数字" in rows[2][4]
    assert CHILD_1 not in json.dumps(rows, ensure_ascii=False)


# ---------------------------------------------------------------- the command


def cunfang(*args: str, data_dir: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFANG_")} | {"CUNFANG_PASSPHRASE": PASS}
    return subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL,
                          timeout=300)


def test_cunfang_import_dry_run_confirm_and_undo(tmp_path):
    data = tmp_path / "data"
    Store.create(data, PASS, kdf=FAST_KDF).close()
    with Store.open(data, PASS) as s:
        s.add_village(EAST, "东山村")
    path = roster_xlsx(tmp_path / "花名册.xlsx", [[1, "张小明", "男", CHILD_1, None, "东山村"],
                                                   [2, "李小红", "女", bad_check(CHILD_2), None, "东山村"]])

    dry = cunfang("import", str(path), "--form", "left_behind_child", "--dry-run", "--report",
                  str(tmp_path / "report.xlsx"), data_dir=data)
    assert dry.returncode == 0, dry.stderr
    assert "新增 1 人" in dry.stdout and "第 5 行  拒绝  李小红" in dry.stdout and "校验位不正确" in dry.stdout
    assert "试运行：没有写入任何数据" in dry.stdout and (tmp_path / "report.xlsx").exists()
    # a wrong check digit is still someone's ID number: masked on the console and in the report
    assert bad_check(CHILD_2) not in dry.stdout and china.mask_id(bad_check(CHILD_2)) in dry.stdout
    report = json.dumps(list(openpyxl.load_workbook(tmp_path / "report.xlsx").active.iter_rows(values_only=True)),
                        ensure_ascii=False)
    assert bad_check(CHILD_2) not in report and CHILD_1 not in report

    unconfirmed = cunfang("import", str(path), "--kind", "child", data_dir=data)
    assert unconfirmed.returncode == 1 and "--yes" in unconfirmed.stderr

    done = cunfang("import", str(path), "--form", "left_behind_child", "--yes", data_dir=data)
    assert done.returncode == 0, done.stderr
    assert "第 1 次导入：新增 1 人" in done.stdout and "cunfang import undo 1" in done.stdout
    with Store.open(data, PASS) as s:
        assert [p["name"] for p in s.query("SELECT name FROM persons")] == ["张小明"]

    listed = cunfang("import", "list", data_dir=data)
    assert "花名册.xlsx" in listed.stdout and "新增 1" in listed.stdout
    undone = cunfang("import", "undo", "1", data_dir=data)
    assert undone.returncode == 0 and "已撤销第 1 次导入" in undone.stdout
    again = cunfang("import", "undo", "1", data_dir=data)
    assert again.returncode != 0 and "已经在" in again.stderr

    (tmp_path / "坏.xlsx").write_bytes(b"not a workbook")
    broken = cunfang("import", str(tmp_path / "坏.xlsx"), data_dir=data)
    assert broken.returncode != 0 and "无法读取文件" in broken.stderr
    mapped = cunfang("import", str(path), "--map", "姓名=不存在的字段", "--dry-run", data_dir=data)
    assert mapped.returncode != 0 and "不认识的字段" in mapped.stderr
    for result in (dry, unconfirmed, done, listed, undone, again, broken, mapped):
        assert "Traceback" not in result.stdout + result.stderr
