"""``cunfang enroll``, ``cunfang sync [status]`` and ``cunfang package export``: the laptop's sync commands.

``ui.entry`` adds them to the ``cunfang`` command (app/ never imports sync/).
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

import click

from app.cli import _open_store
from app.errors import ErrorCode
from app.store import records


@click.command("enroll")
@click.argument("url")
@click.argument("token")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False), help="县局自己的 CA 证书文件（PEM），可选。")
@click.option("--name", "device_name", default="", help="本机名称（默认为计算机名）。")
@click.pass_context
def enroll(ctx: click.Context, url: str, token: str, ca_file: str | None, device_name: str) -> None:
    """用管理员给的一次性登记码，把本机登记到县局服务器。"""
    from sync.client.client import enroll as do_enroll

    with _open_store(ctx) as store:
        answer = do_enroll(store, url, token, device_name=device_name or platform.node(), ca_file=ca_file)
    villages = "、".join(answer.user.villages) or "（无）"
    click.echo(f"登记成功：{answer.user.name}（{answer.user.role_label}），负责村：{villages}。")


@click.group("sync", invoke_without_command=True)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（每条记录的结果）。")
@click.pass_context
def sync(ctx: click.Context, as_json: bool) -> None:
    """与县局服务器同步：发送已定稿的记录，接收表单和人员名册。"""
    if ctx.invoked_subcommand is not None:
        return
    from sync.client.client import SyncClient
    from sync.protocol import describe_results, summary

    with _open_store(ctx) as store:
        with SyncClient(store) as client:
            report = client.run()
        titles = records.titles(store, [r.uuid for r in report.results])  # the account's own records only
    if as_json:
        click.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        for line in describe_results(report.results, titles):
            click.echo(line)
        for line in report.waiting:
            click.echo(line)
        click.echo(f"本次同步：{summary(report.counts())}；名册发送 {report.registry_sent} 条，接收 "
                   f"{report.registry_received} 条" + (f"；新表单：{'、'.join(report.forms_received)}"
                                                      if report.forms_received else "") + "。")
    if report.error:
        click.echo(f"错误：{report.error}", err=True)
        sys.exit(1)  # the CLI runs click with standalone_mode=False: ctx.exit would not set the exit code


@sync.command("status")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def sync_status(ctx: click.Context, as_json: bool) -> None:
    """本机的登记信息、待发送的记录数和上次同步的结果。"""
    from sync.client.client import settings
    from sync.client.outbox import outbox_count

    with _open_store(ctx) as store:
        config = settings(store)
        pending = outbox_count(store)
        rejected = records.rejected_count(store)  # the signed-in account's
    last = json.loads(config.get("last_run") or "{}")
    user = json.loads(config.get("user") or "{}")
    status = {"enrolled": bool(config.get("credential")), "server": config.get("url", ""),
              "user": user.get("name", ""), "device_id": config.get("device_id", ""), "pending": pending,
              "rejected": rejected, "last_run": last}
    if as_json:
        click.echo(json.dumps(status, ensure_ascii=False))
        return
    if not status["enrolled"]:
        click.echo(ErrorCode.SYNC_NOT_ENROLLED.value)
    else:
        click.echo(f"服务器：{status['server']}（用户 {status['user']}）")
    click.echo(f"待发送：{pending} 条；被退回待修改：{rejected} 条")
    if last:
        from sync.protocol import summary

        click.echo(f"上次同步：{last['at'][:19].replace('T', ' ')}（UTC），{summary(last.get('counts', {}))}"
                   + (f"；{last['error']}" if last.get("error") else ""))


@click.group("package")
def package() -> None:
    """U 盘数据包：没有网络时，把待发送的记录带到县局导入。"""


@package.command("export")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def package_export(ctx: click.Context, path: Path) -> None:
    """把待发送的记录和附件写成加密数据包（只有县局服务器能解开）。"""
    from sync.client.packages import export_package

    with _open_store(ctx) as store:
        count = export_package(store, path)
    if count == 0:
        click.echo("没有需要发送的记录，没有生成数据包。")
        return
    click.echo(f"已把 {count} 条记录写入加密数据包 {path}。请交给县局导入（cunfang-server package import）。")


COMMANDS = (enroll, sync, package)


