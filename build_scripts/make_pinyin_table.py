"""Write resources/pinyin/cjk_pinyin.txt: the toneless pinyin of every CJK character, for name search.

    .venv/bin/python build_scripts/make_pinyin_table.py

Name search (app/store/search.py) needs one reading per character (张 → zhang) to match what a cadre
types as initials or full pinyin. pypinyin gives that reading, but brings its phrase dictionaries
(3.4 MiB in the installer, a quarter second to import) for a task that looks characters up one by
one. So the readings are taken from pypinyin once, here, and committed; tests/store/test_pinyin_table.py
checks the file against pypinyin character by character. Run this again after upgrading pypinyin.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.store.pinyin import FIRST, LAST, PER_LINE, TABLE  # noqa: E402


def reading(char: str) -> str:
    """What pypinyin reads a single character as, tones dropped ('' when it knows none)."""
    from pypinyin import Style, lazy_pinyin

    found = lazy_pinyin(char, style=Style.NORMAL, errors="ignore")
    return found[0] if found else ""


def table_text() -> str:
    lines = ["# toneless pinyin of U+3400..U+9FFF, made by build_scripts/make_pinyin_table.py from pypinyin;",
             f"# each line: the first code point, then {PER_LINE} readings separated by spaces ('-' = none)"]
    for start in range(FIRST, LAST + 1, PER_LINE):
        readings = [reading(chr(code)) or "-" for code in range(start, min(start + PER_LINE, LAST + 1))]
        lines.append(f"{start:04X} " + " ".join(readings))
    return "\n".join(lines) + "\n"


def main() -> None:
    TABLE.write_text(table_text(), encoding="utf-8")
    print(f"wrote {TABLE} ({TABLE.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
