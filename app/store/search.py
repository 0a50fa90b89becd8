"""Finding a person the way a village cadre types: any part of a Chinese name, pinyin initials,
the last digits of an ID number or phone, within a village.

Three or more characters use the FTS5 trigram index; one or two Chinese characters
fall back to LIKE (trigram cannot index them); letters match pinyin initials or
full pinyin; digits match ID-number and phone suffixes through reversed,
indexed columns. Results are ranked: exact name, name prefix, name part,
initials, pinyin, then ID/phone.
"""

from __future__ import annotations

import re
import unicodedata

from app.store.pinyin import char_pinyin, surname_reading

_CJK = re.compile(r"[\u3400-\u9fff]")


def _char_pinyin(ch: str) -> str:
    if not _CJK.match(ch):
        return ch.lower()
    return char_pinyin(ch)


def name_pinyin(name: str) -> tuple[str, str]:
    """(full pinyin, initials) of a name: 张三 → ("zhangsan", "zs"), 曾国明 → ("zengguoming", "zgm")."""
    chars = "".join(ch for ch in name if not ch.isspace())
    covered, syllables = surname_reading(chars)
    syllables += [_char_pinyin(ch) for ch in chars[covered:]]
    syllables = [s for s in syllables if s]
    return "".join(syllables), "".join(s[0] for s in syllables)


def name_sort_key(name: str) -> str:
    """A name's place in a list sorted as WPS and Excel sort Chinese text: character by character, by each
    character's pinyin, the same character together (张三 before 张三丰 before 章一, and 西瓦 "xi wa" before 夏
    "xia", which the name's pinyin run together would not give). Each character is its syllable, a space and
    the character itself, so a shorter syllable sorts first and same-sounding characters (张/章) stay apart in
    one fixed order (by code point, where Excel counts strokes). A character without a reading stands for itself."""
    chars = "".join(ch for ch in name if not ch.isspace())
    covered, syllables = surname_reading(chars)
    if len(syllables) != covered:
        covered, syllables = 0, []
    syllables += [_char_pinyin(ch) or ch for ch in chars[covered:]]
    return " ".join(f"{syllable} {ch}" for syllable, ch in zip(syllables, chars, strict=True))


def reversed_tail(text: str, length: int = 6) -> str:
    cleaned = unicodedata.normalize("NFKC", text or "").upper().replace(" ", "")
    return cleaned[-length:][::-1]


def normalize_query(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip().lower()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def build_query(text: str, *, village_id: str | None = None, limit: int = 50, offset: int = 0,
                kind: str | None = None, scope: tuple[str, list] = ("1", []),
                order: tuple[str, list] | None = None) -> tuple[str, list]:
    """SQL and parameters for a ranked, paged person search; ``order`` (an ORDER BY and its parameters, from
    ``persons.order_by``) replaces the ranking when the list is sorted by a column."""
    q = normalize_query(text)
    where: list[str] = []
    params: list = []
    rank_cases: list[str] = []
    rank_params: list = []
    if _CJK.search(q):
        rank_cases += ["WHEN name = ? THEN 0", "WHEN name LIKE ? ESCAPE '\\' THEN 1"]
        rank_params += [q, _escape_like(q) + "%"]
        if len(q) >= 3:
            where.append("rowid IN (SELECT rowid FROM persons_fts WHERE persons_fts MATCH ?)")
            params.append("name : " + _fts_phrase(q))
        else:
            where.append("name LIKE ? ESCAPE '\\'")
            params.append("%" + _escape_like(q) + "%")
    elif q.isdigit() or (q[:-1].isdigit() and q.endswith("x") and q):
        tail = reversed_tail(q)
        upper = tail[:-1] + chr(ord(tail[-1]) + 1)
        rank_cases += ["WHEN id_rev = ? THEN 6", "WHEN phone_rev = ? THEN 6"]
        rank_params += [tail, tail]
        conditions = ["(id_rev >= ? AND id_rev < ?)", "(phone_rev >= ? AND phone_rev < ?)"]
        params += [tail, upper, tail, upper]
        if len(q) > 6:
            conditions += ["id_number = ?", "phone = ?"]
            params += [q.upper(), q]
        where.append("(" + " OR ".join(conditions) + ")")
    elif q.isascii() and q.replace(" ", "").isalpha():
        letters = q.replace(" ", "")
        upper = letters[:-1] + chr(ord(letters[-1]) + 1)
        rank_cases += ["WHEN initials = ? THEN 3"]
        rank_params += [letters]
        conditions = ["(initials >= ? AND initials < ?)"]  # a prefix as a range: uses the index, LIKE cannot
        params += [letters, upper]
        if len(letters) >= 3:
            conditions.append("rowid IN (SELECT rowid FROM persons_fts WHERE persons_fts MATCH ?)")
            params.append("pinyin : " + _fts_phrase(letters))
        where.append("(" + " OR ".join(conditions) + ")")
    elif q:
        where.append("name LIKE ? ESCAPE '\\'")
        params.append("%" + _escape_like(q) + "%")
    if village_id:
        where.append("village_id = ?")
        params.append(village_id)
    if kind:
        where.append("kind = ?")
        params.append(kind)
    if scope[0] != "1":  # what the signed-in account may see (app/access.py)
        where.append(scope[0])
        params += scope[1]
    rank = "CASE " + " ".join(rank_cases) + " ELSE 5 END" if rank_cases else "5"
    order_sql, order_params = order or ("rank, length(name), name, id", [])
    sql = (
        f"SELECT *, {rank} AS rank FROM persons"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" ORDER BY {order_sql} LIMIT ? OFFSET ?"
    )
    return sql, rank_params + params + order_params + [limit, offset]
