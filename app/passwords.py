"""Which passwords an account may have: long enough, not a common one, not the person's own login, name or phone.

A laptop's data is only as safe as its weakest password: a thief tries the common ones first
(``resources/passwords/common.txt``: the top of the published leak lists, including the Chinese
favourites 88888888, woaini1314, 1qaz2wsx, a123456789), then what they know about the owner. Each
refusal says why in plain words (``app/errors.py``).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from pathlib import Path

from app.errors import CunFangError, ErrorCode

MIN_LENGTH = 8
COMMON = Path(__file__).resolve().parents[1] / "resources" / "passwords" / "common.txt"


@cache
def common_passwords() -> frozenset[str]:
    with COMMON.open(encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def name_pinyin(name: str) -> str:
    """The toneless pinyin of a Chinese name, run together (张三 → zhangsan; 曾 read as a surname: zeng)."""
    from app.store.pinyin import char_pinyin, surname_reading

    name = re.sub(r"[\s·•.]", "", name)
    skip, syllables = surname_reading(name)
    syllables = syllables + [char_pinyin(c) for c in name[skip:]]
    return "".join(syllables) if all(syllables) else ""


def check(password: str, *, login: str = "", name: str = "", phone: str = "") -> None:
    """Raise CunFangError with the reason unless ``password`` may be used by this person."""
    if len(password) < MIN_LENGTH:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_SHORT, minimum=MIN_LENGTH)
    lowered = password.strip().lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2 or _looks_like_a_date(lowered):
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_COMMON)
    login = login.strip().lower()
    if len(login) >= 3 and login in lowered:
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_LOGIN, login=login)
    spelled = name_pinyin(name.strip())
    if len(spelled) >= 4 and spelled in re.sub(r"[^a-z]", "", lowered):
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_NAME, pinyin=spelled)
    digits, phone_digits = re.sub(r"\D", "", password), re.sub(r"\D", "", phone)
    if len(phone_digits) >= 7 and (phone_digits in digits or (len(digits) >= 6 and digits in phone_digits
                                                                and digits == re.sub(r"\s", "", password))):
        raise CunFangError(ErrorCode.ACCOUNT_PASSWORD_PHONE)


def _looks_like_a_date(text: str) -> bool:
    """Eight digits that are a date (19880808, a birthday) are guessed as easily as the common ones."""
    if not re.fullmatch(r"(19|20)\d{6}", text):
        return False
    try:
        date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return False
    return True
