"""Each XLSForm question type, as a form author expects it to behave in ODK Collect / Enketo."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from form_helpers import CST, NOW, NOW_DT, md  # noqa: F401

from app.forms.fill import fill
from app.forms.session import FormSession
from app.forms.xlsform import load_form


def one(type_: str, extra_header: str = "", extra_cells: str = "", choices: str = "") -> object:
    """A form with a single question ``q`` of the given type."""
    header = "| type | name | label |" + (f" {extra_header} |" if extra_header else "")
    row = f"| {type_} | q | 问题 |" + (f" {extra_cells} |" if extra_cells else "")
    text = f"| survey |\n|  {header}\n|  {row}\n"
    if choices:
        text += choices
    return load_form(text)


YESNO = md(
    """
    | choices |
    |         | list_name | name | label |
    |         | yn        | yes  | 是     |
    |         | yn        | no   | 否     |
    """
)

FRUIT = md(
    """
    | choices |
    |         | list_name | name   | label |
    |         | fruit     | apple  | 苹果   |
    |         | fruit     | pear   | 梨     |
    |         | fruit     | peach  | 桃     |
    """
)


# --------------------------------------------------------------------------- text and numbers


def test_text_is_stored_as_typed():
    form = one("text")
    out = fill(form, {"q": "张三 住在 3 组"})
    assert out == {"valid": True, "errors": {}, "data": {"q": "张三 住在 3 组"}, "notes": {}}


def test_text_unanswered_is_null_not_missing():
    out = fill(one("text"), {})
    assert out["valid"] is True
    assert out["data"] == {"q": None}


def test_integer_is_a_json_number():
    out = fill(one("integer"), {"q": "42"})
    assert out["valid"] is True
    assert out["data"]["q"] == 42
    assert isinstance(out["data"]["q"], int)


def test_integer_accepts_negative_numbers_and_python_ints():
    assert fill(one("integer"), {"q": "-7"})["data"]["q"] == -7
    assert fill(one("integer"), {"q": 12})["data"]["q"] == 12


@pytest.mark.parametrize("bad", ["abc", "3.5", "1,000", "十二"])
def test_integer_refuses_text_and_fractions(bad):
    out = fill(one("integer"), {"q": bad})
    assert out["valid"] is False
    assert "整数" in out["errors"]["q"]
    assert out["data"]["q"] is None, "a refused answer is not stored"


def test_integer_accepts_full_width_digits_from_an_ime():
    assert fill(one("integer"), {"q": "１２"})["data"]["q"] == 12


def test_decimal_is_a_json_number():
    out = fill(one("decimal"), {"q": "3.5"})
    assert out["valid"] is True
    assert out["data"]["q"] == 3.5


def test_decimal_refuses_text():
    out = fill(one("decimal"), {"q": "三点五"})
    assert out["valid"] is False
    assert "数字" in out["errors"]["q"]
    assert out["data"]["q"] is None


def test_decimal_in_a_calculation_keeps_its_value():
    form = load_form(md(
        """
        | survey |
        |        | type      | name   | label | calculation   |
        |        | decimal   | weight | 体重   |               |
        |        | decimal   | height | 身高   |               |
        |        | calculate | bmi    |       | round(${weight} div (${height} * ${height}), 1) |
        """
    ))
    out = fill(form, {"weight": "70", "height": "1.75"})
    assert out["data"]["bmi"] == 22.9


# --------------------------------------------------------------------------- range


RANGE = md(
    """
    | survey |
    |        | type  | name  | label | parameters             |
    |        | range | score | 打分   | start=0 end=10 step=2  |
    |        | range | half  | 半分   | start=1 end=3 step=0.5 |
    |        | range | plain | 默认   |                        |
    """
)


def test_range_parameters_reach_the_control():
    form = load_form(RANGE)
    params = form.control("/data/score").params
    assert (float(params["start"]), float(params["end"]), float(params["step"])) == (0, 10, 2)
    assert form.control("/data/score").qtype == "range"


@pytest.mark.parametrize("value", ["0", "4", "10"])
def test_range_accepts_values_on_the_steps(value):
    out = fill(load_form(RANGE), {"score": value})
    assert out["valid"] is True
    assert out["data"]["score"] == int(value)


@pytest.mark.parametrize("value", ["3", "12", "-2", "abc"])
def test_range_refuses_values_off_the_steps_or_outside(value):
    out = fill(load_form(RANGE), {"score": value})
    assert out["valid"] is False
    assert "score" in out["errors"]
    assert out["data"]["score"] is None


def test_range_with_decimal_step():
    out = fill(load_form(RANGE), {"half": "2.5"})
    assert out["valid"] is True
    assert out["data"]["half"] == 2.5
    assert fill(load_form(RANGE), {"half": "2.25"})["valid"] is False


def test_range_defaults_are_one_to_ten_step_one():
    form = load_form(RANGE)
    assert fill(form, {"plain": "1"})["valid"] is True
    assert fill(form, {"plain": "10"})["valid"] is True
    assert fill(form, {"plain": "11"})["valid"] is False
    assert fill(form, {"plain": "0"})["valid"] is False


# --------------------------------------------------------------------------- selects


def test_select_one_stores_the_choice_name():
    out = fill(one("select_one yn", choices=YESNO), {"q": "yes"})
    assert out == {"valid": True, "errors": {}, "data": {"q": "yes"}, "notes": {}}


def test_select_one_refuses_a_value_not_in_the_list():
    out = fill(one("select_one yn", choices=YESNO), {"q": "maybe"})
    assert out["valid"] is False
    assert "maybe" in out["errors"]["q"]


def test_select_one_refuses_two_values():
    out = fill(one("select_one yn", choices=YESNO), {"q": "yes no"})
    assert out["valid"] is False
    assert "q" in out["errors"]


def test_select_one_choices_have_labels():
    form = one("select_one yn", choices=YESNO)
    session = FormSession(form)
    control = form.control("/data/q")
    choices = session.choices(control, session.node("/data/q"))
    assert [(c.value, c.label(None)) for c in choices] == [("yes", "是"), ("no", "否")]


def test_select_multiple_space_separated():
    out = fill(one("select_multiple fruit", choices=FRUIT), {"q": "apple peach"})
    assert out["valid"] is True
    assert out["data"]["q"] == "apple peach"


def test_select_multiple_refuses_any_value_not_in_the_list():
    out = fill(one("select_multiple fruit", choices=FRUIT), {"q": "apple banana"})
    assert out["valid"] is False
    assert "banana" in out["errors"]["q"]


def test_select_multiple_with_selected_and_count_selected():
    form = load_form(md(
        """
        | survey |
        |        | type                  | name  | label  | relevant                    | calculation          |
        |        | select_multiple fruit | likes | 喜欢    |                             |                      |
        |        | text                  | why   | 为何喜欢梨 | selected(${likes}, 'pear') |                      |
        |        | calculate             | n     |        |                             | count-selected(${likes}) |
        """
    ) + FRUIT)
    out = fill(form, {"likes": "apple pear", "why": "甜"})
    assert out["data"] == {"likes": "apple pear", "why": "甜", "n": 2}
    out = fill(form, {"likes": "apple", "why": "甜"})
    assert "why" not in out["data"]
    assert out["data"]["n"] == 1


def test_select_one_from_file_reads_a_csv_beside_the_workbook(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    (tmp_path / "villages.csv").write_text("name,label,town\nv1,东村,t1\nv2,西村,t1\nv3,南村,t2\n",
                                           encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", "label", "choice_filter"])
    ws.append(["text", "town", "乡镇", ""])
    ws.append(["select_one_from_file villages.csv", "village", "村", ""])
    ws.append(["select_one_from_file villages.csv", "village2", "本镇的村", "town=${town}"])
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["villages", "1"])
    path = tmp_path / "villages.xlsx"
    wb.save(path)

    form = load_form(path)
    session = FormSession(form)
    control = form.control("/data/village")
    assert [(c.value, c.label(None)) for c in session.choices(control, session.node("/data/village"))] == [
        ("v1", "东村"), ("v2", "西村"), ("v3", "南村")]
    assert fill(form, {"village": "v2"})["data"]["village"] == "v2"
    assert fill(form, {"village": "v9"})["valid"] is False
    out = fill(form, {"town": "t2", "village2": "v3"})
    assert out["valid"] is True
    out = fill(form, {"town": "t2", "village2": "v1"})
    assert out["valid"] is False
    assert "village2" in out["errors"]


def test_rank_keeps_the_order_given():
    form = one("rank fruit", choices=FRUIT)
    assert form.control("/data/q").qtype == "rank"
    out = fill(form, {"q": "peach apple pear"})
    assert out["valid"] is True
    assert out["data"]["q"] == "peach apple pear"


def test_rank_refuses_unknown_items():
    out = fill(one("rank fruit", choices=FRUIT), {"q": "peach mango"})
    assert out["valid"] is False


# --------------------------------------------------------------------------- dates and times


def test_date_is_an_iso_date():
    out = fill(one("date"), {"q": "2024-03-15"})
    assert out["valid"] is True
    assert out["data"]["q"] == "2024-03-15"


@pytest.mark.parametrize("bad", ["2024-02-30", "2023-13-01", "昨天", "15/03/2024x"])
def test_date_refuses_impossible_dates(bad):
    out = fill(one("date"), {"q": bad})
    assert out["valid"] is False
    assert "日期" in out["errors"]["q"]
    assert out["data"]["q"] is None


def test_date_leap_day():
    assert fill(one("date"), {"q": "2024-02-29"})["valid"] is True
    assert fill(one("date"), {"q": "2023-02-29"})["valid"] is False


def test_time_is_stored_with_seconds():
    out = fill(one("time"), {"q": "14:30"})
    assert out["valid"] is True
    assert out["data"]["q"].startswith("14:30:00")


@pytest.mark.parametrize("bad", ["25:00", "14:61", "下午两点"])
def test_time_refuses_impossible_times(bad):
    out = fill(one("time"), {"q": bad})
    assert out["valid"] is False
    assert "时间" in out["errors"]["q"]


def test_datetime_keeps_the_moment():
    out = fill(one("dateTime"), {"q": "2024-03-15T14:30:00+08:00"})
    assert out["valid"] is True
    stored = datetime.fromisoformat(out["data"]["q"])
    assert stored == datetime(2024, 3, 15, 14, 30, tzinfo=CST)


def test_datetime_refuses_garbage():
    out = fill(one("dateTime"), {"q": "2024-03-15 25:99"})
    assert out["valid"] is False
    assert "q" in out["errors"]


# --------------------------------------------------------------------------- geo, media, barcode


def test_geopoint_latitude_longitude_altitude_accuracy():
    out = fill(one("geopoint"), {"q": "30.25 120.16"})
    assert out["valid"] is True
    lat, lon, *rest = out["data"]["q"].split()
    assert (float(lat), float(lon)) == (30.25, 120.16)
    assert len(rest) == 2
    full = fill(one("geopoint"), {"q": "30.25 120.16 12 5"})["data"]["q"]
    assert [float(x) for x in full.split()] == [30.25, 120.16, 12, 5]


@pytest.mark.parametrize("bad", ["91 120", "30 181", "30", "北京"])
def test_geopoint_refuses_impossible_points(bad):
    out = fill(one("geopoint"), {"q": bad})
    assert out["valid"] is False
    assert "纬度" in out["errors"]["q"]


@pytest.mark.parametrize("type_", ["image", "audio", "file", "video"])
def test_media_questions_store_the_file_name(type_):
    form = one(type_)
    out = fill(form, {"q": "IMG_0001.jpg"})
    assert out["valid"] is True
    assert out["data"]["q"] == "IMG_0001.jpg"


@pytest.mark.parametrize("bad", ["../etc/passwd", "dir/photo.jpg", "C:\\photo.jpg"])
def test_media_questions_refuse_paths(bad):
    out = fill(one("image"), {"q": bad})
    assert out["valid"] is False
    assert "q" in out["errors"]


def test_media_question_kinds():
    assert one("image").control("/data/q").qtype == "image"
    assert one("audio").control("/data/q").qtype == "audio"
    assert one("file").control("/data/q").qtype == "file"


def test_barcode_is_text():
    out = fill(one("barcode"), {"q": "6901234567892"})
    assert out["valid"] is True
    assert out["data"]["q"] == "6901234567892", "a barcode is text: no number conversion"


# --------------------------------------------------------------------------- note, acknowledge


NOTE_FORM = md(
    """
    | survey |
    |        | type    | name  | label                |
    |        | text    | name  | 姓名                  |
    |        | note    | hello | 您好，${name}！         |
    """
)


def test_note_cannot_be_answered():
    out = fill(load_form(NOTE_FORM), {"name": "李四", "hello": "x"})
    assert out["valid"] is False
    assert "hello" in out["errors"]
    assert "hello" not in out["data"]


def test_note_is_not_in_the_data_and_shows_answers():
    form = load_form(NOTE_FORM)
    out = fill(form, {"name": "李四"})
    assert out == {"valid": True, "errors": {}, "data": {"name": "李四"}, "notes": {}}
    session = FormSession(form)
    session.set_value(session.node("/data/name"), "李四")
    label = session.label(form.control("/data/hello"), session.node("/data/hello"))
    assert label.strip() == "您好，李四！"
    assert form.control("/data/hello").qtype == "note"


def test_acknowledge_records_ok():
    form = one("acknowledge")
    assert form.control("/data/q").qtype == "acknowledge"
    assert fill(form, {"q": "OK"})["data"]["q"] == "OK"


def test_required_acknowledge_must_be_acknowledged():
    form = one("acknowledge", "required", "yes")
    assert fill(form, {})["valid"] is False
    assert fill(form, {"q": "OK"})["valid"] is True


# --------------------------------------------------------------------------- calculate, hidden


CALC = md(
    """
    | survey |
    |        | type      | name   | label | calculation          | default |
    |        | integer   | a      | A     |                      |         |
    |        | calculate | double |       | ${a} * 2             |         |
    |        | calculate | greet  |       | concat('第', ${a}, '户') |      |
    |        | hidden    | src    |       |                      | paper   |
    """
)


def test_calculate_is_in_the_data_by_name():
    out = fill(load_form(CALC), {"a": "21"})
    assert out["valid"] is True
    assert out["data"]["double"] == 42
    assert out["data"]["greet"] == "第21户"


def test_calculate_cannot_be_answered():
    out = fill(load_form(CALC), {"a": "1", "double": "99"})
    assert out["valid"] is False
    assert "double" in out["errors"]
    assert out["data"]["double"] == 2


def test_calculate_follows_the_answer_it_reads():
    form = load_form(CALC)
    session = FormSession(form)
    a = session.node("/data/a")
    session.set_value(a, "5")
    assert session.to_data()["double"] == 10
    session.set_value(a, "7")
    assert session.to_data()["double"] == 14
    assert fill(form, {})["data"]["greet"] == "第户"


def test_calculate_with_coalesce_copes_with_an_unanswered_question():
    form = load_form(md(
        """
        | survey |
        |        | type      | name  | label | calculation              |
        |        | integer   | a     | A     |                          |
        |        | calculate | safe  |       | coalesce(${a}, 0) + 1    |
        """
    ))
    assert fill(form, {})["data"]["safe"] == 1
    assert fill(form, {"a": 4})["data"]["safe"] == 5


def test_hidden_keeps_its_default():
    out = fill(load_form(CALC), {"a": "1"})
    assert out["data"]["src"] == "paper"


# --------------------------------------------------------------------------- metadata


META = md(
    """
    | survey |
    |        | type     | name    | label |
    |        | start    | started |       |
    |        | end      | ended   |       |
    |        | today    | day     |       |
    |        | deviceid | device  |       |
    |        | text     | x       | X     |
    """
)


def test_start_end_today_metadata():
    out = fill(load_form(META), {"x": "1"}, now=NOW)
    data = out["data"]
    assert out["valid"] is True
    assert data["day"] == "2026-11-23"
    assert datetime.fromisoformat(data["started"]) == NOW_DT
    assert datetime.fromisoformat(data["ended"]) == NOW_DT


def test_today_uses_the_local_date_of_now():
    late = datetime(2026, 11, 23, 23, 30, tzinfo=CST)
    early = datetime(2026, 11, 24, 1, 30, tzinfo=CST)  # still 23 Nov in UTC: the device's date counts
    assert fill(load_form(META), {}, now=lambda: late)["data"]["day"] == "2026-11-23"
    assert fill(load_form(META), {}, now=lambda: early)["data"]["day"] == "2026-11-24"


def test_end_is_when_filling_finishes():
    calls: list[datetime] = []

    def clock() -> datetime:
        calls.append(NOW_DT if not calls else NOW_DT + timedelta(minutes=20))
        return calls[-1]

    data = fill(load_form(META), {"x": "1"}, now=clock)["data"]
    assert datetime.fromisoformat(data["started"]) == NOW_DT
    assert datetime.fromisoformat(data["ended"]) == NOW_DT + timedelta(minutes=20)


def test_metadata_cannot_be_answered_by_hand():
    out = fill(load_form(META), {"started": "2020-01-01T00:00:00+08:00"}, now=NOW)
    assert datetime.fromisoformat(out["data"]["started"]) == NOW_DT


def test_deviceid_comes_from_the_device():
    session = FormSession(load_form(META), now=NOW, properties={"deviceid": "cunfang:abc123"})
    assert session.to_data()["device"] == "cunfang:abc123"


# --------------------------------------------------------------------------- groups and repeats


GROUPS = md(
    """
    | survey |
    |        | type        | name    | label | appearance | relevant       |
    |        | integer     | n       | 人数   |            |                |
    |        | begin group | house   | 住房   | field-list |                |
    |        | text        | address | 地址   |            |                |
    |        | begin group | inner   | 内层   |            | ${n} > 0       |
    |        | text        | door    | 门牌   |            |                |
    |        | end group   |         |       |            |                |
    |        | end group   |         |       |            |                |
    """
)


def test_group_field_list_appearance():
    form = load_form(GROUPS)
    house = form.control("/data/house")
    assert house.kind == "group"
    assert house.field_list
    assert [c.name for c in house.children] == ["address", "inner"]
    assert not form.control("/data/house/inner").field_list


def test_groups_are_flattened_in_the_data():
    out = fill(load_form(GROUPS), {"n": 2, "address": "幸福路", "door": "3号"})
    assert out == {"valid": True, "errors": {}, "data": {"n": 2, "address": "幸福路", "door": "3号"}, "notes": {}}


def test_group_answers_can_be_given_nested_by_name():
    session = FormSession(load_form(GROUPS))
    assert session.node("/data/house/inner/door") is not None
    assert session.set_value(session.node("/data/house/address"), "幸福路") is None
    assert session.to_data()["address"] == "幸福路"


REPEATS = md(
    """
    | survey |
    |        | type         | name    | label | repeat_count | calculation  |
    |        | integer      | nkids   | 子女数 |              |              |
    |        | begin repeat | kids    | 子女   | ${nkids}     |              |
    |        | text         | kname   | 姓名   |              |              |
    |        | integer      | kage    | 年龄   |              |              |
    |        | end repeat   |         |       |              |              |
    |        | begin repeat | visits  | 走访   |              |              |
    |        | date         | vday    | 日期   |              |              |
    |        | end repeat   |         |       |              |              |
    |        | calculate    | nvisits |       |              | count(${visits}) |
    """
)


def test_repeat_count_makes_that_many_instances():
    out = fill(load_form(REPEATS), {"nkids": 2, "kids": [{"kname": "大毛", "kage": 10}, {"kname": "二毛", "kage": 8}]})
    assert out["valid"] is True
    assert out["data"]["kids"] == [{"kname": "大毛", "kage": 10}, {"kname": "二毛", "kage": 8}]


def test_repeat_count_instances_exist_unanswered():
    out = fill(load_form(REPEATS), {"nkids": 3})
    assert out["data"]["kids"] == [{"kname": None, "kage": None}] * 3


def test_repeat_count_refuses_extra_instances():
    out = fill(load_form(REPEATS), {"nkids": 1, "kids": [{"kname": "a"}, {"kname": "b"}]})
    assert out["valid"] is False
    assert "kids" in out["errors"]
    assert out["data"]["kids"] == [{"kname": "a", "kage": None}]


def test_repeat_count_shrinks_when_the_count_changes():
    form = load_form(REPEATS)
    session = FormSession(form)
    nkids = session.node("/data/nkids")
    session.set_value(nkids, "3")
    assert len(session.repeat_instances("/data/kids")) == 3
    session.set_value(nkids, "1")
    assert len(session.repeat_instances("/data/kids")) == 1
    session.set_value(nkids, "")
    assert session.to_data()["kids"] == []


def test_free_repeat_as_many_as_answered():
    out = fill(load_form(REPEATS), {"visits": [{"vday": "2026-01-01"}, {"vday": "2026-02-01"}, {"vday": "2026-03-01"}]})
    assert out["valid"] is True
    assert [v["vday"] for v in out["data"]["visits"]] == ["2026-01-01", "2026-02-01", "2026-03-01"]
    assert out["data"]["nvisits"] == 3


def test_a_free_repeat_starts_with_one_instance_like_collect():
    out = fill(load_form(REPEATS), {})
    assert out["data"]["visits"] == [{"vday": None}]
    assert out["data"]["nvisits"] == 1


def test_an_empty_list_removes_every_repeat_instance():
    out = fill(load_form(REPEATS), {"visits": []})
    assert out["data"]["visits"] == []
    assert out["data"]["nvisits"] == 0


def test_errors_inside_repeats_are_keyed_by_position():
    out = fill(load_form(REPEATS), {"visits": [{"vday": "2026-01-01"}, {"vday": "2026-02-30"}]})
    assert out["valid"] is False
    assert list(out["errors"]) == ["visits[2]/vday"]


def test_repeat_add_and_remove_in_a_session():
    form = load_form(REPEATS)
    session = FormSession(form)
    first = session.repeat_instances("/data/visits")[0]
    second = session.add_repeat("/data/visits")
    session.set_value(session.node("/data/visits/vday", second), "2026-05-01")
    assert session.to_data()["nvisits"] == 2
    session.remove_repeat(first)
    assert session.to_data()["visits"] == [{"vday": "2026-05-01"}]
    assert session.to_data()["nvisits"] == 1


def test_repeat_answer_must_be_a_list():
    out = fill(load_form(REPEATS), {"visits": {"vday": "2026-01-01"}})
    assert out["valid"] is False
    assert "visits" in out["errors"]


def test_unknown_answer_name_is_reported():
    out = fill(load_form(REPEATS), {"nkdis": 2})
    assert out["valid"] is False
    assert "nkdis" in out["errors"]



# --------------------------------------------------------------------------- the device clock


@pytest.fixture
def process_in_utc(monkeypatch):
    """Run the engine in a process whose own time zone (UTC) differs from the device clock's (+08:00)."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


CLOCK = md(
    """
    | survey |
    |        | type      | name  | label | calculation                          |
    |        | today     | day   |       |                                      |
    |        | calculate | nowd  |       | format-date(now(), '%Y-%m-%d')       |
    |        | calculate | nowh  |       | format-date-time(now(), '%H:%M')     |
    """
)


def test_today_is_the_device_date(process_in_utc):
    early = datetime(2026, 11, 24, 1, 30, tzinfo=CST)
    assert fill(load_form(CLOCK), {}, now=lambda: early)["data"]["day"] == "2026-11-24"


def test_now_and_today_agree_on_the_device_clock(process_in_utc):
    early = datetime(2026, 11, 24, 1, 30, tzinfo=CST)
    data = fill(load_form(CLOCK), {}, now=lambda: early)["data"]
    assert data["nowd"] == data["day"] == "2026-11-24"
    assert data["nowh"] == "01:30"


def test_free_text_keeps_chinese_punctuation_and_reads_full_width_digits():
    """全角 punctuation is written Chinese and stays as typed; 全角 digits (an IME left in 全角 mode) become ASCII."""
    from app.forms.answers import parse_answer
    from app.forms.model import Control

    control = Control(kind="input", ref="/data/note", qtype="text")
    typed = "山区无信号，次日（周二）到乡镇；联系电话：１９９ ００００ １２３４。"
    value, problem = parse_answer(None, control, typed)
    assert problem is None
    assert value == "山区无信号，次日（周二）到乡镇；联系电话：199 0000 1234。"
