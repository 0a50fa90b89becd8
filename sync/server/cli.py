"""``cunfang-server``: run the bureau server and manage its users, devices, forms, records and USB packages.

Scripts rely on these commands: ``user add`` prints the enrollment token on its last
line; ``records count --json`` and ``package import --json`` print JSON only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from app.errors import CunFangError, ErrorCode
from sync.server.db import DEFAULT_URL

DB_HELP = ("数据库：SQLite 文件路径或 sqlite:///路径（默认），或 postgresql://用户@主机/库名。"
           "也可用环境变量 CUNFANG_SERVER_DB。")


def _service(db: str):
    from sync.server.api import open_service

    return open_service(db)


def _fail(exc: Exception) -> None:
    click.echo(f"错误：{exc}", err=True)
    sys.exit(1)


@click.group(help="村访通县局同步服务器。")
@click.option("--db", envvar="CUNFANG_SERVER_DB", default=DEFAULT_URL, show_default=True, help=DB_HELP)
@click.pass_context
def main(ctx: click.Context, db: str) -> None:
    ctx.obj = {"db": db}


@main.command(help="启动服务器（首次启动时建库，之后自动升级数据库结构）。")
@click.option("--host", envvar="CUNFANG_SERVER_HOST", default="127.0.0.1", show_default=True,
              help="监听地址；对外服务请放在 HTTPS 反向代理之后（环境变量 CUNFANG_SERVER_HOST）。")
@click.option("--port", envvar="CUNFANG_SERVER_PORT", default=8700, show_default=True, type=int,
              help="端口（环境变量 CUNFANG_SERVER_PORT）。")
@click.option("--workers", envvar="CUNFANG_SERVER_WORKERS", default=1, show_default=True, type=click.IntRange(1, 64),
              help="工作进程数（PostgreSQL 时可多个；环境变量 CUNFANG_SERVER_WORKERS）。")
@click.option("--ssl-certfile", type=click.Path(exists=True, dir_okay=False), help="HTTPS 证书（可选）。")
@click.option("--ssl-keyfile", type=click.Path(exists=True, dir_okay=False), help="HTTPS 私钥（可选）。")
@click.option("--client-version", envvar="CUNFANG_CLIENT_VERSION", default="",
              help="县局提供的村访通最新版本号（如 0.2.0）；比它旧的电脑会提示“服务器提供新版本”，不会自动安装。"
                   "也可用环境变量 CUNFANG_CLIENT_VERSION。")
@click.option("--client-url", envvar="CUNFANG_CLIENT_URL", default="",
              help="新版本的说明或下载页面地址，随提示显示（环境变量 CUNFANG_CLIENT_URL）。")
@click.option("--client-notes", envvar="CUNFANG_CLIENT_NOTES", default="",
              help="新版本的简短说明，随提示显示（环境变量 CUNFANG_CLIENT_NOTES）。")
@click.option("--county-settings", "county_settings", envvar="CUNFANG_COUNTY_SETTINGS", default="",
              type=click.Path(dir_okay=False),
              help="县里的 settings.json（与各台电脑上的相同）：检查上传的记录时按县里的探访间隔等规定"
                   "（环境变量 CUNFANG_COUNTY_SETTINGS）。不指定时按程序自带的默认规定。")
@click.option("--upload-days", envvar="CUNFANG_UPLOAD_DAYS", default=7.0, show_default=True,
              type=click.FloatRange(min=0, min_open=True),
              help="没传完的附件保留几天，过期清除（环境变量 CUNFANG_UPLOAD_DAYS）。")
@click.option("--device-quota-mb", envvar="CUNFANG_DEVICE_QUOTA_MB", default=256.0, show_default=True,
              type=click.FloatRange(min=1), help="每台电脑在服务器上没传完的附件最多占多少 MB"
                                                 "（环境变量 CUNFANG_DEVICE_QUOTA_MB）。")
@click.pass_context
def serve(ctx, host: str, port: int, workers: int, ssl_certfile: str | None, ssl_keyfile: str | None,
          client_version: str, client_url: str, client_notes: str, upload_days: float, device_quota_mb: float,
          county_settings: str) -> None:
    import uvicorn

    from sync.server.api import (
        CLIENT_NOTES_ENV,
        CLIENT_URL_ENV,
        CLIENT_VERSION_ENV,
        DB_ENV,
        DEVICE_QUOTA_ENV,
        UPLOAD_DAYS_ENV,
        open_service,
    )
    from sync.server.db import normalize_url

    os.environ[UPLOAD_DAYS_ENV], os.environ[DEVICE_QUOTA_ENV] = str(upload_days), str(device_quota_mb)
    if county_settings:
        import json

        from app.settings import Settings
        from sync.server.services.records import COUNTY_SETTINGS_ENV

        try:
            with open(county_settings, encoding="utf-8") as fh:
                Settings.from_json(json.load(fh))
        except (OSError, ValueError, TypeError, AttributeError) as exc:
            raise click.ClickException(f"无法读取县里的设置文件 {county_settings}：{exc}") from exc
        os.environ[COUNTY_SETTINGS_ENV] = str(Path(county_settings).resolve())

    offer = _client_offer(client_version, client_url, client_notes)
    url = normalize_url(ctx.obj["db"])
    if workers > 1 and url.startswith("sqlite"):
        click.echo("提示：SQLite 同一时间只有一个写入者，多个工作进程会轮流写入；县级部署请用 PostgreSQL。", err=True)
    try:
        open_service(url)  # migrate and first-start setup once, before any worker starts
    except CunFangError as exc:
        _fail(exc)
    os.environ[DB_ENV] = url
    for name, value in ((CLIENT_VERSION_ENV, client_version), (CLIENT_URL_ENV, client_url),
                        (CLIENT_NOTES_ENV, client_notes)):
        os.environ[name] = value.strip()  # every worker reads the offer from here (app_from_env)
    if offer:
        click.echo(f"向客户端提示的最新版本：{offer.version}", err=True)
    base = f"http{'s' if ssl_certfile else ''}://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    click.echo(f"村访通服务器已启动：{base}/api/v1 （Ctrl+C 停止）\n"
               f"网页管理台：在浏览器打开 {base}/console/ （账户用 cunfang-server console-user add 新建）", err=True)
    uvicorn.run("sync.server.api:app_from_env", factory=True, host=host, port=port, workers=workers,
                log_level="warning", ssl_certfile=ssl_certfile, ssl_keyfile=ssl_keyfile, timeout_graceful_shutdown=5)


def _client_offer(version: str, url: str, notes: str):
    """The ``--client-*`` options checked (a version must start with a number); None without a version."""
    from pydantic import ValidationError

    from app.version import version_tuple
    from sync.protocol import ClientUpdate

    if not version.strip():
        if url.strip() or notes.strip():
            raise click.UsageError("--client-url/--client-notes 需要同时给出 --client-version。")
        return None
    if not version_tuple(version.strip()):
        raise click.BadParameter(f"“{version}”不是版本号，应为 0.2.0 这样的数字。", param_hint="--client-version")
    try:
        return ClientUpdate(version=version.strip(), url=url.strip(), notes=notes.strip())
    except ValidationError as exc:
        raise click.UsageError(f"--client-url 最长 500 字，--client-notes 最长 2000 字：{exc.errors()[0]['msg']}") \
            from exc


@main.group(help="用户与登记码。")
def user() -> None:
    pass


@user.command("add", help="新建用户，最后一行输出一次性登记码（14 天内有效）。")
@click.argument("name")
@click.option("--role", required=True, help="角色：village_cadre（村干部）、child_director（儿童主任）、"
                                            "township_staff（乡镇工作人员）、admin（管理员）。")
@click.option("--villages", default="", help="负责的村（行政区划代码，逗号分隔；* 表示全部）。")
@click.pass_context
def user_add(ctx, name: str, role: str, villages: str) -> None:
    try:
        token = _service(ctx.obj["db"]).add_user(name, role, [v.strip() for v in villages.split(",") if v.strip()])
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已创建用户 {name}。请把下面的登记码交给本人，在村访通里登记本机（只能用一次）：")
    click.echo(token)


@user.command("token", help="为已有用户生成新的一次性登记码（换电脑时用）。")
@click.argument("name")
@click.pass_context
def user_token(ctx, name: str) -> None:
    try:
        click.echo(_service(ctx.obj["db"]).new_token(name))
    except CunFangError as exc:
        _fail(exc)


@main.group(help="已登记的电脑。")
def device() -> None:
    pass


@device.command("list", help="列出已登记的电脑。")
@click.pass_context
def device_list(ctx) -> None:
    for row in _service(ctx.obj["db"]).list_devices():
        state = f"已停用 {row['revoked_at'][:10]}" if row["revoked_at"] else "有效"
        flag = f"  ⚠ 审计异常 {row['findings']} 项（cunfang-server audit list --device {row['id'][:8]}）" \
            if row["findings"] else ""
        click.echo(f"{row['id']}  {row['user']}  {row['name']}  登记于 {row['created_at'][:10]}  {state}{flag}")


@device.command("enroll-file", help="没有网络的电脑：用一次性登记码在服务器上登记，写成登记文件（用登记码加密），"
                                    "连同登记码交给用户，在“同步”页用文件登记。")
@click.argument("token")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--url", required=True, help="本服务器的地址（电脑以后联网同步时用）。")
@click.option("--name", "device_name", default="U盘登记的电脑", show_default=True, help="电脑名称。")
@click.pass_context
def device_enroll_file(ctx, token: str, path: Path, url: str, device_name: str) -> None:
    from sync import package

    try:
        answer = _service(ctx.obj["db"]).enroll(token.strip(), device_name)
    except CunFangError as exc:
        _fail(exc)
    blob = package.seal_enrollment({"url": url.rstrip("/"), "answer": answer.model_dump(mode="json")}, token)
    path.write_bytes(blob)
    click.echo(f"已为 {answer.user.name} 写入登记文件 {path}（设备 {answer.device_id}）。"
               "请把文件和登记码分开交给用户。")


@device.command("revoke", help="停用一台电脑的同步凭证（电脑丢失时）。")
@click.argument("device_id")
@click.pass_context
def device_revoke(ctx, device_id: str) -> None:
    if not _service(ctx.obj["db"]).revoke_device(device_id):
        _fail(CunFangError(ErrorCode.SYNC_DEVICE_REVOKED))
    click.echo(f"已停用 {device_id}。")


@main.group(help="电脑审计记录的核查：同步时发现的截断、改写，以及电脑自查报告的篡改。")
def audit() -> None:
    pass


@audit.command("list", help="列出发现的问题（最新的在前）：哪台电脑、谁、何时、什么问题。")
@click.option("--device", "device_id", default="", help="只看这台电脑（设备编号，可只写开头几位）。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def audit_list(ctx, device_id: str, as_json: bool) -> None:
    from sync.server.audit_chain import KIND_LABELS

    rows = [row for row in _service(ctx.obj["db"]).list_findings() if row["device_id"].startswith(device_id)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("没有发现问题：各电脑的审计记录都接续服务器已确认的部分。")
    for row in rows:
        click.echo(f"{row['found_at'][:19].replace('T', ' ')}  {row['device_id'][:8]}（{row['user_name']}，"
                   f"{row['device_name'] or '未命名'}）  {KIND_LABELS.get(row['kind'], row['kind'])}："
                   f"{row['message']}")


@main.group(help="表单版本。")
def forms() -> None:
    pass


@forms.command("add", help="发布一个表单版本（XLSForm .xlsx），经过与客户端相同的检查。")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def forms_add(ctx, path: Path) -> None:
    try:
        form_id, version = _service(ctx.obj["db"]).add_form(path.read_bytes())
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已发布表单 {form_id} 版本 {version}。")


@main.group(help="本县的乡镇和村名单（统计用区划代码，加上县局的更正和新增的村）：各电脑同步时取得，填表时从中选村。")
def regions() -> None:
    pass


@regions.command("load", help="载入县的名单：不给 --file 时用国家统计局 2023 年的区划表；给了就用文件里的名单"
                              "（每行“代码 名称”，Tab 或逗号隔开，9 位乡镇和 12 位村），替换原有名单。")
@click.argument("county")
@click.option("--file", "path", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="县局自己的名单文件（UTF-8 的 .tsv/.csv/.txt）。")
@click.pass_context
def regions_load(ctx, county: str, path: Path | None) -> None:
    from app.regions import parse_rows

    service = _service(ctx.obj["db"])
    try:
        info = (service.regions.put(county, parse_rows(path.read_text(encoding="utf-8-sig"))) if path
                else service.regions.load_national(county))
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已发布县 {info.county} 的名单：{info.count} 个乡镇和村。各电脑下次同步时取得。")


@regions.command("set", help="在名单里新增一个乡镇或村，或改名：CODE 是 9 位乡镇或 12 位村代码。")
@click.argument("code")
@click.argument("name")
@click.pass_context
def regions_set(ctx, code: str, name: str) -> None:
    try:
        info = _service(ctx.obj["db"]).regions.set_place(code, name)
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已把 {code} {name} 写入县 {info.county} 的名单（共 {info.count} 个）。")


@regions.command("remove", help="从名单里去掉一个村（或一个乡镇和它的村），例如已撤并的村。")
@click.argument("code")
@click.pass_context
def regions_remove(ctx, code: str) -> None:
    try:
        info = _service(ctx.obj["db"]).regions.remove_place(code)
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"已从县 {info.county} 的名单里去掉 {code}（还有 {info.count} 个）。")


@regions.command("show", help="列出名单：不给县代码时列出已发布的各县；给了就列出该县"
                              "（或 --township 乡镇）的乡镇和村。")
@click.argument("county", required=False)
@click.option("--township", default="", help="只列这个乡镇（9 位代码）的村。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def regions_show(ctx, county: str | None, township: str, as_json: bool) -> None:
    service = _service(ctx.obj["db"])
    if not county:
        lists = service.regions.listing().lists
        if as_json:
            click.echo(json.dumps([i.model_dump() for i in lists], ensure_ascii=False))
            return
        if not lists:
            click.echo("还没有发布名单。用 cunfang-server regions load 县代码 载入。")
        for info in lists:
            click.echo(f"{info.county}  {info.count} 个乡镇和村")
        return
    rows = service.regions.rows(county)
    if rows is None:
        _fail(CunFangError(ErrorCode.REGION_LIST_NONE, county=county))
    rows = [(c, n) for c, n in rows if c.startswith(township)]
    if as_json:
        click.echo(json.dumps([{"code": c, "name": n} for c, n in rows], ensure_ascii=False))
        return
    for code, name in rows:
        click.echo(f"{code}\t{'' if len(code) == 9 else '  '}{name}")


@main.group(help="服务器上的记录。")
def records() -> None:
    pass


@records.command("count", help="记录数（按表单），以及修订数和待处理的冲突数。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def records_count(ctx, as_json: bool) -> None:
    counts = _service(ctx.obj["db"]).count_records()
    if as_json:
        click.echo(json.dumps(counts, ensure_ascii=False))
        return
    click.echo(f"记录 {counts['records']} 条（修订 {counts['revisions']} 个，待处理冲突 {counts['conflicts']} 个）")
    for form_id, n in sorted(counts["by_form"].items()):
        click.echo(f"  {form_id}: {n}")


@records.command("move", help="把一条记录改到另一个村（乡镇级操作，记入审计）：生成一个新版本。"
                              "记录对象（人员）须已在那个村。")
@click.argument("uuid")
@click.option("--to", "village", required=True, help="新的村（行政区划代码）。")
@click.option("--by", "operator", default="管理员", show_default=True, help="操作人。")
@click.pass_context
def records_move(ctx, uuid: str, village: str, operator: str) -> None:
    from sync.protocol import Outcome, describe
    from sync.server.scope import operator as console

    try:
        result = _service(ctx.obj["db"]).move_record(uuid, village, caller=console(operator))
    except CunFangError as exc:
        _fail(exc)
    if result.outcome is not Outcome.ACCEPTED:
        _fail(Exception(describe(result)))
    click.echo(f"已把记录 {uuid} 改到村 {village}（第 {result.revision} 版）。")


@main.group(help="冲突：两台电脑改了同一条记录时，两份都保留，由人决定用哪一份。")
def conflicts() -> None:
    pass


@conflicts.command("list", help="列出待处理的冲突。")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def conflicts_list(ctx, as_json: bool) -> None:
    rows = _service(ctx.obj["db"]).list_conflicts()
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, default=str))
        return
    if not rows:
        click.echo("没有待处理的冲突。")
    for row in rows:
        theirs = json.loads(row["envelope"])
        click.echo(f"[{row['id']}] {row['title'] or row['uuid']}：服务器上是第 {row['head']} 版；"
                   f"{row['user_name']} 提交的第 {row['revision']} 版（{theirs.get('updated_at', '')[:16]}）被暂存。")


@conflicts.command("resolve", help="处理一个冲突：--keep server 保留服务器上的版本；"
                                   "--keep laptop 采用暂存的版本（作为新的一版）。")
@click.argument("conflict_id", type=int)
@click.option("--keep", type=click.Choice(["server", "laptop"]), required=True, help="保留哪一份。")
@click.option("--by", "resolver", default="管理员", show_default=True, help="处理人。")
@click.pass_context
def conflicts_resolve(ctx, conflict_id: int, keep: str, resolver: str) -> None:
    try:
        done = _service(ctx.obj["db"]).resolve_conflict(conflict_id, keep, resolver=resolver)
    except CunFangError as exc:
        _fail(exc)
    click.echo(f"冲突 {conflict_id} 已处理：" + ("保留服务器上的版本。" if keep == "server"
                                              else f"采用暂存的版本，成为第 {done['revision']} 版。"))


@main.command("export", help="把服务器上的全部记录导出为 Excel（每个表单一张工作表）。")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path), help="输出的 .xlsx 文件。")
@click.pass_context
def export(ctx, out: Path) -> None:
    from sync.server.export import export_server_records

    count = export_server_records(_service(ctx.obj["db"]), out)
    click.echo(f"已导出 {count} 条记录到 {out}")


@main.group(help="U 盘数据包（网络不通时）。")
def package() -> None:
    pass


@package.command("import", help="导入村访通导出的加密数据包；结果与联网同步相同，重复导入不会重复入库。")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（每条记录的结果）。")
@click.pass_context
def package_import(ctx, path: Path, as_json: bool) -> None:
    from sync.server.packages import import_package

    try:
        report = import_package(_service(ctx.obj["db"]), path)
    except CunFangError as exc:
        _fail(exc)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False))
        return
    from sync.protocol import describe_results

    click.echo(f"数据包来自 {report['user']}（设备 {report['device_id'][:8]}）：")
    for line in describe_results(report["results"]):
        click.echo("  " + line)


@main.group("db", help="数据库：在两个数据库之间复制（例如从默认的 SQLite 换到 PostgreSQL）。")
def db_group() -> None:
    pass


@db_group.command("copy", help="把一个服务器数据库的全部表复制到另一个新建的空数据库，并核对每张表的行数。"
                               "复制前请先停止服务器（systemctl stop cunfang-server），复制期间到达的记录不会被复制。")
@click.option("--from", "source", required=True, help="源数据库：SQLite 文件路径或 sqlite:///路径，或 postgresql://…")
@click.option("--to", "target", required=True, help="目标数据库（须为空；PostgreSQL 库要先用 createdb 建好）。")
@click.option("--batch", default=1000, show_default=True, type=click.IntRange(1, 100_000), help="每批写入的行数。")
def db_copy(source: str, target: str, batch: int) -> None:
    from sync.server.transfer import TransferError, copy_database, shown

    click.echo(f"从 {shown(source)} 复制到 {shown(target)} …", err=True)
    last: dict[str, int] = {}

    def progress(table: str, rows: int) -> None:
        if rows - last.get(table, 0) >= 50_000:
            click.echo(f"  {table}：已复制 {rows} 行", err=True)
            last[table] = rows

    try:
        counts = copy_database(source, target, batch_rows=batch, progress=progress)
    except TransferError as exc:
        _fail(exc)
    for count in counts:
        click.echo(f"  {count.table}：{count.target} 行")
    click.echo(f"复制完成，{len(counts)} 张表的行数与源数据库一致（共 {sum(c.target for c in counts)} 行）。")


def _add_console_commands() -> None:
    from sync.server.console.cli import console_user, demo

    main.add_command(console_user)
    main.add_command(demo)


_add_console_commands()

if __name__ == "__main__":
    main()
