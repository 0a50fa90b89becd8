# -*- coding: utf-8 -*-  # noqa: UP009 - lets Python 2 read this file far enough to say it is too old
"""Set up CunFang in a private virtual environment (.venv), then run the app or the tests.

    python3 dev.py run [cunfang arguments]   # set up, then start the app (or a cunfang subcommand)
    python3 dev.py test [pytest arguments]   # set up with the test tools, then run pytest
    python3 dev.py build [build.py options]  # set up with PyInstaller, then build the installer for this system

Needs nothing but Python 3.11+ and the standard library (Windows: ``py dev.py run``).
The install step is skipped while pyproject.toml is unchanged since the last successful install.
"""

# Keep this file parseable by old Pythons, Python 2 included (no f-strings, no annotations, no
# keyword arguments to print) so that the version check can print a plain message, not a SyntaxError.

import hashlib
import os
import shutil
import subprocess
import sys

MIN_PYTHON = (3, 11)
STAMP_FORMAT = "1"  # bump to force a reinstall when this script's install step changes

ROOT = os.path.dirname(os.path.abspath(__file__))
VENV = os.path.join(ROOT, ".venv")
WINDOWS = os.name == "nt"
BIN = os.path.join(VENV, "Scripts" if WINDOWS else "bin")
PYTHON = os.path.join(BIN, "python.exe" if WINDOWS else "python")
CUNFANG = os.path.join(BIN, "cunfang.exe" if WINDOWS else "cunfang")


class SetupError(Exception):
    """A setup step failed; the message is shown to the user as it is."""


def say(message, stream=None):
    stream = stream or sys.stdout
    stream.write("[dev.py] " + message + "\n")
    stream.flush()


def stamp_path(extras):
    return os.path.join(VENV, ".cunfang-installed-" + (extras or "app"))


def wanted_stamp(extras):
    digest = hashlib.sha256()
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as f:
        digest.update(f.read())
    digest.update(("\0" + extras + "\0" + STAMP_FORMAT).encode())
    return digest.hexdigest()


def stamp_matches(extras):
    try:
        with open(stamp_path(extras), encoding="ascii") as f:
            return f.read().strip() == wanted_stamp(extras)
    except OSError:
        return False


def pip_env():
    env = dict(os.environ)
    env.setdefault("PIP_DISABLE_PIP_VERSION_CHECK", "1")
    env.setdefault("PIP_NO_INPUT", "1")  # CI has no stdin: never prompt
    return env


def venv_works():
    """True when .venv has a Python that starts and has pip."""
    if not os.path.exists(PYTHON):
        return False
    try:
        check = subprocess.run([PYTHON, "-m", "pip", "--version"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, env=pip_env())
    except OSError:
        return False
    return check.returncode == 0


def create_venv():
    if os.path.exists(VENV):
        say("虚拟环境不可用，重新创建 / .venv is broken, recreating it ...")
        shutil.rmtree(VENV)
    else:
        say("创建虚拟环境 / creating the virtual environment in .venv ...")
    result = subprocess.run([sys.executable, "-m", "venv", VENV])
    if result.returncode != 0 or not venv_works():
        shutil.rmtree(VENV, ignore_errors=True)
        hint = ""
        if not WINDOWS:
            hint = " (Debian/Ubuntu: sudo apt install python3-venv)"
        raise SetupError("无法创建虚拟环境 / could not create .venv with " + sys.executable + hint)


def ensure_installed(extras):
    """Create .venv if needed and install the project (with extras) unless the stamp says it is current."""
    # the test install contains the app install and PyInstaller; the build install contains the app install
    accepted = {"": ["", "test", "build"], "build": ["build", "test"]}.get(extras, [extras])
    if any(stamp_matches(e) for e in accepted) and os.path.exists(PYTHON):
        return
    if not venv_works():
        create_venv()
    target = ".[" + extras + "]" if extras else "."
    say("安装项目及依赖 / installing " + target + " (first time takes a few minutes) ...")
    pip_install = [PYTHON, "-m", "pip", "install", "--quiet", "--progress-bar", "off", "-e", target]
    result = subprocess.run(pip_install, cwd=ROOT, env=pip_env())
    if result.returncode != 0:
        code = str(result.returncode)
        raise SetupError("安装失败，请检查网络后重试 / pip install failed (exit code " + code + "); "
                         "check the network and try again")
    with open(stamp_path(extras), "w", encoding="ascii") as f:
        f.write(wanted_stamp(extras) + "\n")


def run_app(args):
    ensure_installed("")
    command = [CUNFANG] if os.path.exists(CUNFANG) else [PYTHON, "-m", "ui.entry"]
    say("启动村访通 / starting CunFang ...")
    return subprocess.call(command + list(args), cwd=ROOT)


def run_tests(args):
    ensure_installed("test")
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    say("运行测试 / running the tests ...")
    return subprocess.call([PYTHON, "-m", "pytest"] + list(args), cwd=ROOT, env=env)


def run_build(args):
    ensure_installed("build")
    say("打包村访通 / building the CunFang installer ...")
    return subprocess.call([PYTHON, os.path.join(ROOT, "build_scripts", "build.py")] + list(args), cwd=ROOT)


def main(argv):
    if sys.version_info < MIN_PYTHON:
        needed = ".".join(str(n) for n in MIN_PYTHON)
        print("村访通需要 Python " + needed + " 或更新版本 / CunFang needs Python " + needed + " or newer; "
              "this is " + sys.version.split()[0] + " (" + sys.executable + ").")
        return 2
    for stream in (sys.stdout, sys.stderr):
        try:  # a console or pipe that cannot show Chinese gets '?' rather than a UnicodeEncodeError
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    if not argv or argv[0] not in ("run", "test", "build"):
        print(__doc__)
        return 2
    try:
        if argv[0] == "run":
            return run_app(argv[1:])
        if argv[0] == "build":
            return run_build(argv[1:])
        return run_tests(argv[1:])
    except SetupError as exc:
        say(str(exc), sys.stderr)
        return 1
    except OSError as exc:
        say("出错 / error: " + str(exc), sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
