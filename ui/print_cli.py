"""``cunfang print``: a record, or a blank form, as an A4 PDF from the command line.

``ui.entry`` adds it to the ``cunfang`` command (app/ never imports Qt). Qt is loaded only when the
command runs, and without a window: on Linux the offscreen platform, so it works over SSH and in scripts.
Its text is for the terminal, like the rest of the ``cunfang`` command, not Qt's translation catalogue.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

FORM_FILES = (".xlsx", ".xls", ".xml")


def _gui_app():
    """A QGuiApplication for fonts and PDF writing; no window ever opens."""
    if sys.platform.startswith("linux"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    return QGuiApplication.instance() or QGuiApplication(sys.argv[:1])


def _record_uuid(store, text: str) -> str:
    """A full record number, or its first characters as `cunfang records list` shows them."""
    from app.errors import CunFangError, ErrorCode

    text = text.strip().strip("[]")
    from app.store.records import uuids_starting

    found = uuids_starting(store, text) if len(text) >= 4 else []
    if not found:
        raise CunFangError(ErrorCode.RECORD_NOT_FOUND, uuid=text)
    if len(found) > 1:
        raise click.ClickException(f"有不止一条记录的编号以“{text}”开头，请多写几位。")
    return found[0]


def _blank_form(ctx: click.Context, form_id: str):
    """A form file, or a form id: its newest version here (pulled versions too, when the store opens)."""
    from app.cli import _data_dir, _open_store
    from app.forms.library import FormLibrary
    from app.store import Store

    if form_id.lower().endswith(FORM_FILES):
        from app.forms.xlsform import load_form

        return load_form(Path(form_id))
    store = _open_store(ctx) if Store.exists(_data_dir(ctx)) else None
    try:
        library = FormLibrary(store)
        form = library.get(form_id)
        if form is None:
            known = "、".join(f.form_id for f in library.latest())
            raise click.ClickException(f"没有表单“{form_id}”。本机的表单：{known}。")
        return form
    finally:
        if store is not None:
            store.close()


@click.command("print")
@click.argument("record", required=False)
@click.option("--blank", "blank_form", metavar="FORM_ID",
              help="打印空白表（纸质备份）：表单 ID（如 elder_visit）或表单文件（.xlsx/.xml）。")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="保存到的 PDF 文件。")
@click.pass_context
def print_command(ctx: click.Context, record: str | None, blank_form: str | None, out: Path) -> None:
    """把记录 RECORD（记录编号，或 cunfang records list 显示的前几位）按纸质表格式导出为 A4 PDF；
    或用 --blank 导出空白表。"""
    if bool(record) == bool(blank_form):
        raise click.UsageError("请给出一个记录编号，或用 --blank 给出表单（两者选一）。")
    if out.suffix.lower() != ".pdf":
        out = out.with_name(out.name + ".pdf")
    if blank_form:
        form = _blank_form(ctx, blank_form)
        _gui_app()
        from ui.printing import print_blank

        pages = print_blank(form, out)
        title = form.title or form.form_id
        click.echo(f"已把空白表“{title}”（版本 {form.version or '未设置'}）保存为 {out}，共 {pages} 页。")
        return
    from app.cli import _open_store

    store = _open_store(ctx)
    try:
        record_uuid = _record_uuid(store, record)
        _gui_app()
        from ui.printing import print_record

        pages = print_record(store, None, record_uuid, out)
    finally:
        store.close()
    click.echo(f"已把记录 {record_uuid} 保存为 {out}，共 {pages} 页。")


COMMANDS = (print_command,)
