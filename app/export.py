"""台账 export: a form's records as an .xlsx workbook that Excel and WPS open.

Columns follow the order in which questions first appear in the records' data;
repeats are written as one cell of text per record ("姓名: 张三; 关系: 子"). The
file is written to a temporary name and moved into place, so a cancelled or
failed export never leaves half a workbook.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path

from openpyxl import Workbook

from app.store import STATUS_LABELS, Store

FIXED = [("uuid", "记录编号"), ("status", "状态"), ("author", "填写人"), ("updated_at", "更新时间"),
         ("person_name", "对象姓名")]


def _cell(value) -> object:
    if isinstance(value, list):
        return "\n".join("; ".join(f"{k}: {v}" for k, v in item.items() if v not in (None, "")) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return value


def export_records(store: Store, form_id: str, path: Path,
                   progress: Callable[[int, int, str], None] | None = None) -> int:
    """Write every record of ``form_id`` to ``path``; returns the number written."""
    rows = store.query(
        "SELECT r.uuid, r.status, r.author, r.updated_at, r.data, p.name AS person_name FROM records r "
        "LEFT JOIN persons p ON p.id = r.person_id WHERE r.form_id = ? ORDER BY r.updated_at", [form_id])
    return write_workbook({form_id: rows}, path, progress)


def write_workbook(sheets: dict[str, list[dict]], path: Path,
                   progress: Callable[[int, int, str], None] | None = None) -> int:
    """One sheet per form of record rows (uuid, status, author, updated_at, data as JSON, person_name).

    The laptop's 导出 and the bureau server's export both write through here. Returns rows written.
    """
    total = sum(len(rows) for rows in sheets.values())
    done = 0
    workbook = Workbook(write_only=True)
    for form_id, rows in sheets.items():
        columns: list[str] = []
        seen: set[str] = set()
        parsed = []
        for row in rows:
            data = json.loads(row["data"] or "{}")
            for key in data:
                if key not in seen:
                    seen.add(key)
                    columns.append(key)
            parsed.append((row, data))
        sheet = workbook.create_sheet(form_id[:31])
        sheet.append([label for _, label in FIXED] + columns)
        for row, data in parsed:
            fixed = [STATUS_LABELS.get(row["status"], row["status"]) if key == "status" else row.get(key)
                     for key, _ in FIXED]
            sheet.append(fixed + [_cell(data.get(c)) for c in columns])
            done += 1
            if progress and done % 1000 == 0:
                progress(done, total, "写入表格")
    if not sheets:
        workbook.create_sheet("空")
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    workbook.save(tmp)
    os.replace(tmp, path)
    if progress:
        progress(total, total, "完成")
    return total


PLATE_TYPES = {"big": "大门牌", "small": "小门牌", "side_door": "旁门门牌", "temporary": "临时门牌", "building": "楼牌",
               "unit": "单元牌", "household": "户牌"}


def export_plates(store: Store, path: Path) -> int:
    """A printable list of house-number plates to make (new, damaged or missing), in address order."""
    from app.registry import plates_to_make

    plates = plates_to_make(store)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "门牌制作清单"
    sheet.append(["序号", "村", "组", "门牌号", "标准地址", "门牌类型", "原因", "户主"])
    for i, plate in enumerate(plates, 1):
        sheet.append([i, plate["village"], plate["group"], plate["number"], plate["address"],
                      PLATE_TYPES.get(plate["plate_type"], plate["plate_type"]), plate["reason"], plate["head"]])
    for column, width in zip("ABCDEFGH", (6, 12, 8, 8, 40, 10, 10, 10), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.print_title_rows = "1:1"
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    workbook.save(tmp)
    os.replace(tmp, path)
    return len(plates)
