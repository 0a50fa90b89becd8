"""``cunfang export``: a form's records, or a 台账 layout, to an Excel/WPS workbook or a CSV file."""

from __future__ import annotations

from pathlib import Path

import click

from app.errors import CunFangError, ErrorCode
from app.store import STATUSES


@click.command("export")
@click.option("--form", "forms", multiple=True, metavar="FORM_ID",
              help="导出这个表单的记录（可写多次；各表单一个工作表）。")
@click.option("--ledger", default=None, metavar="NAME", help="按台账样式导出（见 --list），如 left_behind_roster。")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="导出到的文件：.xlsx（Excel/WPS 工作簿）或 .csv（UTF-8）。")
@click.option("--village", default=None, help="只导出这个村（村名或村代码）。")
@click.option("--from", "since", default=None, metavar="DATE", help="记录填写日期从（含），如 2026-01-01。")
@click.option("--to", "until", default=None, metavar="DATE", help="记录填写日期到（含），如 2026-03-31。")
@click.option("--status", type=click.Choice(STATUSES), default=None, help="只导出这个状态的记录。")
@click.option("--codes", is_flag=True, help="选择题写选项代码（默认写选项文字）。")
@click.option("--full-ids", is_flag=True, help="写完整的身份证号和电话（默认遮蔽；只有乡镇工作人员和管理员可以）。")
@click.option("--list", "list_only", is_flag=True, help="列出可导出的表单和台账样式。")
@click.pass_context
def export_command(ctx: click.Context, forms, ledger, out, village, since, until, status, codes, full_ids,
                   list_only) -> None:
    """导出记录或台账到 Excel/WPS（.xlsx）或 CSV 文件。

    按填写日期筛选时，看的是记录在本机开始填写的那一天（--from/--to 两端都包含）。
    身份证号和电话默认遮蔽；.xlsx 中它们和门牌号都以文本保存，日期是真正的日期。
    """
    from app.cli import _open_store
    from app.roles import laptop_role
    from app.spreadsheets.ledgers import export_ledger, ledgers, load_ledger
    from app.spreadsheets.records import Filters, export_records, parse_day

    if not list_only and (bool(forms) == bool(ledger) or out is None):
        raise CunFangError(ErrorCode.EXPORT_NOTHING)
    filters = Filters(village=village, since=parse_day(since), until=parse_day(until), status=status)
    store = _open_store(ctx)
    try:
        if list_only:
            from app.store.records import counts_by_form

            for form_id, count in counts_by_form(store).items():
                click.echo(f"表单 {form_id:<22} {count} 条记录")
            for name, path in ledgers(store.data_dir).items():
                try:
                    click.echo(f"台账 {name:<22} {load_ledger(path).title}")
                except CunFangError as exc:
                    click.echo(f"台账 {name:<22} （有错误：{exc}）")
            return
        role = laptop_role(store)
        if full_ids and not role.sees_full_ids:
            raise CunFangError(ErrorCode.EXPORT_FULL_IDS_NOT_ALLOWED, role=role.label)
        if ledger:
            result = export_ledger(store, ledger, out, filters=filters, full_ids=full_ids)
            unit = "行"
        else:
            result = export_records(store, out, forms=list(forms), filters=filters, codes=codes, full_ids=full_ids)
            unit = "条记录"
    finally:
        store.close()
    files = "、".join(str(f) for f in result.files)
    privacy = "身份证号和电话是完整的，请妥善保管，用完删除。" if full_ids else "身份证号和电话已遮蔽。"
    click.echo(f"已导出 {result.rows} {unit}到 {files}。{privacy}")
    if out.suffix.lower() == ".csv":
        click.echo("提示：CSV 不带格式。用 Excel 打开时请用“数据 → 从文本/CSV”导入，并把身份证号、电话列设为“文本”，"
                   "以免长数字被改成科学计数法；WPS 和 LibreOffice 打开时也可选择列的类型。")
