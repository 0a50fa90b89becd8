"""A form author's mistakes: each one is found, located and explained in Chinese."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.errors import ErrorCode
from app.forms.xlsform import FormCheckFailed, load_form

ROOT = Path(__file__).resolve().parents[2]
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def md(text: str) -> str:
    return textwrap.dedent(text)


def problems(text: str) -> list:
    with pytest.raises(FormCheckFailed) as info:
        load_form(md(text))
    errors = info.value.errors
    assert errors, "a failed check lists at least one problem"
    for err in errors:
        message = str(err)
        assert CHINESE.search(message), message
        assert "Traceback" not in message
    return errors


def only(text: str):
    errors = problems(text)
    assert len(errors) == 1, [str(e) for e in errors]
    return errors[0]


def where(err) -> tuple:
    return err.code, err.sheet, err.row, err.column, err.question


# --------------------------------------------------------------------------- names


def test_duplicate_name():
    err = only(
        """
        | survey |
        |        | type    | name | label |
        |        | integer | age  | 年龄   |
        |        | text    | age  | 年龄？ |
        """
    )
    assert where(err) == (ErrorCode.FORM_DUPLICATE_NAME, "survey", 3, "name", "age")
    assert "age" in str(err)
    assert "第 2 行" in str(err), "the message points at the other row too"


def test_duplicate_name_in_different_groups():
    # groups are flattened in the data, so names must be unique in the whole form
    err = only(
        """
        | survey |
        |        | type        | name | label |
        |        | integer     | age  | 年龄   |
        |        | begin group | g    | 组     |
        |        | integer     | age  | 年龄   |
        |        | end group   |      |       |
        """
    )
    assert where(err) == (ErrorCode.FORM_DUPLICATE_NAME_IN_GROUPS, "survey", 4, "name", "age")
    assert "ODK 允许" in str(err) and "第 2 行" in str(err), "says why we differ from ODK, and where the other is"


# --------------------------------------------------------------------------- references


def test_reference_to_a_missing_question():
    err = only(
        """
        | survey |
        |        | type    | name | label | relevant     |
        |        | integer | age  | 年龄   |              |
        |        | text    | note | 说明   | ${agee} > 60 |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNKNOWN_REF, "survey", 3, "relevant", "note")
    assert "agee" in str(err)


@pytest.mark.parametrize("column", ["constraint", "calculation", "required", "choice_filter", "label",
                                    "hint", "constraint_message", "default", "repeat_count"])
def test_reference_to_a_missing_question_in_any_column(column):
    type_ = {"choice_filter": "select_one yn", "repeat_count": "begin repeat"}.get(column, "text")
    value = "name = ${nope}" if column == "choice_filter" else "${nope}"
    if column == "label":
        header, first, row = "| type | name | label |", "| text | x | X |", f"| text | q | {value} |"
    else:
        header = f"| type | name | label | {column} |"
        first, row = "| text | x | X | |", f"| {type_} | q | Q | {value} |"
    end = "|  | end repeat | | | |\n" if column == "repeat_count" else ""
    err = only(f"| survey |\n|  {header}\n|  {first}\n|  {row}\n{end}"
               "| choices |\n| | list_name | name | label |\n| | yn | 1 | 是 |\n")
    assert where(err) == (ErrorCode.FORM_UNKNOWN_REF, "survey", 3, column, "q")
    assert "nope" in str(err)


def test_reference_in_a_translated_column_names_that_column():
    err = only(
        """
        | survey |
        |        | type | name | label::中文 (zh) | hint::中文 (zh) |
        |        | text | q    | 问题              | 参见 ${nope}     |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNKNOWN_REF, "survey", 2, "hint::中文 (zh)", "q")


# --------------------------------------------------------------------------- choices


def test_missing_choice_list():
    err = only(
        """
        | survey |
        |        | type             | name | label |
        |        | select_one yesno | ok   | 好吗   |
        | choices |
        |         | list_name | name | label |
        |         | yn        | 1    | 是     |
        """
    )
    assert where(err) == (ErrorCode.FORM_MISSING_CHOICES, "survey", 2, "type", "ok")
    assert "yesno" in str(err)


def test_missing_choice_list_without_a_choices_sheet():
    err = only(
        """
        | survey |
        |        | type                    | name | label |
        |        | text                    | a    | A     |
        |        | select_multiple fruits  | f    | 水果   |
        """
    )
    assert where(err) == (ErrorCode.FORM_MISSING_CHOICES, "survey", 3, "type", "f")


def test_select_one_without_a_list_name():
    err = only(
        """
        | survey |
        |        | type       | name | label |
        |        | select_one | ok   | 好吗   |
        """
    )
    assert err.row == 2
    assert err.column == "type"
    assert err.question == "ok"


# --------------------------------------------------------------------------- groups and repeats


def test_unclosed_group():
    err = only(
        """
        | survey |
        |        | type        | name  | label |
        |        | integer     | age   | 年龄   |
        |        | begin group | house | 住房   |
        |        | text        | addr  | 地址   |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNCLOSED_GROUP, "survey", 3, "type", "house")
    assert "end group" in str(err)


def test_unclosed_repeat():
    err = only(
        """
        | survey |
        |        | type         | name | label |
        |        | begin repeat | kids | 子女   |
        |        | text         | kid  | 姓名   |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNCLOSED_REPEAT, "survey", 2, "type", "kids")
    assert "end repeat" in str(err)


def test_the_outer_block_is_reported_when_an_end_closes_the_inner_one():
    err = only(
        """
        | survey |
        |        | type         | name  | label |
        |        | begin repeat | kids  | 子女   |
        |        | begin group  | inner | 内层   |
        |        | text         | kid   | 姓名   |
        |        | end group    |       |       |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNCLOSED_REPEAT, "survey", 2, "type", "kids")


def test_extra_end_group():
    err = only(
        """
        | survey |
        |        | type      | name | label |
        |        | text      | t    | T     |
        |        | end group |      |       |
        """
    )
    assert where(err)[:4] == (ErrorCode.FORM_UNMATCHED_END, "survey", 3, "type")
    assert "end group" in str(err)


def test_extra_end_repeat_after_a_closed_group():
    err = only(
        """
        | survey |
        |        | type        | name | label |
        |        | begin group | g    | G     |
        |        | text        | t    | T     |
        |        | end group   |      |       |
        |        | end repeat  |      |       |
        """
    )
    assert where(err)[:4] == (ErrorCode.FORM_UNMATCHED_END, "survey", 5, "type")


# --------------------------------------------------------------------------- expressions


@pytest.mark.parametrize(("expr", "column", "code"), [
    ("${age} >> 3", "constraint", ErrorCode.XPATH_SYNTAX),
    ("(${age} > 3", "constraint", ErrorCode.XPATH_SYNTAX),
    ("${age} > 3)", "constraint", ErrorCode.XPATH_SYNTAX),
    ("concat('a', 'b'", "calculation", ErrorCode.XPATH_SYNTAX),
    ("'abc", "relevant", ErrorCode.XPATH_SYNTAX),
    (". == 3", "constraint", ErrorCode.XPATH_SYNTAX),
    (". > 1 && . < 3", "constraint", ErrorCode.XPATH_SYNTAX),
    ("if(1, 2)", "calculation", ErrorCode.FORM_BAD_ARGS),
    ("substr('a')", "calculation", ErrorCode.FORM_BAD_ARGS),
    ("today(1)", "calculation", ErrorCode.FORM_BAD_ARGS),
    ("foo(1)", "calculation", ErrorCode.FORM_UNKNOWN_FUNCTION),
    ("IF(1, 2, 3)", "calculation", ErrorCode.FORM_UNKNOWN_FUNCTION),
])
def test_expression_errors(expr, column, code):
    err = only(
        f"""
        | survey |
        |        | type    | name | label | {column} |
        |        | text    | x    | X     |          |
        |        | integer | age  | 年龄   | {expr}   |
        """
    )
    assert where(err) == (code, "survey", 3, column, "age")


def test_syntax_error_message_quotes_the_expression_and_the_place():
    err = only(
        """
        | survey |
        |        | type    | name | label | constraint  |
        |        | integer | age  | 年龄   | ${age} >> 3 |
        """
    )
    message = str(err)
    assert "${age} >> 3" in message
    assert "第 2 行" in message
    assert "constraint" in message


def test_bad_args_message_says_how_many():
    err = only(
        """
        | survey |
        |        | type      | name | label | calculation |
        |        | calculate | c    |       | if(1, 2)    |
        """
    )
    assert "if" in str(err)
    assert "3" in str(err) and "2" in str(err)


def test_unknown_function_message_names_it():
    err = only(
        """
        | survey |
        |        | type      | name | label | calculation |
        |        | calculate | c    |       | sqr(4)      |
        """
    )
    assert "sqr" in str(err)


# --------------------------------------------------------------------------- cycles


def test_circular_calculation():
    err = only(
        """
        | survey |
        |        | type      | name | label | calculation |
        |        | calculate | a    |       | ${b} + 1    |
        |        | calculate | b    |       | ${a} + 1    |
        """
    )
    assert err.code == ErrorCode.FORM_CYCLE
    assert err.sheet == "survey"
    assert (err.row, err.question) in ((2, "a"), (3, "b"))
    assert err.column == "calculation"
    assert "a" in str(err) and "b" in str(err)


def test_self_referencing_calculation():
    err = only(
        """
        | survey |
        |        | type      | name  | label | calculation |
        |        | calculate | total |       | ${total} + 1 |
        """
    )
    assert where(err) == (ErrorCode.FORM_CYCLE, "survey", 2, "calculation", "total")


def test_three_step_cycle_names_every_question():
    err = only(
        """
        | survey |
        |        | type      | name | label | calculation |
        |        | text      | t    | T     |             |
        |        | calculate | a    |       | ${b} + 1    |
        |        | calculate | b    |       | ${c} + 1    |
        |        | calculate | c    |       | ${a} + 1    |
        """
    )
    assert err.code == ErrorCode.FORM_CYCLE
    assert err.row in (3, 4, 5)
    assert all(name in str(err) for name in ("a", "b", "c"))


def test_relevance_cycle():
    err = only(
        """
        | survey |
        |        | type | name | label | relevant   |
        |        | text | a    | A     | ${b} != '' |
        |        | text | b    | B     | ${a} != '' |
        """
    )
    assert err.code == ErrorCode.FORM_CYCLE
    assert err.column == "relevant"


def test_a_constraint_on_itself_is_not_a_cycle():
    form = load_form(md(
        """
        | survey |
        |        | type    | name | label | constraint | required   |
        |        | integer | a    | A     | ${a} > 1   | ${b} > 1   |
        |        | integer | b    | B     |            | ${a} > 1   |
        """
    ))
    assert form.control("/data/a") is not None


# --------------------------------------------------------------------------- types


def test_unknown_type():
    err = only(
        """
        | survey |
        |        | type   | name | label |
        |        | integr | age  | 年龄   |
        """
    )
    assert where(err) == (ErrorCode.FORM_UNKNOWN_TYPE, "survey", 2, "type", "age")
    assert "integr" in str(err)


def test_every_problem_is_reported_at_once_in_row_order():
    errors = problems(
        """
        | survey |
        |        | type    | name | label | relevant |
        |        | integr  | age  | 年龄   |          |
        |        | text    | t    | T     | ${nope}  |
        |        | text    | t    | T     |          |
        """
    )
    assert [(e.code, e.row) for e in errors] == [
        (ErrorCode.FORM_UNKNOWN_TYPE, 2),
        (ErrorCode.FORM_UNKNOWN_REF, 3),
        (ErrorCode.FORM_DUPLICATE_NAME, 4),
    ]


def test_errors_serialise_for_the_json_output():
    err = only(
        """
        | survey |
        |        | type   | name | label |
        |        | integr | age  | 年龄   |
        """
    )
    assert err.to_dict() == {"code": "FORM_UNKNOWN_TYPE", "sheet": "survey", "row": 2, "column": "type",
                             "question": "age", "message": err.message}


def test_missing_file_is_a_plain_message(tmp_path):
    with pytest.raises(FormCheckFailed) as info:
        load_form(tmp_path / "nope.xlsx")
    assert info.value.errors[0].code == ErrorCode.FORM_NOT_FOUND
    assert CHINESE.search(str(info.value))


# --------------------------------------------------------------------------- the command line


def write_xlsx(path: Path, survey: list[list[str]], choices: list[list[str]] | None = None) -> Path:
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    if choices:
        sheet = wb.create_sheet("choices")
        for row in choices:
            sheet.append(row)
    settings = wb.create_sheet("settings")
    settings.append(["form_id", "version"])
    settings.append(["cli_test", "7"])
    wb.save(path)
    return path


def check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", "forms", "check", str(path)], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", timeout=120)


def test_cli_check_accepts_a_good_workbook(tmp_path):
    path = write_xlsx(tmp_path / "good.xlsx", [
        ["type", "name", "label", "relevant"],
        ["integer", "age", "年龄", ""],
        ["select_one yn", "alone", "独居吗", "${age} >= 60"],
    ], [["list_name", "name", "label"], ["yn", "1", "是"], ["yn", "0", "否"]])
    result = check(path)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "cli_test" in result.stdout


def test_cli_check_rejects_an_unknown_reference(tmp_path):
    path = write_xlsx(tmp_path / "badref.xlsx", [
        ["type", "name", "label", "relevant"],
        ["integer", "age", "年龄", ""],
        ["text", "why", "为什么", "${agee} > 60"],
    ])
    result = check(path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "agee" in result.stderr
    assert "第 3 行" in result.stderr


def test_cli_check_rejects_an_unclosed_group_and_a_syntax_error(tmp_path):
    path = write_xlsx(tmp_path / "broken.xlsx", [
        ["type", "name", "label", "constraint"],
        ["begin group", "g", "组", ""],
        ["integer", "age", "年龄", ". >> 3"],
    ])
    result = check(path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "end group" in result.stderr
    assert "第 3 行" in result.stderr


def test_cli_check_on_a_file_that_is_not_a_workbook(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("这不是表格", encoding="utf-8")
    result = check(path)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert CHINESE.search(result.stderr)
