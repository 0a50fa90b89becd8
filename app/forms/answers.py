"""Turning what a person typed into the instance text for each question type.

Each parser returns ``(text, None)`` or ``(None, message)``; the message is the
plain Chinese explanation shown next to the question. Full-width digits and
common separators are accepted, because that is what a Chinese IME produces.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime

from app.errors import ErrorCode
from app.forms.xpath.values import format_datetime, number_to_string, parse_datetime, parse_time

_INT = re.compile(r"[+-]?\d+")
_DECIMAL = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")  # "1.5E-7", as ODK Collect writes
_DATE = re.compile(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?")


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
    return code.value.format(**context)


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
        moment = parse_datetime(text.replace("/", "-"))
        if moment is None:
            day, problem = _date(text) if len(text) <= 11 else (None, "has a time part that is not a time")
            if problem:
                return None, _message(ErrorCode.ANSWER_NOT_DATETIME, value=text)
            moment = datetime.fromisoformat(day).astimezone()
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
    return text, None


def _date(text: str) -> tuple[str | None, str | None]:
    m = _DATE.fullmatch(text) or _DATE.fullmatch(text[:10])
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat(), None
        except ValueError:
            pass
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
