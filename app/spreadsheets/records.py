"""A form's records as a spreadsheet: one sheet per form, one per repeat, and a 说明 sheet.

Records are read a page at a time (keyset paging on the table's rowid, in the order
they were created on this laptop) and written as they come, so memory stays flat
however many there are, and the store is never locked for longer than one page.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import partial
from pathlib import Path

from app.errors import CunFangError, ErrorCode
from app.spreadsheets.cells import IDENTITY_LABELS, csv_converter, csv_text, memoized, row_function, to_datetime
from app.spreadsheets.layout import Table, forms_table
from app.spreadsheets.sinks import Progress, check_cancel, output_format, paused_gc, write_atomically
from app.store import STATUS_LABELS, STATUSES, exports
from app.store.exports import RECORD_SELECT, paged

__all__ = ["RECORD_SELECT", "paged", "export_records", "Filters", "ExportResult"]
RECORD_ID = "记录编号"
MAIN_FIXED = [RECORD_ID, "村(居)", "对象姓名", "状态", "填写人", "填写时间", "最后修改", "表单版本"]
REPEAT_FIXED = [RECORD_ID, "对象姓名", "序号"]
NOTES_HEADERS = ["工作表", "列", "列标题", "问题名称", "类型", "选项（代码 = 文字）", "说明"]


@dataclass
class Filters:
    """Which records: a village (code or name), a date range on the day each record was created
    (on this computer's calendar, both ends included), a status."""

    village: str | None = None
    since: date | None = None
    until: date | None = None
    status: str | None = None

    def describe(self, villages: dict[str, str]) -> str:
        parts = [f"村：{villages.get(self.village, self.village)}" if self.village else "全部村"]
        if self.since or self.until:
            parts.append(f"填写日期 {self.since or '不限'} 至 {self.until or '不限'}")
        parts.append(f"状态：{STATUS_LABELS.get(self.status, self.status)}" if self.status else "全部状态")
        return "；".join(parts)


@dataclass
class ExportResult:
    rows: int
    files: list[Path] = field(default_factory=list)


def parse_day(text: str | None) -> date | None:
    """A date typed on the command line or in a box: 2026-03-15 (also 2026/3/15 and 20260315)."""
    if not text:
        return None
    value = text.strip().replace("/", "-").replace(".", "-")
    try:
        if value.isdigit() and len(value) == 8:
            return date(int(value[:4]), int(value[4:6]), int(value[6:]))
        year, month, day = (int(part) for part in value.split("-"))
        return date(year, month, day)
    except ValueError:
        raise CunFangError(ErrorCode.EXPORT_BAD_DATE, value=text) from None


def resolve_filters(store, filters: Filters) -> Filters:
    """Check the filters; the village may be given by name or code (returned as its code)."""
    village = filters.village
    if village:
        villages = store.villages()
        match = [v["id"] for v in villages if village in (v["id"], v["name"])]
        if not match:
            raise CunFangError(ErrorCode.EXPORT_VILLAGE_UNKNOWN, village=village,
                               villages="、".join(v["name"] for v in villages) or "（本机还没有村）")
        village = match[0]
    if filters.status and filters.status not in STATUSES:
        raise CunFangError(ErrorCode.EXPORT_STATUS_UNKNOWN, status=filters.status,
                           statuses="、".join(f"{k}（{v}）" for k, v in STATUS_LABELS.items()))
    if filters.since and filters.until and filters.since > filters.until:
        raise CunFangError(ErrorCode.EXPORT_DATES_REVERSED, since=filters.since, until=filters.until)
    return Filters(village, filters.since, filters.until, filters.status)


def _utc_bound(day: date) -> str:
    """The moment a local calendar day starts, as the store writes timestamps (UTC ISO)."""
    from datetime import UTC

    return datetime.combine(day, time.min).astimezone().astimezone(UTC).isoformat(timespec="milliseconds")


def day_bounds(filters: Filters) -> tuple[str | None, str | None]:
    """The date filters as the UTC moments records' ``created_at`` is compared with: created at or after the
    first, before the second (the day after ``until`` begins); None where the filter is open."""
    from datetime import timedelta

    return (_utc_bound(filters.since) if filters.since else None,
            _utc_bound(filters.until + timedelta(days=1)) if filters.until else None)


def record_conditions(filters: Filters, alias: str = "r") -> tuple[list[str], list]:
    """The filters as conditions on records (app/store/exports.py), the dates as the UTC bounds of local days."""
    since, before = day_bounds(filters)
    return exports.record_conditions(village=filters.village, status=filters.status, alias=alias, since=since,
                                     before=before)


def export_records(store, out: Path, **options) -> ExportResult:
    """Write the records of ``forms`` (default: every form with matching records) to ``out`` (.xlsx or .csv).

    Options: ``forms``, ``filters``, ``codes`` (choice codes instead of labels), ``full_ids`` (ID and
    phone numbers unmasked; the caller checks the role), ``library``, ``progress``, ``cancel`` (raises
    ``EXPORT_CANCELLED``, leaving no file behind).
    """
    with store.small_page_cache(), paused_gc():
        return _export_records(store, out, **options)


def _export_records(store, out: Path, *, forms: list[str] | None = None, filters: Filters | None = None,
                    codes: bool = False, full_ids: bool = False, library=None, progress: Progress | None = None,
                    cancel: threading.Event | None = None) -> ExportResult:
    out = Path(out)
    check_export_rights(store, full_ids=full_ids)
    output_format(out)
    filters = resolve_filters(store, filters or Filters())
    if library is None:
        from app.forms.library import FormLibrary

        library = FormLibrary(store)
    where, params = record_conditions(filters)
    form_ids = list(forms or [])
    if not form_ids:
        form_ids = exports.record_form_ids(store, where, params)
    plans = [_plan(store, library, form_id, where, params) for form_id in form_ids]
    villages = {v["id"]: v["name"] for v in store.villages()}
    total = sum(plan.count for plan in plans)
    done = 0

    def fill(book) -> int:
        nonlocal done
        for plan in plans:
            plan.open(book, csv_prefix=None if len(plans) == 1 else plan.form_id, codes=codes, full_ids=full_ids,
                      villages=villages)
        notes = book.notes("说明")
        by_form = {plan.form_id: plan.write for plan in plans}
        # every form in one pass over the records (each page of the table decrypted once), each to its sheets
        for page in exports.record_pages(store, [plan.form_id for plan in plans], where, params):
            check_cancel(cancel)
            for row in page:
                by_form[row[FORM]](row)
                done += 1
                if progress and done % 200 == 0:
                    progress(done, total, f"已写入 {done} / {total} 条记录")
        if notes is not None:
            _write_notes(notes, plans, filters, villages, codes=codes, full_ids=full_ids, total=total)
        return done

    if progress:
        progress(0, total, "开始导出")
    written = write_atomically(out, fill)
    audit_export(store, out, {"forms": form_ids}, written, filters, full_ids=full_ids)
    if progress:
        progress(written, total, "完成")
    return ExportResult(written, _files(out, plans))


def check_export_rights(store, *, full_ids: bool) -> None:
    """Exports are for roles with the ``export`` right; whole ID/phone numbers need ``full_ids`` too."""
    store.scope.check("export")
    if full_ids:
        store.scope.check("full_ids")


def audit_export(store, out: Path, what: dict, rows: int, filters: Filters, *, full_ids: bool) -> None:
    """An export takes personal data off the encrypted store: the audit log says who, what, how much, whether
    whole ID numbers went with it."""
    from app.store.audit import append

    chosen = {k: str(v) for k, v in vars(filters).items() if v}
    append(store, "export", subject=Path(out).name, user=store.get_setting("author") or "",
           detail={**what, "rows": rows, "full_ids": full_ids, "filters": chosen})


def _files(out: Path, plans: list[_Plan]) -> list[Path]:
    return [out] if output_format(out) == "xlsx" else [s.path for plan in plans for s in plan.sheets.values()]


FORM = exports.RECORD_COLUMNS.index("form_id")


class _Plan:
    """One form's export: its columns, its sheets and how a record becomes rows.

    Each table's row function is compiled once when the sheets open (``cells.row_function``: CSV text straight
    from the answers when every sheet takes text, typed cells otherwise), not per record or cell.
    """

    def __init__(self, form_id: str, forms: list, count: int):
        self.form_id = form_id
        self.title = forms[0].title or form_id
        self.table: Table = forms_table(forms)
        self.count = count
        self.sheets: dict[str, object] = {}
        self.rows: dict[str, object] = {}  # table path → its row function
        self._write = None  # made by ``open``

    def open(self, book, *, csv_prefix: str | None, codes: bool, full_ids: bool, villages: dict[str, str]) -> None:
        for table in self.table.walk():
            main = table is self.table
            headers = (MAIN_FIXED if main else REPEAT_FIXED) + [f.header for f in table.fields]
            fixed = len(MAIN_FIXED if main else REPEAT_FIXED)
            text_columns = {0} | {fixed + i for i, f in enumerate(table.fields) if f.identity}
            suffix = csv_prefix if main else "-".join(p for p in (csv_prefix, table.name) if p)
            self.sheets[table.path] = book.sheet(self.title if main else table.label, headers, csv_suffix=suffix,
                                                 text_columns=text_columns,
                                                 print_title=self.title if main else f"{self.title}：{table.label}")
        as_text = all(hasattr(sheet, "write_texts") for sheet in self.sheets.values())
        for table in self.table.walk():
            self.rows[table.path] = row_function([(f.name, f.convert(codes=codes, full_ids=full_ids))
                                                  for f in table.fields], text=as_text)
        self._write = self._writer(as_text, villages, codes=codes)

    def write(self, row: tuple) -> None:
        """One record (a tuple of ``exports.RECORD_COLUMNS``) written: its row, its repeats' rows."""
        self._write(row)

    def _writer(self, as_text: bool, villages: dict[str, str], *, codes: bool):
        """The function writing one record (a tuple of ``exports.RECORD_COLUMNS``): its row, its repeats' rows."""
        cells = self.rows[self.table.path]
        sheet = self.sheets[self.table.path]
        put = sheet.write_texts if as_text else sheet.write_row
        repeats = self.table.repeats
        loads = _answers
        labels = {} if codes else STATUS_LABELS
        place = csv_converter(villages.get) if as_text else memoized(villages.get)
        status = csv_converter(lambda s: labels.get(s, s)) if as_text else memoized(lambda s: labels.get(s, s))
        stamp = (csv_converter if as_text else memoized)(partial(to_datetime, local=True))
        same = csv_text if as_text else _same

        def write(row) -> None:
            _, uuid, _, version, state, author, created, updated, village, data, person = row
            answers = loads(data)
            person = person or ""
            put([same(uuid), place(village) if village in villages else same(village), person, status(state),
                 same(author), stamp(created), stamp(updated), same(version)] + cells(answers))
            for repeat in repeats:
                items = answers.get(repeat.name)
                if items:
                    self._write_repeat(repeat, items, uuid, person, "", as_text)
        return write

    def _write_repeat(self, table: Table, items, uuid: str, person: str, prefix: str, as_text: bool) -> None:
        if not isinstance(items, list):
            return
        cells = self.rows[table.path]
        sheet = self.sheets[table.path]
        for i, item in enumerate(items, 1):
            if not isinstance(item, dict):
                continue
            position = f"{prefix}{i}"
            if as_text:
                sheet.write_texts([csv_text(uuid), person, position] + cells(item))
            else:
                sheet.write_row([uuid, person, int(position) if not prefix else position] + cells(item))
            for nested in table.repeats:
                self._write_repeat(nested, item.get(nested.name), uuid, person, position + ".", as_text)


def _same(value):
    return value


_scan = json.JSONDecoder().scan_once


def _answers(text: str | None):
    """A record's answers: ``json.loads`` of the object the store wrote (read with the decoder's scanner directly:
    the store writes no white space around it, so the whitespace checks around the scan are skipped)."""
    if text and text[0] == "{":
        try:
            value, end = _scan(text, 0)
        except (StopIteration, ValueError):
            end = -1
        if end == len(text):
            return value
    return json.loads(text or "{}")


def _plan(store, library, form_id: str, where: list[str], params: list) -> _Plan:
    versions = exports.record_versions(store, form_id, where, params)
    count = exports.count(store, "records", ["r.form_id = ?", *where], [form_id, *params])
    newest = library.get(form_id)
    if newest is None:
        known = "、".join(f.form_id for f in library.latest())
        raise CunFangError(ErrorCode.EXPORT_FORM_UNKNOWN, form_id=form_id, forms=known)
    forms = [newest]
    for version in versions:
        form = library.get(form_id, version)
        if form is not None and all(form is not f for f in forms):
            forms.append(form)
    return _Plan(form_id, forms, count)


def _write_notes(notes, plans: list[_Plan], filters: Filters, villages: dict[str, str], *, codes: bool,
                 full_ids: bool, total: int) -> None:
    from xlsxwriter.utility import xl_col_to_name

    notes.line("说明", bold=True)
    notes.line("表单：" + "、".join(f"{p.title}（{p.form_id}）" for p in plans))
    notes.line(f"导出时间：{datetime.now():%Y-%m-%d %H:%M}；共 {total} 条记录")
    notes.line(f"筛选：{filters.describe(villages)}（日期按记录在本机开始填写的那一天）")
    notes.line("选项：" + ("写的是选项代码" if codes else "写的是选项文字；需要代码时用“选项代码”导出"))
    notes.line("身份证号、电话：" + ("完整号码，含个人信息，请妥善保管，用完删除" if full_ids
                                  else "已遮蔽（只显示前几位和后四位）"))
    notes.line(f"每条记录一行；重复填写的部分（如家属）在单独的工作表里，用“{RECORD_ID}”对应到记录。"
               "身份证号、电话和门牌号以文本保存，日期是真正的日期。")
    notes.line()
    rows = []
    for plan in plans:
        for table in plan.table.walk():
            sheet = plan.sheets[table.path]
            name = sheet.ws.name
            main = table is plan.table
            fixed = MAIN_FIXED if main else REPEAT_FIXED
            explained = {RECORD_ID: "记录的唯一编号；重复部分的工作表用它对应到记录",
                         "序号": "这一项在记录中的位置（嵌套的重复写成 2.1）",
                         "填写时间": "记录在本机开始填写的时间", "最后修改": "记录最后一次保存的时间",
                         "状态": "、".join(STATUS_LABELS.values())}
            for i, header in enumerate(fixed):
                rows.append([name, xl_col_to_name(i), header, "", "", "", explained.get(header, "")])
            for i, f in enumerate(table.fields, len(fixed)):
                choices = "；".join(f"{code} = {label}" for code, label in f.choices)
                note = ""
                if f.identity:
                    note = f"{IDENTITY_LABELS[f.identity]}，以文本保存"
                    if f.identity != "house" and not full_ids:
                        note += "，已遮蔽"
                rows.append([name, xl_col_to_name(i), f.header, f.name, f.type_label(), choices, note])
    notes.table(NOTES_HEADERS, rows, [22, 6, 28, 18, 18, 60, 30])
