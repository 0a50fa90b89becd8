"""What goes on the paper (app/forms/printout.py), checked without Qt: a filled record and a blank form."""

from __future__ import annotations

from pathlib import Path

import pytest
from form_helpers import md

from app.forms.library import FormLibrary
from app.forms.printout import (
    Field,
    Section,
    Table,
    blank_printout,
    date_text,
    geopoint_text,
    html_blocks,
    record_printout,
)
from app.forms.xlsform import load_form

ROOT = Path(__file__).resolve().parents[2]

VISIT = {
    "visit_date": "2026-05-03", "visit_method": "home", "visitor": "李秀兰", "visitor_role": "village_cadre",
    "elder_name": "王秀英", "met_in_person": "1", "h_mobility": "slow", "h_express": "normal", "h_illness": "none",
    "h_mental": "good", "h_meds": "yes", "e_difficulty": "none", "e_benefits": "done", "f_contact": "monthly",
    "f_duty": "good", "s_house": "ok", "s_utilities": "none", "s_fall_risk": "handrail", "s_hygiene": "fair",
    "needs": "meals emotional", "red_flags": "none", "major_event": "0", "location": "31.7204 117.2271 35 8",
    "contacts": [{"contact_name": "王建国", "relation": "2", "phone": "13800138000", "away": "1"}],
    "next_visit": "2026-06-02",
}


@pytest.fixture(scope="module")
def elder_visit():
    return FormLibrary().get("elder_visit")


def field(printout, label: str) -> Field:
    return next(f for f in printout.fields() if isinstance(f, Field) and f.label == label)


def labels(printout) -> set[str]:
    return {f.label for f in printout.fields()}


def test_a_filled_record_prints_labels_and_choice_labels_not_codes(elder_visit):
    out = record_printout(elder_visit, VISIT, record_id="1234abcd-0000", filled_on="2026年5月3日", status="已定稿")
    assert out.title == "探访关爱记录表" and not out.blank
    assert ("记录编号", "1234abcd-0000") in out.meta and ("表单版本", elder_visit.version) in out.meta
    assert ("状态", "已定稿") in out.meta and "1234abcd-0000" in out.footer
    assert [s.label for s in out.sections][:3] == ["探访信息", "老人信息", "健康状况"]
    assert field(out, "探访方式").answer == "上门入户"  # the label, never "home"
    assert field(out, "探访人身份").answer == "村(居)干部"
    assert field(out, "服务需求").answer == "助餐、精神慰藉"  # select_multiple: every label chosen
    assert field(out, "探访日期").answer == "2026年5月3日"
    assert field(out, "探访位置").answer == "纬度 31.7204，经度 117.2271（精度 8 米）"
    assert out.signatures == ("填表人", "复核人")


def test_a_filled_record_names_its_township_and_village_under_the_title(elder_visit):
    out = record_printout(elder_visit, VISIT, town="示范镇", village="东山村")
    assert out.place == [("乡镇（街道）", "示范镇"), ("村（居）", "东山村")]
    head = html_blocks(out)[0].html
    assert head.index(out.title) < head.index("乡镇（街道）：示范镇") < head.index("村（居）：东山村") < head.index("表单版本")
    unknown = record_printout(elder_visit, VISIT, town="示范镇")
    assert ("村（居）", "") in unknown.place  # a blank line to write the village on


def test_only_relevant_questions_are_printed(elder_visit):
    home = record_printout(elder_visit, VISIT)
    assert "其他探访方式" not in labels(home)  # asked only when the method is 其他
    assert "未见到本人的原因" not in labels(home)
    other = record_printout(elder_visit, {**VISIT, "visit_method": "other", "visit_method_other": "村口偶遇"})
    assert field(other, "其他探访方式").answer == "村口偶遇"
    assert "探访位置" not in labels(other)  # only for home visits


def test_empty_answers_leave_room_to_write_and_boxes_to_tick(elder_visit):
    out = record_printout(elder_visit, VISIT)
    issues = field(out, "发现的问题")
    assert issues.answer == "" and issues.kind == "lines"
    action = field(out, "处置/转介")
    assert action.answer == "" and action.kind == "choices" and "当场解决" in action.choices and action.multiple
    assert field(out, "身份证号").kind == "id"


def test_a_repeat_is_a_small_table_with_choice_labels(elder_visit):
    out = record_printout(elder_visit, VISIT)
    table = next(f for f in out.fields() if isinstance(f, Table))
    assert table.columns == ["姓名", "与老人关系", "手机号", "是否长期外出(半年以上)"]
    assert table.rows == [["王建国", "子", "13800138000", "是"]]
    assert table.blank_rows == 0
    empty = record_printout(elder_visit, {**VISIT, "contacts": []})
    table = next(f for f in empty.fields() if isinstance(f, Table))
    assert table.rows == [] and table.blank_rows == 3


def test_the_blank_form_has_every_question_with_boxes_for_each_choice(elder_visit):
    out = blank_printout(elder_visit)
    assert out.blank and ("记录编号", "") in out.meta
    questions = [c for c in elder_visit.walk() if c.kind not in ("group", "repeat")]
    in_repeats = {c.ref for r in elder_visit.walk() if r.kind == "repeat" for c in r.walk() if c is not r}
    printed = [f for f in out.fields() if isinstance(f, Field)]
    assert len(printed) == len([q for q in questions if q.ref not in in_repeats])  # every one, relevant or not
    method = field(out, "探访方式")
    assert method.answer == "" and method.choices[:3] == ["上门入户", "电话", "视频"]
    assert all(f.answer == "" for f in printed)
    assert field(out, "其他探访方式").condition == "“探访方式”选“其他”时填写"
    assert field(out, "其他服务需求").condition == "“服务需求”选了“其他”时填写"
    assert field(out, "老人(或家属)签字确认").kind == "signature"
    notes = [f for f in printed if f.kind == "note"]
    assert any("____" in n.label for n in notes)  # 根据身份证号：性别 ____，____ 周岁 (nothing to compute yet)
    table = next(f for f in out.fields() if isinstance(f, Table))
    assert table.blank_rows == 3 and table.blank_choices[3] == ["是", "否"]


def test_blank_html_has_a_box_per_choice_and_signature_lines(elder_visit):
    out = blank_printout(elder_visit)
    html = "".join(b.html for b in html_blocks(out))
    for f in out.fields():
        if isinstance(f, Field) and f.kind == "choices":
            for label in f.choices:
                assert f"□&nbsp;{label}" in html.replace("&amp;", "&")
    assert "填表人（签字）" in html and "复核人（签字）" in html
    blocks = html_blocks(out)
    assert blocks[0].keep_with_next and out.title in blocks[0].html
    headings = [b for b in blocks if "探访信息" in b.html]
    assert headings and headings[0].keep_with_next  # a section heading never ends a page
    rows = [b for b in blocks if b.header]
    assert len(rows) == 3 and all("序号" in b.header for b in rows)  # a continued table repeats its headings


def test_text_is_escaped_and_attachments_drawn_only_when_available(elder_visit):
    data = {**VISIT, "issues": "<b>炉子</b> & 烟囱\n第二行", "photo": "visit.jpg"}
    out = record_printout(elder_visit, data)
    html = "".join(b.html for b in html_blocks(out))
    assert "&lt;b&gt;炉子&lt;/b&gt; &amp; 烟囱<br>第二行" in html
    assert "已附照片（visit.jpg，见电子记录）" in html
    drawn = "".join(b.html for b in html_blocks(out, images={"visit.jpg"}))
    assert "<img src='attachment:visit.jpg'>" in drawn


def test_loose_questions_nested_groups_and_nested_repeats():
    form = load_form(md("""
        | survey |
        |        | type                 | name   | label   | relevant       |
        |        | text                 | who    | 姓名    |                |
        |        | begin group          | home   | 住房    |                |
        |        | select_one yn        | own    | 自有    |                |
        |        | begin group          | rooms  | 房间    |                |
        |        | integer              | n      | 间数    | ${own} = 'y'   |
        |        | end group            |        |         |                |
        |        | end group            |        |         |                |
        |        | begin repeat         | kids   | 子女    |                |
        |        | text                 | kname  | 子女姓名 |                |
        |        | begin repeat         | pets   | 宠物    |                |
        |        | text                 | pname  | 宠物名   |                |
        |        | end repeat           |        |         |                |
        |        | end repeat           |        |         |                |
        | choices |
        |         | list_name | name | label |
        |         | yn        | y    | 是    |
        |         | yn        | n    | 否    |
        | settings |
        |          | form_id | version | form_title |
        |          | t       | 1       | 测试表     |
        """))
    out = record_printout(form, {"who": "张三", "own": "y", "n": 3,
                                 "kids": [{"kname": "小明", "pets": [{"pname": "旺财"}, {"pname": "咪咪"}]}]})
    loose, home, kids = out.sections
    assert loose.label == "" and loose.items[0].answer == "张三"
    assert home.label == "住房" and isinstance(home.items[1], Section) and home.items[1].items[0].answer == "3"
    table = kids.items[0]
    assert kids.label == "子女" and table.columns == ["子女姓名", "宠物"] and table.rows == [["小明", "旺财；咪咪"]]
    blank = blank_printout(form)
    assert field(blank, "间数").condition == "“自有”选“是”时填写"


def test_values():
    assert date_text("2026-05-03") == "2026年5月3日"
    assert date_text("2026-05-03T09:05:00.000+08:00", "datetime") == "2026年5月3日 9:05"
    assert date_text("09:05:00.000+08:00", "time") == "9:05"
    assert geopoint_text("31.7 117.2") == "纬度 31.7，经度 117.2"

