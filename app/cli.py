"""The ``cunfang`` command: the desktop app with no subcommand, scriptable subcommands otherwise.

Every failure a person can cause prints a plain Chinese message and exits
non-zero; no Python traceback reaches the terminal.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from app.errors import CunFangError, ErrorCode


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), envvar="CUNFANG_DATA_DIR",
              help="数据目录（默认为系统的用户数据目录；也可用环境变量 CUNFANG_DATA_DIR）。")
@click.pass_context
def cli(ctx: click.Context, data_dir: Path | None) -> None:
    """村访通 CunFang：乡镇民政探访与入户调查（离线优先）。不带子命令时打开桌面程序。"""
    ctx.ensure_object(dict)
    ctx.obj["data_dir"] = data_dir
    if ctx.invoked_subcommand is None:
        try:
            from ui.app_main import run_app
        except ImportError as exc:
            raise click.ClickException(f"桌面界面无法启动：{exc}。请用 README 中的命令安装完整程序。") from exc
        sys.exit(run_app(data_dir=data_dir))


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
                               "questions": questions, "languages": form.languages}, ensure_ascii=False))
    else:
        click.echo(f"表单检查通过：{form.title}（form_id={form.form_id}，版本 {form.version or '未设置'}），"
                   f"共 {questions} 个问题。")


@forms.command("fill")
@click.argument("form_path", type=click.Path(path_type=Path))
@click.option("--answers", "answers_path", required=True, type=click.Path(path_type=Path),
              help="答案 JSON 文件：{\"问题名\": 值, ...}；重复组为对象列表。")
@click.option("--lang", default=None, help="提示信息的语言（表单中的语言名）。")
def forms_fill(form_path: Path, answers_path: Path, lang: str | None) -> None:
    """按表单顺序填入答案，输出 {"valid", "errors", "data"} JSON。"""
    from app.forms.fill import fill
    from app.forms.xlsform import FormCheckFailed, load_form

    try:
        form = load_form(form_path)
    except FormCheckFailed as exc:
        click.echo(f"表单 {form_path} 无法使用：", err=True)
        for err in exc.errors:
            click.echo(f"  {err}", err=True)
        sys.exit(1)
    try:
        answers = json.loads(answers_path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError as exc:
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=answers_path, reason="文件不存在") from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=answers_path, reason=str(exc)) from exc
    if not isinstance(answers, dict):
        raise CunFangError(ErrorCode.ANSWERS_UNREADABLE, path=answers_path, reason="应是一个 JSON 对象 {...}")
    result = fill(form, answers, lang=lang)
    click.echo(json.dumps(result, ensure_ascii=False))


def main(argv: list[str] | None = None) -> None:
    """Entry point: run the CLI, turning any error into a plain message."""
    try:
        cli.main(args=argv, prog_name="cunfang", standalone_mode=False)
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
        click.echo(f"发生了意外错误：{type(exc).__name__}。请把这条信息告诉县里的信息员。", err=True)
        sys.exit(3)


if __name__ == "__main__":
    main()
