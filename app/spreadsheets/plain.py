"""Workbooks with no form to describe them: the bureau server's export and the plate list.

``write_workbook`` is what ``cunfang-server export`` writes: one sheet per form, the
answers' question names as headers, values typed by their shape alone (ID and phone
numbers stay text, ISO dates become dates).
"""

from __future__ import annotations

import json
from pathlib import Path

from app.spreadsheets.cells import identity_kind, shaped, to_datetime
from app.spreadsheets.sinks import Progress, write_atomically
from app.store import STATUS_LABELS

FIXED = [("uuid", "记录编号"), ("status", "状态"), ("author", "填写人"), ("updated_at", "更新时间"),
         ("person_name", "对象姓名")]


def _cell(value) -> object:
    if isinstance(value, list):
        return "\n".join("; ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, ""))
                         if isinstance(item, dict) else str(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return shaped(value)


def write_workbook(sheets: dict[str, list[dict]], path: Path, progress: Progress | None = None) -> int:
    """One sheet per form of record rows (uuid, status, author, updated_at, data as JSON, person_name).

    Columns follow the order in which questions first appear in the rows; repeats are one
    cell of text per record ("姓名: 张三; 关系: 子"). Returns the number of rows written.
    """
    total = sum(len(rows) for rows in sheets.values())

    def fill(book) -> int:
        done = 0
        if not sheets:
            book.sheet("空", [label for _, label in FIXED])
        for form_id, rows in sheets.items():
            columns: list[str] = []
            seen: set[str] = set()
            for row in rows:
                for key in json.loads(row["data"] or "{}"):
                    if key not in seen:
                        seen.add(key)
                        columns.append(key)
            text_columns = {0} | {len(FIXED) + i for i, key in enumerate(columns) if identity_kind(key)}
            sheet = book.sheet(form_id, [label for _, label in FIXED] + columns, csv_suffix=form_id,
                               text_columns=text_columns)
            for row in rows:
                data = json.loads(row["data"] or "{}")
                fixed = [row.get("uuid"), STATUS_LABELS.get(row["status"], row["status"]), row.get("author"),
                         to_datetime(row.get("updated_at"), local=True), row.get("person_name")]
                values = [_cell(data.get(c)) for c in columns]
                sheet.write_row(fixed + [str(v) if isinstance(v, int | float) and identity_kind(c) else v
                                         for c, v in zip(columns, values, strict=True)])
                done += 1
                if progress and done % 1000 == 0:
                    progress(done, total, "写入表格")
        return done

    written = write_atomically(Path(path), fill)
    if progress:
        progress(total, total, "完成")
    return written


PLATE_TYPES = {"big": "大门牌", "small": "小门牌", "side_door": "旁门门牌", "temporary": "临时门牌", "building": "楼牌",
               "unit": "单元牌", "household": "户牌"}


def export_plates(store, path: Path) -> int:
    """A printable list of house-number plates to make (new, damaged or missing), in address order."""
    from app.registry import plates_to_make

    store.scope.check("export")
    plates = plates_to_make(store)

    def fill(book) -> int:
        sheet = book.sheet("门牌制作清单", ["序号", "村", "组", "门牌号", "标准地址", "门牌类型", "原因", "户主"],
                           text_columns={3}, widths=dict(enumerate((6, 12, 8, 8, 40, 10, 10, 10))), fit_width=True)
        for i, plate in enumerate(plates, 1):
            sheet.write_row([i, plate["village"], plate["group"], str(plate["number"]), plate["address"],
                             PLATE_TYPES.get(plate["plate_type"], plate["plate_type"]), plate["reason"],
                             plate["head"]])
        return len(plates)

    return write_atomically(Path(path), fill)
