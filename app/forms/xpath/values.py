"""XPath 1.0 values with ODK's additions: conversions, dates as day counts, number text.

Values are plain Python objects: ``float`` (number), ``str``, ``bool``, ``list`` of
nodes (node-set) and ``DateValue`` (a float subclass counting days since
1970-01-01, so date arithmetic and comparisons work as in ODK Collect and Enketo).
"""

from __future__ import annotations

import math
import re
from contextvars import ContextVar
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import Decimal

EPOCH = date(1970, 1, 1)
_EPOCH_NAIVE = datetime(1970, 1, 1)
_NUMBER_TEXT = re.compile(r"\s*-?(?:\d+(?:\.\d*)?|\.\d+)\s*")
DATE_RE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
DATETIME_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)
TIME_RE = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?")
# A number as JavaRosa's typed decimal/int values read it (Double.parseDouble: exponents allowed).
NUMBER_WITH_EXPONENT = re.compile(r"\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*")


class DateValue(float):
    """A date or date-time, as days since 1970-01-01 on the wall clock (fractional for date-times),
    as ODK Collect counts them; ``tz`` keeps the date-time's own offset for printing."""

    __slots__ = ("kind", "tz")

    def __new__(cls, days: float, kind: str = "date", tz=None):
        obj = super().__new__(cls, days)
        obj.kind = kind
        obj.tz = tz
        return obj

    def __str__(self) -> str:
        if math.isnan(self) or math.isinf(self):
            return ""
        if self.kind == "date":
            return (EPOCH + timedelta(days=math.floor(self))).isoformat()
        return format_datetime(self.to_datetime())

    def to_datetime(self) -> datetime:
        """The date-time this value stands for, in its own time zone (else the device's)."""
        if self.kind == "date":
            day = EPOCH + timedelta(days=math.floor(self))
            return local_wall(datetime.combine(day, time()))
        wall = _EPOCH_NAIVE + timedelta(days=float(self))
        return wall.replace(tzinfo=self.tz) if self.tz is not None else local_wall(wall)

    def __repr__(self) -> str:
        return f"DateValue({float(self)!r}, {self.kind!r})"


DEVICE_TZ: ContextVar = ContextVar("device_tz", default=None)


def on_device(moment: datetime) -> datetime:
    """The moment on the device's clock: the form session's clock zone, else this computer's (with its
    daylight-saving rules, when the session's clock is this computer's)."""
    tz = DEVICE_TZ.get()
    if tz is None or _is_system_zone(tz):
        return moment.astimezone()
    return moment.astimezone(tz)


def local_wall(wall: datetime) -> datetime:
    """A wall-clock time (naive) on the device's clock, as an aware date-time."""
    tz = DEVICE_TZ.get()
    if tz is None or _is_system_zone(tz):
        return wall.astimezone()
    return wall.replace(tzinfo=tz)


def _is_system_zone(tz) -> bool:
    """Is ``tz`` this computer's own zone now (a session opened with the computer's clock)?"""
    now = datetime.now().astimezone()
    return tz is now.tzinfo or tz.utcoffset(now) == now.utcoffset()


def instant_days(moment: datetime) -> float:
    """Days since 1970-01-01T00:00Z of an instant, whatever its zone (JavaRosa's Date.getTime() / a day)."""
    return moment.timestamp() / 86400.0


def from_instant_days(days: float) -> DateValue:
    """The instant ``days`` after 1970-01-01T00:00Z, as the device's clock shows it (date-time(0) in China
    is 1970-01-01T08:00:00.000+08:00)."""
    moment = on_device(datetime.fromtimestamp(0, UTC) + timedelta(days=days))
    return datetime_to_days(moment)


def format_datetime(moment: datetime) -> str:
    """ODK's date-time text: 2024-03-15T14:30:00.000+08:00 (in the moment's own offset)."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.isoformat(timespec="milliseconds")


def date_to_days(day: date) -> DateValue:
    return DateValue((day - EPOCH).days, "date")


def datetime_to_days(moment: datetime) -> DateValue:
    """Wall-clock days: 2026-11-23T07:00+08:00 is 23 November, as the person there sees it."""
    if moment.tzinfo is None:
        moment = moment.astimezone()
    wall = moment.replace(tzinfo=None)
    return DateValue((wall - _EPOCH_NAIVE).total_seconds() / 86400.0, "dateTime", moment.tzinfo)


def parse_date_text(text: str) -> DateValue | None:
    """Days for '2024-03-15' or '2024-03-15T10:00:00+08:00'; None if not a real date."""
    text = text.strip()
    m = DATETIME_RE.fullmatch(text)
    if m and (m.group(4) is not None):
        moment = parse_datetime(text)
        return datetime_to_days(moment) if moment else None
    m = DATE_RE.fullmatch(text) or DATE_RE.match(text)
    if m:
        try:
            return date_to_days(date(int(m.group(1)), int(m.group(2)), int(m.group(3))))
        except ValueError:
            return None
    return None


def parse_datetime(text: str) -> datetime | None:
    m = DATETIME_RE.fullmatch(text.strip())
    if not m:
        return None
    y, mo, d, h, mi, s, frac, tz = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        moment = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), micro)
    except ValueError:
        return None
    if tz:  # an instant from elsewhere is read on this device's clock, as ODK Collect does
        return on_device(moment.replace(tzinfo=_parse_tz(tz)))
    return local_wall(moment)


def parse_time(text: str) -> time | None:
    m = TIME_RE.fullmatch(text.strip())
    if not m:
        return None
    h, mi, s, frac, tz = m.groups()
    try:
        micro = int((frac or "0")[:6].ljust(6, "0"))
        return time(int(h), int(mi), int(s or 0), micro, tzinfo=_parse_tz(tz) if tz else None)
    except ValueError:
        return None


def _parse_tz(text: str) -> timezone:
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))


# --------------------------------------------------------------------------- conversions


def to_string(value) -> str:
    """XPath string(): node-set → first node's text; numbers without a trailing .0."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return value[0].string_value() if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, DateValue):
        return str(value)
    if isinstance(value, (int, float)):
        return number_to_string(float(value))
    return str(value)


def number_to_string(num: float) -> str:
    if math.isnan(num):
        return "NaN"
    if math.isinf(num):
        return "Infinity" if num > 0 else "-Infinity"
    nearest = round(num)
    if abs(num - nearest) < 1e-12 and abs(num) < 1e21:  # as ODK Collect: float noise prints as the integer
        return str(int(nearest))
    text = repr(num)
    if "e" in text or "E" in text:
        text = format(Decimal(text), "f")
    return text


def string_to_number(text: str) -> float:
    """XPath number() of a string; ODK also reads a date string as its day count."""
    if _NUMBER_TEXT.fullmatch(text):
        return float(text)
    if len(text) >= 10 and text.lstrip()[:1].isdigit():
        days = parse_date_text(text)
        if days is not None:
            return days
    return math.nan


def to_number(value) -> float:
    if isinstance(value, float):
        return value
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int):
        return float(value)
    if isinstance(value, str):
        return string_to_number(value)
    if isinstance(value, list):
        return node_number(value[0]) if value else math.nan
    return math.nan


def node_number(node) -> float:
    """number() of a node: a decimal or integer question's value may use an exponent ("1.5E-7", as ODK
    Collect writes small decimals), read as JavaRosa reads its typed values; other text as XPath does."""
    text = node.string_value()
    bind = getattr(node, "bind", None)
    if bind is not None and bind.type in ("decimal", "int", "integer") and NUMBER_WITH_EXPONENT.fullmatch(text):
        return float(text)
    return string_to_number(text)


def to_boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return not (abs(value) < 1e-12 or math.isnan(value))
    if isinstance(value, str):
        return len(value) > 0
    if isinstance(value, list):
        return len(value) > 0
    return bool(value)


def to_date(value) -> DateValue | None:
    """ODK date(): a DateValue from a date string, a day count or a date-time."""
    if isinstance(value, DateValue):
        return value
    if isinstance(value, list):
        value = to_string(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return None if math.isnan(value) or math.isinf(value) else DateValue(float(value), "date")
    text = value.strip()
    if not text:
        return None
    if _NUMBER_TEXT.fullmatch(text):
        return DateValue(float(text), "date")
    return parse_date_text(text)


def is_nodeset(value) -> bool:
    return isinstance(value, list)
