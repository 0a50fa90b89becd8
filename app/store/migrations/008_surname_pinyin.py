"""Pinyin of names whose surname is read its own way (曾 zeng, 翟 zhai, 单 shan …: resources/pinyin/surnames.txt).

Stores made before this kept such names under the character's usual reading (曾国明 as cgm), so a search
for zgm missed them. Each affected person's pinyin and initials are worked out again; the FTS index follows
through its update trigger. Nothing else changes. (A later change to surnames.txt needs a migration like this one
to reach stored names.)
"""

from __future__ import annotations

from app.store.pinyin import surname_reading
from app.store.search import name_pinyin


def apply(conn) -> None:
    changed = []
    for person_id, name, pinyin, initials in conn.execute("SELECT id, name, pinyin, initials FROM persons"):
        if not surname_reading("".join((name or "").split()))[0]:
            continue
        new_pinyin, new_initials = name_pinyin(name)
        if (new_pinyin, new_initials) != (pinyin, initials):
            changed.append((new_pinyin, new_initials, person_id))
    conn.executemany("UPDATE persons SET pinyin = ?, initials = ? WHERE id = ?", changed)
