"""台账 layouts the bureau asks for, from small JSON templates a county can change without code.

A template (``resources/ledgers/NAME.json``; a file of the same name in the data directory's
``ledgers`` folder replaces it, and new files there add layouts) says::

    {"title": "农村留守儿童花名册",
     "source": {"persons": {"kind": "child", "category": "留守儿童"}},
     "columns": [{"header": "姓名", "field": "person.name"},
                 {"header": "监护人", "field": ["last.left_behind_child.g_name", "guardian.name"]},
                 {"header": "监护情况", "field": "person.extra.guardianship",
                  "map": {"good": "较好", "fair": "一般", "poor": "差"}}]}

``source`` is either ``{"persons": {"kind", "category", "status"}}`` (one row per person;
``status`` defaults to "active", "any" for everyone) or ``{"records": {"form": FORM_ID}}``
(one row per record of that form, drafts left out). Rows come village by village. A
column's ``field`` (or a list of them: the first that is not empty) is one of ``FIELDS``
below; ``map`` turns stored codes into words, ``width`` fixes the column width.
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from pathlib import Path

from app import china
from app.errors import CunFangError, ErrorCode
from app.spreadsheets.cells import converter, plain, to_date, to_datetime
from app.spreadsheets.records import (
    ExportResult,
    Filters,
    audit_export,
    check_export_rights,
    record_conditions,
    resolve_filters,
)
from app.spreadsheets.sinks import Progress, check_cancel, output_format, write_atomically
from app.store import STATUS_LABELS, exports
from app.store.persons import KIND_LABELS

BUILTIN_DIR = Path(__file__).resolve().parents[2] / "resources" / "ledgers"
SEX = {"1": "男", "2": "女", "male": "男", "female": "女"}
PERSON_STATUS = {"active": "在册", "moved_out": "迁出", "institution": "入住养老机构", "deceased": "死亡",
                 "ineligible": "不再符合条件"}
# field → (type, built-in map). Types: text, id, phone, house, date, number, list.
PERSON = {"name": ("text", None), "id_number": ("id", None), "sex": ("text", SEX), "birth_date": ("date", None),
          "phone": ("phone", None), "kind": ("text", KIND_LABELS), "categories": ("list", None),
          "risk_tier": ("text", None),
          "status": ("text", PERSON_STATUS), "status_reason": ("text", None), "last_visit": ("date", None),
          "next_due": ("date", None)}
GUARDIAN = {"name": ("text", None), "id_number": ("id", None), "sex": ("text", SEX), "phone": ("phone", None)}
VILLAGE = {"name": ("text", None), "town": ("text", None), "county": ("text", None), "id": ("text", None)}
HOUSEHOLD = {"address": ("text", None), "house_number": ("house", None), "group_name": ("text", None)}
RECORD = {"created": ("date", None), "updated": ("date", None), "status": ("text", STATUS_LABELS),
          "author": ("text", None), "uuid": ("text", None), "title": ("text", None)}
FIELDS = ("row_number", "age", "overdue", "days_overdue", *(f"person.{k}" for k in PERSON), "person.extra.KEY",
          *(f"guardian.{k}" for k in GUARDIAN), *(f"village.{k}" for k in VILLAGE),
          *(f"household.{k}" for k in HOUSEHOLD), "last.FORM.QUESTION", "count.FORM", "count_this_year.FORM",
          *(f"record.{k}" for k in RECORD), "answer.QUESTION")
_NAME = r"[A-Za-z_][\w\-]*"
_DYNAMIC = re.compile(rf"(last)\.({_NAME})\.({_NAME})|(count|count_this_year)\.({_NAME})|(answer)\.({_NAME})|"
                      rf"person\.extra\.({_NAME})")


@dataclass
class Column:
    header: str
    fields: list[str]
    map: dict[str, str] = field(default_factory=dict)
    width: float | None = None


@dataclass
class Ledger:
    name: str
    title: str
    path: Path
    source: str  # "persons" or "records"
    options: dict
    columns: list[Column]
    description: str = ""

    @property
    def form_id(self) -> str | None:
        return self.options.get("form") if self.source == "records" else None


def _invalid(path: Path, reason: str) -> CunFangError:
    return CunFangError(ErrorCode.LEDGER_INVALID, path=path, reason=reason)


def load_ledger(path: Path) -> Ledger:
    """Read and check one template; every problem is named in plain Chinese."""
    path = Path(path)
    try:
        spec = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        raise _invalid(path, f"无法读取（{exc}）") from exc
    except json.JSONDecodeError as exc:
        raise _invalid(path, f"第 {exc.lineno} 行第 {exc.colno} 个字符附近不是正确的 JSON（{exc.msg}）") from exc
    if not isinstance(spec, dict) or not str(spec.get("title") or "").strip():
        raise _invalid(path, "缺少 title（台账标题）")
    source = spec.get("source")
    if not isinstance(source, dict) or len(source) != 1 or next(iter(source)) not in ("persons", "records"):
        raise _invalid(path, 'source 应写成 {"persons": {...}} 或 {"records": {"form": "表单编号"}}')
    kind, options = next(iter(source.items()))
    options = options or {}
    if not isinstance(options, dict):
        raise _invalid(path, f"source 的 {kind} 后面应是 {{...}}")
    if kind == "records" and not options.get("form"):
        raise _invalid(path, 'records 需要写明表单：{"records": {"form": "elder_visit"}}')
    raw_columns = spec.get("columns")
    if not isinstance(raw_columns, list) or not raw_columns:
        raise _invalid(path, "缺少 columns（各列的标题和内容）")
    columns = []
    for i, raw in enumerate(raw_columns, 1):
        if not isinstance(raw, dict) or not raw.get("header") or not raw.get("field"):
            raise _invalid(path, f"第 {i} 列应写成 {{\"header\": \"列标题\", \"field\": \"内容\"}}")
        fields = raw["field"] if isinstance(raw["field"], list) else [raw["field"]]
        for name in fields:
            if not _known_field(str(name), kind):
                raise _invalid(path, f"第 {i} 列（{raw['header']}）的 field“{name}”不认识。"
                                     f"可用的有：{'、'.join(FIELDS)}")
        mapping = raw.get("map") or {}
        if not isinstance(mapping, dict):
            raise _invalid(path, f"第 {i} 列（{raw['header']}）的 map 应写成 {{\"代码\": \"文字\"}}")
        width = raw.get("width")
        if width is not None and not isinstance(width, int | float):
            raise _invalid(path, f"第 {i} 列（{raw['header']}）的 width 应是数字")
        columns.append(Column(str(raw["header"]), [str(f) for f in fields],
                              {str(k): str(v) for k, v in mapping.items()}, width))
    return Ledger(path.stem, str(spec["title"]).strip(), path, kind, options, columns,
                  str(spec.get("description") or ""))


def _known_field(name: str, source: str) -> bool:
    head, _, rest = name.partition(".")
    if name in ("row_number", "age", "overdue", "days_overdue"):
        return True
    tables = {"person": PERSON, "guardian": GUARDIAN, "village": VILLAGE, "household": HOUSEHOLD, "record": RECORD}
    if head in tables and rest in tables[head]:
        return head != "record" or source == "records"
    match = _DYNAMIC.fullmatch(name)
    return bool(match) and (not match.group(6) or source == "records")


def ledger_dirs(data_dir: Path | None = None) -> list[Path]:
    dirs = [BUILTIN_DIR]
    if data_dir is not None:
        dirs.append(Path(data_dir) / "ledgers")
    return dirs


def ledgers(data_dir: Path | None = None) -> dict[str, Path]:
    """Every template by name (its file name without .json); the data directory's replace the built-in ones."""
    found: dict[str, Path] = {}
    for directory in ledger_dirs(data_dir):
        for path in sorted(directory.glob("*.json")) if directory.is_dir() else []:
            found[path.stem] = path
    return dict(sorted(found.items()))


def find_ledger(name: str, data_dir: Path | None = None) -> Ledger:
    """A template by its name or its title."""
    available = ledgers(data_dir)
    if name in available:
        return load_ledger(available[name])
    for path in available.values():
        try:
            ledger = load_ledger(path)
        except CunFangError:
            continue
        if name == ledger.title:
            return ledger
    raise CunFangError(ErrorCode.LEDGER_UNKNOWN, name=name, names="、".join(available) or "（没有）")


# ---------------------------------------------------------------------------- rendering


class _Resolver:
    """Turns one SQL row into the column's cell value."""

    def __init__(self, ledger: Ledger, library, *, full_ids: bool, today: date):
        self.ledger, self.library, self.full_ids, self.today = ledger, library, full_ids, today
        self.forms: dict[str, dict] = {}  # form_id → question name → layout Field
        self.last_forms: set[str] = set()
        self.count_forms: set[str] = set()
        self.year_forms: set[str] = set()
        self.guardian = False
        self.getters = [[self._getter(name) for name in column.fields] for column in ledger.columns]

    def _questions(self, form_id: str) -> dict:
        if form_id not in self.forms:
            from app.spreadsheets.layout import form_table

            form = self.library.get(form_id)
            if form is None:
                raise _invalid(self.ledger.path, f"没有表单“{form_id}”")
            self.forms[form_id] = {f.name: f for table in form_table(form).walk() for f in table.fields}
        return self.forms[form_id]

    def _question(self, form_id: str, name: str):
        found = self._questions(form_id).get(name)
        if found is None:
            raise _invalid(self.ledger.path, f"表单“{form_id}”里没有问题“{name}”")
        return found.convert(codes=False, full_ids=self.full_ids)

    def _typed(self, kind: str, mapping: dict | None):
        if kind in ("id", "phone", "house"):
            return converter("text", identity=kind, full_ids=self.full_ids)
        if kind == "date":
            return to_date
        if kind == "list":
            def joined(value):
                try:
                    items = json.loads(value) if isinstance(value, str) else value
                except json.JSONDecodeError:
                    return plain(value)
                return "、".join(str(i) for i in items) if isinstance(items, list) else plain(items)
            return joined
        base = converter("text", full_ids=self.full_ids)
        if mapping:
            return lambda value: None if value in (None, "") else mapping.get(str(value), base(value))
        return base

    def _getter(self, name: str):
        head, _, rest = name.partition(".")
        if name == "row_number":
            return lambda row: row["_n"]
        if name == "age":
            return self._age
        if name in ("overdue", "days_overdue"):
            def overdue(row):
                due = to_date(row.get("next_due"))
                late = (self.today - due).days if isinstance(due, date) else 0
                if name == "overdue":
                    return "是" if late > 0 else "否" if isinstance(due, date) else None
                return late if late > 0 else None
            return overdue
        tables = {"person": (PERSON, ""), "guardian": (GUARDIAN, "g_"), "village": (VILLAGE, "v_"),
                  "household": (HOUSEHOLD, "h_"), "record": (RECORD, "r_")}
        if head in tables and rest in tables[head][0]:
            kind, mapping = tables[head][0][rest]
            key = tables[head][1] + rest
            self.guardian |= head == "guardian"
            if head == "record" and kind == "date":
                return lambda row: to_date(to_datetime(row.get(key), local=True))
            convert = self._typed(kind, mapping)
            return lambda row: convert(row.get(key))
        match = _DYNAMIC.fullmatch(name)
        if match.group(1):  # last.FORM.QUESTION
            form_id, question = match.group(2), match.group(3)
            convert = self._question(form_id, question)
            self.last_forms.add(form_id)
            return lambda row: convert(self._json(row, f"last__{form_id}").get(question))
        if match.group(4):  # count.FORM, count_this_year.FORM
            (self.count_forms if match.group(4) == "count" else self.year_forms).add(match.group(5))
            self._questions(match.group(5))
            key = f"{'count' if match.group(4) == 'count' else 'year'}__{match.group(5)}"
            return lambda row: row.get(key) or 0
        if match.group(6):  # answer.QUESTION
            question = match.group(7)
            convert = self._question(self.ledger.form_id, question)
            return lambda row: convert(self._json(row, "r_data").get(question))
        key = match.group(8)  # person.extra.KEY
        convert = self._typed("text", None)
        return lambda row: convert(self._json(row, "extra").get(key))

    @staticmethod
    def _json(row: dict, key: str) -> dict:
        cache = row.setdefault("_json", {})
        if key not in cache and isinstance(row.get(key), dict):  # already parsed (the bureau server's rows)
            cache[key] = row[key]
        if key not in cache:
            try:
                value = json.loads(row.get(key) or "{}")
            except (TypeError, json.JSONDecodeError):
                value = {}
            cache[key] = value if isinstance(value, dict) else {}
        return cache[key]

    def _age(self, row: dict):
        born = china.id_birth_date(row.get("id_number") or "") or to_date(row.get("birth_date"))
        return china.age_on(born, self.today) if isinstance(born, date) else None

    def values(self, row: dict) -> list:
        out = []
        for column, getters in zip(self.ledger.columns, self.getters, strict=True):
            value = None
            for get in getters:
                value = get(row)
                if value not in (None, ""):
                    break
            if column.map and isinstance(value, str | int):
                value = column.map.get(str(value), value)
            out.append(value)
        return out

    @property
    def year_start(self) -> str:
        """The moment this year began on this computer's calendar, as records' timestamps are written (UTC)."""
        start = datetime.combine(date(self.today.year, 1, 1), time.min).astimezone().astimezone(UTC)
        return start.isoformat(timespec="milliseconds")

    def select(self) -> str:
        return exports.ledger_select(self.ledger.source, guardian_columns=tuple(GUARDIAN) if self.guardian else (),
                                     last_forms=self.last_forms, count_forms=self.count_forms,
                                     year_forms=self.year_forms, year_start=self.year_start)


def _as_list(value) -> list | None:
    return None if not value else value if isinstance(value, list) else [value]


def _person_conditions(options: dict) -> tuple[list[str], list]:
    return exports.person_conditions(kinds=_as_list(options.get("kind")),
                                     categories=_as_list(options.get("category")),
                                     status=options.get("status", "active"))


class StoreRows:
    """The laptop's side of a 台账: its rows read from the local store (``app/store/exports.py``), within the
    signed-in account's scope, village by village, each village's rows in the order they were entered here."""

    def __init__(self, store, filters: Filters, library):
        self.store, self.filters, self.library = store, filters, library
        villages = store.villages()
        self.town = store.get_setting("town") or next((v["town"] for v in villages if v.get("town")), "")
        self.villages = [v for v in villages if not filters.village or v["id"] == filters.village]

    def _where(self, ledger: Ledger) -> tuple[str, list[str], list]:
        if ledger.source == "persons":
            where, params = _person_conditions(ledger.options)
            return "persons", where, params
        where, params = record_conditions(Filters(None, self.filters.since, self.filters.until, self.filters.status))
        return ("records", ["form_id = ?", "status != 'draft'", *(c.replace("r.", "") for c in where)],
                [ledger.form_id, *params])

    def count(self, ledger: Ledger) -> int:
        table, where, params = self._where(ledger)
        village = self.filters.village
        return exports.count(self.store, table, [*where, *(["village_id = ?"] if village else [])],
                             [*params, *([village] if village else [])])

    def rows(self, ledger: Ledger, resolver: _Resolver):
        table, where, params = self._where(ledger)
        select = resolver.select()
        groups = [("village_id = ?", [v["id"]]) for v in self.villages]
        if not self.filters.village:
            groups.append(("village_id IS NULL", []))
        for condition, group_params in groups:
            yield from exports.paged(self.store, select, table, [*where, condition], [*params, *group_params])


def write_ledger(ledger: Ledger, source, out: Path, *, full_ids: bool = False, today: date | None = None,
                 progress: Progress | None = None, cancel: threading.Event | None = None) -> int:
    """Render a 台账 layout to ``out`` (.xlsx: title, header, print setup; .csv: header and rows) from ``source``:
    the one writer of both ends. ``source`` gives ``library`` (the forms, ``get(form_id)``), ``town``,
    ``count(ledger)`` and ``rows(ledger, resolver)`` (dicts shaped as ``exports.ledger_select`` reads them, village
    by village); the laptop's is ``StoreRows``, the bureau server's ``sync/server/ledgers.py``. Returns the rows
    written. Rights, filters and the audit line are the caller's."""
    out = Path(out)
    output_format(out)
    today = today or date.today()
    resolver = _Resolver(ledger, source.library, full_ids=full_ids, today=today)
    total = source.count(ledger)
    unit = "人" if ledger.source == "persons" else "条"
    town = source.town

    def fill(book) -> int:
        headers = [c.header for c in ledger.columns]
        widths = {i: c.width for i, c in enumerate(ledger.columns) if c.width}
        text_columns = {i for i, c in enumerate(ledger.columns)
                        if any(f.endswith(("id_number", "phone", "house_number")) for f in c.fields)}
        subtitle = (f"填报单位：{town or '　　'}　　统计日期：{today.isoformat()}　　共 {total} {unit}"
                    + ("" if full_ids else "　　（身份证号、电话已遮蔽）"))
        sheet = book.sheet(ledger.title, headers, title=f"{town}{ledger.title}", subtitle=subtitle,
                           text_columns=text_columns, widths=widths, fit_width=True)
        done = 0
        for row in source.rows(ledger, resolver):
            check_cancel(cancel)
            done += 1
            row["_n"] = done
            sheet.write_row(resolver.values(row))
            if progress and done % 200 == 0:
                progress(done, total, f"已写入 {done} / {total} 行")
        return done

    if progress:
        progress(0, total, "开始导出")
    written = write_atomically(out, fill)
    if progress:
        progress(written, total, "完成")
    return written


def export_ledger(store, ledger: Ledger | str, out: Path, *, filters: Filters | None = None, full_ids: bool = False,
                  library=None, progress: Progress | None = None, cancel: threading.Event | None = None,
                  today: date | None = None) -> ExportResult:
    """A 台账 of the laptop's store to ``out`` (``write_ledger``), checked against the account's rights and
    audited. Person ledgers take the village filter; record ledgers also the dates and status."""
    out = Path(out)
    check_export_rights(store, full_ids=full_ids)
    output_format(out)
    if isinstance(ledger, str):
        ledger = find_ledger(ledger, store.data_dir)
    filters = resolve_filters(store, filters or Filters())
    if library is None:
        from app.forms.library import FormLibrary

        library = FormLibrary(store)
    written = write_ledger(ledger, StoreRows(store, filters, library), out, full_ids=full_ids, today=today,
                           progress=progress, cancel=cancel)
    audit_export(store, out, {"ledger": ledger.name}, written, filters, full_ids=full_ids)
    return ExportResult(written, [out])
