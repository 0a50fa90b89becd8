"""A 台账 printed from the exported workbook, and the CSV writer's column converters built once per export.

Print setup is read back with openpyxl (what Excel, WPS and LibreOffice act on when printing). The CSV export turns
answers straight into text with converters built once per column (``cells.csv_converter``); it must write exactly
what the typed path (``converter`` then ``CsvSheet.write_row``) writes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta, timezone

from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from app.spreadsheets import sinks
from app.spreadsheets.cells import converter, csv_converter, csv_text, memoized
from app.spreadsheets.ledgers import export_ledger
from app.spreadsheets.records import export_records
from tests.spreadsheets.test_export import CARER_ID, EAST, ELDER_ID, MOBILE, WEST, registry


def _old_csv_text(value) -> str:
    """What the CSV writer wrote before (sinks._csv_text), kept here to compare with."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def assert_print_setup(ws, *, title: str, header_rows: str) -> None:
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.paperSize == 9  # A4
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1: the default
    assert ws.page_setup.fitToHeight == 0  # as many pages down as it takes
    assert ws.print_options.gridLines  # the grid is printed round every cell
    assert ws.print_title_rows.replace("$", "") == header_rows  # the header row again on every page
    assert title in ws.oddHeader.center.text
    assert "第 &P 页，共 &N 页" in ws.oddFooter.center.text


def test_a_ledger_prints_with_grid_lines_its_header_on_every_page_and_its_title_on_top(store, tmp_path):
    for n in range(3):
        store.add_person(name=f"留守{n}", kind="child", categories=["留守儿童"], village_id=EAST if n else WEST)
    out = tmp_path / "花名册.xlsx"

    export_ledger(store, "left_behind_roster", out)

    ws = load_workbook(out).worksheets[0]
    assert_print_setup(ws, title="示范镇农村留守儿童花名册", header_rows="1:3")


def test_exported_records_print_the_same_way_repeats_too(store, tmp_path):
    registry(store)
    out = tmp_path / "记录.xlsx"

    export_records(store, out, forms=["elder_registry"])

    book = load_workbook(out)
    main, carers = book.worksheets[0], book.worksheets[1]
    title = main.title
    assert_print_setup(main, title=title, header_rows="1:1")
    assert_print_setup(carers, title=f"{title}：", header_rows="1:1")


def test_an_ampersand_in_a_title_is_printed_not_read_as_a_header_code():
    assert sinks.page_header("养老&助残台账").endswith("养老&&助残台账")
    assert len(sinks.page_header("台" * 400)) < 255


# ---------------------------------------------------------------------------- CSV: the same bytes


def _mixed(store) -> None:
    """Records with every kind of answer the CSV writer meets: masked IDs and phones in text, choices (one, many,
    unknown codes), numbers as text and as numbers, dates and date-times, empty answers, repeats, odd types."""
    registry(store)
    registry(store, village=WEST, name="欧阳秀英", house_no="0012", phone="0551-6512345", status="queued",
             created="2026-01-31T16:30:05.250+00:00", sex_input="1", elder_type="alone unknown_code",
             visit_interval="30.0", age=85.0, remarks=f"电话{MOBILE}；身份证{CARER_ID}", birth_input="1941-02-30",
             reg_date="2026-03-02T10:15:00+08:00")
    registry(store, name="王三", id_no=12345678901234567, elder_phone=13800138000, house_no=7, risk_tier=None,
             visit_interval=True, remarks=["一", {"二": 2}], carers=[{"carer_name": "", "phone": None}, "错"])
    registry(store, name="空白", elder_type="", remarks="", reg_date="", carers=[])


def test_the_csv_export_writes_exactly_what_the_typed_path_wrote(store, tmp_path, monkeypatch):
    _mixed(store)
    fast, typed = tmp_path / "fast" / "台账.csv", tmp_path / "typed" / "台账.csv"
    fast.parent.mkdir()
    typed.parent.mkdir()

    for codes, full_ids in ((False, False), (True, True)):
        export_records(store, fast, forms=["elder_registry"], codes=codes, full_ids=full_ids)
        with monkeypatch.context() as patch:  # the typed path: no write_texts, every cell through write_row
            patch.delattr(sinks.CsvSheet, "write_texts")
            patch.setattr(sinks, "csv_text", _old_csv_text)
            export_records(store, typed, forms=["elder_registry"], codes=codes, full_ids=full_ids)
        names = sorted(p.name for p in fast.parent.iterdir())
        assert names == sorted(p.name for p in typed.parent.iterdir()) and len(names) == 2
        for name in names:
            assert (fast.parent / name).read_bytes() == (typed.parent / name).read_bytes(), name
    rows = (fast.parent / "台账.csv").read_text(encoding="utf-8-sig")
    assert ELDER_ID in rows and "0012" in rows  # full_ids on the last round


answers = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(allow_nan=False),
    st.sampled_from(["", "1", "2 3", "9 x", "007", "2026-03-02", "2026-02-30", "2026-03-02T10:15:00+08:00",
                     "2026-03-02 10:15", "08:30", "08:30:15", ELDER_ID, MOBILE, f"电话 {MOBILE}", "3.40102E+17",
                     "12.50", "1e3", " 42 "]),
    st.text(max_size=30), st.lists(st.text(max_size=3), max_size=2), st.dictionaries(st.text(max_size=2),
                                                                                   st.integers(), max_size=2))
QTYPES = ["text", "integer", "decimal", "date", "datetime", "time", "select_one", "select_multiple", "image",
          "geopoint", "calculate"]


@settings(max_examples=300, deadline=None)
@given(qtype=st.sampled_from(QTYPES), identity=st.sampled_from([None, "id", "phone", "house"]),
       codes=st.booleans(), full_ids=st.booleans(), values=st.lists(answers, min_size=1, max_size=6))
def test_a_column_converter_built_once_gives_each_answer_what_the_per_cell_one_gave(qtype, identity, codes,
                                                                                     full_ids, values):
    choices = {"1": "男", "2": "女", "3": "未说明", "x": "其他"}
    typed = converter(qtype, identity=identity, choices=choices, codes=codes, full_ids=full_ids)
    as_text = csv_converter(converter(qtype, identity=identity, choices=choices, codes=codes, full_ids=full_ids),
                            limit=3)
    remembered = memoized(converter(qtype, identity=identity, choices=choices, codes=codes, full_ids=full_ids),
                          limit=3)
    for value in values + values:  # twice: the second time from memory (up to its limit)
        expected = typed(json.loads(json.dumps(value)))
        assert as_text(value) == _old_csv_text(expected)
        got = remembered(value)
        assert got == expected and type(got) is type(expected)


@given(st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
       st.sampled_from([None, UTC, timezone(timedelta(hours=8))]))
def test_date_times_come_out_as_they_did(moment, zone):
    moment = moment.replace(tzinfo=zone)
    assert csv_text(moment) == _old_csv_text(moment)
