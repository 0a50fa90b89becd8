"""Forms we did not write (pyxform, ODK Collect, Enketo and JavaRosa test forms) give ODK's answers.

The forms, their sources and licences are in ``tests/forms/external/`` (see ``SOURCES.md``). Every expected
value below was worked out by hand from ODK semantics (the ODK XForms spec and JavaRosa's behaviour, which
ODK Collect uses; Enketo's own expectations where it tests the same form), not copied from the engine.

Where the engine wrongly rejects an XLSForm that pyxform and ODK accept, the load test is an
``xfail(strict=True)`` naming the bug, and the fill cases use the XForm that pyxform makes from the same
workbook (the form ODK Collect would run), so the engine's semantics are still checked.
"""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import datetime, timedelta, timezone
from functools import cache
from pathlib import Path

import pytest
from pyxform.xls2xform import convert

from app.forms.fill import fill
from app.forms.xlsform import FormCheckFailed, load_form

ROOT = Path(__file__).resolve().parents[2]
EXT = Path(__file__).resolve().parent / "external"
CST = timezone(timedelta(hours=8))
NOW_DT = datetime(2026, 11, 23, 10, 0, tzinfo=CST)


def NOW() -> datetime:
    return NOW_DT


ABSENT = object()  # the key must not be in the data (a non-relevant question)
REJECTED = pytest.fail.Exception  # an expected failure must be the engine's plain rejection, not a crash


# --------------------------------------------------------------------------- engine bugs (see the report)

BUG_LIST_NAME_HEADER = (
    "engine bug: a choices sheet headed 'list name' (pyxform's alias of list_name, used by "
    "pyxform's own examples) is not read, so every select is 'missing its choice list'"
)
BUG_SELECT_FROM = (
    "engine bug: 'select all that apply from LIST' is split as list 'from' (pyxform alias "
    "'select all that apply from')"
)
BUG_END_GROUP = (
    "engine bug: 'end_group' (underscore spelling pyxform accepts) is not recognised as closing a group"
)
BUG_REPEAT_RELEVANT_COUNT = (
    "engine bug: a repeat with both relevant and repeat_count is rejected as a circular "
    "reference rep(repeat_count) -> rep(relevant) -> rep(repeat_count); ODK/Enketo run it"
)
BUG_DYNAMIC_COUNT = (
    "engine bug: a repeat whose jr:count depends on count() of the same repeat (the 'add until "
    "the last one' idiom; JavaRosa smoke test ChildVaccinationTest) is rejected as a cycle"
)
BUG_OUTPUT_IN_CONSTRAINT_MSG = (
    "engine bug: a constraint message with ${ref} (itext <output value=.../>) is "
    "returned as raw XML instead of the referenced answer (JavaRosa "
    "FormEntryPrompt.getConstraintText -> substituteStringArgs)"
)
BUG_NESTED_COUNT = "engine bug: a nested repeat's jr:count / repeat_count never creates the inner instances"
BUG_CHOICE_NAME_OUTPUT = (
    "engine bug: jr:choice-name() of a choice whose label contains <output> gives '[…]' "
    "instead of the output's value (JavaRosa ChoiceNameFunctionHandler fillTemplateString)"
)


# --------------------------------------------------------------------------- helpers


@cache
def form(name: str):
    """The form as the engine loads it (cached: each external form is loaded once per run)."""
    return load_form(EXT / name)


@cache
def pyxform_xform(name: str, tmp: Path):
    """The XForm pyxform makes from an external XLSForm, loaded by the engine (the form Collect would run)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        xml = convert(xlsform=str(EXT / name), form_name="data").xform
    path = tmp / (Path(name).stem + ".xml")
    path.write_text(xml, encoding="utf-8")
    return load_form(path)


@pytest.fixture(scope="module")
def xform_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pyxform_xforms")


def match(actual, expected, where: str = "data") -> None:
    """``expected`` is a partial picture: listed keys must match (ABSENT: must be missing); lists fully."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{where}: {actual!r} is not an object"
        for key, value in expected.items():
            if value is ABSENT:
                assert key not in actual, (
                    f"{where}/{key} should be absent (non-relevant), got {actual[key]!r}"
                )
            else:
                assert key in actual, f"{where}/{key} missing from {sorted(actual)}"
                match(actual[key], value, f"{where}/{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), f"{where}: {actual!r}"
        for i, (a, e) in enumerate(zip(actual, expected, strict=True), start=1):
            match(a, e, f"{where}[{i}]")
    else:
        assert actual == expected, f"{where}: expected {expected!r}, got {actual!r}"


def check(result: dict, *, valid: bool, errors: dict, data: dict) -> None:
    """``errors`` maps every expected error key to a message fragment (or None: any message)."""
    assert set(result["errors"]) == set(errors), result["errors"]
    for key, fragment in errors.items():
        if fragment is not None:
            assert fragment in result["errors"][key], result["errors"][key]
    assert result["valid"] is valid
    match(result["data"], data)


def run_case(f, answers: dict, expect: dict, lang: str | None = None) -> None:
    check(fill(f, answers, now=NOW, lang=lang), **expect)


# --------------------------------------------------------------------------- every form loads

LOADS = [
    "choice_filter_test.xlsx",
    "xlsform_spec_test.xlsx",
    "tutorial.xls",
    "widgets.xls",
    "cascading_select_test_equivalent.xls",
    "field-list.xlsx",
    "external_csv_form.xml",
    "pull_data.xml",
    "validate.xml",
    "repeat-count.xml",
    "group-relevant-indexed-repeat.xml",
    "nested-repeat-count.xml",
    "jr-choice-name.xml",
    "repeat-count-relevant.xml",
    "child_vaccination_VOL_tool_v12.xml",
]


@pytest.mark.parametrize("name", LOADS)
def test_external_form_loads(name):
    try:
        form(name)
    except FormCheckFailed as exc:  # show every problem the engine reports
        pytest.fail(f"{name} rejected:\n{exc}")


@pytest.mark.parametrize(
    "name", ["tutorial.xls", "widgets.xls", "cascading_select_test_equivalent.xls", "field-list.xlsx"]
)
def test_pyxform_accepts_the_workbooks_the_engine_rejects(name, xform_dir):
    # The reference converter turns each into an XForm without complaint, and the engine runs that XForm.
    assert pyxform_xform(name, xform_dir).controls


def test_sources_list_every_external_file():
    listed = (EXT / "SOURCES.md").read_text(encoding="utf-8")
    for path in EXT.iterdir():
        if path.name != "SOURCES.md":
            assert f"`{path.name}`" in listed, f"{path.name} has no source/licence line in SOURCES.md"


# ------------------------------------------------------------------------ choice_filter_test.xlsx (pyxform)

CHOICE_FILTER_CASES = [
    # county is filtered by ${state}=cf and city only by ${county}=cf: 'king' exists for Texas too, and
    # seattle's cf is 'king', so Texas/King/Seattle is offered (the filter never looks at the state).
    pytest.param(
        {"state": "texas", "county": "king", "city": "seattle"},
        {"valid": True, "errors": {}, "data": {"state": "texas", "county": "king", "city": "seattle"}},
        id="duplicate-king-in-texas",
    ),
    # pierce has cf=washington, so it is not among Texas's counties; city stays empty and is not required.
    pytest.param(
        {"state": "texas", "county": "pierce"},
        {"valid": False, "errors": {"county": None}, "data": {"state": "texas", "city": None}},
        id="county-outside-filter",
    ),
    # brownsville has cf=cameron, not king: not offered for King county.
    pytest.param(
        {"state": "washington", "county": "king", "city": "brownsville"},
        {"valid": False, "errors": {"city": None}, "data": {"county": "king"}},
        id="city-outside-filter",
    ),
    # Nothing is required: an empty record is valid and every select is present but empty.
    pytest.param(
        {}, {"valid": True, "errors": {}, "data": {"state": None, "county": None, "city": None}}, id="empty"
    ),
]


@pytest.mark.parametrize(("answers", "expect"), CHOICE_FILTER_CASES)
def test_choice_filter_cascade(answers, expect):
    run_case(form("choice_filter_test.xlsx"), answers, expect)


# --------------------------------------------------------------------------- xlsform_spec_test.xlsx (pyxform)

SPEC_REPEAT_OK = [
    {"required_text": "x", "select_multiple_test": "yes", "list-nolabel-test": "yes"},
    {"required_text": "y", "list-nolabel-test": "no"},
]

SPEC_CASES = [
    # The group 'everything' has relevant not(selected(${skip_to_end}, 'yes')): answering yes makes the whole
    # group (the repeat with its required questions, and the start/end/today metadata inside it) non-relevant,
    # so nothing is required and only skip_to_end and launch (outside the group) remain.
    pytest.param(
        {"skip_to_end": "yes"},
        {
            "valid": True,
            "errors": {},
            "data": {
                "skip_to_end": "yes",
                "launch": None,
                "my_name": ABSENT,
                "repeat_test": ABSENT,
                "start": ABSENT,
                "calculate_test": ABSENT,
            },
        },
        id="skip-whole-group",
    ),
    # repeat_count 2 fixes two instances; each needs required_text (custom requiredMsg) and list-nolabel-test
    # (required TRUE). a_decimal 2.5 <= a_integer 3 holds. calculate 2+2 = 4; today is the date of now().
    pytest.param(
        {
            "skip_to_end": "no",
            "my_name": "Ann",
            "a_integer": 3,
            "a_decimal": 2.5,
            "repeat_test": SPEC_REPEAT_OK,
        },
        {
            "valid": True,
            "errors": {},
            "data": {
                "my_name": "Ann",
                "a_integer": 3,
                "a_decimal": 2.5,
                "calculate_test": 4,
                "today": "2026-11-23",
                "repeat_test": [
                    {"required_text": "x", "select_multiple_test": "yes"},
                    {"required_text": "y", "list-nolabel-test": "no"},
                ],
            },
        },
        id="complete",
    ),
    # Second instance lacks required_text: jr:requiredMsg "Custom required message." (no language variant).
    # The first instance picks yes and no together, violating not(selected(., 'yes') and selected(., 'no')).
    pytest.param(
        {
            "skip_to_end": "no",
            "my_name": "Ann",
            "repeat_test": [
                {"required_text": "x", "select_multiple_test": "yes no", "list-nolabel-test": "yes"},
                {"list-nolabel-test": "no"},
            ],
        },
        {
            "valid": False,
            "errors": {
                "repeat_test[1]/select_multiple_test": None,
                "repeat_test[2]/required_text": "Custom required message.",
            },
            "data": {"repeat_test": [{"select_multiple_test": "yes no"}, {"required_text": None}]},
        },
        id="required-message-and-constraint",
    ),
    # a_decimal's constraint is '. <= ${a_integer}' with a_integer empty: number('') is NaN and 2.5 <= NaN is
    # false (XPath 1.0), so ODK reports the constraint as violated (an empty answer itself is never checked).
    pytest.param(
        {"skip_to_end": "no", "a_decimal": 2.5, "repeat_test": SPEC_REPEAT_OK},
        {"valid": False, "errors": {"a_decimal": None}, "data": {"a_integer": None, "a_decimal": 2.5}},
        id="constraint-against-empty-number",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), SPEC_CASES)
def test_xlsform_spec_form(answers, expect):
    run_case(form("xlsform_spec_test.xlsx"), answers, expect)


def test_xlsform_spec_metadata_is_now():
    # start and end are jr:preload timestamps (start when opened, end when finalised): with a fixed now() both
    # are that instant; today is its date. The text is ISO 8601 with an offset; compare the instant.
    data = fill(
        form("xlsform_spec_test.xlsx"), {"skip_to_end": "no", "repeat_test": SPEC_REPEAT_OK}, now=NOW
    )["data"]
    assert datetime.fromisoformat(data["start"]) == NOW_DT
    assert datetime.fromisoformat(data["end"]) == NOW_DT
    assert data["today"] == "2026-11-23"


def test_xlsform_spec_languages():
    assert {"english", "chinese"} <= set(form("xlsform_spec_test.xlsx").languages)


@pytest.mark.parametrize(
    ("lang", "message"),
    [
        # constraint_message::english is "Sorry ${my_name}, you can't select yes and no.": answer filled in.
        ("english", "Sorry Ann, you can't select yes and no."),
        # constraint_message::chinese: 對不起 ${my_name}，你可以不選擇 ... (pyxform keeps the text, Ann filled in)
        ("chinese", "對不起 Ann，你可以不選擇"),
    ],
)
def test_xlsform_spec_constraint_message_fills_in_the_answer(lang, message):
    answers = {
        "skip_to_end": "no",
        "my_name": "Ann",
        "repeat_test": [
            {"required_text": "x", "select_multiple_test": "yes no", "list-nolabel-test": "yes"},
            SPEC_REPEAT_OK[1],
        ],
    }
    result = fill(form("xlsform_spec_test.xlsx"), answers, now=NOW, lang=lang)
    text = result["errors"]["repeat_test[1]/select_multiple_test"].strip()
    assert text.startswith(message), text
    assert "<output" not in text


# --------------------------------------------------------------------------- tutorial.xls (pyxform)

TUTORIAL_CASES = [
    # Member 1: female, 30 -> literate/pregnant relevant (female and 15 <= age <= 49). Member 2 is under five:
    # age_in_months is asked (constraint . <= 72, 80 violates it) and age_in_years is not, so its answer 3 is
    # ignored and absent.
    pytest.param(
        {
            "member": [
                {
                    "name": "A",
                    "relationship_to_household_head": "head",
                    "sex": "female",
                    "resident": "yes",
                    "stayed_last_night": "yes",
                    "older_than_five": "yes",
                    "age_in_years": 30,
                    "literate": "yes",
                    "pregnant": "no",
                },
                {"name": "B", "sex": "male", "older_than_five": "no", "age_in_months": 80, "age_in_years": 3},
            ]
        },
        {
            "valid": False,
            "errors": {"member[2]/age_in_months": None},
            "data": {
                "member": [
                    {
                        "name": "A",
                        "age_in_years": 30,
                        "literate": "yes",
                        "pregnant": "no",
                        "age_in_months": ABSENT,
                    },
                    {"name": "B", "age_in_months": 80, "age_in_years": ABSENT, "literate": ABSENT},
                ]
            },
        },
        id="months-constraint",
    ),
    # Relevance cascade per instance: a female under five has no age_in_years, and '' >= 15 is false, so
    # literate/pregnant are not asked; at 49 they are (bounds inclusive); at 50 they are not, and the literate
    # answer given is ignored. A member aged 4 in years violates . >= 5.
    pytest.param(
        {
            "member": [
                {"name": "C", "sex": "female", "older_than_five": "no", "age_in_months": 30},
                {
                    "name": "D",
                    "sex": "female",
                    "older_than_five": "yes",
                    "age_in_years": 49,
                    "literate": "no",
                },
                {
                    "name": "E",
                    "sex": "female",
                    "older_than_five": "yes",
                    "age_in_years": 50,
                    "literate": "no",
                },
                {"name": "F", "older_than_five": "yes", "age_in_years": 4},
            ]
        },
        {
            "valid": False,
            "errors": {"member[4]/age_in_years": None},
            "data": {
                "member": [
                    {"age_in_months": 30, "literate": ABSENT, "pregnant": ABSENT},
                    {"age_in_years": 49, "literate": "no", "pregnant": None},
                    {"age_in_years": 50, "literate": ABSENT, "pregnant": ABSENT},
                    {"age_in_years": 4, "sex": None},
                ]
            },
        },
        id="relevance-cascade",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), TUTORIAL_CASES)
def test_tutorial_household(answers, expect, xform_dir):
    run_case(pyxform_xform("tutorial.xls", xform_dir), answers, expect)


# --------------------------------------------------------------------------- widgets.xls (pyxform)

WIDGETS_CASES = [
    # Defaults fill the record (decimal 18.31, date 2010-06-15, select_multiple 'a c', select_one '8'). ODK
    # validates every answered question on finalising, defaults included: 2010-06-15 >= today() is false.
    pytest.param(
        {},
        {
            "valid": False,
            "errors": {"my_date": "only future dates allowed"},
            "data": {
                "my_decimal": 18.31,
                "my_date": "2010-06-15",
                "my_select": "a c",
                "my_select1": "8",
                "my_int": None,
                "my_trigger": None,
            },
        },
        id="defaults",
    ),
    # 12 < 10 false; 10.51 > 10.51 false; c and d together are forbidden: each with its jr:constraintMsg.
    # The trigger (acknowledge) records 'OK'; the date is after today, fine; my_select1 keeps its default.
    pytest.param(
        {"my_int": 12, "my_decimal": 10.51, "my_date": "2026-11-24", "my_select": "c d", "my_trigger": "OK"},
        {
            "valid": False,
            "errors": {
                "my_int": "number must be less than 10",
                "my_decimal": "number must be between 10.51 and 18.39",
                "my_select": "option c and d cannot be selected together",
            },
            "data": {"my_trigger": "OK", "my_select1": "8", "my_date": "2026-11-24"},
        },
        id="constraint-messages",
    ),
    # All within bounds; today (2026-11-23 at UTC+8) satisfies . >= today().
    pytest.param(
        {"my_int": 9, "my_decimal": 18.38, "my_date": "2026-11-23", "my_select": "b d", "my_select1": "3"},
        {
            "valid": True,
            "errors": {},
            "data": {
                "my_int": 9,
                "my_decimal": 18.38,
                "my_date": "2026-11-23",
                "my_select": "b d",
                "my_select1": "3",
            },
        },
        id="valid",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), WIDGETS_CASES)
def test_widgets(answers, expect, xform_dir):
    run_case(pyxform_xform("widgets.xls", xform_dir), answers, expect)


# ------------------------------------------------------------------ cascading_select_test_equivalent.xls

CASCADE_CASES = [
    # Nothing chosen: mylga_state falls through every if() to 'ERROR', and 'ERROR' matches no state, so mylga
    # is 'ERROR' too; the zone-specific state questions are not relevant.
    pytest.param(
        {},
        {
            "valid": True,
            "errors": {},
            "data": {"mylga_state": "ERROR", "mylga": "ERROR", "mylga_state_in_zone_1": ABSENT},
        },
        id="empty",
    ),
    # zone_2 -> state from zone 2 list -> LGA from state_4's list; the calculations pick the relevant branch.
    pytest.param(
        {"mylga_zone": "zone_2", "mylga_state_in_zone_2": "state_4", "mylga_lga_in_state_4": "lga_1"},
        {
            "valid": True,
            "errors": {},
            "data": {
                "mylga_state": "state_4",
                "mylga": "lga_1",
                "mylga_state_in_zone_1": ABSENT,
                "mylga_lga_in_state_1": ABSENT,
            },
        },
        id="zone2-state4",
    ),
    # zone_1 makes the zone-2 question non-relevant: its answer is ignored. The zone-1 state is empty, so
    # mylga_state is '' and mylga falls through to 'ERROR'.
    pytest.param(
        {"mylga_zone": "zone_1", "mylga_state_in_zone_2": "state_4"},
        {
            "valid": True,
            "errors": {},
            "data": {
                "mylga_state_in_zone_1": None,
                "mylga_state_in_zone_2": ABSENT,
                "mylga_state": None,
                "mylga": "ERROR",
            },
        },
        id="irrelevant-answer-ignored",
    ),
    # lga_5 belongs to state_3's list, not state_2's.
    pytest.param(
        {"mylga_zone": "zone_1", "mylga_state_in_zone_1": "state_2", "mylga_lga_in_state_2": "lga_5"},
        {"valid": False, "errors": {"mylga_lga_in_state_2": None}, "data": {"mylga_state": "state_2"}},
        id="lga-not-in-list",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), CASCADE_CASES)
def test_cascading_relevance(answers, expect, xform_dir):
    run_case(pyxform_xform("cascading_select_test_equivalent.xls", xform_dir), answers, expect)


def test_field_list_group_is_flattened(xform_dir):
    # One select inside a (field-list) group: data is by name, groups flattened; 'maybe' is not a choice.
    f = pyxform_xform("field-list.xlsx", xform_dir)
    run_case(
        f, {"table_list_question": "no"}, {"valid": True, "errors": {}, "data": {"table_list_question": "no"}}
    )
    run_case(
        f,
        {"table_list_question": "maybe"},
        {"valid": False, "errors": {"table_list_question": None}, "data": {}},
    )


# ------------------------------------------------------------------------ external_csv_form.xml (ODK Collect)

CSV_CASES = [
    pytest.param(
        {"country": "usa", "city": "nyc", "neighborhood": "harlem"},
        {"valid": True, "errors": {}, "data": {"country": "usa", "city": "nyc", "neighborhood": "harlem"}},
        id="usa-nyc-harlem",
    ),
    # cities.csv: nyc has country=usa, so it is not offered for nl. The neighbourhood is empty (not required).
    pytest.param(
        {"country": "nl", "city": "nyc"},
        {"valid": False, "errors": {"city": None}, "data": {"neighborhood": None}},
        id="city-of-another-country",
    ),
    # 'haven' is listed twice (nl/rot and nl/dro); filtering on country and city keeps the dro row.
    pytest.param(
        {"country": "nl", "city": "dro", "neighborhood": "haven"},
        {"valid": True, "errors": {}, "data": {"city": "dro", "neighborhood": "haven"}},
        id="duplicate-name-other-city",
    ),
    # harlem's city is nyc, not la.
    pytest.param(
        {"country": "usa", "city": "la", "neighborhood": "harlem"},
        {"valid": False, "errors": {"neighborhood": None}, "data": {"city": "la"}},
        id="neighbourhood-of-another-city",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), CSV_CASES)
def test_external_csv_cascade(answers, expect):
    run_case(form("external_csv_form.xml"), answers, expect)


def test_pulldata_reads_the_csv():
    # pulldata('fruits', 'name', 'name_key', 'mango'): fruits.csv's row whose name_key is mango -> 'Mango'.
    run_case(form("pull_data.xml"), {}, {"valid": True, "errors": {}, "data": {"fruit": "Mango"}})


# --------------------------------------------------------------------------- validate.xml (ODK Collect)


@pytest.mark.parametrize(
    ("answers", "days"),
    [
        # year defaults to 2019 in the instance: decimal-date-time('2019-01-01') = days since 1970-01-01 =
        # 49 * 365 + 12 leap days (1972..2016) = 17897.
        pytest.param({}, 17897, id="default-2019"),
        pytest.param({"year": 2020}, 18262, id="2020"),  # 17897 + 365 (2019 is not a leap year)
        pytest.param({"year": 2024}, 19723, id="2024"),  # 18262 + 366 + 3 * 365
        pytest.param({"year": 1969}, -365, id="before-epoch"),  # 1969 has 365 days
    ],
)
def test_decimal_date_time_of_concat(answers, days):
    result = fill(form("validate.xml"), answers, now=NOW)
    assert result["valid"] is True and result["errors"] == {}
    # JavaRosa reads '2019-01-01' as local midnight and counts the instant's days since 1970-01-01T00:00Z:
    # on a device in China (the session's clock, UTC+8) that is 8 hours less than the whole days.
    assert float(result["data"]["result"]) == pytest.approx(days - 8 / 24, abs=1e-9)


# --------------------------------------------------------------------------- repeat-count.xml (Enketo)

REPEAT_COUNT_CASES = [
    # count defaults to 2 -> rep_count 2 -> two instances, each with the template's default num=5.
    pytest.param(
        {},
        {
            "valid": True,
            "errors": {},
            "data": {
                "count": 2,
                "rep": [{"txt": None, "num": 5}, {"txt": None, "num": 5}],
                "sum_note": 2,
                "txtsum_note": 2,
            },
        },
        id="default-count",
    ),
    # Three instances; answers go to the first two, the third keeps its default; count() sees all three.
    pytest.param(
        {"count": 3, "rep": [{"txt": "a"}, {"num": 7}]},
        {
            "valid": True,
            "errors": {},
            "data": {
                "rep": [{"txt": "a", "num": 5}, {"txt": None, "num": 7}, {"txt": None, "num": 5}],
                "sum_note": 3,
                "txtsum_note": 3,
            },
        },
        id="three",
    ),
    pytest.param({"count": 0}, {"valid": True, "errors": {}, "data": {"rep": [], "sum_note": 0}}, id="zero"),
    # The count fixes the instances at 1: the second answer set has nowhere to go (reported on the repeat).
    pytest.param(
        {"count": 1, "rep": [{"txt": "a"}, {"txt": "b"}]},
        {"valid": False, "errors": {"rep": None}, "data": {"rep": [{"txt": "a", "num": 5}], "sum_note": 1}},
        id="more-answers-than-count",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), REPEAT_COUNT_CASES)
def test_repeat_count_from_question(answers, expect):
    run_case(form("repeat-count.xml"), answers, expect)


def test_repeat_count_calculate_copies_the_count():
    # rep_count = /count (a string-typed calculate); compare the text.
    assert str(fill(form("repeat-count.xml"), {"count": 4}, now=NOW)["data"]["rep_count"]) == "4"


# ------------------------------------------------------------------------ group-relevant-indexed-repeat.xml

INDEXED_CASES = [
    # No procedure instances (template only). TUMTYP is required. LYMPHNODES needs indexed-repeat(PROC, 1) = 6
    # or indexed-repeat(PROC, 2) = 6: both empty -> not relevant -> LYMNDISS absent.
    pytest.param(
        {},
        {"valid": False, "errors": {"TUMTYP": None}, "data": {"PROC_GRID": [], "LYMNDISS": ABSENT}},
        id="empty",
    ),
    # Second procedure is 6 (sentinel lymph node dissection) -> the lymph node group is relevant.
    pytest.param(
        {"PROC_GRID": [{"PROC": "1"}, {"PROC": "6"}], "TUMTYP": "1", "LYMNDISS": "1"},
        {"valid": True, "errors": {}, "data": {"PROC_GRID": [{"PROC": "1"}, {"PROC": "6"}], "LYMNDISS": "1"}},
        id="second-is-6",
    ),
    # Only instances 1 and 2 are looked at: a 6 in the third does not make the group relevant.
    pytest.param(
        {"PROC_GRID": [{"PROC": "1"}, {"PROC": "1"}, {"PROC": "6"}], "TUMTYP": "1", "LYMNDISS": "1"},
        {"valid": True, "errors": {}, "data": {"LYMNDISS": ABSENT}},
        id="third-is-6",
    ),
    # PROC is required in every instance.
    pytest.param(
        {"PROC_GRID": [{}], "TUMTYP": "1"},
        {"valid": False, "errors": {"PROC_GRID[1]/PROC": None}, "data": {"LYMNDISS": ABSENT}},
        id="required-in-repeat",
    ),
]


@pytest.mark.parametrize(("answers", "expect"), INDEXED_CASES)
def test_indexed_repeat_relevance(answers, expect):
    run_case(form("group-relevant-indexed-repeat.xml"), answers, expect)


# --------------------------------------------------------------------------- nested-repeat-count.xml (Enketo)


def test_top_level_repeat_count_and_position():
    # top-level-count = 2 -> two instances; top-level-position = concat(local-name(..), ': ', position(..));
    # nested-count = ../../top-level-count + 1 = 3 in each.
    data = fill(form("nested-repeat-count.xml"), {}, now=NOW)["data"]
    match(
        data,
        {
            "top-level": [
                {"top-level-position": "top-level: 1", "nested-count": 3},
                {"top-level-position": "top-level: 2", "nested-count": 3},
            ]
        },
    )


def test_nested_repeat_counts():
    # Enketo's own test of this form (repeat.spec.js) expects 2 top-level, 3 nested in each, 5 deep-nested in
    # each nested: jr:count="../nested-count" (3) and "../deep-nested-count" = ../../nested-count + 2 = 5.
    data = fill(form("nested-repeat-count.xml"), {}, now=NOW)["data"]
    tops = data["top-level"]
    assert [len(t["nested"]) for t in tops] == [3, 3]
    assert [len(n["deep-nested"]) for t in tops for n in t["nested"]] == [5] * 6
    assert tops[1]["nested"][2]["nested-position"] == "top-level: 2 › nested: 3"
    assert (
        tops[0]["nested"][0]["deep-nested"][4]["deep-nested-position"]
        == "top-level: 1 › nested: 1 › deep-nested: 5"
    )


# --------------------------------------------------------------------------- jr-choice-name.xml (Enketo)


def test_choice_name_form_defaults():
    data = fill(form("jr-choice-name.xml"), {}, now=NOW)["data"]
    assert data["input"] == "Default Value" and data["translator"] == "clinic"


@pytest.mark.parametrize(
    ("answers", "label"),
    [
        # The 'clinic' label is "[<output value=/input/>] Area": Enketo's test of this form expects
        # "[Default Value] Area" for both the absolute and the relative call.
        pytest.param({}, "[Default Value] Area", id="default"),
        # input is answered before translator, so the calculation (triggered by translator) sees it.
        pytest.param({"input": "abc", "translator": "health_center"}, "[abc] Health Center", id="answered"),
    ],
)
def test_choice_name_fills_outputs_in_the_label(answers, label):
    data = fill(form("jr-choice-name.xml"), answers, now=NOW)["data"]
    assert data["output"] == label
    assert data["output-relative"] == label


# ------------------------------------------------------------------------ repeat-count-relevant.xml (Enketo)


@pytest.mark.parametrize(
    ("answers", "expect"),
    [
        # q1 = 2: the repeat is relevant (q1 > 0) with two instances; q2 is required in each.
        pytest.param(
            {"q1": 2, "rep": [{"q2": "a"}, {}]},
            {
                "valid": False,
                "errors": {"rep[2]/q2": None},
                "data": {"q1": 2, "rep": [{"q2": "a"}, {"q2": None}]},
            },
            id="two",
        ),
        # q1 = 0: the repeat is not relevant, so its required q2 does not apply and it is absent.
        pytest.param({"q1": 0}, {"valid": True, "errors": {}, "data": {"q1": 0, "rep": ABSENT}}, id="zero"),
    ],
)
def test_repeat_with_relevant_and_count(answers, expect):
    run_case(form("repeat-count-relevant.xml"), answers, expect)


# --------------------------------------------------------------------------- the CLI contract


def test_cli_fill_prints_the_json_contract(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"count": 3, "rep": [{"txt": "甲"}, {"num": 7}]}, ensure_ascii=False), encoding="utf-8"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "forms",
            "fill",
            str(EXT / "repeat-count.xml"),
            "--answers",
            str(answers),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"valid", "errors", "data", "notes"}
    assert out["valid"] is True and out["errors"] == {}
    # Numbers are JSON numbers; the repeat is a list of objects; defaults fill the unanswered instance.
    assert out["data"]["count"] == 3 and out["data"]["sum_note"] == 3
    assert out["data"]["rep"] == [{"txt": "甲", "num": 5}, {"txt": None, "num": 7}, {"txt": None, "num": 5}]


def test_cli_check_accepts_an_external_form():
    proc = subprocess.run(
        [sys.executable, "-m", "app.cli", "forms", "check", str(EXT / "external_csv_form.xml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
