"""China-specific identifiers: resident ID numbers (GB 11643) and mobile numbers.

Used by the form engine (as XPath functions), the store (masking for logs) and
the demo data generator. Region codes are not checked against a list: they
change, and an ID keeps the code valid when it was issued.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK_CHARS = "10X98765432"
_ID_SHAPE = re.compile(r"\d{17}[\dX]")
_MOBILE = re.compile(r"1[3-9]\d{9}")


def normalize_id(text: str) -> str:
    """Full-width digits and x → ASCII, spaces removed, x upper-cased."""
    text = unicodedata.normalize("NFKC", text or "")
    return re.sub(r"\s+", "", text).upper()


def id_check_char(body17: str) -> str:
    """The MOD 11-2 check character for the first 17 digits."""
    return _CHECK_CHARS[sum(int(c) * w for c, w in zip(body17, _WEIGHTS, strict=True)) % 11]


def id_birth_date(id_number: str) -> date | None:
    """The birth date coded in digits 7–14, or None if it is not a real date."""
    text = normalize_id(id_number)
    if len(text) != 18 or not text[6:14].isdigit():
        return None
    try:
        return date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        return None


def id_problem(id_number: str, *, today: date | None = None) -> str | None:
    """Why an ID number is invalid, in plain Chinese; None when it is valid."""
    text = normalize_id(id_number)
    if len(text) != 18:
        return f"身份证号应为18位，您输入了{len(text)}位。"
    if not _ID_SHAPE.fullmatch(text):
        return "身份证号前17位只能是数字，最后一位是数字或X。"
    born = id_birth_date(text)
    if born is None or born < date(1900, 1, 1) or born > (today or date.today()):
        return "身份证号中的出生日期（第7–14位）不是有效日期。"
    if id_check_char(text[:17]) != text[17]:
        return "身份证号校验位不正确，请核对是否抄错某一位。"
    return None


def id_valid(id_number: str, *, today: date | None = None) -> bool:
    return id_problem(id_number, today=today) is None


def id_sex(id_number: str) -> str:
    """'1' (男) for an odd 17th digit, '2' (女) for even, per GB/T 2261.1; '' if unreadable."""
    text = normalize_id(id_number)
    if len(text) != 18 or not text[16].isdigit():
        return ""
    return "1" if int(text[16]) % 2 else "2"


def age_on(born: date, on: date) -> int:
    """Full years (周岁) on a given day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def make_id(region: str, born: date, sequence: int) -> str:
    """A checksum-valid ID number (for demo data and tests)."""
    body = f"{region}{born:%Y%m%d}{sequence:03d}"
    return body + id_check_char(body)


def mask_id(id_number: str) -> str:
    """3401**********1234: safe to log or show on a list."""
    text = normalize_id(id_number)
    if len(text) < 8:
        return "*" * len(text)
    return text[:4] + "*" * (len(text) - 8) + text[-4:]


def normalize_mobile(text: str) -> str:
    """Strip spaces, dashes and a +86/0086/86 prefix; full-width digits → ASCII."""
    text = re.sub(r"[\s\-()]", "", unicodedata.normalize("NFKC", text or ""))
    for prefix in ("+86", "0086"):
        if text.startswith(prefix):
            return text[len(prefix) :]
    if text.startswith("86") and len(text) == 13:
        return text[2:]
    return text


def mobile_valid(text: str) -> bool:
    """A mainland mobile number: 11 digits, 1 then 3–9 (format, not carrier tables)."""
    return bool(_MOBILE.fullmatch(normalize_mobile(text)))
