"""Dates, times and a few lexical corners as ODK Collect (JavaRosa) evaluates them on a device in its zone.

JavaRosa's rules (XPathFuncExpr.toDate / toDecimalDateTime, DateUtils.parseDateTime): date-time(n) is the
instant n days after 1970-01-01T00:00Z shown on the device's clock; decimal-date-time counts an instant's
days since that epoch (so a value with ``Z`` or an offset gives one number in every zone, a value without
one is read on the device's clock). The device's clock is the form session's (``now``); with none, this
computer's zone (checked in subprocesses with ``TZ``). The values were checked with JavaRosa itself under
TZ=Asia/Shanghai and TZ=America/Denver (tests/forms/javarosa/JrEval.java); JavaRosa prints a date-time's
string as its date only, we print the whole date-time (as Enketo), and JavaRosa reads "1 order" as
"1 or der" where we keep a misspelt operator a syntax error.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import textwrap
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from app.errors import FormCheckFailed
from app.forms.fill import fill
from app.forms.session import FormSession
from app.forms.xlsform import load_form
from app.forms.xpath import evaluate_standalone
from app.forms.xpath.compiler import Env

ROOT = Path(__file__).resolve().parents[2]
ZONES = {"China": 8, "UTC": 0, "Denver": -7}


def at(offset_hours: int):
    """Evaluate standalone on a device whose clock is in UTC+offset."""
    moment = datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=offset_hours)))
    env = Env(now=lambda: moment)

    def evaluate(expr: str):
        from app.forms.xpath.nodes import Node, document

        root = Node("data")
        env.primary, env.current = document(root), root
        return evaluate_standalone(expr, env)

    return evaluate


@pytest.mark.parametrize(("zone", "shown"), [
    ("China", "1970-01-01T08:00:00.000+08:00"),
    ("UTC", "1970-01-01T00:00:00.000+00:00"),
    ("Denver", "1969-12-31T17:00:00.000-07:00"),
])
def test_date_time_of_zero_is_the_epoch_instant_on_the_local_clock(zone, shown):
    """Before: 1970-01-01T00:00 on the local clock in every zone (eight hours off in China)."""
    evaluate = at(ZONES[zone])
    assert evaluate("string(date-time(0))") == shown
    assert evaluate("decimal-date-time(date-time(0))") == 0
    assert evaluate("decimal-date-time(date-time(1.5))") == 1.5


@pytest.mark.parametrize("zone", ZONES)
def test_decimal_date_time_with_an_offset_is_the_same_everywhere(zone):
    """Before: 18262.333 in China, 18261.708 in Denver for midnight UTC."""
    evaluate = at(ZONES[zone])
    assert evaluate("decimal-date-time('2020-01-01T00:00:00Z')") == 18262
    assert evaluate("decimal-date-time('2020-01-01T08:00:00.000+08:00')") == 18262
    assert evaluate("decimal-date-time('2020-01-01T08:00:00+08')") == 18262  # offset without minutes
    assert evaluate("decimal-date-time('2019-12-31T17:00:00-07:00')") == 18262


@pytest.mark.parametrize(("zone", "days"), [("China", 18262 - 8 / 24), ("UTC", 18262), ("Denver", 18262 + 7 / 24)])
def test_decimal_date_time_without_an_offset_is_read_on_the_local_clock(zone, days):
    evaluate = at(ZONES[zone])
    assert evaluate("decimal-date-time('2020-01-01T00:00:00')") == pytest.approx(days, abs=1e-9)
    assert evaluate("decimal-date-time('2020-01-01')") == pytest.approx(days, abs=1e-9)


DATETIMES = textwrap.dedent(
    """
    | survey |
    |        | type     | name   | label | calculation                       |
    |        | dateTime | a      | 甲    |                                   |
    |        | dateTime | b      | 乙    |                                   |
    |        | calculate| same   |       | ${a} = ${b}                       |
    |        | calculate| before | 甲早  | ${a} < ${b}                       |
    |        | calculate| day    |       | format-date(date(${b}), '%Y-%m-%d') |
    """
)


@pytest.mark.parametrize("zone", ZONES)
def test_date_times_compare_as_instants_across_offsets(zone):
    """Before: 10:00+08:00 and 02:00Z (one instant) were unequal; an offset without minutes was dropped."""
    form = load_form(DATETIMES)
    clock = datetime(2026, 1, 15, 10, 0, tzinfo=timezone(timedelta(hours=ZONES[zone])))
    session = FormSession(form, now=lambda: clock)
    a, b = session.node("/data/a"), session.node("/data/b")
    session.node("/data/a").value = "2026-01-01T10:00:00.000+08:00"
    session.node("/data/b").value = "2026-01-01T02:00:00.000Z"
    session.recompute_all()
    assert session.node("/data/same").value == "true"
    assert session.node("/data/before").value == "false"
    a.value, b.value = "2026-01-01T10:00:00.000+08:00", "2026-01-01T02:00:01.000Z"
    session.recompute_all()
    assert (session.node("/data/same").value, session.node("/data/before").value) == ("false", "true")
    b.value = "2026-01-01T23:00:00-05"  # 2026-01-02T04:00Z
    session.recompute_all()
    expected = {"China": "2026-01-02", "UTC": "2026-01-02", "Denver": "2026-01-01"}[zone]
    assert session.node("/data/day").value == expected


ZONE_SCRIPT = """
import json
from app.forms.xpath import evaluate_standalone as e
print(json.dumps([e("string(date-time(0))"), e("decimal-date-time('2020-01-01T00:00:00Z')"),
                  e("decimal-date-time('2020-01-01T00:00:00')"), e("format-date-time(date-time(0), '%H:%M')")]))
"""


@pytest.mark.parametrize(("tz", "expected"), [
    ("Asia/Shanghai", ["1970-01-01T08:00:00.000+08:00", 18262, 18262 - 8 / 24, "08:00"]),
    ("America/Denver", ["1969-12-31T17:00:00.000-07:00", 18262, 18262 + 7 / 24, "17:00"]),
    ("UTC", ["1970-01-01T00:00:00.000+00:00", 18262, 18262, "00:00"]),
])
def test_under_the_computers_own_zone(tz, expected):
    """With no session clock the computer's zone is the device's (TZ as on a laptop set to it)."""
    env = {**os.environ, "TZ": tz, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", ZONE_SCRIPT], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60, check=True).stdout
    shown, utc_days, local_days, clock = json.loads(out)
    assert [shown, clock] == [expected[0], expected[3]]
    assert utc_days == expected[1] and local_days == pytest.approx(expected[2], abs=1e-9)


@pytest.mark.parametrize(("expr", "value"), [
    ("1div1", 1), ("1 mod1", 0), ("7mod 3", 1), ("5 div2", 2.5), ("1and1", True), ("0or1", True),
])
def test_operators_glued_to_numbers_tokenize_as_in_javarosa(expr, value):
    assert evaluate_standalone(expr) == value


def test_a_misspelt_operator_is_still_a_syntax_error():
    from app.errors import CunFangError

    for expr in ("1 andd 2", "1 order"):
        with pytest.raises(CunFangError) as caught:
            evaluate_standalone(expr)
        assert "前面缺少运算符" in str(caught.value)


NUMBERS = textwrap.dedent(
    """
    | survey |
    |        | type      | name  | label | calculation | default |
    |        | decimal   | small | 小数  |             | 1.5E-7  |
    |        | decimal   | big   | 大数  |             |         |
    |        | calculate | twice |       | ${small} * 2 |        |
    |        | calculate | more  |       | ${big} + 1  |         |
    |        | calculate | text  |       | '1e3' + 1   |         |
    """
)


def test_numbers_with_exponents_given_as_strings():
    """A decimal written with an exponent (ODK Collect writes small decimals so) is a number, as JavaRosa's
    typed decimals are; a string literal with an exponent stays NaN in arithmetic, as in JavaRosa."""
    form = load_form(NUMBERS)
    out = fill(form, {"big": "2.5e3"})
    assert out["valid"], out["errors"]
    assert out["data"]["big"] == 2500 and out["data"]["more"] == 2501
    assert out["data"]["twice"] == pytest.approx(3e-7)
    assert out["data"]["text"] == "NaN"
    assert set(fill(form, {"big": "1e400"})["errors"]) == {"big"}


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("TRUE", True), ("True", True), ("1", True),
    (" true", False), ("true ", False), ("yes", False), ("0", False), ("", False), ("1.0", False),
])
def test_boolean_from_string_as_javarosa(text, value):
    """JavaRosa: equalsIgnoreCase("true") or equals("1"); before, spaces around were trimmed."""
    assert evaluate_standalone(f"boolean-from-string('{text}')") is value


def test_substring_argument_counts_inside_or_and():
    """A wrong count is a form error wherever the call sits, even where a short-circuit would skip it (ODK
    Validate then accepts the form, and Collect stops when the other side changes); right counts evaluate."""
    assert evaluate_standalone("substring('abc', 2) or false()") is True
    assert evaluate_standalone("false() or substring('abc', 1, 2) = 'ab'") is True
    assert evaluate_standalone("substring('abc', 4) and true()") is False
    assert evaluate_standalone("true() and substring('abc',1,1)='a' and substring('abc', 2)='bc'") is True
    for expr in ("true() or substring('abc')", "substring('abc', 1, 2, 3) and true()"):
        markdown = f"| survey |\n| | type | name | label | relevant |\n| | text | q | 问 | {expr} |\n"
        with pytest.raises(FormCheckFailed) as caught:
            load_form(markdown)
        assert "substring()" in str(caught.value.errors[0]) and "第 2 行" in str(caught.value.errors[0])
    assert math.isnan(evaluate_standalone("number('1.1e6')"))
