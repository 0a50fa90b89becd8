"""``cunfang account …``: local accounts from the command line (the same rules as 设置 → 账户)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from app import accounts
from app.roles import ROLES

ROLE_NAMES = [r.name for r in ROLES.values()] + [r.label for r in ROLES.values()]


def _store(ctx: click.Context):
    from app.cli import _open_store  # here, not at the top: app.cli imports this module

    return _open_store(ctx)


def _villages_text(account: accounts.Account) -> str:
    return "全部" if "*" in account.villages else "、".join(account.villages)


@click.group("account")
def account_group() -> None:
    """账户：添加、列出、重设密码、停用；修改自己的密码；用恢复密钥找回管理员。"""


@account_group.command("list")
@click.pass_context
def account_list(ctx: click.Context) -> None:
    """列出本机的账户（管理员）。"""
    with _store(ctx) as store:
        store.scope.check("accounts")
        for a in accounts.list_accounts(store):
            state = "" if a.active else "（已停用）"
            click.echo(f"{a.login}\t{a.name}\t{a.role_def.label}\t村：{_villages_text(a)}{state}")


@account_group.command("add")
@click.argument("login")
@click.option("--name", default="", help="姓名（默认同用户名）。")
@click.option("--role", "role_name", required=True, type=click.Choice(ROLE_NAMES), help="角色。")
@click.option("--village", "villages", multiple=True, help="负责的村编号（可重复）；村干部和儿童主任必填。")
@click.option("--phone", default="", help="本人手机号（可不填；密码不能用它）。")
@click.pass_context
def account_add(ctx: click.Context, login: str, name: str, role_name: str, villages: tuple[str, ...],
                phone: str) -> None:
    """添加账户 LOGIN（管理员）。初始密码从终端输入两次或用 CUNFANG_NEW_PASSWORD；首次登录时须改密码。"""
    from app.cli import new_password

    with _store(ctx) as store:
        store.scope.check("accounts")
        account = accounts.add_account(store, login, name, role_name, list(villages), new_password("初始密码"),
                                       phone=phone)
        click.echo(f"已添加账户 {account.login}（{account.role_def.label}，村：{_villages_text(account)}）。"
                   "请把初始密码当面告诉本人，首次登录时须修改。")


@account_group.command("reset")
@click.argument("login")
@click.pass_context
def account_reset(ctx: click.Context, login: str) -> None:
    """给忘记密码的账户 LOGIN 设新密码（管理员）；数据不受影响。"""
    from app.cli import new_password

    with _store(ctx) as store:
        store.scope.check("accounts")
        accounts.reset_password(store, login, new_password())
        click.echo(f"已重设 {login} 的密码；下次登录时须修改。")


@account_group.command("disable")
@click.argument("login")
@click.pass_context
def account_disable(ctx: click.Context, login: str) -> None:
    """停用账户 LOGIN（管理员）：不能再登录，记录保留。用 reset 可重新启用。"""
    with _store(ctx) as store:
        accounts.disable_account(store, login)
        click.echo(f"已停用账户 {login}；它填写的记录都保留着。")


@account_group.command("passwd")
@click.pass_context
def account_passwd(ctx: click.Context) -> None:
    """修改自己的密码（先用旧密码登录）。"""
    from app.cli import new_password

    with _store(ctx) as store:
        if ctx.obj and ctx.obj.get("password_changed"):
            return  # signing in asked for the new password already (the administrator had reset it)
        old = os.environ.get("CUNFANG_PASSWORD") or click.prompt("旧密码", hide_input=True)
        accounts.change_password(store, old, new_password())
        click.echo("密码已修改。")


def change_at_sign_in(ctx: click.Context, store, password: str) -> None:
    """An administrator reset this account's password: a new one is asked before anything else."""
    from app.cli import new_password
    from app.errors import CunFangError, ErrorCode

    try:
        new = new_password("管理员重设了您的密码，请设置新密码")
    except CunFangError as exc:
        raise CunFangError(ErrorCode.ACCOUNT_MUST_CHANGE, login=store.account.login) from exc
    accounts.change_password(store, password, new)
    if ctx.obj is not None:
        ctx.obj["password_changed"] = True
    click.echo("新密码已设置。", err=True)


@account_group.command("adopt")
@click.argument("login")
@click.option("--name", default="", help="管理员的姓名。")
@click.pass_context
def account_adopt(ctx: click.Context, login: str, name: str) -> None:
    """为只有数据库密码的旧数据库启用账户：建立管理员 LOGIN，数据库密码从此失效。"""
    from app.cli import new_password

    with _store(ctx) as store:
        recovery = accounts.adopt_accounts(store, login, name or login, new_password("管理员密码"))
        click.echo(f"已启用账户，管理员为 {login.strip().lower()}；原数据库密码不再能打开数据。")
        click.echo(f"恢复密钥（只显示这一次，请抄在纸上锁好）：\n    {recovery}")


@account_group.command("recover")
@click.argument("login")
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path),
              help="把新的恢复密钥写成一张可打印的纸（文本文件）。")
@click.pass_context
def account_recover(ctx: click.Context, login: str, sheet: Path | None) -> None:
    """管理员忘记密码时：输入恢复密钥，给管理员 LOGIN 设新密码。恢复密钥用过即作废，会给出新的。"""
    from app.cli import _data_dir, new_password

    key = os.environ.get("CUNFANG_RECOVERY_KEY") or click.prompt("恢复密钥", hide_input=True)
    store, fresh = accounts.recover(_data_dir(ctx), key, login, new_password())
    try:
        click.echo(f"已为管理员 {login} 设置新密码。原来的恢复密钥已作废。")
        _show_recovery_key(store, fresh, sheet)
    finally:
        store.close()


@account_group.command("recovery-key")
@click.option("--sheet", type=click.Path(dir_okay=False, path_type=Path), help="同时写成一张可打印的纸（文本文件）。")
@click.pass_context
def account_recovery_key(ctx: click.Context, sheet: Path | None) -> None:
    """换一个新的恢复密钥（管理员）：旧的立即作废。恢复密钥丢了或可能被人看到时用。"""
    with _store(ctx) as store:
        fresh = accounts.replace_recovery_key(store)
        click.echo("已生成新的恢复密钥，原来的恢复密钥已作废。")
        _show_recovery_key(store, fresh, sheet)


def _show_recovery_key(store, key: str, sheet: Path | None) -> None:
    click.echo(f"新的恢复密钥（只显示这一次，请抄在纸上锁好）：\n    {key}")
    if sheet is not None:
        sheet.write_text(accounts.recovery_sheet(store, key), encoding="utf-8")
        click.echo(f"恢复密钥单已写到 {sheet}：打印后请删除这个文件。")


@account_group.command("restore-keyring")
@click.pass_context
def account_restore_keyring(ctx: click.Context) -> None:
    """密钥文件 keyring.json 丢失或损坏时，用同一文件夹里的备份 keyring.backup.json 恢复。"""
    from app.cli import _data_dir
    from app.store import connection, keyring

    path = _data_dir(ctx) / connection.KEYRING_NAME
    if keyring.restore_backup(path):
        click.echo("已从备份恢复密钥文件 keyring.json，现在可以登录了（这次恢复会记入审计记录）。")
    else:
        click.echo("密钥文件 keyring.json 完好，不需要恢复。")
