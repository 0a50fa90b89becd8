"""Exported columns say in Chinese what they hold: a 村干部 reading the 台账 in WPS never meets `interval_days`."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from app.forms.xlsform import load_form
from app.spreadsheets.layout import form_table

FORMS = Path(__file__).resolve().parents[2] / "resources" / "forms"
BUILT_IN = sorted(FORMS.glob("*.xlsx"))
# question numbering of the standard (B.1.1 进食) is the only Latin a header may carry
NOT_CHINESE = re.compile(r"^(?!B\.\d)[A-Za-z_][A-Za-z0-9_]*|（[A-Za-z_][A-Za-z0-9_]*）")


@pytest.mark.parametrize("path", BUILT_IN, ids=lambda p: p.stem)
def test_every_column_of_a_built_in_form_has_a_chinese_header(path):
    table = form_table(load_form(path))
    headers = [f.header for t in table.walk() for f in t.fields]
    assert not [h for h in headers if NOT_CHINESE.search(h)]
    for t in table.walk():
        names = [f.header for f in t.fields]
        assert len(names) == len(set(names)), "two columns of one sheet share a header"


def test_helper_calculations_stay_out_and_labelled_ones_come_in():
    child = form_table(load_form(FORMS / "child_visit.xlsx"))
    columns = {f.name: f.header for f in child.fields}
    assert columns["suggest_next"] == "建议下次走访日期" and columns["child_age"] == "年龄(周岁)"
    assert "interval_days" not in columns and "age_from_id" not in columns
    registry = {f.name: f.header for f in form_table(load_form(FORMS / "elder_registry.xlsx")).fields}
    # the visible question and the value worked out from the ID number share a label: the second says so
    assert registry["birth_input"] == "出生日期" and registry["birth_date"] == "出生日期（自动算出）"


def test_a_form_from_elsewhere_without_labelled_calculations_exports_them_all(tmp_path):
    md = """
    | survey |           |        |          |             |
    |        | type      | name   | label    | calculation |
    |        | integer   | a      | A        |             |
    |        | calculate | double |          | ${a} * 2    |
    """
    form = load_form(md)
    assert [(f.name, f.header) for f in form_table(form).fields] == [("a", "A"), ("double", "double")]


def test_two_questions_with_one_label_are_told_apart_by_their_group():
    md = """
    | survey |             |        |       |
    |        | type        | name   | label |
    |        | begin group | father | 父亲  |
    |        | text        | f_name | 姓名  |
    |        | end group   |        |       |
    |        | begin group | mother | 母亲  |
    |        | text        | m_name | 姓名  |
    |        | end group   |        |       |
    """
    headers = [f.header for f in form_table(load_form(md)).fields]
    assert headers == ["姓名（父亲）", "姓名（母亲）"]
