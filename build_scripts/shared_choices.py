"""Write the shared choice lists (resources/forms/shared_choices.csv) into every built-in workbook.

Lists that several forms use — 是/否, 性别, 民族, 残疾类别 and 等级, 与老人关系, 风险等级, 能力等级, 报告部门 … —
are defined once in the CSV (``list_name,name,label``). A workbook that has a list of the same name gets the
shared rows in its ``choices`` sheet, where its own copy was; lists the CSV does not name are left alone.

    python build_scripts/shared_choices.py          # rewrite the workbooks whose copies differ
    python build_scripts/shared_choices.py --check  # only report them (exit 1 when any differs)

A rewritten workbook is a changed form: bump its version in the settings sheet (and keep the previous
workbook in resources/forms/versions/, see resources/forms/README.md) before committing.
tests/forms/test_shared_choices.py checks that every built-in form's copy equals the shared one.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
FORMS = ROOT / "resources" / "forms"
SHARED = FORMS / "shared_choices.csv"
LABEL = "label::中文 (zh)"


def read_shared(path: Path = SHARED) -> dict[str, list[tuple[str, str]]]:
    """list name → [(name, label)] in the order of the CSV."""
    lists: dict[str, list[tuple[str, str]]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lists.setdefault(row["list_name"], []).append((row["name"], row["label"]))
    return lists


def workbook_lists(sheet) -> dict[str, list[tuple[str, str]]]:
    """list name → [(name, label)] as a workbook's choices sheet has them."""
    header = [c.value for c in sheet[1]]
    lists: dict[str, list[tuple[str, str]]] = {}
    for row in sheet.iter_rows(min_row=2, values_only=True):
        data = dict(zip(header, row, strict=False))
        if data.get("list_name"):
            lists.setdefault(str(data["list_name"]), []).append((str(data["name"]), str(data.get(LABEL) or "")))
    return lists


def apply(path: Path, shared: dict[str, list[tuple[str, str]]], *, write: bool = True) -> list[str]:
    """The shared lists whose copy in this workbook differs (rewritten in place when ``write``)."""
    book = openpyxl.load_workbook(path)
    sheet = book["choices"]
    own = workbook_lists(sheet)
    differ = [name for name in own if name in shared and own[name] != shared[name]]
    if not differ or not write:
        return differ
    header = [c.value for c in sheet[1]]
    col = {k: header.index(k) + 1 for k in ("list_name", "name", LABEL)}
    for name in differ:
        rows = [r for r in range(2, sheet.max_row + 1) if sheet.cell(r, col["list_name"]).value == name]
        first = rows[0]
        for r in reversed(rows):
            sheet.delete_rows(r)
        sheet.insert_rows(first, len(shared[name]))
        for i, (value, label) in enumerate(shared[name]):
            sheet.cell(first + i, col["list_name"]).value = name
            sheet.cell(first + i, col["name"]).value = value
            sheet.cell(first + i, col[LABEL]).value = label
    book.save(path)
    return differ


def main(argv: list[str]) -> int:
    check = "--check" in argv
    shared = read_shared()
    changed = 0
    for path in sorted(FORMS.glob("*.xlsx")):
        differ = apply(path, shared, write=not check)
        if differ:
            changed += 1
            verb = "differs" if check else "rewritten"
            print(f"{path.name}: {verb}: {', '.join(differ)}")
    if not changed:
        print("every built-in form has the shared lists")
    elif not check:
        print("bump the version of each rewritten form (resources/forms/README.md)")
    return 1 if check and changed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
