"""What goes into one cell: typed values (text, numbers, real dates), identifiers kept as text, masking.

A converter turns a stored answer into the Python value a sheet writer understands:
``str`` (written as text), ``int``/``float`` (numbers), ``date`` and ``datetime``
(real spreadsheet dates), or ``None`` (an empty cell). ID numbers, phone numbers and
house numbers always come out as ``str``, so Excel never shows 3.4E+17 or drops a
leading zero; they are recognised by the question's name and label and by the
value's shape.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from datetime import date, datetime

from app import china
from app.paths import mask_sensitive

# Question names and labels that hold identifiers, whatever the question's type.
_ID_LABEL = re.compile(r"身份证|身份号码|证件号码|证件号")
_ID_NAME = re.compile(r"(^|_)(id_?no|id_?num(ber)?|id_?card|idcard|sfzh?m?)$|^(elder|child|person|guardian|father|"
                      r"mother|carer|head|parent|g)_id$")
_PHONE_LABEL = re.compile(r"电话|手机|联系方式|联系号码")
_PHONE_NAME = re.compile(r"(^|_)(phone|mobile|tel|telephone|shouji|dianhua)(_|$)")
_HOUSE_LABEL = re.compile(r"门牌号|门牌编号")
_HOUSE_NAME = re.compile(r"(^|_)(house_?no|house_?num(ber)?|menpai|plate_?no)(_|$)")
_ID_SHAPE = re.compile(r"\d{17}[\dXx]|\d{15}")
_MOBILE_SHAPE = re.compile(r"(\+?86)?1[3-9]\d{9}")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ISO_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_TIME = re.compile(r"(\d{2}:\d{2})(:\d{2})?")

IDENTITY_LABELS = {"id": "身份证号", "phone": "电话号码", "house": "门牌号"}


def identity_kind(name: str, label: str = "", qtype: str = "text") -> str | None:
    """"id", "phone" or "house" when a question holds that kind of identifier, else None.

    Only questions typed in (text or numbers) hold one; a select's answer is a code from its list.
    """
    if qtype not in ("text", "integer", "decimal", "int", "string", "barcode"):
        return None
    name = (name or "").lower()
    if _ID_LABEL.search(label or "") or _ID_NAME.search(name):
        return "id"
    if _PHONE_LABEL.search(label or "") or _PHONE_NAME.search(name):
        return "phone"
    if _HOUSE_LABEL.search(label or "") or _HOUSE_NAME.search(name):
        return "house"
    return None


def code_like(text: str) -> bool:
    """Digits a spreadsheet would damage as a number: an ID or mobile number, a leading zero, over 15 digits."""
    text = text.strip()
    return bool(_ID_SHAPE.fullmatch(text) or _MOBILE_SHAPE.fullmatch(text)
                or (text[:1] == "0" and len(text) > 1 and text.isdigit()) or (text.isdigit() and len(text) > 15))


def display_width(text: str) -> int:
    """Columns a text takes in a spreadsheet: Chinese (wide) characters count double."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def mask_phone(text: str) -> str:
    """138****5678 for a mobile; any other number keeps its first 3 and last 4 digits."""
    number = china.normalize_mobile(text)
    if number.isdigit() and len(number) >= 8:
        return number[:3] + "*" * (len(number) - 7) + number[-4:]
    return mask_sensitive(text)


def mask_identifier(kind: str, text: str) -> str:
    if kind == "id":
        return china.mask_id(text) if len(text.strip()) >= 8 else text
    if kind == "phone":
        return mask_phone(text)
    return text


def to_date(value) -> date | str | None:
    """A stored date ("2026-03-15", or the date part of a date-time) as a date; other text as it is."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    if _ISO_DATE.match(text):
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            return text
    return text


def to_datetime(value, *, local: bool = False) -> datetime | str | None:
    """A stored date-time as the wall-clock time it was written with (spreadsheets have no time zones).

    ``local=True`` converts to this computer's time zone first (for the store's UTC timestamps).
    """
    if value in (None, ""):
        return None
    text = str(value).strip()
    if not _ISO_DATETIME.match(text):
        return to_date(text)
    try:
        moment = datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        if local:
            try:  # the local wall clock of that instant, to the second (what astimezone() gives, done faster)
                return datetime.fromtimestamp(moment.timestamp() // 1)
            except (OverflowError, OSError, ValueError):
                moment = moment.astimezone()
        moment = moment.replace(tzinfo=None)
    return moment.replace(microsecond=0) if moment.microsecond else moment


def to_number(value) -> int | float | str | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
            value = int(value)
        return str(value) if code_like(str(value)) else value
    text = str(value).strip()
    if code_like(text):
        return text
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def plain(value) -> str | None:
    """Any stored value as text (lists and objects as JSON)."""
    if value in (None, ""):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


NUMERIC = {"integer", "decimal", "range", "int"}
DATES = {"date"}
DATETIMES = {"datetime", "dateTime"}
TIMES = {"time"}
FILES = {"image", "audio", "video", "file", "geopoint", "geotrace", "geoshape", "barcode", "acknowledge"}


def converter(qtype: str, *, identity: str | None = None, choices: dict[str, str] | None = None,
              codes: bool = False, full_ids: bool = False) -> Callable[[object], object]:
    """The function turning one stored answer of a question into a cell value.

    Choices come out as their labels (``codes=True``: the codes); identifiers as text,
    masked unless ``full_ids``; free text has any ID or mobile number inside it masked
    unless ``full_ids``.
    """
    if identity is not None:
        def identifier(value):
            text = plain(value)
            if text is None:
                return None
            return text if full_ids or identity == "house" else mask_identifier(identity, text)
        return identifier
    if qtype in ("select_one", "select_multiple", "rank") and choices and not codes:
        if qtype == "select_one":
            return lambda value: None if value in (None, "") else choices.get(str(value), plain(value))
        return lambda value: None if value in (None, "") else "、".join(
            choices.get(code, code) for code in str(value).split())
    if qtype in NUMERIC:
        if full_ids:
            return to_number

        def number(value):
            out = to_number(value)
            return mask_sensitive(out) if isinstance(out, str) else out
        return number
    if qtype in DATES:
        return to_date
    if qtype in DATETIMES:
        return to_datetime
    if qtype in TIMES:
        def clock(value):
            text = plain(value)
            match = _TIME.match(text or "")
            return match.group(0) if match else text
        return clock
    if full_ids or qtype in FILES:
        return plain

    def text(value):
        out = plain(value)
        return mask_sensitive(out) if out is not None and len(out) >= 11 else out
    return text


def shaped(value) -> object:
    """A value with no question to describe it (the bureau's export): typed by its shape alone."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return to_number(value)
    text = plain(value)
    if text is None:
        return None
    if len(text) == 10 and _ISO_DATE.fullmatch(text):
        return to_date(text)
    return text


# ---------------------------------------------------------------- built once per column, for bulk exports

MEMO_LIMIT = 4096
"""Distinct text answers remembered per column: choices, dates and numbers repeat across records; free text that
does not repeat stops being remembered once a column has this many (memory stays bounded)."""


def memoized(convert: Callable[[object], object], *, limit: int = MEMO_LIMIT) -> Callable[[object], object]:
    """``convert`` remembering its result for text answers (every converter is a pure function of the answer, and
    its results are immutable: text, numbers, dates). Other answers (numbers, lists) are converted each time, so
    1, 1.0 and True never share a result."""
    cache: dict[str, object] = {}
    get = cache.get
    missing = object()

    def cell(value):
        if value.__class__ is not str:
            return None if value is None else convert(value)
        out = get(value, missing)
        if out is missing:
            out = convert(value)
            if len(cache) < limit:
                cache[value] = out
        return out
    return cell


def csv_text(value) -> str:
    """A cell value as CSV text: empty for no value, dates as ISO dates, date-times to the minute (seconds when
    not zero), whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, datetime):
        if value.year >= 1000 and value.tzinfo is None:  # strftime pads no year below 1000, has no offset
            text = value.isoformat(" ", "seconds")
            return text if value.second else text[:16]
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def csv_converter(convert: Callable[[object], object], *, limit: int = MEMO_LIMIT) -> Callable[[object], str]:
    """``convert`` followed by ``csv_text``, built once per column: the same text, each distinct text answer
    converted once (up to ``limit`` of them)."""
    cache: dict[str, str] = {}
    get = cache.get

    def cell(value) -> str:
        if value.__class__ is not str:
            return "" if value is None else csv_text(convert(value))
        out = get(value)
        if out is None:
            out = csv_text(convert(value))
            if len(cache) < limit:
                cache[value] = out
        return out
    return cell


def row_function(columns: list[tuple[str, Callable[[object], object]]], *, text: bool,
                 limit: int = MEMO_LIMIT) -> Callable[[dict], list]:
    """One table's cells from a record's answers (a dict), compiled once per export from its (question name,
    converter) pairs: CSV text with ``text=True`` (what ``csv_converter`` gives), else typed values (what
    ``memoized`` gives).

    The function is generated code, one expression per column: a text answer already seen in that column (and no
    answer) is looked up, not converted, with no call per cell; a new one goes through the column's converter
    and is remembered (up to ``limit`` per column). A record holding a list or an object where a column expects
    an answer (odd data from elsewhere) is converted cell by cell instead, to the same values.
    """
    finish = csv_text if text else None
    namespace: dict[str, object] = {}
    cells = []
    for i, (name, convert) in enumerate(columns):
        seen: dict[object, object] = {None: "" if text else None}
        namespace[f"K{i}"] = seen
        namespace[f"C{i}"] = _remembering(convert, seen, finish, limit)
        cells.append(f"K{i}[v] if (v := g({name!r})) in K{i} else C{i}(v)")
    source = ("def fast(answers):\n    g = answers.get\n    return [" + ", ".join(cells) + "]\n")
    exec(compile(source, "<cunfang row function>", "exec"), namespace)  # names are repr()'d: literals only
    fast = namespace["fast"]
    wrap = csv_converter if text else memoized
    slow_cells = [(name, wrap(convert, limit=limit)) for name, convert in columns]

    def row(answers: dict) -> list:
        try:
            return fast(answers)
        except TypeError:  # an unhashable answer (list, object): cell by cell
            get = answers.get
            return [cell(get(name)) for name, cell in slow_cells]
    return row


def _remembering(convert, seen: dict, finish, limit: int):
    """A column's converter for answers not seen yet: converts, and remembers text answers (up to ``limit``)."""
    def miss(value):
        out = convert(value)
        if finish is not None:
            out = finish(out)
        if value.__class__ is str and len(seen) <= limit:  # the None entry does not count
            seen[value] = out
        return out
    return miss
