"""The XLSForm columns a form author uses, with the meaning ODK Collect / Enketo give them."""

from __future__ import annotations

from datetime import datetime

import pytest
from form_helpers import CST, NOW, NOW_DT, md  # noqa: F401

from app.forms.fill import fill
from app.forms.session import FormSession
from app.forms.xlsform import load_form

# --------------------------------------------------------------------------- labels and hints


LANGS = md(
    """
    | survey |
    |        | type          | name | label::中文 (zh) | label::English (en) | hint::中文 (zh) | hint::English (en) |
    |        | text          | name | 姓名              | Name                | 写全名            | Full name          |
    |        | select_one yn | ok   | ${name}好吗？      | Is ${name} OK?      |                  |                    |
    | choices |
    |         | list_name | name | label::中文 (zh) | label::English (en) |
    |         | yn        | 1    | 是                | Yes                 |
    |         | yn        | 0    | 否                | No                  |
    | settings |
    |          | form_id | version | default_language |
    |          | langs   | 3       | 中文 (zh)         |
    """
)


def test_labels_and_hints_in_each_language():
    form = load_form(LANGS)
    assert set(form.languages) >= {"中文 (zh)", "English (en)"}
    control = form.control("/data/name")
    zh = FormSession(form, lang="中文 (zh)")
    en = FormSession(form, lang="English (en)")
    assert zh.label(control).strip() == "姓名"
    assert en.label(control).strip() == "Name"
    assert zh.label(control, hint=True).strip() == "写全名"
    assert en.label(control, hint=True).strip() == "Full name"


def test_default_language_is_used_without_a_choice():
    form = load_form(LANGS)
    assert form.default_lang == "中文 (zh)"
    assert FormSession(form).label(form.control("/data/name")).strip() == "姓名"


def test_label_outputs_and_choice_labels_follow_the_language():
    form = load_form(LANGS)
    control = form.control("/data/ok")
    for lang, expected, yes in (("中文 (zh)", "王五好吗？", "是"), ("English (en)", "Is 王五 OK?", "Yes")):
        session = FormSession(form, lang=lang)
        session.set_value(session.node("/data/name"), "王五")
        assert session.label(control, session.node("/data/ok")).strip() == expected
        assert session.choices(control)[0].label(lang) == yes


def test_jr_choice_name_gives_the_label_in_the_language():
    form = load_form(md(
        """
        | survey |
        |        | type          | name  | label::中文 (zh)                      | label::English (en)               | calculation |
        |        | select_one yn | ok    | 好吗                                   | OK?                               |             |
        |        | calculate     | shown |                                        |                                   | jr:choice-name(${ok}, '${ok}') |
        | choices |
        |         | list_name | name | label::中文 (zh) | label::English (en) |
        |         | yn        | 1    | 是                | Yes                 |
        |         | yn        | 0    | 否                | No                  |
        """
    ))
    assert fill(form, {"ok": "1"}, lang="中文 (zh)")["data"]["shown"] == "是"
    assert fill(form, {"ok": "0"}, lang="English (en)")["data"]["shown"] == "No"


# --------------------------------------------------------------------------- required


REQUIRED = md(
    """
    | survey |
    |        | type    | name  | label | required     | required_message::中文 (zh) | required_message::English (en) |
    |        | text    | name  | 姓名   | yes          | 请填写姓名                     | Name please                    |
    |        | integer | age   | 年龄   | true()       |                               |                                |
    |        | text    | phone | 电话   | ${age} >= 18 |                               |                                |
    |        | text    | memo  | 备注   | no           |                               |                                |
    """
)


def test_required_message_in_the_form_language():
    form = load_form(REQUIRED)
    out = fill(form, {"age": 10}, lang="中文 (zh)")
    assert out["errors"] == {"name": "请填写姓名"}
    assert fill(form, {"age": 10}, lang="English (en)")["errors"] == {"name": "Name please"}


def test_required_without_a_message_gets_the_default_chinese_message():
    out = fill(load_form(REQUIRED), {"name": "赵六"})
    assert out["valid"] is False
    assert out["errors"] == {"age": "此题为必答题，请填写。"}


def test_required_can_be_an_expression():
    form = load_form(REQUIRED)
    assert fill(form, {"name": "a", "age": 17})["valid"] is True
    out = fill(form, {"name": "a", "age": 18})
    assert list(out["errors"]) == ["phone"]
    assert fill(form, {"name": "a", "age": 18, "phone": "13800138000"})["valid"] is True


def test_clearing_a_required_answer_makes_it_missing_again():
    form = load_form(REQUIRED)
    session = FormSession(form)
    name = session.node("/data/name")
    session.set_value(name, "赵六")
    assert "name" not in session.errors()
    session.set_value(name, "")
    assert "name" in session.errors()


# --------------------------------------------------------------------------- relevant


RELEVANT = md(
    """
    | survey |
    |        | type          | name    | label  | relevant             | required | constraint |
    |        | integer       | age     | 年龄    |                      |          |            |
    |        | select_one yn | retired | 退休了吗 | ${age} >= 60         | yes      |            |
    |        | text          | pension | 养老金   | ${retired} = 'yes'   | yes      |            |
    |        | begin group   | work    | 工作    | ${age} >= 16         |          |            |
    |        | text          | job     | 职业    |                      | yes      |            |
    |        | integer       | hours   | 工时    |                      |          | . <= 80    |
    |        | begin group   | boss    | 单位    | ${hours} > 0         |          |            |
    |        | text          | company | 单位名称 |                      | yes      |            |
    |        | end group     |         |        |                      |          |            |
    |        | end group     |         |        |                      |          |            |
    | choices |
    |         | list_name | name | label |
    |         | yn        | yes  | 是     |
    |         | yn        | no   | 否     |
    """
)


def test_relevance_cascades():
    form = load_form(RELEVANT)
    out = fill(form, {"age": 70, "retired": "yes", "pension": "1200", "job": "农民"})
    assert out["valid"] is True
    assert out["data"]["pension"] == "1200"
    out = fill(form, {"age": 40, "retired": "yes", "pension": "1200", "job": "农民"})
    assert out["valid"] is True
    assert "retired" not in out["data"]
    assert "pension" not in out["data"], "pension depends on a question that is itself not relevant"


def test_cascade_updates_when_an_earlier_answer_changes():
    form = load_form(RELEVANT)
    session = FormSession(form)
    session.set_value(session.node("/data/age"), "70")
    session.set_value(session.node("/data/retired"), "yes")
    session.set_value(session.node("/data/pension"), "1200")
    assert session.node("/data/pension").relevant
    session.set_value(session.node("/data/age"), "30")
    assert not session.node("/data/retired").relevant
    assert not session.node("/data/pension").relevant
    assert "pension" not in session.to_data()
    session.set_value(session.node("/data/age"), "65")
    assert session.node("/data/pension").relevant


def test_non_relevant_questions_are_not_required():
    out = fill(load_form(RELEVANT), {"age": 10})
    assert out["valid"] is True, out["errors"]
    assert out["data"] == {"age": 10}


def test_questions_inside_a_non_relevant_group_are_not_relevant():
    form = load_form(RELEVANT)
    session = FormSession(form)
    session.set_value(session.node("/data/age"), "10")
    assert not session.node("/data/work/job").relevant
    assert not session.node("/data/work/boss/company").relevant
    assert session.errors() == {}


def test_answers_to_non_relevant_questions_are_ignored_not_validated():
    out = fill(load_form(RELEVANT), {"age": 10, "job": "学生", "hours": 100})
    assert out["valid"] is True, out["errors"]
    assert "job" not in out["data"]
    assert "hours" not in out["data"]


def test_nested_group_relevance_within_a_relevant_group():
    form = load_form(RELEVANT)
    out = fill(form, {"age": 30, "job": "司机", "hours": 40})
    assert out["valid"] is False
    assert list(out["errors"]) == ["company"]
    out = fill(form, {"age": 30, "job": "司机", "hours": 0})
    assert out["valid"] is True
    assert "company" not in out["data"]


def test_an_empty_answer_makes_a_comparison_false():
    # ODK: '' >= 60 compares NaN, which is false
    out = fill(load_form(RELEVANT), {})
    assert "retired" not in out["data"]


# --------------------------------------------------------------------------- constraint


CONSTRAINT = md(
    """
    | survey |
    |        | type    | name  | label | constraint              | constraint_message::中文 (zh) | constraint_message::English (en) |
    |        | integer | age   | 年龄   | . >= 0 and . < 130      | 年龄应在0到130之间            | Age 0-129                        |
    |        | integer | kids  | 子女数 | . <= ${age} div 15      |                               |                                  |
    |        | text    | code  | 编码   | regex(., '^[A-Z]{2}\\d{4}$') |                          |                                  |
    """
)


def test_dot_is_the_answer_in_a_constraint():
    form = load_form(CONSTRAINT)
    assert fill(form, {"age": 30})["valid"] is True
    out = fill(form, {"age": 130}, lang="中文 (zh)")
    assert out["errors"] == {"age": "年龄应在0到130之间"}
    assert fill(form, {"age": -1}, lang="English (en)")["errors"] == {"age": "Age 0-129"}


def test_a_constraint_without_a_message_gets_the_default_chinese_message():
    out = fill(load_form(CONSTRAINT), {"age": 30, "kids": 3})
    assert out["errors"] == {"kids": "答案不符合本题的要求，请检查。"}


def test_a_constraint_can_read_other_answers():
    form = load_form(CONSTRAINT)
    assert fill(form, {"age": 30, "kids": 2})["valid"] is True
    session = FormSession(form)
    session.set_value(session.node("/data/age"), "30")
    session.set_value(session.node("/data/kids"), "2")
    assert session.errors() == {}
    session.set_value(session.node("/data/age"), "20")
    assert list(session.errors()) == ["kids"], "changing the other answer re-checks the constraint"


def test_an_empty_answer_is_not_checked_against_the_constraint():
    assert fill(load_form(CONSTRAINT), {})["valid"] is True


def test_regex_constraint():
    form = load_form(CONSTRAINT)
    assert fill(form, {"code": "AB1234"})["valid"] is True
    assert fill(form, {"code": "ab1234"})["valid"] is False


def test_a_failed_constraint_keeps_the_answer_in_the_data():
    # Collect keeps what was typed and shows the message; the record just cannot be finalized
    out = fill(load_form(CONSTRAINT), {"age": 200})
    assert out["valid"] is False
    assert out["data"]["age"] == 200


# --------------------------------------------------------------------------- calculation


def test_calculation_chain_in_dependency_order():
    form = load_form(md(
        """
        | survey |
        |        | type      | name  | label | calculation      |
        |        | calculate | c     |       | ${b} + 1         |
        |        | calculate | b     |       | ${a} * 10        |
        |        | integer   | a     | A     |                  |
        """
    ))
    assert fill(form, {"a": 2})["data"] == {"c": 21, "b": 20, "a": 2}


def test_calculation_with_if_and_string_functions():
    form = load_form(md(
        """
        | survey |
        |        | type      | name  | label | calculation                                      |
        |        | integer   | age   | 年龄   |                                                  |
        |        | calculate | band  |       | if(${age} >= 60, '老年', if(${age} >= 18, '成年', '未成年')) |
        |        | calculate | tag   |       | concat(substr('ABCDEF', 0, 2), '-', string-length('村访通')) |
        """
    ))
    assert fill(form, {"age": 70})["data"]["band"] == "老年"
    assert fill(form, {"age": 30})["data"]["band"] == "成年"
    assert fill(form, {"age": 3})["data"]["band"] == "未成年"
    assert fill(form, {})["data"]["tag"] == "AB-3"


def test_a_visible_question_with_a_calculation_follows_its_inputs():
    # Collect and Enketo both let a person overtype it; a later change of the input recalculates it
    form = load_form(md(
        """
        | survey |
        |        | type    | name  | label | calculation |
        |        | integer | a     | A     |             |
        |        | integer | b     | B     | ${a} + 1    |
        """
    ))
    assert fill(form, {"a": 1})["data"] == {"a": 1, "b": 2}
    session = FormSession(form)
    session.set_value(session.node("/data/a"), "1")
    session.set_value(session.node("/data/b"), "5")
    session.set_value(session.node("/data/a"), "2")
    assert session.to_data()["b"] == 3


def test_a_date_question_with_a_date_arithmetic_calculation():
    form = load_form(md(
        """
        | survey |
        |        | type | name | label | calculation  |
        |        | date | due  | 复访   | today() + 30 |
        """
    ))
    assert fill(form, {}, now=NOW)["data"]["due"] == "2026-12-23"


def test_integer_calculation_division_truncates_like_int():
    form = load_form(md(
        """
        | survey |
        |        | type      | name | label | calculation |
        |        | calculate | x    |       | 7 div 2     |
        |        | calculate | y    |       | int(7 div 2) |
        |        | calculate | z    |       | 7 mod 3     |
        """
    ))
    assert fill(form, {})["data"] == {"x": 3.5, "y": 3, "z": 1}


# --------------------------------------------------------------------------- default


DEFAULTS = md(
    """
    | survey |
    |        | type    | name    | label | default        |
    |        | text    | village | 村     | 东村            |
    |        | integer | n       | 人数   | 1              |
    |        | date    | visited | 日期   | today()        |
    |        | date    | due     | 复访   | today() + 30   |
    """
)


def test_static_default():
    out = fill(load_form(DEFAULTS), {}, now=NOW)
    assert out["data"]["village"] == "东村"
    assert out["data"]["n"] == 1


def test_dynamic_default_today():
    out = fill(load_form(DEFAULTS), {}, now=NOW)
    assert out["data"]["visited"] == "2026-11-23"


def test_dynamic_default_with_date_arithmetic():
    out = fill(load_form(DEFAULTS), {}, now=NOW)
    assert out["data"]["due"] == "2026-12-23"


def test_an_answer_replaces_the_default():
    out = fill(load_form(DEFAULTS), {"village": "西村", "visited": "2026-11-20"}, now=NOW)
    assert out["data"]["village"] == "西村"
    assert out["data"]["visited"] == "2026-11-20"


def test_a_default_can_be_cleared():
    out = fill(load_form(DEFAULTS), {"village": ""}, now=NOW)
    assert out["data"]["village"] is None


def test_dynamic_default_in_the_first_repeat_instance():
    form = load_form(md(
        """
        | survey |
        |        | type         | name  | label | default      |
        |        | begin repeat | kids  | 子女   |              |
        |        | integer      | pos   | 序号   | position(..) |
        |        | end repeat   |       |       |              |
        """
    ))
    assert fill(form, {"kids": [{}]})["data"]["kids"] == [{"pos": 1}]


def test_dynamic_default_in_a_new_repeat_instance():
    form = load_form(md(
        """
        | survey |
        |        | type         | name  | label | default      |
        |        | begin repeat | kids  | 子女   |              |
        |        | integer      | pos   | 序号   | position(..) |
        |        | end repeat   |       |       |              |
        """
    ))
    out = fill(form, {"kids": [{}, {}, {"pos": 9}]})
    assert [k["pos"] for k in out["data"]["kids"]] == [1, 2, 9]


# --------------------------------------------------------------------------- read_only


def test_read_only_expression_blocks_answers_while_true():
    form = load_form(md(
        """
        | survey |
        |        | type    | name    | label | read_only |
        |        | integer | n       | 人数   |           |
        |        | text    | later   | 之后   | ${n} > 2  |
        """
    ))
    assert fill(form, {"n": 1, "later": "x"})["valid"] is True
    out = fill(form, {"n": 3, "later": "x"})
    assert "later" in out["errors"]


def test_read_only_question_shows_its_default_and_cannot_be_answered():
    form = load_form(md(
        """
        | survey |
        |        | type    | name    | label | read_only | default |
        |        | text    | village | 村     | yes       | 东村     |
        """
    ))
    out = fill(form, {"village": "西村"})
    assert out["valid"] is False
    assert "village" in out["errors"]
    assert out["data"]["village"] == "东村"


def test_read_only_number_shows_its_default_and_cannot_be_answered():
    form = load_form(md(
        """
        | survey |
        |        | type    | name  | label | read_only | default |
        |        | integer | quota | 名额   | yes       | 5       |
        """
    ))
    assert fill(form, {})["data"] == {"quota": 5}
    out = fill(form, {"quota": 6})
    assert out["valid"] is False
    assert "quota" in out["errors"]
    assert out["data"]["quota"] == 5


# --------------------------------------------------------------------------- choice_filter


CASCADE = md(
    """
    | survey |
    |        | type               | name     | label | choice_filter                 |
    |        | select_one town    | town     | 乡镇   |                               |
    |        | select_one village | village  | 村     | town=${town}                  |
    |        | select_multiple village | many | 多个村 | town=${town} or name='v9'   |
    | choices |
    |         | list_name | name | label | town |
    |         | town      | t1   | 东镇   |      |
    |         | town      | t2   | 西镇   |      |
    |         | village   | v1   | 一村   | t1   |
    |         | village   | v2   | 二村   | t1   |
    |         | village   | v3   | 三村   | t2   |
    |         | village   | v9   | 九村   | t9   |
    """
)


def test_cascading_select_offers_only_the_filtered_choices():
    form = load_form(CASCADE)
    session = FormSession(form)
    control = form.control("/data/village")
    session.set_value(session.node("/data/town"), "t1")
    assert [c.value for c in session.choices(control, session.node("/data/village"))] == ["v1", "v2"]
    session.set_value(session.node("/data/town"), "t2")
    assert [c.value for c in session.choices(control, session.node("/data/village"))] == ["v3"]
    assert session.choices(control)[0].label(None) == "三村"


def test_answer_in_the_filtered_list_is_accepted():
    out = fill(load_form(CASCADE), {"town": "t1", "village": "v2"})
    assert out == {"valid": True, "errors": {}, "data": {"town": "t1", "village": "v2", "many": None}, "notes": {}}


def test_answer_not_in_the_filtered_list_is_an_error():
    out = fill(load_form(CASCADE), {"town": "t2", "village": "v1"})
    assert out["valid"] is False
    assert "v1" in out["errors"]["village"]


def test_changing_the_parent_answer_invalidates_the_child_answer():
    form = load_form(CASCADE)
    session = FormSession(form)
    session.set_value(session.node("/data/town"), "t1")
    session.set_value(session.node("/data/village"), "v1")
    assert session.errors() == {}
    session.set_value(session.node("/data/town"), "t2")
    assert "village" in session.errors()


def test_choice_filter_on_select_multiple():
    form = load_form(CASCADE)
    assert fill(form, {"town": "t2", "many": "v3 v9"})["valid"] is True
    assert fill(form, {"town": "t2", "many": "v3 v1"})["valid"] is False


def test_no_parent_answer_means_no_child_choices():
    form = load_form(CASCADE)
    session = FormSession(form)
    assert session.choices(form.control("/data/village")) == []


# --------------------------------------------------------------------------- trigger


TRIGGER = md(
    """
    | survey |
    |        | type    | name    | label | trigger  | calculation |
    |        | integer | a       | A     |          |             |
    |        | integer | twice   | 两倍   | ${a}     | ${a} * 2    |
    |        | text    | cleared | 清空   | ${a}     |             |
    |        | dateTime | changed | 改时 | ${a}     | now()       |
    """
)


def test_trigger_recalculates_when_the_trigger_question_changes():
    form = load_form(TRIGGER)
    session = FormSession(form, now=NOW)
    assert session.node("/data/twice").value == "", "no calculation before the trigger fires"
    session.set_value(session.node("/data/a"), "3")
    assert session.node("/data/twice").value == "6"
    assert datetime.fromisoformat(session.node("/data/changed").value) == NOW_DT


def test_a_triggered_value_can_then_be_edited():
    form = load_form(TRIGGER)
    session = FormSession(form, now=NOW)
    session.set_value(session.node("/data/a"), "3")
    assert session.set_value(session.node("/data/twice"), "7") is None
    assert session.to_data()["twice"] == 7
    session.set_value(session.node("/data/a"), "4")
    assert session.to_data()["twice"] == 8, "a new trigger value overwrites the edit"


def test_trigger_without_calculation_clears_the_answer():
    form = load_form(TRIGGER)
    session = FormSession(form, now=NOW)
    session.set_value(session.node("/data/cleared"), "旧值")
    session.set_value(session.node("/data/a"), "5")
    assert session.node("/data/cleared").value == ""


def test_trigger_through_fill_in_form_order():
    out = fill(load_form(TRIGGER), {"a": 5, "twice": 11}, now=NOW)
    assert out["data"]["twice"] == 11, "the person's later answer wins over the triggered value"


# --------------------------------------------------------------------------- appearance and parameters


def test_appearance_and_parameters_reach_the_controls():
    form = load_form(md(
        """
        | survey |
        |        | type          | name  | label | appearance   | parameters           |
        |        | text          | notes | 备注   | multiline    | rows=4               |
        |        | select_one yn | ok    | 好吗   | minimal      |                      |
        |        | image         | photo | 照片   | annotate     | max-pixels=1024      |
        |        | range         | r     | 打分   | vertical     | start=5 end=1 step=1 |
        | choices |
        |         | list_name | name | label |
        |         | yn        | 1    | 是     |
        """
    ))
    assert form.control("/data/notes").appearance == "multiline"
    assert form.control("/data/notes").params.get("rows") == "4"
    assert form.control("/data/ok").appearance == "minimal"
    assert form.control("/data/photo").appearance == "annotate"
    assert form.control("/data/r").appearance == "vertical"
    assert fill(form, {"r": 3})["valid"] is True, "a descending range still accepts values between"
    assert fill(form, {"r": 6})["valid"] is False


# --------------------------------------------------------------------------- settings


SETTINGS = md(
    """
    | survey |
    |        | type    | name  | label::中文 (zh) | label::English (en) |
    |        | text    | hh    | 户主              | Head                |
    |        | integer | size  | 人口              | Size                |
    | settings |
    |          | form_id    | version    | default_language | instance_name                  | form_title |
    |          | household  | 2026112301 | English (en)     | concat(${hh}, '-', ${size}, '人') | 入户调查    |
    """
)


def test_settings_reach_the_form():
    form = load_form(SETTINGS)
    assert form.form_id == "household"
    assert form.version == "2026112301"
    assert form.default_lang == "English (en)"
    assert form.title == "入户调查"


def test_default_language_sets_the_session_language():
    form = load_form(SETTINGS)
    assert FormSession(form).label(form.control("/data/hh")).strip() == "Head"


def test_instance_name_from_answers():
    form = load_form(SETTINGS)
    session = FormSession(form)
    session.set_value(session.node("/data/hh"), "孙七")
    session.set_value(session.node("/data/size"), "4")
    assert session.instance_name() == "孙七-4人"


def test_numbers_typed_into_excel_cells_behave_like_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (["type", "name", "label", "default", "constraint"],
                ["select_one yn", "ok", "好吗", 1, ""],
                ["decimal", "w", "重量", 2.5, ". < 10.5"]):
        ws.append(row)
    choices = wb.create_sheet("choices")
    for row in (["list_name", "name", "label"], ["yn", 1, "是"], ["yn", 0, "否"]):
        choices.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["numbers", 2026112301])
    wb.save(tmp_path / "numbers.xlsx")
    form = load_form(tmp_path / "numbers.xlsx")
    assert form.version == "2026112301"
    assert fill(form, {})["data"] == {"ok": "1", "w": 2.5}
    out = fill(form, {"ok": "0", "w": 11})
    assert out["data"]["ok"] == "0"
    assert list(out["errors"]) == ["w"]


def test_every_record_has_an_instance_id():
    form = load_form(SETTINGS)
    first = FormSession(form).meta()["instanceID"]
    second = FormSession(form).meta()["instanceID"]
    assert first.startswith("uuid:")
    assert first != second


# --------------------------------------------------------------------------- repeats


REPEAT = md(
    """
    | survey |
    |        | type         | name    | label | calculation                               | relevant       | constraint        |
    |        | text         | village | 村     |                                           |                |                   |
    |        | begin repeat | people  | 成员   |                                           |                |                   |
    |        | text         | pname   | 姓名   |                                           |                |                   |
    |        | integer      | page    | 年龄   |                                           |                | . < 130           |
    |        | calculate    | label   |       | concat(${pname}, '(', ${page}, ')')       |                |                   |
    |        | calculate    | pos     |       | position(..)                              |                |                   |
    |        | text         | school  | 学校   |                                           | ${page} < 18   |                   |
    |        | text         | from    | 来自   |                                           |                |                   |
    |        | end repeat   |         |       |                                           |                |                   |
    |        | calculate    | n       |       | count(${people})                          |                |                   |
    |        | calculate    | total   |       | sum(${page})                              |                |                   |
    |        | calculate    | second  |       | indexed-repeat(${pname}, ${people}, 2)    |                |                   |
    |        | calculate    | kids    |       | count(${people}[page < 18])            |                |                   |
    """
)

PEOPLE = [{"pname": "甲", "page": 40}, {"pname": "乙", "page": 12, "school": "一小"}, {"pname": "丙", "page": 70}]


def test_reference_inside_a_repeat_means_the_same_instance():
    out = fill(load_form(REPEAT), {"people": PEOPLE})
    assert [p["label"] for p in out["data"]["people"]] == ["甲(40)", "乙(12)", "丙(70)"]


def test_position_of_the_instance():
    out = fill(load_form(REPEAT), {"people": PEOPLE})
    assert [p["pos"] for p in out["data"]["people"]] == [1, 2, 3]


def test_count_sum_and_indexed_repeat():
    out = fill(load_form(REPEAT), {"people": PEOPLE})
    assert out["data"]["n"] == 3
    assert out["data"]["total"] == 122
    assert out["data"]["second"] == "乙"
    assert out["data"]["kids"] == 1


def test_relevance_inside_a_repeat_is_per_instance():
    out = fill(load_form(REPEAT), {"people": PEOPLE})
    people = out["data"]["people"]
    assert "school" not in people[0]
    assert people[1]["school"] == "一小"
    assert "school" not in people[2]


def test_errors_inside_a_repeat_name_the_instance():
    out = fill(load_form(REPEAT), {"people": [{"pname": "甲", "page": 40}, {"pname": "乙", "page": 200}]})
    assert out["errors"] == {"people[2]/page": "答案不符合本题的要求，请检查。"}


def test_outside_reference_from_inside_a_repeat():
    form = load_form(md(
        """
        | survey |
        |        | type         | name    | label | calculation                    |
        |        | text         | village | 村     |                                |
        |        | begin repeat | people  | 成员   |                                |
        |        | text         | pname   | 姓名   |                                |
        |        | calculate    | where   |       | concat(${pname}, '@', ${village}) |
        |        | end repeat   |         |       |                                |
        """
    ))
    out = fill(form, {"village": "东村", "people": [{"pname": "甲"}, {"pname": "乙"}]})
    assert [p["where"] for p in out["data"]["people"]] == ["甲@东村", "乙@东村"]


def test_removing_an_instance_renumbers_position_and_updates_totals():
    form = load_form(REPEAT)
    session = FormSession(form)
    instances = [session.repeat_instances("/data/people")[0]]
    instances += [session.add_repeat("/data/people") for _ in range(2)]
    for inst, age in zip(instances, (10, 20, 30), strict=True):
        session.set_value(session.node("/data/people/page", inst), str(age))
    assert session.to_data()["total"] == 60
    session.remove_repeat(instances[0])
    data = session.to_data()
    assert data["total"] == 50
    assert data["n"] == 2
    assert [p["pos"] for p in data["people"]] == [1, 2]


def test_nested_repeats():
    form = load_form(md(
        """
        | survey |
        |        | type         | name   | label | calculation        |
        |        | begin repeat | houses | 户     |                    |
        |        | text         | head   | 户主   |                    |
        |        | begin repeat | rooms  | 房间   |                    |
        |        | decimal      | area   | 面积   |                    |
        |        | end repeat   |        |       |                    |
        |        | calculate    | harea  |       | sum(${area})       |
        |        | end repeat   |        |       |                    |
        |        | calculate    | all    |       | sum(${area})       |
        """
    ))
    out = fill(form, {"houses": [
        {"head": "甲", "rooms": [{"area": 10}, {"area": 12.5}]},
        {"head": "乙", "rooms": [{"area": 20}]},
    ]})
    assert out["valid"] is True, out["errors"]
    houses = out["data"]["houses"]
    assert [h["harea"] for h in houses] == [22.5, 20]
    assert out["data"]["all"] == 42.5


# --------------------------------------------------------------------------- dates


DATES = md(
    """
    | survey |
    |        | type      | name  | label | constraint     | calculation                                  |
    |        | date      | born  | 出生   | . <= today()   |                                              |
    |        | date      | start | 开始   |                |                                              |
    |        | date      | stop  | 结束   | . >= ${start}  |                                              |
    |        | calculate | days  |       |                | ${stop} - ${start}                           |
    |        | calculate | years |       |                | age(${born})                                 |
    |        | calculate | later |       |                | format-date(date(${start}) + 10, '%Y-%m-%d') |
    """
)


def test_dates_compare():
    form = load_form(DATES)
    assert fill(form, {"born": "2026-11-23"}, now=NOW)["valid"] is True
    out = fill(form, {"born": "2026-11-24"}, now=NOW)
    assert list(out["errors"]) == ["born"], "a birth date after today is refused"
    assert fill(form, {"start": "2026-03-01", "stop": "2026-02-28"}, now=NOW)["valid"] is False
    assert fill(form, {"start": "2026-03-01", "stop": "2026-03-01"}, now=NOW)["valid"] is True


def test_dates_subtract_as_days():
    out = fill(load_form(DATES), {"start": "2024-02-01", "stop": "2024-03-01"}, now=NOW)
    assert out["data"]["days"] == 29


def test_date_plus_days():
    out = fill(load_form(DATES), {"start": "2024-02-25"}, now=NOW)
    assert out["data"]["later"] == "2024-03-06"


def test_age_in_full_years():
    form = load_form(DATES)
    assert fill(form, {"born": "1956-11-23"}, now=NOW)["data"]["years"] == 70
    assert fill(form, {"born": "1956-11-24"}, now=NOW)["data"]["years"] == 69


@pytest.mark.parametrize(("expr", "expected"), [
    ("date('2026-01-01') < date('2026-01-02')", "true"),
    # An instant's days since 1970-01-01T00:00Z, as JavaRosa counts them: local midnight in China is 16:00Z.
    ("decimal-date-time(date('1970-01-02'))", "0.6666666666666666"),
    ("decimal-date-time('1970-01-02T00:00:00Z')", "1"),
    ("format-date(date('2026-11-23'), '%d/%m/%Y')", "23/11/2026"),
])
def test_date_functions_in_a_calculation(expr, expected):
    form = load_form(md(
        f"""
        | survey |
        |        | type      | name | label | calculation |
        |        | calculate | x    |       | {expr}      |
        """
    ))
    session = FormSession(form, now=NOW)
    assert session.node("/data/x").value == expected
