"""``cunfang-server console-user add|list|reset|disable``: the web console's accounts."""

from __future__ import annotations

import os

import click

from app.errors import CunFangError

ROLE_HELP = "角色：county_admin（县局管理员）、county_viewer（县局查看）、township（乡镇）、it（信息化）。"


def _accounts(ctx: click.Context):
    from sync.server.api import open_service
    from sync.server.console.accounts import ConsoleAccounts

    return ConsoleAccounts(open_service(ctx.obj["db"]).db)


def _password(prompt: bool) -> str:
    """From CUNFANG_CONSOLE_PASSWORD (scripts), else typed twice at the terminal."""
    given = os.environ.get("CUNFANG_CONSOLE_PASSWORD")
    if given:
        return given
    return click.prompt("密码", hide_input=True, confirmation_prompt="再输入一次") if prompt else ""


def _fail(exc: CunFangError) -> None:
    click.echo(f"错误：{exc.message}", err=True)
    raise SystemExit(1)


@click.group("console-user", help="网页管理台的账户（与电脑同步用的用户分开）。密码在终端输入，"
                                  "或用环境变量 CUNFANG_CONSOLE_PASSWORD。")
def console_user() -> None:
    pass


@console_user.command("add", help="新建管理台账户。")
@click.argument("name")
@click.option("--role", required=True, help=ROLE_HELP)
@click.option("--township", default="", help="乡镇账户：乡镇的行政区划代码（9 位，如 341100101）。")
@click.option("--display-name", default="", help="姓名（显示在页面和审计记录里）。")
@click.pass_context
def add(ctx, name: str, role: str, township: str, display_name: str) -> None:
    try:
        _accounts(ctx).add(name, role, _password(True), township=township, display_name=display_name)
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已创建管理台账户 {name.strip().lower()}。")


@console_user.command("list", help="列出管理台账户。")
@click.pass_context
def list_(ctx) -> None:
    for row in _accounts(ctx).list():
        state = "有效" if row["active"] else "已停用"
        last = (row["last_login"] or "从未登录")[:16].replace("T", " ")
        click.echo(f"{row['name']}  {row['display_name'] or '-'}  {row['role_label']}  {row['township'] or ''}  "
                   f"{state}  最近登录 {last}")


@console_user.command("reset", help="重设密码（解除锁定，已登录的浏览器需重新登录）。")
@click.argument("name")
@click.pass_context
def reset(ctx, name: str) -> None:
    try:
        _accounts(ctx).reset(name, _password(True))
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已重设 {name} 的密码。")


@console_user.command("disable", help="停用账户（已登录的浏览器立即退出）。")
@click.argument("name")
@click.pass_context
def disable(ctx, name: str) -> None:
    try:
        _accounts(ctx).disable(name)
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已停用 {name}。")


@click.command("demo", help="往服务器里装入示范数据（一个虚构的乡镇，人员和走访记录都是假的），供试用管理台。")
@click.option("--persons", default=600, show_default=True, type=click.IntRange(10, 50_000), help="人数。")
@click.pass_context
def demo(ctx, persons: int) -> None:
    from sync.server.api import open_service
    from sync.server.console.demo import load_server_demo

    counts = load_server_demo(open_service(ctx.obj["db"]), persons=persons)
    click.echo(f"已装入示范数据：村、户、人员 {counts['registry']} 条，记录 {counts['records']} 条。")
    refused = counts["records_sent"] - counts["records"]
    if refused:
        click.echo(f"错误：有 {refused} 条示范记录服务器没有接收（示范数据与服务器的检查不一致），"
                   "请报告给开发人员。", err=True)
        raise SystemExit(1)
    click.echo("启动服务器：cunfang-server serve，然后在浏览器打开 http://127.0.0.1:8700/console/"
               "（管理台账户用 cunfang-server console-user add 新建）。")
