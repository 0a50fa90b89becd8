"""The XPath parser: any text either parses or gets a plain Chinese syntax error, never a crash."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.errors import CunFangError, ErrorCode
from app.forms.xpath import evaluate_standalone, parse
from app.forms.xpath.deps import dependencies

ALPHABET = st.sampled_from(list("abc ()[]/.@,*=!<>+-|'\"$0123456789{}:") + ["and", "or", "div", "mod", "${x}"])


@settings(max_examples=400, deadline=None)
@given(st.lists(ALPHABET, max_size=20).map("".join))
def test_any_text_parses_or_gets_a_syntax_error(text):
    try:
        parse(text)
    except CunFangError as exc:
        assert exc.code == ErrorCode.XPATH_SYNTAX
        assert "表达式" in str(exc)


def arithmetic(depth: int = 3):
    leaf = st.integers(min_value=-50, max_value=50)
    return st.recursive(
        leaf,
        lambda inner: st.tuples(inner, st.sampled_from(["+", "-", "*", "div", "mod"]), inner),
        max_leaves=8,
    )


def render(tree) -> str:
    if isinstance(tree, int):
        return f"({tree})" if tree < 0 else str(tree)
    left, op, right = tree
    return f"({render(left)} {op} {render(right)})"


def python_value(tree) -> float:
    if isinstance(tree, int):
        return float(tree)
    left, op, right = tree
    a, b = python_value(left), python_value(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "div":
        if b == 0:
            return math.nan if a == 0 or math.isnan(a) else math.copysign(math.inf, a) * math.copysign(1, b)
        return a / b
    if b == 0 or math.isnan(a) or math.isnan(b) or math.isinf(a):
        return math.nan
    return a if math.isinf(b) else math.fmod(a, b)


@settings(max_examples=300, deadline=None)
@given(arithmetic())
def test_arithmetic_follows_xpath_rules(tree):
    expected = python_value(tree)
    got = evaluate_standalone(render(tree))
    if math.isnan(expected):
        assert math.isnan(got)
    else:
        assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize(
    ("expr", "problem"),
    [
        ("1 +", "后面缺少内容"),
        ("(1 + 2", "括号没有配对"),
        ("concat('a', 'b'", "括号没有配对"),
        ("'abc", "引号没有配对"),
        ("1 2", "缺少运算符"),
        ("a[1", "方括号没有配对"),
        ("", "表达式是空的"),
        ("${age} >> 3", "这里不能出现"),
    ],
)
def test_syntax_errors_explain_the_problem(expr, problem):
    with pytest.raises(CunFangError) as info:
        parse(expr)
    assert info.value.code == ErrorCode.XPATH_SYNTAX
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("expr", "context", "expected"),
    [
        ("/data/a + /data/b", "/data/c", {"/data/a", "/data/b"}),
        ("../k + 1", "/data/kids/kk", {"/data/kids/k"}),
        ("count(/data/kids)", "/data/n", {"/data/kids"}),
        ("position(..)", "/data/kids/pos", {"/data/kids"}),
        (". > 3", "/data/a", {"/data/a"}),
        ("instance('town')/root/item[city = /data/c]", "/data/t", {"/data/c"}),
        ("instance('town')/root/item[city = current()/../c]", "/data/g/t", {"/data/g/c"}),
        ("today()", "/data/d", set()),
    ],
)
def test_dependencies_are_the_paths_read(expr, context, expected):
    assert dependencies(parse(expr), context) == expected
