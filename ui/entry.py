"""The ``cunfang`` console script: the CLI, with the desktop app as its default command."""

from __future__ import annotations

import sys
from pathlib import Path


def launch_gui(data_dir: Path | None) -> int:
    from ui.app_main import run_app  # imported only when the window is wanted

    return run_app(data_dir=data_dir)


def self_test() -> int:
    """``cunfang --self-test``: the checks of app/selftest.py plus the Qt ones; exit 0 when all pass."""
    from app.selftest import main as run_checks
    from ui.selftest_qt import CHECKS

    return run_checks(CHECKS)


def main(argv: list[str] | None = None) -> None:
    if (sys.argv[1:] if argv is None else argv) == ["--self-test"]:  # before the CLI: works in any bundle
        sys.exit(self_test())
    from app.cli import main as cli_main
    from sync.client.cli import COMMANDS
    from ui.print_cli import COMMANDS as PRINT_COMMANDS

    cli_main(argv, gui=launch_gui, commands=COMMANDS + PRINT_COMMANDS)


if __name__ == "__main__":
    main()
