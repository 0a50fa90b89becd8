"""Choice lists several forms use are defined once (resources/forms/shared_choices.csv) and every form has the same copy.

Two forms that word one thing differently split the 花名册 and the 台账: 视力 vs 视力残疾 (GB/T 26341-2010 names the
categories 视力残疾 … 多重残疾), 防止返贫监测对象 vs 防返贫监测对象 (the term of 中央农办等《关于健全防止返贫动态监测和帮扶
机制的指导意见》). build_scripts/shared_choices.py writes the shared lists into the workbooks.
"""

from __future__ import annotations

import sys
from pathlib import Path

import openpyxl
import pytest

ROOT = Path(__file__).resolve().parents[2]
FORMS = ROOT / "resources" / "forms"
sys.path.insert(0, str(ROOT / "build_scripts"))

import shared_choices  # noqa: E402

SHARED = shared_choices.read_shared()
WORKBOOKS = sorted(FORMS.glob("*.xlsx"))


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_every_forms_copy_of_a_shared_list_is_the_shared_one(path):
    own = shared_choices.workbook_lists(openpyxl.load_workbook(path, read_only=True)["choices"])
    for name in set(own) & set(SHARED):
        assert own[name] == SHARED[name], f"{path.name}: list {name} differs from shared_choices.csv"


def test_lists_used_by_several_forms_are_shared():
    users: dict[str, list[str]] = {}
    for path in WORKBOOKS:
        for name in shared_choices.workbook_lists(openpyxl.load_workbook(path, read_only=True)["choices"]):
            users.setdefault(name, []).append(path.stem)
    # a list name in several forms is one list (else rename it, as left_behind_child's family_income)
    not_shared = {n: forms for n, forms in users.items() if len(forms) > 1 and n not in SHARED}
    allowed = {"express", "situation"}  # capability scores vs a visit's observation; finding reports filter by 'for'
    assert set(not_shared) <= allowed, not_shared


def test_disability_categories_use_the_standard_names():
    # GB/T 26341-2010 残疾人残疾分类和分级: 视力残疾, 听力残疾, 言语残疾, 肢体残疾, 智力残疾, 精神残疾, 多重残疾
    assert [label for _, label in SHARED["disability_cat"]] == [
        "视力残疾", "听力残疾", "言语残疾", "肢体残疾", "智力残疾", "精神残疾", "多重残疾"]


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_policy_terms_are_written_one_way(path):
    # 防止返贫监测对象 (the policy's own term), never the shortened 防返贫监测对象
    text = "".join(str(c) for sheet in openpyxl.load_workbook(path, read_only=True).worksheets
                   for row in sheet.iter_rows(values_only=True) for c in row if c)
    assert "防返贫监测对象" not in text


def test_the_script_finds_a_drifted_copy(tmp_path):
    copy = tmp_path / "form.xlsx"
    book = openpyxl.load_workbook(FORMS / "vulnerable_child.xlsx")
    sheet = book["choices"]
    for row in sheet.iter_rows(min_row=2):
        if row[0].value == "disability_cat" and row[1].value == "1":
            row[2].value = "视力"
    book.save(copy)
    assert shared_choices.apply(copy, SHARED, write=False) == ["disability_cat"]
    assert shared_choices.apply(copy, SHARED) == ["disability_cat"]
    assert shared_choices.apply(copy, SHARED, write=False) == []
