"""`cunfang import FILE …`, `cunfang import undo ID`, `cunfang import list`: rosters from Excel/WPS/CSV.

Registered on the ``cunfang`` group by app/cli.py. The heavy modules (the importer, calamine, openpyxl) are
imported when a command runs, so the CLI starts as fast as before.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from app.errors import CunFangError, ErrorCode

SHOWN_ROWS = 50  # refused rows printed without --verbose


class _ImportGroup(click.Group):
    """``cunfang import FILE`` runs the ``file`` command; ``undo`` and ``list`` are subcommands."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("-h", "--help"):
            args = ["file", *args]
        return super().parse_args(ctx, args)


@click.group("import", cls=_ImportGroup)
def import_group() -> None:
    """导入名册：cunfang import 文件 [--form 表单] [--kind elder|child] [--dry-run] [--report 报告.xlsx] [--yes]；
    撤销：cunfang import undo 编号；列出：cunfang import list。"""


def _open_store(ctx: click.Context):
    from app.cli import _open_store as open_store  # here, not at the top: app.cli imports this module

    return open_store(ctx)


def _village_id(store, text: str) -> str:
    villages = store.villages()
    for v in villages:
        if text in (v["id"], v["name"]):
            return v["id"]
    raise CunFangError(ErrorCode.IMPORT_VILLAGE_UNKNOWN, village=text,
                       villages="、".join(v["name"] for v in villages) or "无")


@import_group.command("file")
@click.argument("path", metavar="FILE", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--form", "form_id", default=None,
              help="按哪张人员登记表导入：elder_registry（老人）、left_behind_child（留守儿童）、vulnerable_child（困境儿童）。")
@click.option("--kind", type=click.Choice(["elder", "child"]), default=None,
              help="导入的是老人（elder）还是儿童（child）；不写时按表中的类别或年龄判断。")
@click.option("--village", default=None, help="表中没有“村”这一列时，导入到哪个村（村名或村代码）。")
@click.option("--sheet", default=None, help="导入哪张工作表（默认：找到表头的那张）。")
@click.option("--map", "overrides", multiple=True, metavar="列名=字段",
              help="指定某列对应的字段，如 --map 老人姓名=姓名；--map 备注= 表示不导入这一列。可重复。")
@click.option("--dry-run", is_flag=True, help="只检查并列出每行的结果，不写入任何数据。")
@click.option("--report", "report_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="把每一行的结果写到这个 .xlsx 文件（身份证号已遮蔽）。")
@click.option("--yes", "-y", is_flag=True, help="不再询问，直接导入（脚本中使用）。")
@click.option("--verbose", "-v", is_flag=True, help="列出每一行的结果（默认只列出被拒绝的行）。")
@click.pass_context
def import_file(ctx: click.Context, path: Path, form_id: str | None, kind: str | None, village: str | None,
                sheet: str | None, overrides: tuple[str, ...], dry_run: bool, report_path: Path | None, yes: bool,
                verbose: bool) -> None:
    """导入 Excel/WPS（.xlsx、.xls）或 CSV 名册 FILE：按身份证号新增或更新人员，确认后一次写入，可整体撤销。"""
    from app.spreadsheets import importer

    options = importer.options_for_form(form_id) if form_id else importer.ImportOptions()
    if kind:
        options.kind = kind
    table = importer.read_table(path, sheet=sheet)
    store = _open_store(ctx)
    try:
        if village:
            options.village_id = _village_id(store, village)
        mapping, remembered = importer.mapping_for(store, table.headers)
        mapping = _apply_overrides(table.headers, mapping, overrides)
        _describe(table, mapping, remembered)
        preview = importer.analyse(store, table, mapping, options)
        _print_rows(preview, verbose)
        click.echo(preview.summary())
        accepted = len(preview.accepted)
        if dry_run or not accepted:
            _write_report(importer, preview, report_path)
            click.echo("试运行：没有写入任何数据。" if dry_run else "没有可以导入的行，没有写入任何数据。")
            return
        if not yes:
            if not (sys.stdin and sys.stdin.isatty()):
                _write_report(importer, preview, report_path)
                click.echo("没有写入：不在终端上运行时，请加 --yes 确认导入。", err=True)
                sys.exit(1)
            if not click.confirm(f"确认导入？将新增 {preview.count('add')} 人，更新 {preview.count('update')} 人",
                                 default=False):
                _write_report(importer, preview, report_path)
                click.echo("已取消，没有写入任何数据。")
                return
        result = importer.run_import(store, table, mapping, options, author=store.get_setting("author") or "")
        _write_report(importer, result.preview, report_path)
        click.echo(result.summary())
        if result.import_id is not None:
            click.echo(f"如需撤销整次导入：cunfang import undo {result.import_id}")
    finally:
        store.close()


def _apply_overrides(headers: list[str], mapping: list[str], overrides: tuple[str, ...]) -> list[str]:
    from app.spreadsheets.importer import clean_text, parse_field

    mapping = list(mapping)
    for item in overrides:
        header, sep, name = item.partition("=")
        if not sep:
            raise CunFangError(ErrorCode.IMPORT_BAD_MAPPING, item=item, fields="姓名、身份证号……")
        target = parse_field(name)
        columns = [i for i, h in enumerate(headers) if h == clean_text(header)]
        if not columns:
            raise CunFangError(ErrorCode.IMPORT_BAD_MAPPING, item=item, fields="表中的列：" + "、".join(headers))
        if target:
            mapping = ["" if m == target else m for m in mapping]
        mapping[columns[0]] = target
    return mapping


def _describe(table, mapping: list[str], remembered: bool) -> None:
    from app.spreadsheets.importer import FIELD_BY_KEY

    where = f"工作表“{table.sheet}”，" if len(table.sheets) > 1 else ""
    encoding = f"，编码 {table.encoding}" if table.encoding else ""
    click.echo(f"读取 {table.path.name}：{where}第 {table.header_row_number} 行是表头，"
               f"{len(table.rows)} 行数据{encoding}。")
    pairs = [f"{h}→{FIELD_BY_KEY[m].label}" for h, m in zip(table.headers, mapping, strict=True) if m]
    left_out = [h or "（空）" for h, m in zip(table.headers, mapping, strict=True) if not m]
    click.echo(("列对应（上次的选择）：" if remembered else "列对应：") + "，".join(pairs)
               + (f"；不导入：{'、'.join(left_out)}" if left_out else ""))


def _print_rows(preview, verbose: bool) -> None:
    shown = [r for r in preview.rows if verbose or r.action == "refused"]
    for outcome in shown[: None if verbose else SHOWN_ROWS]:
        who = " ".join(x for x in (outcome.name, outcome.shown_id) if x)
        explanation = outcome.explanation()
        click.echo(f"第 {outcome.row} 行  {outcome.label}  {who}" + (f"：{explanation}" if explanation else ""))
    if len(shown) > SHOWN_ROWS and not verbose:
        click.echo(f"……还有 {len(shown) - SHOWN_ROWS} 行被拒绝（--verbose 列出全部，或用 --report 写成表格）。")


def _write_report(importer, preview, report_path: Path | None) -> None:
    if report_path is not None:
        importer.write_report(preview, report_path)
        click.echo(f"每行的结果已写到 {report_path}。")


@import_group.command("undo")
@click.argument("import_id", metavar="ID", type=int)
@click.pass_context
def import_undo(ctx: click.Context, import_id: int) -> None:
    """整体撤销第 ID 次导入：删除它新增的人员，恢复它更新过的人员原来的信息。"""
    from app.spreadsheets.importer import undo_import

    with _open_store(ctx) as store:
        result = undo_import(store, import_id, author=store.get_setting("author") or "")
    click.echo(result.summary())


@import_group.command("list")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 10_000))
@click.pass_context
def import_list(ctx: click.Context, limit: int) -> None:
    """列出最近的导入（编号用于 cunfang import undo）。"""
    from app.spreadsheets.importer import list_imports

    with _open_store(ctx) as store:
        rows = list_imports(store, limit)
    if not rows:
        click.echo("还没有导入过名册。")
    for row in rows:
        state = f"已于 {row['undone_at'][:16].replace('T', ' ')} 撤销" if row["undone_at"] else ""
        click.echo(f"{row['id']:>4}  {row['imported_at'][:16].replace('T', ' ')}  {row['file_name']}  "
                   f"新增 {row['added']}，更新 {row['updated']}，拒绝 {row['refused']}  {state}".rstrip())
