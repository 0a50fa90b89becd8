"""Build 村访通 for the computer this runs on, in one command:

    python build_scripts/build.py              # onedir bundle in dist/cunfang/, then the platform's package
    python build_scripts/build.py --onefile    # one executable, dist/cunfang (dist/cunfang.exe)

The package made after an onedir build: Windows, the Inno Setup installer dist/cunfang-VERSION-setup.exe
(when Inno Setup is installed); macOS, dist/CunFang.app and dist/cunfang-VERSION-macos.dmg; Linux,
dist/cunfang-VERSION-linux-ARCH.tar.gz with a .desktop file, the icon and install.sh. The version is the
project's (pyproject.toml through app/version.py). ``--self-test`` runs the built program's self-test.

Run it with the Python that has the project and PyInstaller installed: ``.venv/bin/python`` after
``.venv/bin/pip install -e ".[build]"`` (Windows: ``.venv\\Scripts\\python``). See build_scripts/README.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SPEC = HERE / "cunfang.spec"
ISS = HERE / "windows" / "cunfang.iss"
NAME = "cunfang"
WINDOWS = sys.platform == "win32"
MACOS = sys.platform == "darwin"
LINUX = sys.platform.startswith("linux")


class BuildError(Exception):
    """A step failed; the message says what to do."""


def say(text: str) -> None:
    print(f"[build] {text}", flush=True)


def project_version() -> str:
    sys.path.insert(0, str(ROOT))
    from app.version import version

    return version()


def numeric_version(version: str) -> str:
    """``1.2.0rc1`` → ``1.2.0``: Windows file versions and Inno Setup's VersionInfoVersion take numbers only."""
    sys.path.insert(0, str(ROOT))
    from app.version import version_tuple

    return ".".join(str(n) for n in (version_tuple(version) or (0,)))


def executable(dist: Path, onefile: bool) -> Path:
    suffix = ".exe" if WINDOWS else ""
    return dist / f"{NAME}{suffix}" if onefile else dist / NAME / f"{NAME}{suffix}"


def run_pyinstaller(dist: Path, work: Path, *, onefile: bool, clean: bool) -> None:
    try:
        import PyInstaller  # noqa: F401
    except ImportError as exc:
        raise BuildError('PyInstaller 没有安装 / PyInstaller is not installed: pip install -e ".[build]"') from exc
    command = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--distpath", str(dist), "--workpath", str(work)]
    if clean:
        command.append("--clean")
    command += [str(SPEC), "--"] + (["--onefile"] if onefile else [])
    say(" ".join(command))
    if subprocess.call(command, cwd=ROOT) != 0:
        raise BuildError("PyInstaller 失败 / PyInstaller failed (see the output above)")


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 2**20


# ---------------------------------------------------------------------------- packages


def linux_tarball(dist: Path, version: str) -> Path:
    """dist/cunfang-VERSION-linux-ARCH.tar.gz: the onedir bundle plus cunfang.desktop, the icon and install.sh."""
    top = f"{NAME}-{version}"
    out = dist / f"{top}-linux-{platform.machine()}.tar.gz"
    bundle = dist / NAME

    def executable_bits(info: tarfile.TarInfo) -> tarfile.TarInfo:
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        return info

    with tarfile.open(out, "w:gz") as tar:
        tar.add(bundle, arcname=top, filter=executable_bits)
        tar.add(HERE / "linux" / "cunfang.desktop", arcname=f"{top}/cunfang.desktop", filter=executable_bits)
        tar.add(HERE / "icons" / "cunfang.png", arcname=f"{top}/cunfang.png", filter=executable_bits)
        tar.add(HERE / "linux" / "install.sh", arcname=f"{top}/install.sh", filter=executable_bits)
    return out


def find_iscc() -> Path | None:
    found = shutil.which("iscc") or shutil.which("ISCC")
    if found:
        return Path(found)
    for base in (os.environ.get("ProgramFiles(x86)"), os.environ.get("ProgramFiles"), os.environ.get("LOCALAPPDATA")):
        if not base:
            continue
        for folder in ("Inno Setup 7", "Inno Setup 6", os.path.join("Programs", "Inno Setup 7"),
                       os.path.join("Programs", "Inno Setup 6")):
            candidate = Path(base) / folder / "ISCC.exe"
            if candidate.exists():
                return candidate
    return None


def windows_installer(dist: Path, version: str) -> Path | None:
    """dist/cunfang-VERSION-setup.exe made by Inno Setup's compiler from windows/cunfang.iss."""
    iscc = find_iscc()
    if iscc is None:
        say("没有找到 Inno Setup（ISCC.exe），跳过安装程序 / Inno Setup not found: installer skipped. "
            "Install Inno Setup 6 or 7 (see build_scripts/README.md) and run this again.")
        return None
    official = iscc.parent / "Languages" / "ChineseSimplified.isl"
    local = ISS.parent / "ChineseSimplified.isl"
    if not official.exists() and not local.exists():
        raise BuildError(f"缺少简体中文安装界面 ChineseSimplified.isl（Inno Setup 6 不自带），请按 "
                         f"build_scripts/README.md 下载到 {local} / ChineseSimplified.isl is missing "
                         "(unofficial before Inno Setup 7)")
    command = [str(iscc), f"/DAppVersion={version}", f"/DAppNumericVersion={numeric_version(version)}",
               f"/DBundleDir={dist / NAME}", f"/DOutputDir={dist}", str(ISS)]
    say(" ".join(command))
    if subprocess.call(command, cwd=ISS.parent) != 0:
        raise BuildError("Inno Setup 编译失败 / ISCC failed (see the output above)")
    return dist / f"{NAME}-{version}-setup.exe"


def macos_dmg(dist: Path, version: str) -> Path:
    """dist/cunfang-VERSION-macos.dmg: CunFang.app beside a link to /Applications, compressed (UDZO)."""
    app = dist / "CunFang.app"
    staging = dist / "dmg-staging"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    subprocess.run(["ditto", str(app), str(staging / app.name)], check=True)  # keeps symlinks and signatures
    (staging / "Applications").symlink_to("/Applications")
    out = dist / f"{NAME}-{version}-macos-{platform.machine()}.dmg"
    command = ["hdiutil", "create", "-volname", f"村访通 {version}", "-srcfolder", str(staging), "-ov",
               "-format", "UDZO", str(out)]
    say(" ".join(command))
    try:
        subprocess.run(command, check=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return out


def self_test(program: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    say(f"{program} --self-test")
    if subprocess.call([str(program), "--self-test"], env=env) != 0:
        raise BuildError("打包后的程序自检失败 / the bundle's self-test failed")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build 村访通 with PyInstaller (see build_scripts/README.md).")
    parser.add_argument("--onefile", action="store_true", help="one executable instead of a folder (no installer)")
    parser.add_argument("--dist", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    parser.add_argument("--work", type=Path, default=ROOT / "build" / "pyinstaller",
                        help="PyInstaller's work folder (default: build/pyinstaller/)")
    parser.add_argument("--clean", action="store_true", help="empty PyInstaller's cache first")
    parser.add_argument("--no-package", action="store_true", help="only the bundle: no installer, dmg or tarball")
    parser.add_argument("--self-test", action="store_true", help="run the built program's --self-test afterwards")
    args = parser.parse_args(argv)
    dist, work = args.dist.resolve(), args.work.resolve()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.reconfigure(errors="replace")
        except (AttributeError, ValueError):
            pass
    try:
        version = project_version()
        say(f"村访通 {version}, {'onefile' if args.onefile else 'onedir'}, {platform.system()} {platform.machine()}")
        started = time.perf_counter()
        run_pyinstaller(dist, work, onefile=args.onefile, clean=args.clean)
        program = executable(dist, args.onefile)
        if not program.exists():
            raise BuildError(f"PyInstaller finished but {program} is missing")
        bundle = program if args.onefile else program.parent
        say(f"built {bundle} ({size_mb(bundle):.0f} MB) in {time.perf_counter() - started:.0f} s")
        if args.self_test:
            self_test(program)
        if not args.onefile and not args.no_package:
            package = None
            if LINUX:
                package = linux_tarball(dist, version)
            elif WINDOWS:
                package = windows_installer(dist, version)
            elif MACOS:
                package = macos_dmg(dist, version)
            if package is not None:
                say(f"package {package} ({size_mb(package):.0f} MB)")
    except BuildError as exc:
        say(str(exc))
        return 1
    except subprocess.CalledProcessError as exc:
        say(f"failed: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
