"""The ``cunfang`` console script: the CLI, with the desktop app as its default command."""

from __future__ import annotations

from pathlib import Path


def launch_gui(data_dir: Path | None) -> int:
    from ui.app_main import run_app  # imported only when the window is wanted

    return run_app(data_dir=data_dir)


def main(argv: list[str] | None = None) -> None:
    from app.cli import main as cli_main
    from sync.client.cli import COMMANDS
    from ui.print_cli import COMMANDS as PRINT_COMMANDS

    cli_main(argv, gui=launch_gui, commands=COMMANDS + PRINT_COMMANDS)


if __name__ == "__main__":
    main()
