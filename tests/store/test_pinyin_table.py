"""Name search reads pinyin from a committed table; it must say what pypinyin says, character by character."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from app.store.pinyin import TABLE, char_pinyin
from app.store.search import name_pinyin

pytest.importorskip("pypinyin", reason="pypinyin comes with the test extra; the app itself reads the table")
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "build_scripts"))
import make_pinyin_table  # noqa: E402


def test_the_committed_table_is_what_pypinyin_gives_today():
    assert TABLE.read_text(encoding="utf-8") == make_pinyin_table.table_text(), (
        "resources/pinyin/cjk_pinyin.txt is out of date: run build_scripts/make_pinyin_table.py")


def test_every_character_reads_as_pypinyin_reads_it():
    from pypinyin import Style, lazy_pinyin

    for code in range(0x3400, 0xA000):
        expected = lazy_pinyin(chr(code), style=Style.NORMAL, errors="ignore")
        assert char_pinyin(chr(code)) == (expected[0] if expected else ""), hex(code)


@pytest.mark.parametrize(("name", "full", "initials"), [
    ("张三", "zhangsan", "zs"), ("王秀英", "wangxiuying", "wxy"), ("吕绿", "lvlv", "ll"),
    ("李 小明", "lixiaoming", "lxm"), ("欧阳娜娜", "ouyangnana", "oynn"),
    ("曾国明", "zengguoming", "zgm"), ("尉迟恭", "yuchigong", "ycg"),
])
def test_names_become_pinyin_and_initials(name, full, initials):
    assert name_pinyin(name) == (full, initials)
