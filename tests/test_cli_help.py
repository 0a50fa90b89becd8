"""Every command explains itself in Chinese (`cunfang … --help`)."""

from __future__ import annotations

import re

import click
import pytest
from click.testing import CliRunner

from app.cli import cli


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from all_commands(command, (*prefix, name))


@pytest.mark.parametrize(("path", "command"), list(all_commands(cli)), ids=lambda v: " ".join(v) if
                         isinstance(v, tuple) else "")
def test_every_command_has_chinese_help(path, command):
    assert command.help and re.search(r"[\u4e00-\u9fff]", command.help), f"{' '.join(path)} has no Chinese help"
    result = CliRunner().invoke(cli, [*path, "--help"], obj={})
    assert result.exit_code == 0 and "用法:" in result.output
    assert "Options" not in result.output and "Show this message" not in result.output


def test_click_own_words_and_errors_are_chinese():
    result = CliRunner().invoke(cli, ["--help"], obj={})
    assert "选项:" in result.output and "显示此帮助并退出。" in result.output and "命令:" in result.output
    wrong = CliRunner().invoke(cli, ["records", "--no-such-option"], obj={})
    assert wrong.exit_code == 2 and "没有选项" in wrong.output and "错误" in wrong.output
