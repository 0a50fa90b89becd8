"""The ``cunfang`` command: the desktop app with no subcommand, scriptable subcommands otherwise.

Every failure a person can cause prints a plain Chinese message and exits
non-zero; no Python traceback reaches the terminal.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from app.cli_zh import install as _chinese_click
from app.errors import CunFangError, ErrorCode, explain

_chosen: dict[str, Path | None] = {}

_chinese_click()  # Usage/Options/--help and click's own errors in Chinese


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="CUNFANG_DATA_DIR",
              help="数据目录（默认为系统的用户数据目录；也可用环境变量 CUNFANG_DATA_DIR）。")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """村访通 CunFang：乡镇民政探访与入户调查（离线优先）。不带子命令时打开桌面程序。"""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    _chosen["data_dir"] = data_dir  # for messages about the disk it is on (main)
    if ctx.invoked_subcommand is None:
        launch = ctx.obj.get("gui")
        if launch is None:
            raise click.ClickException("这个程序没有桌面界面，请使用子命令（cunfang --help）。")
        sys.exit(launch(data_dir))


@cli.group()
def forms() -> None:
    """表单：检查 XLSForm 表单，或用答案文件试填。"""


@forms.command("check")
@click.argument("form_path", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出检查结果。")
def forms_check(form_path: Path, as_json: bool) -> None:
    """检查表单 FORM_PATH（.xlsx/.xls/.xml）：没有问题时退出码为 0。"""
    from app.forms.xlsform import FormCheckFailed, load_form

    try:
        form = load_form(form_path)
    except FormCheckFailed as exc:
        if as_json:
            click.echo(json.dumps({"ok": False, "errors": [e.to_dict() for e in exc.errors]}, ensure_ascii=False))
        else:
            click.echo(f"表单 {form_path} 有 {len(exc.errors)} 处问题：", err=True)
            for i, err in enumerate(exc.errors, 1):
                click.echo(f"  {i}. {err}", err=True)
        sys.exit(1)
    questions = sum(1 for c in form.walk() if c.kind not in ("group", "repeat"))
    if as_json:
        click.echo(json.dumps({"ok": True, "form_id": form.form_id, "version": form.version, "title": form.title,
                               "questions": questions, "languages": form.languages, "notices": form.notices},
                              ensure_ascii=False))
    else:
        click.echo(f"表单检查通过：{form.title}（form_id={form.form_id}，版本 {form.version or '未设置'}），"
                   f"共 {questions} 个问题。")
        for i, notice in enumerate(form.notices, 1):
            click.echo(f"  提示 {i}：{notice}")


@forms.command("fill")
@click.argument("form_path", type=click.Path(path_type=Path))
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path),
              help="答案 JSON 文件：{\"问题名\": 值, ...}；重复组为对象列表。")
@click.option("--lang", default=None, help="提示信息的语言（表单中的语言名）。")
def forms_fill(form_path: Path, answers_path: Path, lang: str | None) -> None:
    """按表单顺序填入答案，输出 {"valid", "errors", "data", "notes"} JSON（notes：没有保存的答案及原因）。"""
    from app.forms.fill import fill
    from app.forms.xlsform import FormCheckFailed, load_form

    try:
        form = load_form(form_path)
    except FormCheckFailed as exc:
        click.echo(f"表单 {form_path} 无法使用：", err=True)
        for err in exc.errors:
            click.echo(f"  {err}", err=True)
        sys.exit(1)
    answers = _read_answers(answers_path)
    if not isinstance(answers, dict):
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=answers_path, reason="应是一个 JSON 对象 {...}")
    result = fill(form, answers, lang=lang)
    click.echo(json.dumps(result, ensure_ascii=False))
    for key, note in result["notes"].items():
        click.echo(f"提示：{key}：{note}", err=True)


def _read_answers(path: Path):
    """An answers file (JSON, UTF-8 with or without BOM), or a plain Chinese error."""
    try:
        return json.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=path, reason="文件不存在") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=path, reason=str(exc)) from exc


# ---------------------------------------------------------------------------- the local store


def _data_dir(ctx: click.Context) -> Path:
    from app.paths import data_dir

    return data_dir(ctx.obj.get("data_dir") if ctx.obj else None)


def _passphrase(*, confirm: bool) -> str:
    """CUNFANG_PASSPHRASE for scripts; otherwise asked on the terminal (twice when creating)."""
    value = os.environ.get("CUNFANG_PASSPHRASE")
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CunFangError(ErrorCode.STORE_NO_PASSPHRASE)
    first = click.prompt("数据库密码", hide_input=True)
    if confirm and click.prompt("再输入一次密码", hide_input=True) != first:
        raise CunFangError(ErrorCode.STORE_PASSPHRASE_MISMATCH)
    return first


def _open_store(ctx: click.Context):
    """The store, signed in: as an account (CUNFANG_USER / CUNFANG_PASSWORD or asked) when the store has
    accounts, else by its passphrase (CUNFANG_PASSPHRASE or asked)."""
    from app.paths import setup_logging
    from app.store import Store

    directory = _data_dir(ctx)
    if not Store.exists(directory):
        raise CunFangError(ErrorCode.STORE_MISSING, path=directory)
    if Store.has_accounts(directory):
        from app.accounts import sign_in

        login, password = _credentials()
        store = sign_in(directory, login, password)
        if store.account.must_change:  # reset by an administrator: a new password before anything else
            from app.accounts_cli import change_at_sign_in

            try:
                change_at_sign_in(ctx, store, password)
            except BaseException:
                store.close()
                raise
    else:
        store = Store.open(directory, _passphrase(confirm=False))
    setup_logging(directory)
    from app.clock import check_clock

    warning = check_clock(store)
    if warning is not None:  # before anything is dated by it
        click.echo(f"注意：{warning}", err=True)
    return store


def _credentials() -> tuple[str, str]:
    login, password = os.environ.get("CUNFANG_USER"), os.environ.get("CUNFANG_PASSWORD")
    if login and password:
        return login, password
    if not sys.stdin or not sys.stdin.isatty():
        raise CunFangError(ErrorCode.ACCOUNT_NO_LOGIN)
    return login or click.prompt("用户名"), password or click.prompt("密码", hide_input=True)


def new_password(prompt: str = "新密码") -> str:
    """A new password: CUNFANG_NEW_PASSWORD for scripts, otherwise asked twice on the terminal."""
    value = os.environ.get("CUNFANG_NEW_PASSWORD")
    if value:
        return value
    if not sys.stdin or not sys.stdin.isatty():
        raise CunFangError(ErrorCode.ACCOUNT_NO_LOGIN)
    first = click.prompt(prompt, hide_input=True)
    if click.prompt("再输入一次", hide_input=True) != first:
        raise CunFangError(ErrorCode.STORE_PASSPHRASE_MISMATCH)
    return first


@cli.command("init")
@click.option("--admin", "admin_login", default=None, metavar="用户名",
              help="同时建立管理员账户（推荐）：密码从终端输入两次，或用 CUNFANG_NEW_PASSWORD。")
@click.option("--name", default="", help="管理员的姓名。")
@click.option("--township", default="", metavar="代码",
              help="本乡镇的 9 位统计用区划代码（如 340123101）：表单从它的村里选村。")
@click.pass_context
def init_store(ctx: click.Context, admin_login: str | None, name: str, township: str) -> None:
    """新建一个空的加密数据库：带管理员账户（--admin），或只用一个数据库密码（CUNFANG_PASSPHRASE）。"""
    from app.paths import setup_logging
    from app.store import Store

    directory = _data_dir(ctx)
    if Store.exists(directory):
        raise CunFangError(ErrorCode.STORE_EXISTS, path=directory)
    from app.regions import national

    found = national().get(township.strip()) if township else None
    if township and (found is None or found.level != "township"):
        raise CunFangError(ErrorCode.REGION_UNKNOWN, region=township)
    if admin_login:
        from app.accounts import create_with_admin

        store, recovery = create_with_admin(directory, admin_login, name or admin_login, new_password("管理员密码"))
        setup_logging(directory)
        if found is not None:
            store.set_township(found.code)
        store.close()
        click.echo(f"已在 {directory} 创建加密数据库和管理员账户 {admin_login.strip().lower()}。")
        click.echo(f"恢复密钥（只显示这一次，请抄在纸上锁好；忘记管理员密码时用它）：\n    {recovery}")
        return
    store = Store.create(directory, _passphrase(confirm=True))
    setup_logging(directory)
    if found is not None:
        store.set_township(found.code)
    store.close()
    click.echo(f"已在 {directory} 创建加密数据库。请牢记密码：忘记密码将无法打开数据。")


@cli.command("demo")
@click.option("--persons", default=2000, show_default=True, type=click.IntRange(1, 500_000), help="演示人员数量。")
@click.option("--seed", default=1, show_default=True, type=int, help="随机种子（相同种子生成相同数据）。")
@click.pass_context
def demo(ctx: click.Context, persons: int, seed: int) -> None:
    """在数据库中加入演示数据（虚构的村、户、人员和一年的探访记录）。"""
    import time

    from app.demo import load_demo

    store = _open_store(ctx)
    try:
        started = time.perf_counter()
        counts = load_demo(store, persons=persons, seed=seed)
    finally:
        store.close()
    click.echo(f"已加入演示数据：{counts['villages']} 个村，{counts['households']} 户，{counts['persons']} 人，"
               f"{counts['records']} 条记录（用时 {time.perf_counter() - started:.1f} 秒）。所有数据均为虚构。")


@cli.group()
def records() -> None:
    """记录：查看本机保存的表单记录。"""


@records.command("list")
@click.option("--form", "form_id", default=None, help="只列出这个表单（form_id）的记录。")
@click.option("--status", type=click.Choice(["draft", "finalized", "queued", "sent", "accepted", "rejected"]),
              default=None, help="只列出这个状态的记录。")
@click.option("--search", default=None, help="按标题或人员姓名、拼音首字母查找。")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（每行一条）。")
@click.pass_context
def records_list(ctx: click.Context, form_id, status, search, limit, as_json) -> None:
    """列出记录，最新的在前。"""
    from app.store import STATUS_LABELS

    store = _open_store(ctx)
    try:
        rows = store.list_records(form_id=form_id, status=status, search=search, limit=limit)
    finally:
        store.close()
    if as_json:
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    if not rows:
        click.echo("没有符合条件的记录。")
        return
    for row in rows:
        click.echo(f"{row['updated_at'][:16].replace('T', ' ')}  {STATUS_LABELS[row['status']]:<4}  "
                   f"{row['form_id']:<12} {row['title'] or row['person_name'] or ''}  [{row['uuid'][:8]}]")


@records.command("add")
@click.argument("form_id")
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path),
              help="答案 JSON 文件：一个答案对象 {\"问题名\": 值, ...}，或多个对象的列表（每个一条记录）。")
@click.option("--person", "person_id", default=None, help="记录所属人员的 ID（persons search --json 中的 id）。")
@click.option("--finalize", is_flag=True, help="写入后立即定稿（与程序中按“定稿”相同，会更新下次探访日期）。")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出写入的记录（每行一条）。")
@click.pass_context
def records_add(ctx: click.Context, form_id: str, answers_path: Path, person_id: str | None, finalize: bool,
                as_json: bool) -> None:
    """按表单新建记录：答案经表单引擎检查，有一份不合格则一条也不写入（退出码 1）。"""
    from app import record_batch
    from app.forms.library import FormLibrary

    answers = _read_answers(answers_path)
    batch = answers if isinstance(answers, list) else [answers]
    if not batch or not all(isinstance(a, dict) for a in batch):
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=answers_path,
                           reason="应是一个 JSON 对象 {...}，或由这样的对象组成的列表 [{...}, ...]")
    store = _open_store(ctx)
    try:
        library = FormLibrary(store)
        form = library.get(form_id)
        if form is None:
            forms = "、".join(f.form_id for f in library.latest())
            raise CunFangError(ErrorCode.EXPORT_FORM_UNKNOWN, form_id=form_id, forms=forms)
        person = store.get_person(person_id) if person_id else None
        author = store.account.name if store.account else store.get_setting("author") or ""
        results = record_batch.check(store, form, batch, person=person, author=author)
        bad = [(i, r) for i, r in enumerate(results) if not r["valid"]]
        if bad:
            for i, result in bad:  # as `forms fill` prints them, with the item's place in the list
                click.echo(json.dumps({"index": i, "valid": False, "errors": result["errors"]}, ensure_ascii=False))
            click.echo(f"有 {len(bad)} 份答案不合格（共 {len(batch)} 份），没有写入任何记录。", err=True)
            sys.exit(1)
        written = record_batch.add(store, form, results, person=person, author=author, finalize=finalize)
    finally:
        store.close()
    status = "finalized" if finalize else "draft"
    if as_json:
        for uuid in written:
            click.echo(json.dumps({"uuid": uuid, "form_id": form.form_id, "status": status}, ensure_ascii=False))
        return
    click.echo(f"已写入 {len(written)} 条记录（{'已定稿' if finalize else '草稿'}）。")


@cli.group()
def persons() -> None:
    """人员：在台账中查找。"""


@persons.command("search")
@click.argument("text")
@click.option("--village", default=None, help="只在这个村（村代码）里找。")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（身份证号已遮蔽）。")
@click.pass_context
def persons_search(ctx: click.Context, text: str, village: str | None, limit: int, as_json: bool) -> None:
    """按姓名的任意部分、拼音首字母（zs 找到张三）、身份证号或电话的后几位查找人员。"""
    from app.china import mask_id

    store = _open_store(ctx)
    try:
        rows = store.search_persons(text, village_id=village, limit=limit)
        names = {v["id"]: v["name"] for v in store.villages()}
    finally:
        store.close()
    for row in rows:
        shown = {"id": row["id"], "name": row["name"], "id_number": mask_id(row["id_number"]),
                 "village": names.get(row["village_id"], ""), "village_id": row["village_id"], "kind": row["kind"],
                 "risk_tier": row["risk_tier"],
                 "next_due": row["next_due"]}
        if as_json:
            click.echo(json.dumps(shown, ensure_ascii=False))
        else:
            click.echo(f"{shown['name']:<6} {shown['id_number']}  {shown['village']}  {shown['risk_tier']}")
    if not rows and not as_json:
        click.echo("没有找到。")


@cli.command("plates")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def plates(ctx: click.Context, out: Path) -> None:
    """导出需要制作的门牌清单（新装、破损、缺失）到 Excel 文件 OUT，可直接打印。"""
    from app.spreadsheets.plain import export_plates

    store = _open_store(ctx)
    try:
        count = export_plates(store, out)
    finally:
        store.close()
    click.echo(f"已导出 {count} 块待制作的门牌到 {out}。")


from app.spreadsheets.cli import export_command  # noqa: E402 - after `cli`, beside the commands it belongs with

cli.add_command(export_command)


@cli.group()
def audit() -> None:
    """审计记录：谁在什么时候做了什么（修改、同步、导出等），防篡改。"""


@audit.command("verify")
@click.pass_context
def audit_verify(ctx: click.Context) -> None:
    """检查审计记录链是否完整（删除或修改任何一条都会被发现）；完整时退出码为 0。"""
    from app.store.audit import verify

    with _open_store(ctx) as store:
        result = verify(store)
    if result.ok:
        click.echo(f"审计记录完整：共 {result.entries} 条，没有被删除或修改。")
        return
    click.echo(f"审计记录被篡改：{result.problem.message}（之前的 {result.entries} 条完好）", err=True)
    sys.exit(1)


@audit.command("list")
@click.option("--action", help="只看某类操作，如 edit、sync、export。")
@click.option("--limit", default=50, show_default=True, type=int)
@click.option("--json", "as_json", is_flag=True, help="输出 JSON。")
@click.pass_context
def audit_list(ctx: click.Context, action: str | None, limit: int, as_json: bool) -> None:
    """最近的审计记录（新的在前）。"""
    from app.store.audit import entries

    with _open_store(ctx) as store:
        rows = entries(store, action=action, limit=limit)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False))
        return
    for row in rows:
        click.echo(f"{row['id']:>6}  {row['at'][:19].replace('T', ' ')}  {row['user'] or '-'}  {row['action']}  "
                   f"{row['subject']}")


@cli.command("doctor")
@click.option("--salvage", "salvage_to", type=click.Path(file_okay=False, path_type=Path), metavar="新目录",
              help="把能读出的全部数据（记录、人员、住户、附件、审计记录、账户）复制到一个新的数据目录。")
@click.pass_context
def doctor(ctx: click.Context, salvage_to: Path | None) -> None:
    """检查数据库：加密完整性（逐页）、损坏的是哪一部分、数据库版本、各状态记录数、孤立附件。健康时退出码为 0。

    数据库有损坏时，用 --salvage 新目录 把还能读出的数据抢救到新目录（钥匙文件一起复制，账户密码不变），
    再用 --data-dir 新目录 打开它。
    """
    from app.store.salvage import salvage, survey

    directory = _data_dir(ctx)
    data_key = _data_key(directory)
    with survey(directory, data_key) as found:
        if not found.pf.key_matches:
            raise CunFangError(ErrorCode.STORE_KEY_MISMATCH, path=directory / "keyring.json")
        for line in found.describe():
            click.echo(f"✗ {line}", err=True)
        report = salvage(directory, data_key, salvage_to, found) if salvage_to is not None else None
        healthy, pages = found.healthy, found.pf.count
    if report is not None:
        for line in report.lines():
            click.echo(line)
        click.echo(f"请用 cunfang --data-dir {salvage_to} 打开抢救出的数据，核对无误后再替换原来的数据目录"
                   f"（原数据目录 {directory} 没有改动）。")
        sys.exit(1 if report.lost else 0)
    if not healthy:
        click.echo(f"数据库有损坏。请运行 cunfang doctor --salvage 新目录，把能读出的数据抢救到一个新的数据目录"
                   f"（原数据目录 {directory} 不会被改动）。", err=True)
        sys.exit(1)
    click.echo(f"✓ 逐页校验：{pages} 页全部完好")
    _examine(ctx)


def _data_key(directory: Path) -> bytes:
    """The data key, from the signed-in account's slot (or the passphrase): enough to read a damaged store."""
    from app.store import Store, connection, keyring

    if not Store.exists(directory):
        raise CunFangError(ErrorCode.STORE_MISSING, path=directory)
    if Store.has_accounts(directory):
        login, password = _credentials()
        slot = keyring.user_slot(login.strip().lower())
        try:
            return connection.unlock(directory, slot, password)[0]
        except CunFangError as exc:
            if exc.code is ErrorCode.STORE_WRONG_PASSPHRASE:
                raise CunFangError(ErrorCode.ACCOUNT_BAD_LOGIN) from None
            raise
    return connection.unlock(directory, keyring.PASSPHRASE_SLOT, _passphrase(confirm=False))[0]


def _examine(ctx: click.Context) -> None:
    from app.store.doctor import examine

    store = _open_store(ctx)
    try:
        report = examine(store)
    finally:
        store.close()
    for fact in report.facts:
        click.echo(f"✓ {fact}")
    for problem in report.problems:
        click.echo(f"✗ {problem}", err=True)
    if not report.healthy:
        sys.exit(1)
    click.echo("数据库健康。")


from app.accounts_cli import account_group  # noqa: E402 - needs `cli` defined above
from app.spreadsheets.import_cli import import_group  # noqa: E402

cli.add_command(import_group)
cli.add_command(account_group)


def main(argv: list[str] | None = None, *, gui=None, commands=()) -> None:
    """Entry point: run the CLI, turning any error into a plain message.

    ``gui(data_dir) -> exit code`` starts the desktop app when no subcommand is given, and
    ``commands`` adds click commands from the layers above (sync); ``ui.entry`` passes both
    in, so this module never imports Qt or sync.
    """
    for command in commands:
        cli.add_command(command)
    try:
        cli.main(args=argv, prog_name="cunfang", standalone_mode=False, obj={"gui": gui})
    except click.exceptions.Abort:
        click.echo("已取消。", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        click.echo(f"错误：{exc.format_message()}", err=True)
        sys.exit(exc.exit_code)
    except CunFangError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(2)
    except SystemExit:
        raise
    except Exception as exc:  # noqa: BLE001 - last line of defence: never a traceback
        from app.paths import data_dir

        known = explain(exc, path=data_dir(_chosen.get("data_dir")))
        if known is not None:  # a full disk, a damaged page: the catalogue says what to do
            click.echo(f"错误：{known}", err=True)
            sys.exit(2)
        click.echo(f"发生了意外错误：{type(exc).__name__}。请把这条信息告诉县里的信息员。", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
