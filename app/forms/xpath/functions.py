"""ODK's XPath function library, plus the China helpers forms can call.

Each function receives the evaluation context and its evaluated arguments, except
the few that must evaluate lazily (``if``, ``once``, ``coalesce``). Argument counts
are checked when a form loads, so a typo is a form error, not a runtime surprise.
"""

from __future__ import annotations

import base64
import hashlib
import math
import random
import re
import secrets
import string
import uuid as uuid_module
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_DOWN, ROUND_HALF_UP, Decimal

from app import china
from app.errors import CunFangError, ErrorCode
from app.forms.xpath.values import (
    DateValue,
    date_to_days,
    datetime_to_days,
    from_instant_days,
    instant_days,
    local_wall,
    number_to_string,
    on_device,
    parse_date_text,
    parse_datetime,
    parse_time,
    to_boolean,
    to_date,
    to_number,
    to_string,
)

_REGISTRY: dict[str, tuple] = {}
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_LAZY = {"if", "once", "coalesce"}


def xpath_function(name: str, min_args: int = 0, max_args: int | None = None):
    """Register ``fn(ctx, *args)`` under an XPath name (max_args None = unlimited)."""

    def register(fn):
        _REGISTRY[name] = (fn, min_args, max_args)
        return fn

    return register


def function_names() -> list[str]:
    return sorted(_REGISTRY)


def compile_call(name: str, args: list, raw_args: list):
    """Bind a call to its implementation, checking the name and the argument count."""
    entry = _REGISTRY.get(name)
    if entry is None and ":" in name:
        entry = _REGISTRY.get(name.split(":", 1)[1])
    if entry is None:
        raise CunFangError(ErrorCode.FORM_UNKNOWN_FUNCTION, name=name)
    fn, lo, hi = entry
    if len(args) < lo or (hi is not None and len(args) > hi):
        want = f"{lo}" if lo == hi else (f"至少 {lo}" if hi is None else f"{lo} 到 {hi}")
        raise CunFangError(ErrorCode.FORM_BAD_ARGS, name=name, problem=f"需要 {want} 个，实际 {len(args)} 个")
    base = name.split(":", 1)[1] if ":" in name and name not in _REGISTRY else name
    if base in _LAZY:
        return lambda c: fn(c, *args)
    n = len(args)
    if n == 0:
        return lambda c: fn(c)
    if n == 1:
        a0 = args[0]
        return lambda c: fn(c, a0(c))
    if n == 2:
        a0, a1 = args
        return lambda c: fn(c, a0(c), a1(c))
    return lambda c: fn(c, *[a(c) for a in args])


def _nodes_or_values(args) -> list:
    """Flatten node-sets into their texts (as ODK does for concat/join/min/max)."""
    out = []
    for a in args:
        if isinstance(a, list):
            out.extend(n.string_value() for n in a)
        else:
            out.append(a)
    return out


# --------------------------------------------------------------------------- logic


@xpath_function("if", 3, 3)
def _if(c, cond, then, otherwise):
    return then(c) if to_boolean(cond(c)) else otherwise(c)


@xpath_function("coalesce", 2, 2)
def _coalesce(c, a, b):
    first = to_string(a(c))
    return first if first not in ("", "NaN") else to_string(b(c))


@xpath_function("once", 1, 1)
def _once(c, expr):
    node = c.env.current or c.node
    current = node.value if node is not None and not isinstance(node, str) else ""
    return current if current != "" else expr(c)


@xpath_function("not", 1, 1)
def _not(c, x):
    return not to_boolean(x)


@xpath_function("true", 0, 0)
def _true(c):
    return True


@xpath_function("false", 0, 0)
def _false(c):
    return False


@xpath_function("boolean", 1, 1)
def _boolean(c, x):
    return to_boolean(x)


@xpath_function("boolean-from-string", 1, 1)
def _boolean_from_string(c, x):
    text = to_string(x)  # JavaRosa: "true" in any case, or "1"; nothing else, not even with spaces around
    return text.lower() == "true" or text == "1"


@xpath_function("checklist", 2)
def _checklist(c, lo, hi, *values):
    count = sum(1 for v in _nodes_or_values(values) if to_boolean(v))
    return _within(count, to_number(lo), to_number(hi))


@xpath_function("weighted-checklist", 2)
def _weighted_checklist(c, lo, hi, *pairs):
    values, weights = pairs[0::2], pairs[1::2]
    total = 0.0
    for v, w in zip(values, weights, strict=False):
        vals = _nodes_or_values([v])
        ws = _nodes_or_values([w])
        for vv, ww in zip(vals, ws, strict=False):
            if to_string(vv) in ("true", "1") or (not isinstance(vv, str) and to_boolean(vv)):
                total += to_number(ww)
    return _within(total, to_number(lo), to_number(hi))


def _within(value: float, lo: float, hi: float) -> bool:
    return (lo < 0 or value >= lo) and (hi < 0 or value <= hi)


# --------------------------------------------------------------------------- selects


def _selection(text) -> list[str]:
    return to_string(text).split()


@xpath_function("selected", 2, 2)
def _selected(c, answer, value):
    return to_string(value).strip() in _selection(answer)


@xpath_function("selected-at", 2, 2)
def _selected_at(c, answer, index):
    items = _selection(answer)
    i = to_number(index)
    if math.isnan(i) or i < 0 or i >= len(items):
        return ""
    return items[int(i)]


@xpath_function("count-selected", 1, 1)
def _count_selected(c, answer):
    return float(len(_selection(answer)))


@xpath_function("choice-name", 2, 2)
def _choice_name(c, value, path):
    lookup = c.env.choice_label
    if lookup is None:
        return ""
    target = to_string(path).strip()
    from app.forms.xpath.compiler import Ctx, compile_expr
    from app.forms.xpath.parser import parse

    nodes = compile_expr(parse(target))(Ctx(c.env.current or c.node, 1, 1, c.env)) if target else []
    if not nodes:
        return ""
    return lookup(nodes[0], to_string(value))


@xpath_function("itext", 1, 1)
def _itext(c, text_id):
    return c.env.itext(to_string(text_id)) if c.env.itext else ""


@xpath_function("pulldata", 4, 4)
def _pulldata(c, instance_id, column, key_column, key):
    doc = c.env.instances.get(to_string(instance_id))
    if doc is None or not doc.children:
        return ""
    want_col, key_col, key_text = to_string(column), to_string(key_column), to_string(key)
    for item in doc.children[0].children:
        k = item.child(key_col)
        if k is not None and k.value == key_text:
            v = item.child(want_col)
            return v.value if v is not None else ""
    return ""


# --------------------------------------------------------------------------- node-sets


def _need_nodes(name: str, value) -> list:
    if not isinstance(value, list):
        raise CunFangError(ErrorCode.FORM_INVALID, reason=f"{name}() 的参数必须是问题或一组重复问题")
    return value


@xpath_function("count", 1, 1)
def _count(c, nodes):
    return float(len(_need_nodes("count", nodes)))


@xpath_function("count-non-empty", 1, 1)
def _count_non_empty(c, nodes):
    return float(sum(1 for n in _need_nodes("count-non-empty", nodes) if n.string_value() != ""))


@xpath_function("sum", 1, 1)
def _sum(c, nodes):
    return math.fsum(to_number(n.string_value()) for n in _need_nodes("sum", nodes))


def _numbers(args) -> list[float]:
    return [to_number(v) for v in _nodes_or_values(args)]


@xpath_function("min", 1)
def _min(c, *args):
    nums = [n for n in _numbers(args) if not math.isnan(n)]
    return min(nums) if nums else math.nan


@xpath_function("max", 1)
def _max(c, *args):
    nums = [n for n in _numbers(args) if not math.isnan(n)]
    return max(nums) if nums else math.nan


@xpath_function("position", 0, 1)
def _position(c, *nodes):
    if not nodes:
        return float(c.pos)
    target = _need_nodes("position", nodes[0])
    if not target:
        return math.nan
    node = target[0]
    if node.parent is None:
        return 1.0
    same = [s for s in node.parent.children if s.name == node.name]
    return float(same.index(node) + 1)


@xpath_function("last", 0, 0)
def _last(c):
    return float(c.size)


@xpath_function("name", 0, 1)
def _name(c, *nodes):
    target = _need_nodes("name", nodes[0]) if nodes else [c.node]
    return target[0].name if target and target[0].name != "#document" else ""


_REGISTRY["local-name"] = _REGISTRY["name"]


@xpath_function("indexed-repeat", 3)
def _indexed_repeat(c, target, repeat, index, *more):
    """The value of ``target`` in the index-th instance of ``repeat`` (1-based)."""
    repeats = _need_nodes("indexed-repeat", repeat)
    pairs = [(repeat, index), *zip(more[0::2], more[1::2], strict=False)]
    target_nodes = _need_nodes("indexed-repeat", target)
    if not target_nodes:
        return ""
    chosen = None
    for rep, idx in pairs:
        rep_nodes = _need_nodes("indexed-repeat", rep)
        if chosen is not None:
            rep_nodes = [n for n in rep_nodes if _is_under(n, chosen)]
        i = to_number(idx)
        if math.isnan(i) or i < 1 or i > len(rep_nodes):
            return ""
        chosen = rep_nodes[int(i) - 1]
    del repeats
    for n in target_nodes:
        if _is_under(n, chosen):
            return n.string_value()
    return ""


def _is_under(node, ancestor) -> bool:
    while node is not None:
        if node is ancestor:
            return True
        node = node.parent
    return False


@xpath_function("randomize", 1, 2)
def _randomize(c, nodes, *seed):
    items = list(_need_nodes("randomize", nodes))
    rng = random.Random(to_number(seed[0])) if seed else random.Random()
    rng.shuffle(items)
    return items


# --------------------------------------------------------------------------- strings


@xpath_function("string", 0, 1)
def _string(c, *x):
    return to_string(x[0]) if x else to_string([c.node])


@xpath_function("concat", 0)
def _concat(c, *args):
    return "".join(to_string(v) for v in _nodes_or_values(args))


@xpath_function("join", 1)
def _join(c, sep, *args):
    return to_string(sep).join(to_string(v) for v in _nodes_or_values(args))


@xpath_function("substr", 2, 3)
def _substr(c, text, start, *end):
    s = to_string(text)
    a = to_number(start)
    if math.isnan(a):
        return ""
    b = to_number(end[0]) if end else len(s)
    if math.isnan(b):
        return ""
    return s[int(a) : int(b)]


@xpath_function("substring", 2, 3)
def _substring(c, text, start, *length):
    s = to_string(text)
    first = _xpath_round(to_number(start))
    last = first + _xpath_round(to_number(length[0])) if length else math.inf
    if math.isnan(first) or math.isnan(last):
        return ""
    return "".join(ch for i, ch in enumerate(s, 1) if first <= i < last)


def _xpath_round(x: float) -> float:
    if math.isnan(x) or math.isinf(x):
        return x
    return math.floor(x + 0.5)


@xpath_function("substring-before", 2, 2)
def _substring_before(c, text, sep):
    s, t = to_string(text), to_string(sep)
    i = s.find(t)
    return s[:i] if i >= 0 else ""


@xpath_function("substring-after", 2, 2)
def _substring_after(c, text, sep):
    s, t = to_string(text), to_string(sep)
    i = s.find(t)
    return s[i + len(t) :] if i >= 0 else ""


@xpath_function("string-length", 0, 1)
def _string_length(c, *x):
    return float(len(to_string(x[0]) if x else to_string([c.node])))


@xpath_function("normalize-space", 0, 1)
def _normalize_space(c, *x):
    return " ".join((to_string(x[0]) if x else to_string([c.node])).split())


@xpath_function("starts-with", 2, 2)
def _starts_with(c, s, prefix):
    return to_string(s).startswith(to_string(prefix))


@xpath_function("ends-with", 2, 2)
def _ends_with(c, s, suffix):
    return to_string(s).endswith(to_string(suffix))


@xpath_function("contains", 2, 2)
def _contains(c, s, part):
    return to_string(part) in to_string(s)


@xpath_function("translate", 3, 3)
def _translate(c, s, frm, to):
    source, a, b = to_string(s), to_string(frm), to_string(to)
    table: dict[int, int | None] = {}
    for i, ch in enumerate(a):
        if ord(ch) not in table:
            table[ord(ch)] = ord(b[i]) if i < len(b) else None
    return source.translate(table)


@xpath_function("lower-case", 1, 1)
def _lower(c, s):
    return to_string(s).lower()


@xpath_function("upper-case", 1, 1)
def _upper(c, s):
    return to_string(s).upper()


@xpath_function("regex", 2, 2)
def _regex(c, s, pattern):
    try:
        return re.fullmatch(to_string(pattern), to_string(s)) is not None
    except re.error as exc:
        raise CunFangError(ErrorCode.FORM_INVALID, reason=f"正则表达式“{to_string(pattern)}”有误：{exc}") from exc


@xpath_function("uuid", 0, 1)
def _uuid(c, *length):
    if not length:
        return str(uuid_module.uuid4())
    n = int(to_number(length[0]))
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(max(n, 0)))


@xpath_function("digest", 2, 3)
def _digest(c, data, algorithm, *encoding):
    algos = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    name = algos.get(to_string(algorithm).upper())
    if name is None:
        raise CunFangError(ErrorCode.FORM_INVALID, reason=f"digest() 不支持算法“{to_string(algorithm)}”")
    raw = hashlib.new(name, to_string(data).encode("utf-8")).digest()
    enc = to_string(encoding[0]).lower() if encoding else "base64"
    return raw.hex() if enc == "hex" else base64.b64encode(raw).decode("ascii")


@xpath_function("base64-decode", 1, 1)
def _base64_decode(c, data):
    try:
        return base64.b64decode(to_string(data)).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return ""


# --------------------------------------------------------------------------- numbers


@xpath_function("number", 0, 1)
def _number(c, *x):
    return to_number(x[0]) if x else to_number([c.node])


@xpath_function("int", 1, 1)
def _int(c, x):
    n = to_number(x)
    if math.isnan(n) or math.isinf(n):
        return n
    return float(math.trunc(n))


@xpath_function("round", 1, 2)
def _round(c, x, *digits):
    """ODK Collect's round: halves up for positives and toward zero for negatives (XPath), with
    optional digits (negative digits round to tens, hundreds…); a comma counts as a decimal point."""
    n = to_number(x.replace(",", ".") if isinstance(x, str) else x)
    places = to_number(digits[0]) if digits else 0.0
    if math.isnan(n) or math.isinf(n):
        return n
    if math.isnan(places) or abs(places) > 30:
        return math.nan
    places = int(places)
    if places >= 0:
        mode = ROUND_HALF_DOWN if n < 0 else ROUND_HALF_UP
        return float(Decimal(repr(n)).quantize(Decimal(1).scaleb(-places), rounding=mode))
    scale = 10.0 ** -places
    return float(math.trunc(n / scale + 0.5)) * scale


@xpath_function("floor", 1, 1)
def _floor(c, x):
    n = to_number(x)
    return n if math.isnan(n) or math.isinf(n) else float(math.floor(n))


@xpath_function("ceiling", 1, 1)
def _ceiling(c, x):
    n = to_number(x)
    return n if math.isnan(n) or math.isinf(n) else float(math.ceil(n))


@xpath_function("abs", 1, 1)
def _abs(c, x):
    return abs(to_number(x))


@xpath_function("pow", 2, 2)
def _pow(c, x, y):
    try:
        return math.pow(to_number(x), to_number(y))
    except (ValueError, OverflowError):
        return math.nan


def _math1(name: str, fn):
    def impl(c, x):
        try:
            return fn(to_number(x))
        except (ValueError, OverflowError):
            return math.nan

    _REGISTRY[name] = (impl, 1, 1)


for _name_, _fn_ in {
    "log": lambda x: -math.inf if x == 0 else math.log(x),
    "log10": lambda x: -math.inf if x == 0 else math.log10(x),
    "sqrt": math.sqrt,
    "exp": math.exp,
    "exp10": lambda x: 10.0**x,
    "sin": math.sin,
    "cos": math.cos,
    "tan": math.tan,
    "asin": math.asin,
    "acos": math.acos,
    "atan": math.atan,
}.items():
    _math1(_name_, _fn_)


@xpath_function("atan2", 2, 2)
def _atan2(c, y, x):
    return math.atan2(to_number(y), to_number(x))


@xpath_function("pi", 0, 0)
def _pi(c):
    return math.pi


@xpath_function("random", 0, 0)
def _random(c):
    return random.random()


# --------------------------------------------------------------------------- dates


@xpath_function("version", 0, 0)
def _version(c):
    """The form's version, as JavaRosa's version() (empty when the form sets none)."""
    return c.env.form_version


@xpath_function("today", 0, 0)
def _today(c):
    return date_to_days(c.env.now().date())


@xpath_function("now", 0, 0)
def _now(c):
    return datetime_to_days(c.env.now())


@xpath_function("date", 1, 1)
def _date(c, x):
    value = to_date(x)
    if value is None:
        return ""
    if isinstance(value, DateValue) and value.kind != "date":
        return date_to_days(value.to_datetime().date())
    return DateValue(float(value), "date")


@xpath_function("date-time", 1, 1)
def _date_time(c, x):
    """A number is days since the instant 1970-01-01T00:00Z, shown on the device's clock (JavaRosa's
    ``new Date(n * DAY)``): date-time(0) in China is 1970-01-01T08:00:00.000+08:00."""
    if isinstance(x, list):
        x = to_string(x)
    if isinstance(x, str) and _NUMBER.fullmatch(x.strip()):
        x = float(x)
    if isinstance(x, float) and not isinstance(x, DateValue):
        return "" if math.isnan(x) or math.isinf(x) else from_instant_days(x)
    value = to_date(x)
    return "" if value is None else DateValue(float(value), "dateTime", value.tz)


@xpath_function("decimal-date-time", 1, 1)
def _decimal_date_time(c, x):
    """Days since the instant 1970-01-01T00:00Z (JavaRosa's ``getTime() / DAY``): a date-time with ``Z`` or
    an offset gives the same number in every zone; one without is read on the device's clock."""
    if isinstance(x, list):
        x = to_string(x)
    if isinstance(x, DateValue):
        return instant_days(x.to_datetime())
    if isinstance(x, bool):
        return math.nan
    if isinstance(x, (int, float)):
        return float(x)
    text = to_string(x).strip()
    if text == "":
        return ""
    if _NUMBER.fullmatch(text):
        return float(text)
    moment = parse_datetime(text)
    if moment is None:
        day = parse_date_text(text)
        if day is None:
            return math.nan
        moment = local_wall(datetime.combine(date(1970, 1, 1) + timedelta(days=math.floor(day)), datetime.min.time()))
    return instant_days(moment)


@xpath_function("decimal-time", 1, 1)
def _decimal_time(c, x):
    moment = parse_time(to_string(x))
    if moment is None:
        return math.nan
    seconds = moment.hour * 3600 + moment.minute * 60 + moment.second + moment.microsecond / 1e6
    if moment.tzinfo is not None:
        local_offset = on_device(datetime.now(UTC)).utcoffset() or timedelta()
        seconds += (local_offset - (moment.utcoffset() or timedelta())).total_seconds()
        seconds %= 86400
    return round(seconds / 86400.0, 9)


_MONTHS_EN = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
_DAYS_EN = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
_DAYS_ZH = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"]


def _chinese(lang: str | None) -> bool:
    return bool(lang) and ("zh" in lang.lower() or "中文" in lang)


def format_date(value, fmt: str, lang: str | None = None) -> str:
    """ODK format-date: %Y %y %m %n %b %d %e %a %H %h %M %S %3."""
    day = to_date(value)
    if day is None:
        return ""
    moment = day.to_datetime()
    zh = _chinese(lang)
    out, i = [], 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%" or i + 1 == len(fmt):
            out.append(ch)
            i += 1
            continue
        spec = fmt[i + 1]
        i += 2
        out.append(
            {
                "Y": f"{moment.year:04d}",
                "y": f"{moment.year % 100:02d}",
                "m": f"{moment.month:02d}",
                "n": str(moment.month),
                "b": f"{moment.month}月" if zh else _MONTHS_EN[moment.month - 1],
                "d": f"{moment.day:02d}",
                "e": str(moment.day),
                "a": (_DAYS_ZH if zh else _DAYS_EN)[moment.weekday()],
                "H": f"{moment.hour:02d}",
                "h": str(moment.hour),
                "M": f"{moment.minute:02d}",
                "S": f"{moment.second:02d}",
                "3": f"{moment.microsecond // 1000:03d}",
                "%": "%",
            }.get(spec, "")
        )
    return "".join(out)


@xpath_function("format-date", 2, 2)
def _format_date(c, value, fmt):
    return format_date(value, to_string(fmt), c.env.lang)


_REGISTRY["format-date-time"] = _REGISTRY["format-date"]


# --------------------------------------------------------------------------- geo

_EARTH_RADIUS = 6378100.0  # metres, as JavaRosa's GeoUtils and Enketo


def _points(args) -> list[tuple[float, float]]:
    texts = []
    for a in args:
        if isinstance(a, list):
            texts.extend(n.string_value() for n in a)
        else:
            texts.append(to_string(a))
    points = []
    for text in texts:
        for part in text.split(";"):
            bits = part.split()
            if len(bits) >= 2:
                try:
                    points.append((float(bits[0]), float(bits[1])))
                except ValueError:
                    return []
    return points


@xpath_function("distance", 1)
def _distance(c, *args):
    pts = _points(args)
    if len(pts) < 2:
        return math.nan
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(pts, pts[1:], strict=False):
        p1, p2 = math.radians(lat1), math.radians(lat2)
        dp, dl = p2 - p1, math.radians(lon2 - lon1)
        h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        total += 2 * _EARTH_RADIUS * math.asin(min(1.0, math.sqrt(h)))
    return total


@xpath_function("area", 1, 1)
def _area(c, shape):
    pts = _points([shape])
    if len(pts) < 3:
        return 0.0 if pts else math.nan
    if pts[0] != pts[-1]:
        pts.append(pts[0])
    total = 0.0
    for (lat1, lon1), (lat2, lon2) in zip(pts, pts[1:], strict=False):
        total += math.radians(lon2 - lon1) * (2 + math.sin(math.radians(lat1)) + math.sin(math.radians(lat2)))
    return abs(total * _EARTH_RADIUS * _EARTH_RADIUS / 2.0)


# --------------------------------------------------------------------------- China helpers


@xpath_function("cn-id-valid", 1, 1)
def _cn_id_valid(c, text):
    value = to_string(text)
    return china.id_valid(value, today=c.env.now().date())


@xpath_function("cn-id-sex", 1, 1)
def _cn_id_sex(c, text):
    value = to_string(text)
    return china.id_sex(value) if china.id_valid(value, today=c.env.now().date()) else ""


@xpath_function("cn-id-birthdate", 1, 1)
def _cn_id_birthdate(c, text):
    value = to_string(text)
    if not china.id_valid(value, today=c.env.now().date()):
        return ""
    return date_to_days(china.id_birth_date(value))


@xpath_function("cn-id-age", 1, 2)
def _cn_id_age(c, text, *on):
    value = to_string(text)
    if not china.id_valid(value, today=c.env.now().date()):
        return math.nan
    when = to_date(on[0]) if on else date_to_days(c.env.now().date())
    if when is None:
        return math.nan
    return float(china.age_on(china.id_birth_date(value), date.fromisoformat(str(DateValue(when, "date")))))


@xpath_function("cn-mobile-valid", 1, 1)
def _cn_mobile_valid(c, text):
    return china.mobile_valid(to_string(text))


@xpath_function("cn-mask-id", 1, 1)
def _cn_mask_id(c, text):
    return china.mask_id(to_string(text))


@xpath_function("age", 1, 2)
def _age(c, born, *on):
    """Full years between a date and today (or a second date)."""
    start = to_date(born)
    when = to_date(on[0]) if on else date_to_days(c.env.now().date())
    if start is None or when is None:
        return math.nan
    b = date.fromisoformat(str(DateValue(start, "date")))
    w = date.fromisoformat(str(DateValue(when, "date")))
    return float(china.age_on(b, w))


number_to_text = number_to_string  # re-exported for the form model's value formatting


# --------------------------------------------------------------------------- instances


@xpath_function("instance", 1, 1)
def _instance(c, instance_id):
    doc = c.env.instances.get(to_string(instance_id))
    if doc is None:
        raise CunFangError(ErrorCode.FORM_INVALID, reason=f"表单中没有名为“{to_string(instance_id)}”的选项实例")
    return [doc]


@xpath_function("current", 0, 0)
def _current(c):
    return [c.env.current or c.node]
