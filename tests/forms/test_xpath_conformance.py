"""Conformance of ``evaluate_standalone`` with ODK Collect (JavaRosa) and Enketo.

The cases live in ``xpath_cases.py`` next to this file; see its docstring for
sources and conventions.  That module is loaded by file path so the test works
whether or not ``tests``/``tests/forms`` are packages and under any pytest
``--import-mode``.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import pytest

from app.forms.xpath import evaluate_standalone


def _load_cases():
    path = Path(__file__).with_name("xpath_cases.py")
    spec = importlib.util.spec_from_file_location("_odk_xpath_cases", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_cases = _load_cases()
CASES = _cases.CASES
DATE_CASES = _cases.DATE_CASES
ERROR_CASES = _cases.ERROR_CASES

# Relative tolerance as requested; the absolute 1e-12 mirrors JavaRosa's own
# XPathEvalTest (assertEquals(expected, actual, 1e-12)) and its numeric '='.
REL_TOL = 1e-9
ABS_TOL = 1e-12


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check(expr: str, result, expected, note: str) -> None:
    where = f"{expr!r} -> {result!r} ({type(result).__name__}); expected {expected!r}; source: {note}"
    if isinstance(expected, bool):
        assert isinstance(result, bool), where
        assert result is expected, where
    elif _is_number(expected):
        assert _is_number(result), where
        if math.isnan(expected):
            assert math.isnan(result), where
        else:
            assert math.isclose(result, expected, rel_tol=REL_TOL, abs_tol=ABS_TOL), where
    elif isinstance(expected, str):
        assert isinstance(result, str), where
        assert result == expected, where
    else:  # pragma: no cover - guards the data file
        raise TypeError(f"unsupported expected type in case {expr!r}: {type(expected).__name__}")


def _ids(cases) -> list[str]:
    return [case[0] for case in cases]


@pytest.mark.parametrize(("expr", "expected", "note"), CASES, ids=_ids(CASES))
def test_xpath_case(expr, expected, note):
    _check(expr, evaluate_standalone(expr), expected, note)


@pytest.mark.parametrize(("expr", "expected", "note"), DATE_CASES, ids=_ids(DATE_CASES))
def test_xpath_date_case(expr, expected, note):
    if isinstance(expected, str):
        wrapped = f"string({expr})"
        _check(wrapped, evaluate_standalone(wrapped), expected, note)
    else:
        _check(expr, evaluate_standalone(expr), expected, note)


@pytest.mark.parametrize(("expr", "note"), ERROR_CASES, ids=_ids(ERROR_CASES))
def test_xpath_error_case(expr, note):
    with pytest.raises(Exception):  # noqa: B017 - any evaluation error is acceptable
        evaluate_standalone(expr)


def test_case_lists_are_well_formed():
    seen = set()
    for expr, expected, note in [*CASES, *DATE_CASES]:
        assert isinstance(expr, str) and expr, expr
        assert isinstance(note, str) and note, expr
        assert isinstance(expected, (bool, int, float, str)), expr
        assert expr not in seen, f"duplicate case {expr!r}"
        seen.add(expr)
