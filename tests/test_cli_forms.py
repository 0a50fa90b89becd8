"""`cunfang forms check|fill` as a script or a county IT person runs them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

GOOD = textwrap.dedent(
    """
    | survey |
    |        | type          | name  | label::中文 (zh) | constraint       | constraint_message::中文 (zh) | relevant   | calculation     | required |
    |        | text          | name  | 姓名              |                  |                               |            |                 | yes      |
    |        | integer       | age   | 年龄              | . >= 0 and . < 130 | 年龄应在0到130之间           |            |                 |          |
    |        | select_one yn | alone | 独居吗            |                  |                               | ${age} >= 60 |               |          |
    |        | begin repeat  | kids  | 子女              |                  |                               |            |                 |          |
    |        | text          | kname | 子女姓名          |                  |                               |            |                 | yes      |
    |        | calculate     | pos   |                   |                  |                               |            | position(..)    |          |
    |        | end repeat    |       |                   |                  |                               |            |                 |          |
    |        | calculate     | n     |                   |                  |                               |            | count(${kids})  |          |
    | choices |
    |         | list_name | name | label::中文 (zh) |
    |         | yn        | 1    | 是                |
    |         | yn        | 0    | 否                |
    | settings |
    |          | form_id | version | default_language |
    |          | visit   | 2026.1  | 中文 (zh)         |
    """
)


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=120)


@pytest.fixture
def good_form(tmp_path: Path) -> Path:
    path = tmp_path / "visit.md"
    path.write_text(GOOD, encoding="utf-8")
    return path


def test_check_accepts_a_good_form(good_form):
    result = run("forms", "check", str(good_form))
    assert result.returncode == 0, result.stderr
    assert "表单检查通过" in result.stdout


def test_fill_prints_the_contract(good_form, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"name": "张三", "age": 150, "alone": "1",
                                   "kids": [{"kname": "小明"}, {"kname": ""}]}), encoding="utf-8")
    result = run("forms", "fill", str(good_form), "--answers", str(answers))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["valid"] is False
    assert out["errors"] == {"age": "年龄应在0到130之间", "kids[2]/kname": "此题为必答题，请填写。"}
    assert out["data"]["age"] == 150
    assert out["data"]["alone"] == "1"
    assert out["data"]["kids"] == [{"kname": "小明", "pos": 1}, {"kname": None, "pos": 2}]
    assert out["data"]["n"] == 2


def test_fill_leaves_out_non_relevant_answers_with_a_note(good_form, tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"name": "李四", "age": 40, "alone": "1", "kids": []}), encoding="utf-8")
    result = run("forms", "fill", str(good_form), "--answers", str(answers))
    out = json.loads(result.stdout)
    note = "答案“1”没有保存：本题的显示条件（relevant）“${age} >= 60”不成立，按表单规则这道题不显示。"
    assert out == {"valid": True, "errors": {}, "data": {"name": "李四", "age": 40, "kids": [], "n": 0},
                   "notes": {"alone": note}}
    assert f"提示：alone：{note}" in result.stderr


def test_broken_form_is_explained_without_a_traceback(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text(GOOD.replace("${age} >= 60", "${agee} >= 60").replace("| end repeat    |", "| text |"),
                      encoding="utf-8")
    result = run("forms", "check", str(broken))
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    assert "agee" in result.stderr
    assert "第 4 行" in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "文件不存在"), ("{not json", "无法读取答案文件"), ("[1, 2]", "JSON 对象")],
)
def test_bad_answer_files_get_a_plain_message(good_form, tmp_path, content, message):
    answers = tmp_path / "answers.json"
    if content is not None:
        answers.write_text(content, encoding="utf-8")
    result = run("forms", "fill", str(good_form), "--answers", str(answers))
    assert result.returncode != 0
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_form_file(tmp_path):
    result = run("forms", "check", str(tmp_path / "nope.xlsx"))
    assert result.returncode != 0
    assert "找不到表单文件" in result.stderr
