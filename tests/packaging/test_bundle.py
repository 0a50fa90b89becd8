"""The real thing: build the onedir bundle with PyInstaller (build_scripts/build.py) into a temporary folder
and run ``<bundle>/cunfang --self-test`` from it, offscreen. About a minute; skipped, with the reason shown,
when PyInstaller is not installed (``pip install -e ".[build]"``; the test extra has it)."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.bundle

ROOT = Path(__file__).resolve().parents[2]
WINDOWS = sys.platform == "win32"


def build(tmp: Path) -> Path:
    pytest.importorskip("PyInstaller", reason='PyInstaller is not installed (pip install -e ".[build]"): '
                                              "the bundle is not built or tested")
    dist = tmp / "dist"
    run = subprocess.run([sys.executable, str(ROOT / "build_scripts" / "build.py"), "--dist", str(dist),
                          "--work", str(tmp / "work")], cwd=ROOT, capture_output=True, text=True, timeout=1500)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-4000:]
    return dist


def test_the_onedir_bundle(tmp_path):
    """One test, one build (the suite runs on several xdist workers: separate tests could build twice)."""
    built = build(tmp_path / "build")
    home = tmp_path / "home"
    home.mkdir()
    check_self_test(built, home)
    check_command_line(built, home)
    check_contents(built)
    if sys.platform.startswith("linux"):
        check_linux_tarball(built)


def home_env(tmp_path: Path) -> dict:
    """Offscreen Qt, and a home of its own so the per-user data directory is known (and must stay absent)."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path), USERPROFILE=str(tmp_path),
               XDG_DATA_HOME=str(tmp_path / "share"), LOCALAPPDATA=str(tmp_path / "local"),
               APPDATA=str(tmp_path / "roaming"))
    env.pop("CUNFANG_DATA_DIR", None)
    return env


def program(dist: Path) -> Path:
    return dist / "cunfang" / ("cunfang.exe" if WINDOWS else "cunfang")


def check_self_test(built: Path, tmp_path: Path) -> None:
    run = subprocess.run([str(program(built)), "--self-test"], capture_output=True, timeout=300,
                         env=home_env(tmp_path), cwd=tmp_path)
    out = run.stdout.decode("utf-8", "replace")
    assert run.returncode == 0, out + run.stderr.decode("utf-8", "replace")
    lines = out.strip().splitlines()
    assert len(lines) == 11 and all("：通过 — " in line for line in lines[:-1]), out  # 10 checks and the verdict
    assert "打包版" in lines[0]
    from app.version import version

    assert f"村访通 {version()}" in lines[0]  # the version came along in the bundled package metadata
    assert not any(tmp_path.rglob("*.db")), "the self-test wrote into the (fake) user data directory"


def check_command_line(built: Path, tmp_path: Path) -> None:
    run = subprocess.run([str(program(built)), "--help"], capture_output=True, timeout=120, env=home_env(tmp_path))
    assert run.returncode == 0
    assert "村访通" in run.stdout.decode("utf-8", "replace")


def check_contents(built: Path) -> None:
    internal = built / "cunfang" / "_internal"
    files = {p.relative_to(internal).as_posix() for p in internal.rglob("*") if p.is_file()}
    names = {name.rsplit("/", 1)[-1] for name in files}
    forms = {name for name in files if name.startswith("resources/forms/") and name.endswith(".xlsx")}
    shipped = {p.relative_to(ROOT).as_posix() for p in (ROOT / "resources" / "forms").rglob("*.xlsx")}
    assert forms == shipped  # the built-in forms and their earlier versions (resources/forms/versions)
    assert "resources/translations/cunfang_zh_CN.qm" in files
    assert any(name.startswith("app/store/migrations/") and name.endswith(".sql") for name in files)
    for unused in ("Qt6WebEngineCore", "Qt6Qml", "Qt6Quick", "Qt6Network", "Qt6Multimedia", "Qt63DCore",
                   "Qt6OpenGL", "Qt6Pdf", "Qt6Svg"):
        assert not any(unused in name for name in names), f"{unused} is in the bundle"
    translations = sorted(n for n in files if "/translations/" in n and n.startswith("PySide6/"))
    assert translations and all("_zh_CN" in n for n in translations), translations
    assert not any(name.endswith("ODK_Validate.jar") for name in names)
    assert not any(name.startswith(("fastapi/", "sqlalchemy/", "uvicorn/", "pytest/")) for name in files)
    # the size budget: no second OpenSSL (cryptography), no phrase dictionaries (pypinyin), no build tools
    assert not any(name.startswith(("cryptography/", "pypinyin/", "setuptools/")) for name in files)
    assert "resources/pinyin/cjk_pinyin.txt" in files
    assert "resources/passwords/common.txt" in files  # app/passwords.py refuses these
    crypto_libraries = [name for name in files if name.startswith("Crypto/") and name.endswith((".so", ".pyd"))]
    assert 0 < len(crypto_libraries) <= 22, crypto_libraries  # only what app/crypto.py loads
    migrations = sorted(p.name for p in (ROOT / "app" / "store" / "migrations").glob("[0-9]*.*"))
    assert migrations == sorted(n.rsplit("/", 1)[-1] for n in files if n.startswith("app/store/migrations/")), (
        "app/store/migrate.py finds migrations by their files: each one must be in the bundle")


def check_linux_tarball(built: Path) -> None:
    from app.version import version

    tarballs = list(built.glob(f"cunfang-{version()}-linux-*.tar.gz"))
    assert len(tarballs) == 1
    with tarfile.open(tarballs[0]) as tar:
        names = set(tar.getnames())
        top = f"cunfang-{version()}"
        assert {f"{top}/cunfang", f"{top}/cunfang.desktop", f"{top}/cunfang.png", f"{top}/install.sh"} <= names
        desktop = tar.extractfile(f"{top}/cunfang.desktop").read().decode("utf-8")
        assert tar.getmember(f"{top}/cunfang").mode & 0o111
    assert "Name=村访通" in desktop and "Icon=cunfang" in desktop and "Exec=cunfang" in desktop
