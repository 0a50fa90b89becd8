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
    assert result.exit_code == 0 and "Usage" in result.output
