"""Set up CunFang in a private virtual environment, then run the app or the tests.

    python3 dev.py run [cunfang arguments]   # set up, then start the app (or a cunfang subcommand)
    python3 dev.py test [pytest arguments]   # set up with test tools, then run the whole test suite

Uses only the standard library, so it works on a fresh machine with nothing but Python 3.11+.
(Windows: ``py dev.py run``.)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"[dev.py] {message}", flush=True)


def ensure_venv(extras: str) -> None:
    """Create .venv if missing; (re)install the project when pyproject.toml or the extras changed."""
    if not PYTHON.exists():
        say("创建虚拟环境 / creating the virtual environment in .venv ...")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + extras.encode()).hexdigest()
    stamp = VENV / f".cunfang-installed-{extras or 'app'}"
    if stamp.exists() and stamp.read_text() == wanted:
        return
    say("安装依赖 / installing dependencies (first run takes a few minutes) ...")
    target = f".[{extras}]" if extras else "."
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
    subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "-e", target], check=True, cwd=ROOT)
    stamp.write_text(wanted)


def main(argv: list[str]) -> int:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py itself runs on whatever python3 is
        print("村访通需要 Python 3.11 或更新版本 / CunFang needs Python 3.11 or newer; "
              f"this is {sys.version.split()[0]}.")
        return 2
    if not argv or argv[0] not in ("run", "test"):
        print(__doc__)
        return 2
    command, rest = argv[0], argv[1:]
    try:
        if command == "run":
            ensure_venv("")
            return subprocess.call([str(PYTHON), "-m", "ui.entry", *rest], cwd=ROOT)
        ensure_venv("test")
        env = dict(os.environ)
        env.setdefault("QT_QPA_PLATFORM", "offscreen")
        say("运行测试 / running the test suite ...")
        return subprocess.call([str(PYTHON), "-m", "pytest", *rest], cwd=ROOT, env=env)
    except subprocess.CalledProcessError as exc:
        print(f"安装失败 / setup failed: {exc}. 请检查网络后重试 / check the network and try again.")
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
