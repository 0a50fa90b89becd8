"""The error catalogue: codes that cannot collide, messages whose placeholders the raising places fill."""

from __future__ import annotations

import ast
import pickle
from collections import defaultdict
from pathlib import Path

import pytest

from app.errors import CunFangError, ErrorCode, Message

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(p for package in ("app", "ui", "sync") for p in (ROOT / package).rglob("*.py"))
DUMMY = "样例"


def test_every_code_is_its_own_member():
    """An Enum merges members with equal values: two names would then raise, print and send one code."""
    assert len(ErrorCode.__members__) == len(list(ErrorCode))
    assert all(ErrorCode[name].code == name for name in ErrorCode.__members__)
    assert len({code.code for code in ErrorCode}) == len(ErrorCode)


def test_codes_with_the_same_words_stay_apart():
    assert ErrorCode.ACCOUNT_PASSWORD_SHORT.message == ErrorCode.STORE_PASSPHRASE_SHORT.message
    assert ErrorCode.ACCOUNT_PASSWORD_SHORT is not ErrorCode.STORE_PASSPHRASE_SHORT
    assert ErrorCode.EXPORT_VILLAGE_UNKNOWN is not ErrorCode.IMPORT_VILLAGE_UNKNOWN
    error = CunFangError(ErrorCode.ACCOUNT_PASSWORD_SHORT, minimum=8)
    assert error.code.code == "ACCOUNT_PASSWORD_SHORT"
    assert pickle.loads(pickle.dumps(error.code)) is ErrorCode.ACCOUNT_PASSWORD_SHORT


def test_a_new_code_reusing_words_is_not_an_alias():
    from enum import Enum

    class Sample(Enum):
        FIRST = Message("同一句话")
        SECOND = Message("同一句话")

    assert len(list(Sample)) == 2


@pytest.mark.parametrize("code", list(ErrorCode), ids=lambda c: c.code)
def test_every_message_formats_with_its_placeholders(code):
    text = CunFangError(code, **dict.fromkeys(code.value.placeholders, DUMMY)).message
    assert "{" not in text.replace("{{", "").replace("${", "") and text.strip()
    if code.value.placeholders:
        assert DUMMY in text


# Calls that only carry a code to where its message is made with the context (not raising places themselves).
CARRIERS = {"HeadCheck"}


def raise_sites() -> dict[ErrorCode, list[tuple[str, set[str] | None]]]:
    """Every call in app/, ui/ and sync/ that passes ``ErrorCode.X`` and the keywords it gives (None: ``**``),
    plus ``ErrorCode.X.message`` / ``.value`` read bare (no keywords)."""
    sites: dict[ErrorCode, list[tuple[str, set[str] | None]]] = defaultdict(list)

    def code_of(node: ast.AST) -> ErrorCode | None:
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "ErrorCode"
                and node.attr in ErrorCode.__members__):
            return ErrorCode[node.attr]
        return None

    for path in SOURCES:
        if path.name == "errors.py" and path.parent.name == "app":
            continue
        where = path.relative_to(ROOT).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        used_in_call: set[int] = set()
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            keywords = (None if any(k.arg is None for k in node.keywords)
                        else {k.arg for k in node.keywords})
            contexts = [a for a in node.args if isinstance(a, ast.Dict)]  # Finding(kind, id, code, {"id": …})
            if keywords is not None and contexts:
                keywords |= {k.value for d in contexts for k in d.keys if isinstance(k, ast.Constant)}
            func = node.func
            if isinstance(func, ast.Name) and func.id in CARRIERS:
                continue  # the code travels; its message is formatted where the context is known
            # ErrorCode.X.format(...) / ErrorCode.X.value.format(...)
            if isinstance(func, ast.Attribute) and func.attr == "format":
                target = func.value
                if isinstance(target, ast.Attribute) and target.attr in ("value", "message"):
                    target = target.value
                if (code := code_of(target)) is not None:
                    sites[code].append((f"{where}:{node.lineno}", keywords))
                    used_in_call.add(id(target))
                    continue
            for arg in node.args:
                candidates = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
                for candidate in candidates:
                    if (code := code_of(candidate)) is not None:
                        sites[code].append((f"{where}:{node.lineno}", keywords))
                        used_in_call.add(id(candidate))
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and node.attr in ("value", "message")
                    and (code := code_of(node.value)) is not None and id(node.value) not in used_in_call):
                sites[code].append((f"{where}:{node.lineno}", set()))
    return sites


SITES = raise_sites()


def test_the_scan_finds_raising_places():
    assert ("app/store/store.py", {"minimum"}) in [(w.split(":")[0], k) for w, k in
                                                     SITES[ErrorCode.STORE_PASSPHRASE_SHORT]]
    assert len(SITES) > 100


def test_every_raising_place_fills_the_placeholders():
    """A place naming its keywords gives at least the ones the message needs (a KeyError would reach a user)."""
    missing = [f"{where}: {code.code} needs {sorted(code.value.placeholders - keywords)}"
               for code, places in SITES.items() for where, keywords in places
               if keywords is not None and not code.value.placeholders <= keywords]
    assert missing == []


def test_no_placeholder_nobody_fills():
    """Each placeholder of a message is given by at least one place that raises the code."""
    unfilled = []
    for code, places in SITES.items():
        given = set().union(*(k for _, k in places if k is not None)) if places else set()
        if any(k is None for _, k in places):
            continue
        unfilled += [f"{code.code}: {{{name}}}" for name in sorted(code.value.placeholders - given)]
    assert unfilled == []
