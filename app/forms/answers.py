"""Turning what a person typed into the instance text for each question type.

Each parser returns ``(text, None)`` or ``(None, message)``; the message is the
plain Chinese explanation shown next to the question. Full-width digits and
common separators are accepted, because that is what a Chinese IME produces.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time

from app.errors import ErrorCode
from app.forms.xpath.values import format_datetime, number_to_string, parse_datetime, parse_time

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # "1.5E-7", as ODK Collect writes
_DATE = re.compile(r"(\d{4}|\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?")
_LOOSE_DATETIME = re.compile(r"(.+?)(?:[\sT]+(\d{1,2}:\d{2}(?::\d{2})?))?")
_COMPACT_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")  # 20270105, as on ID cards and in file names


# Free text keeps what was typed: 全角 punctuation (，。；：（）) is part of written Chinese and NFKC would turn it
# into ASCII. Only full-width digits and Latin letters (an input method left in 全角 mode: １２３, ＡＢ) and the
# ideographic space become their ASCII forms, so ID and phone numbers typed that way still check.
_WIDE_ALNUM = {c: c - 0xFEE0 for first, last in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A))
               for c in range(first, last + 1)}
_WIDE_ALNUM[0x3000] = 0x20


def _clean_text(value) -> str:
    """A free-text answer as typed (surrounding space removed, full-width digits/letters made ASCII)."""
    if isinstance(value, str):
        return value.translate(_WIDE_ALNUM).strip()
    return _clean(value)


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return number_to_string(value)
    if isinstance(value, (list, tuple)):
        return " ".join(_clean(v) for v in value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _message(code: ErrorCode, **context) -> str:
    return code.format(**context)


def parse_answer(bind, control, value) -> tuple[str | None, str | None]:
    """Normalise an answer for a question; refuse it with a message if it cannot be one."""
    qtype = control.qtype if control is not None else "text"
    dtype = bind.type if bind is not None else "string"
    if isinstance(value, bool) and qtype not in ("acknowledge",) and dtype not in ("boolean",):
        return None, _message(ErrorCode.ANSWER_CONSTRAINT)
    text = _clean(value)
    if text == "":
        return "", None
    if qtype == "range":
        return _range(control, text)
    if dtype in ("int", "integer"):
        if isinstance(value, float) and value == int(value):
            return str(int(value)), None
        if not _INT.fullmatch(text):
            return None, _message(ErrorCode.ANSWER_NOT_INTEGER, value=text)
        return str(int(text)), None
    if dtype == "decimal":
        if not _DECIMAL.fullmatch(text) or not math.isfinite(float(text)):
            return None, _message(ErrorCode.ANSWER_NOT_NUMBER, value=text)
        return number_to_string(float(text)), None
    if dtype == "date":
        return _date(text)
    if dtype == "time":
        moment = parse_time(text)
        if moment is None:
            return None, _message(ErrorCode.ANSWER_NOT_TIME, value=text)
        return moment.strftime("%H:%M:%S") + (".000" if moment.microsecond == 0 else ""), None
    if dtype == "dateTime":
        moment = parse_datetime(text.replace("/", "-")) or _loose_datetime(text)
        if moment is None:
            return None, _message(ErrorCode.ANSWER_NOT_DATETIME, value=text)
        return format_datetime(moment), None
    if dtype in ("geopoint", "geotrace", "geoshape"):
        return _geo(dtype, text)
    if qtype == "select_one":
        if len(text.split()) > 1:
            return None, _message(ErrorCode.ANSWER_ONE_CHOICE)
        return text, None
    if qtype in ("select_multiple", "rank"):
        seen: list[str] = []
        for item in re.split(r"[\s,，]+", text):
            if item and item not in seen:
                seen.append(item)
        return " ".join(seen), None
    if qtype == "acknowledge":
        return ("OK" if text.lower() in ("ok", "true", "1", "yes") else ""), None
    if qtype in ("image", "audio", "video", "file"):
        if "/" in text or "\\" in text or text in (".", ".."):
            return None, _message(ErrorCode.ANSWER_BAD_FILE, value=text)
        return text, None
    if qtype in ("text", "input", "textarea", "barcode") or dtype == "string":
        return _clean_text(value), None
    return text, None


def parse_date(text: str, *, today: date | None = None) -> str | None:
    """A typed date as ISO text, or None: 2027-1-5, 2027/1/5, 2027.1.5, 2027年1月5日, 20270105, 27.1.5.

    A two-digit year is this century's unless that lies more than 10 years ahead (45.3.2 is 1945-03-02).
    """
    text = unicodedata.normalize("NFKC", text).strip()
    m = _DATE.fullmatch(text) or _COMPACT_DATE.fullmatch(text)
    if not m:
        return None
    year = int(m.group(1))
    if len(m.group(1)) == 2:
        this_year = (today or date.today()).year
        year += 2000 if 2000 + year <= this_year + 10 else 1900
    try:
        return date(year, int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _loose_datetime(text: str) -> datetime | None:
    """2027/1/5 9:30, 20270105 14:30 or a date alone (midnight), in the device's time zone."""
    m = _LOOSE_DATETIME.fullmatch(text)
    day = parse_date(m.group(1)) if m else None
    if day is None:
        return None
    moment = parse_time(m.group(2)) if m.group(2) else time(0, 0)
    if moment is None:
        return None
    return datetime.combine(date.fromisoformat(day), moment.replace(tzinfo=None)).astimezone()


def _date(text: str) -> tuple[str | None, str | None]:
    day = parse_date(text) or (parse_date(text[:10]) if len(text) > 10 and text[10] in " T" else None)
    if day is not None:
        return day, None
    return None, _message(ErrorCode.ANSWER_NOT_DATE, value=text)


def _range(control, text: str) -> tuple[str | None, str | None]:
    start = float(control.params.get("start", "1"))
    end = float(control.params.get("end", "10"))
    step = float(control.params.get("step", "1"))
    bad = _message(ErrorCode.ANSWER_OUT_OF_RANGE, start=number_to_string(start), end=number_to_string(end),
                   step=number_to_string(step), value=text)
    if not _DECIMAL.fullmatch(text):
        return None, bad
    num = float(text)
    lo, hi = min(start, end), max(start, end)
    steps = (num - start) / step if step else 0
    if num < lo or num > hi or not math.isclose(steps, round(steps), abs_tol=1e-9):
        return None, bad
    return number_to_string(num), None


def _geo(dtype: str, text: str) -> tuple[str | None, str | None]:
    bad = _message(ErrorCode.ANSWER_BAD_GEOPOINT, value=text)
    points = [p for p in text.split(";") if p.strip()]
    if not points or (dtype == "geopoint" and len(points) != 1):
        return None, bad
    out = []
    for point in points:
        bits = [b for b in re.split(r"[\s,，]+", point.strip()) if b]
        if len(bits) < 2 or len(bits) > 4:
            return None, bad
        try:
            nums = [float(b) for b in bits]
        except ValueError:
            return None, bad
        if not (-90 <= nums[0] <= 90 and -180 <= nums[1] <= 180):
            return None, bad
        while len(nums) < 4:
            nums.append(0.0)
        out.append(" ".join(number_to_string(n) for n in nums))
    return "; ".join(out) if dtype != "geopoint" else out[0], None
