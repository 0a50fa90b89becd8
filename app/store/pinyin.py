"""The pinyin of a Chinese character, from the table in resources/pinyin (made from pypinyin).

One reading per character, without tones, as name search needs it: 张 → zhang, 绿 → lv. The table
covers U+3400..U+9FFF (CJK Extension A and the Unified Ideographs); other characters have none.
A name's surname is read from surnames.txt where it differs (曾 → zeng, not ceng; 尉迟 → yu chi).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

TABLE = Path(__file__).resolve().parents[2] / "resources" / "pinyin" / "cjk_pinyin.txt"
SURNAMES = TABLE.with_name("surnames.txt")
FIRST, LAST = 0x3400, 0x9FFF
PER_LINE = 64


@cache
def _readings() -> list[str]:
    """One entry per code point from FIRST to LAST ('' where there is none). About 400 distinct syllables,
    each stored once: the table takes a quarter of a MiB in memory, not the 3.6 MiB of a dict of strings."""
    readings = [""] * (LAST - FIRST + 1)
    syllables: dict[str, str] = {}
    with TABLE.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            start, *row = line.split()
            offset = int(start, 16) - FIRST
            for i, syllable in enumerate(row):
                if syllable != "-":
                    readings[offset + i] = syllables.setdefault(syllable, syllable)
    return readings


def char_pinyin(char: str) -> str:
    """The toneless pinyin of one character, or '' when the table has none."""
    if len(char) != 1 or not FIRST <= ord(char) <= LAST:
        return ""
    return _readings()[ord(char) - FIRST]


def search_key(text: str) -> str:
    """What an entry of a list is found by when typed: the text, its pinyin and their initials
    (三河镇 → "三河镇 sanhezhen shz"; places, choices of a long list)."""
    syllables = [s for s in (char_pinyin(ch) for ch in text) if s]
    return f"{text} {''.join(syllables)} {''.join(s[0] for s in syllables)}"


@cache
def _surnames() -> dict[str, list[str]]:
    surnames: dict[str, list[str]] = {}
    with SURNAMES.open(encoding="utf-8") as lines:
        for line in lines:
            if line.startswith("#") or not line.strip():
                continue
            surname, *syllables = line.split()
            surnames[surname] = syllables
    return surnames


def surname_reading(name: str) -> tuple[int, list[str]]:
    """(characters read, their syllables) for a name beginning with a surname read its own way, else (0, [])."""
    surnames = _surnames()
    for length in (2, 1):
        if name[:length] in surnames and len(name) > length:
            return length, list(surnames[name[:length]])
    return 0, []
