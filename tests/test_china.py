"""Resident ID numbers (GB 11643) and mobile numbers, in Python and inside forms."""

from __future__ import annotations

import textwrap
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.china import id_check_char, id_problem, id_valid, make_id, mask_id, mobile_valid
from app.forms.fill import fill
from app.forms.xlsform import load_form
from app.forms.xpath import evaluate_standalone

CST = timezone(timedelta(hours=8))
NOW_DT = datetime(2026, 11, 23, 10, 0, tzinfo=CST)
TODAY = NOW_DT.date()
LENGTH_MESSAGE = "身份证号应为18位"


def NOW() -> datetime:
    return NOW_DT


def md(text: str) -> str:
    return textwrap.dedent(text)


regions = st.integers(min_value=0, max_value=999_999).map(lambda n: f"{n:06d}")
births = st.dates(min_value=date(1900, 1, 1), max_value=date(2020, 12, 31))
sequences = st.integers(min_value=0, max_value=999)
ids = st.builds(make_id, regions, births, sequences)

FAST = settings(max_examples=150, deadline=None)
FORM_SPEED = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# A real-looking published example (GB 11643 annex): born 1949-12-31, female.
SAMPLE = "11010519491231002X"


# --------------------------------------------------------------------------- ID numbers


@FAST
@given(ids)
def test_generated_ids_are_valid(id_number):
    assert len(id_number) == 18
    assert id_valid(id_number, today=TODAY)
    assert id_problem(id_number, today=TODAY) is None


@FAST
@given(ids, st.integers(min_value=0, max_value=16), st.integers(min_value=1, max_value=9))
def test_changing_any_one_body_digit_makes_the_id_invalid(id_number, position, shift):
    digit = (int(id_number[position]) + shift) % 10
    changed = id_number[:position] + str(digit) + id_number[position + 1:]
    assert changed != id_number
    assert not id_valid(changed, today=TODAY)
    assert id_problem(changed, today=TODAY)


@FAST
@given(ids, st.sampled_from("0123456789X"))
def test_a_wrong_check_character_makes_the_id_invalid(id_number, check):
    if check == id_number[17]:
        return
    changed = id_number[:17] + check
    assert not id_valid(changed, today=TODAY)
    assert "校验位" in id_problem(changed, today=TODAY)


@FAST
@given(ids)
def test_lower_case_x_is_accepted(id_number):
    assert id_valid(id_number.lower(), today=TODAY)


@FAST
@given(ids)
def test_full_width_digits_are_accepted(id_number):
    full_width = id_number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert id_valid(full_width, today=TODAY)


@FAST
@given(ids, st.sampled_from([15, 17, 19]))
def test_wrong_lengths_are_rejected_with_the_length_message(id_number, length):
    text = (id_number + "1")[:length]
    assert not id_valid(text, today=TODAY)
    problem = id_problem(text, today=TODAY)
    assert LENGTH_MESSAGE in problem
    assert str(length) in problem


def test_check_character_of_the_published_example():
    assert id_check_char(SAMPLE[:17]) == "X"
    assert id_valid(SAMPLE, today=TODAY)


def test_check_character_ten_is_x():
    body = next(f"11010519800101{n:03d}" for n in range(1000) if id_check_char(f"11010519800101{n:03d}") == "X")
    assert make_id(body[:6], date(1980, 1, 1), int(body[14:])).endswith("X")


def test_february_30_is_rejected_even_with_a_correct_check_character():
    body = "110105" + "19900230" + "123"
    id_number = body + id_check_char(body)
    assert not id_valid(id_number, today=TODAY)
    assert "出生日期" in id_problem(id_number, today=TODAY)


def test_birth_date_after_today_is_rejected():
    tomorrow = make_id("110105", TODAY + timedelta(days=1), 1)
    assert not id_valid(tomorrow, today=TODAY)
    assert id_valid(make_id("110105", TODAY, 1), today=TODAY)


def test_unknown_region_code_is_still_valid():
    assert id_valid(make_id("999999", date(1980, 5, 17), 42), today=TODAY)


def test_letters_in_the_body_are_rejected():
    assert not id_valid("11010519491231A02X", today=TODAY)
    assert "数字" in id_problem("11010519491231A02X", today=TODAY)


def test_spaces_are_ignored():
    assert id_valid("110105 19491231 002X", today=TODAY)


def test_masking_keeps_the_ends():
    assert mask_id(SAMPLE) == "1101**********002X"
    assert mask_id(SAMPLE.lower()) == "1101**********002X"


# --------------------------------------------------------------------------- ID functions in forms


ID_FORM = load_form(md(
    """
    | survey |
    |        | type      | name  | label  | constraint        | constraint_message | calculation                     |
    |        | text      | id    | 身份证号 | cn-id-valid(.)    | 身份证号不正确       |                                 |
    |        | calculate | sex   |        |                   |                    | cn-id-sex(${id})                |
    |        | calculate | born  |        |                   |                    | cn-id-birthdate(${id})          |
    |        | calculate | age   |        |                   |                    | cn-id-age(${id})                |
    |        | calculate | age20 |        |                   |                    | cn-id-age(${id}, '2020-01-01')  |
    |        | calculate | old   |        |                   |                    | if(cn-id-age(${id}) >= 60, '老人', '') |
    |        | date      | bday  | 生日    |                   |                    |                                 |
    |        | calculate | years |        |                   |                    | age(${bday})                    |
    """
))


def full_years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@FORM_SPEED
@given(regions, births, sequences)
def test_sex_birthdate_and_age_in_a_form(region, born, seq):
    id_number = make_id(region, born, seq)
    out = fill(ID_FORM, {"id": id_number}, now=NOW)
    assert out["valid"] is True, out["errors"]
    data = out["data"]
    assert data["sex"] == ("1" if seq % 2 else "2")
    assert data["born"] == born.isoformat()
    assert data["age"] == full_years(born, TODAY)
    assert data["old"] == ("老人" if full_years(born, TODAY) >= 60 else None), "an empty result is null"


def test_the_published_example_in_a_form():
    data = fill(ID_FORM, {"id": SAMPLE}, now=NOW)["data"]
    assert data["sex"] == "2"
    assert data["born"] == "1949-12-31"
    assert data["age"] == 76
    assert data["age20"] == 70
    assert data["old"] == "老人"


def test_an_invalid_id_fails_the_constraint_and_gives_no_sex():
    out = fill(ID_FORM, {"id": SAMPLE[:17] + "1"}, now=NOW)
    assert out["errors"] == {"id": "身份证号不正确"}
    assert out["data"]["sex"] is None
    assert out["data"]["born"] is None
    assert out["data"]["age"] in (None, "NaN")


def test_age_is_full_years_on_the_birthday():
    born = date(1966, 11, 23)
    assert fill(ID_FORM, {"id": make_id("330106", born, 7)}, now=NOW)["data"]["age"] == 60
    born = date(1966, 11, 24)
    assert fill(ID_FORM, {"id": make_id("330106", born, 7)}, now=NOW)["data"]["age"] == 59


def test_age_of_a_date_answer():
    assert fill(ID_FORM, {"bday": "1956-11-23"}, now=NOW)["data"]["years"] == 70
    assert fill(ID_FORM, {"bday": "1956-11-24"}, now=NOW)["data"]["years"] == 69


@pytest.mark.parametrize(("expr", "expected"), [
    ("cn-id-valid('11010519491231002x')", True),
    ("cn-id-valid('110105194912310021')", False),
    ("cn-id-sex('11010519491231002X')", "2"),
    ("cn-id-sex('110105194912310021')", ""),
    ("string(cn-id-birthdate('11010519491231002X'))", "1949-12-31"),
    ("cn-id-age('11010519491231002X', '2019-12-31')", 70),
    ("cn-id-age('11010519491231002X', '2019-12-30')", 69),
    ("age('2000-02-29', '2021-02-28')", 20),
    ("age('2000-02-29', '2021-03-01')", 21),
    ("age(date('1990-06-15'), date('2020-06-15'))", 30),
])
def test_china_functions_standalone(expr, expected):
    assert evaluate_standalone(expr) == expected


# --------------------------------------------------------------------------- mobile numbers


@pytest.mark.parametrize("number", [
    "13800138000",
    "19912345678",
    "16612345678",
    "138 0013 8000",
    "138-0013-8000",
    "+8613800138000",
    "+86 138 0013 8000",
    "008613800138000",
    "8613800138000",
    "１３８００１３８０００",
])
def test_valid_mobile_numbers(number):
    assert mobile_valid(number)
    assert evaluate_standalone(f"cn-mobile-valid('{number}')") is True


@pytest.mark.parametrize("number", [
    "",
    "1380013800",
    "138001380001",
    "12800138000",
    "10012345678",
    "23800138000",
    "+85213800138000",
    "+861380013800",
    "1380013800a",
    "01088886666",
])
def test_invalid_mobile_numbers(number):
    assert not mobile_valid(number)
    assert evaluate_standalone(f"cn-mobile-valid('{number}')") is False


@FAST
@given(st.sampled_from("3456789"), st.text(alphabet="0123456789", min_size=9, max_size=9))
def test_any_eleven_digit_number_starting_1_then_3_to_9_is_valid(second, rest):
    assert mobile_valid(f"1{second}{rest}")
    assert mobile_valid(f"+861{second}{rest}")
    assert not mobile_valid(f"1{second}{rest}0"), "12 digits"


def test_mobile_constraint_in_a_form():
    form = load_form(md(
        """
        | survey |
        |        | type | name  | label | constraint         | constraint_message |
        |        | text | phone | 手机号 | cn-mobile-valid(.) | 手机号不正确         |
        """
    ))
    assert fill(form, {"phone": "+86 138 0013 8000"})["valid"] is True
    assert fill(form, {"phone": "138001380001"})["errors"] == {"phone": "手机号不正确"}
