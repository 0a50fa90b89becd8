"""Bundle size and start-up of the PyInstaller build, against a bare PySide6 "hello" window bundled the same way.

Both bundles are built in this run, onedir, with the same Qt module exclusions and the same kept plugins and
translations (build_scripts/bundling.py), stripped alike. Prints, for each: the folder's size on disk (and,
for information, as a .tar.gz), and the time from starting the process to its first window being shown
(mapped on the X display: found with ``xdotool search --all --onlyvisible --pid``, polled every 10 ms). Ours opens
its first-run window on a fresh, empty data directory each time; the hello bundle a window with a label.

Targets: our bundle at most 1.3× the size and 2× the start-up of the hello bundle.

Run (Linux; needs PyInstaller, Xvfb and xdotool; a virtual display is started when DISPLAY is unset):

    .venv/bin/python benchmarks/package.py [--rounds 7] [--keep DIR]

Start-up is measured with the bundle's files in the OS file cache (a build just wrote them): run-to-run
"cold" start from disk would need the cache dropped for the whole machine (``--drop-caches``, as root).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "build_scripts"))

import bundling  # noqa: E402

SIZE_TARGET = 1.3
START_TARGET = 2.0

HELLO = textwrap.dedent(
    """
    import sys
    from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
    app = QApplication(sys.argv[:1])
    window = QMainWindow()
    window.setWindowTitle("hello")
    window.setCentralWidget(QLabel("hello"))
    window.show()
    sys.exit(app.exec())
    """
)

# The hello program bundled exactly as build_scripts/cunfang.spec bundles ours (minus our own data files).
HELLO_SPEC = textwrap.dedent(
    """
    import shutil, sys
    sys.path.insert(0, {build_scripts!r})
    import bundling
    bundling.limit_qt_plugins()
    STRIP = sys.platform.startswith("linux") and shutil.which("strip") is not None
    a = Analysis([{script!r}], excludes=bundling.excludes(), optimize=0)
    a.binaries = bundling.filter_toc(a.binaries)
    a.datas = bundling.filter_toc(a.datas)
    pyz = PYZ(a.pure)
    exe = EXE(pyz, a.scripts, [], exclude_binaries=True, name="hello", console=True, upx=False, strip=STRIP)
    coll = COLLECT(exe, a.binaries, a.datas, name="hello", upx=False, strip=STRIP)
    """
)


def build_ours(tmp: Path) -> Path:
    dist = tmp / "dist"
    subprocess.run([sys.executable, str(ROOT / "build_scripts" / "build.py"), "--no-package", "--dist", str(dist),
                    "--work", str(tmp / "work")], check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return dist / "cunfang"


def build_hello(tmp: Path) -> Path:
    source = tmp / "hello-src"
    source.mkdir(exist_ok=True)
    (source / "hello.py").write_text(HELLO, encoding="utf-8")
    spec = source / "hello.spec"
    spec.write_text(HELLO_SPEC.format(build_scripts=str(ROOT / "build_scripts"), script=str(source / "hello.py")),
                    encoding="utf-8")
    subprocess.run([sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                    str(tmp / "hello-dist"), "--workpath", str(tmp / "hello-work"), str(spec)], check=True, cwd=source)
    return tmp / "hello-dist" / "hello"


def tarball_size(folder: Path, tmp: Path) -> int:
    out = tmp / f"{folder.name}.tar.gz"
    with tarfile.open(out, "w:gz") as tar:
        tar.add(folder, arcname=folder.name)
    size = out.stat().st_size
    out.unlink()
    return size


def largest_additions(ours: Path, hello: Path, count: int = 8) -> list[tuple[str, int]]:
    """Bytes our bundle adds over the hello bundle, by top-level entry (of _internal/), largest first."""

    def by_entry(root: Path, executable: str) -> dict[str, int]:
        sizes: dict[str, int] = {}
        for path in root.rglob("*"):
            if path.is_file() and not path.is_symlink():
                parts = path.relative_to(root).parts
                if parts == (executable,):
                    key = "executable (holds the Python modules)"
                else:
                    key = parts[1] if parts[0] == "_internal" and len(parts) > 1 else parts[0]
                sizes[key] = sizes.get(key, 0) + path.stat().st_size
        return sizes

    mine, theirs = by_entry(ours, "cunfang"), by_entry(hello, "hello")
    grown = [(key, size - theirs.get(key, 0)) for key, size in mine.items() if size > theirs.get(key, 0)]
    return sorted(grown, key=lambda item: -item[1])[:count]


def drop_caches() -> None:
    os.sync()
    Path("/proc/sys/vm/drop_caches").write_text("3\n")


class DisplayRefused(RuntimeError):
    """The program could not connect to the X display (Xvfb now and then refuses one connection)."""


def time_to_window(command: list[str], env: dict, timeout: float = 60.0) -> float:
    """Seconds from starting ``command`` until a window of that process is shown on the display."""
    errors = tempfile.TemporaryFile()
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=errors)
    try:
        while time.perf_counter() - started < timeout:
            found = subprocess.run(["xdotool", "search", "--all", "--onlyvisible", "--pid", str(process.pid),
                                    "--name", "."], capture_output=True, text=True, env=env)  # visible, titled
            if found.stdout.strip():
                return time.perf_counter() - started
            if process.poll() is not None:
                errors.seek(0)
                said = errors.read().decode("utf-8", "replace")[-2000:]
                failure = DisplayRefused if "could not connect to display" in said else RuntimeError
                raise failure(f"{command[0]} exited with {process.returncode} before showing a window:\n{said}")
            time.sleep(0.01)
        raise RuntimeError(f"{command[0]} showed no window within {timeout:.0f} s")
    finally:
        errors.close()
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Display:
    """The X display to measure on: $DISPLAY, or an Xvfb started (and stopped) here."""

    def __init__(self):
        self.process = None
        self.name = os.environ.get("DISPLAY")

    def __enter__(self) -> str:
        if self.name:
            return self.name
        if not shutil.which("Xvfb"):
            sys.exit("no DISPLAY and no Xvfb (Debian/Ubuntu: apt install xvfb xdotool)")
        # -displayfd: Xvfb picks a free display number and writes it once it accepts connections
        self.process = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        number = self.process.stdout.readline().strip()
        if not number.isdigit():
            sys.exit("Xvfb did not start")
        self.name = f":{number}"
        return self.name

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)


def verdict(ratio: float, target: float) -> str:
    return "PASS" if ratio <= target else "FAIL"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="start-ups of each bundle (median reported)")
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it (default: a temporary one)")
    parser.add_argument("--drop-caches", action="store_true", help="drop the OS file cache before each start (root)")
    args = parser.parse_args()
    if not shutil.which("xdotool"):
        sys.exit("xdotool is needed to see when a window is shown (Debian/Ubuntu: apt install xdotool)")
    tmp_holder = None if args.keep else tempfile.TemporaryDirectory(prefix="cunfang-package-bench-")
    tmp = args.keep or Path(tmp_holder.name)
    tmp.mkdir(parents=True, exist_ok=True)
    try:
        t0 = time.perf_counter()
        ours = build_ours(tmp)
        t1 = time.perf_counter()
        hello = build_hello(tmp)
        t2 = time.perf_counter()
        print(f"built: CunFang in {t1 - t0:.0f} s, hello in {t2 - t1:.0f} s (PyInstaller, onedir)")

        sizes = {name: bundling.dir_size(str(path)) for name, path in (("ours", ours), ("hello", hello))}
        packed = {name: tarball_size(path, tmp) for name, path in (("ours", ours), ("hello", hello))}
        size_ratio = sizes["ours"] / sizes["hello"]
        print(f"size on disk: hello {sizes['hello'] / 2**20:.1f} MiB, CunFang {sizes['ours'] / 2**20:.1f} MiB "
              f"(ratio {size_ratio:.2f}, target ≤ {SIZE_TARGET}) {verdict(size_ratio, SIZE_TARGET)}")
        print(f"  as .tar.gz (information): hello {packed['hello'] / 2**20:.1f} MiB, CunFang "
              f"{packed['ours'] / 2**20:.1f} MiB (ratio {packed['ours'] / packed['hello']:.2f})")
        print("  largest additions over hello: " + ", ".join(
            f"{name} {size / 2**20:.1f}" for name, size in largest_additions(ours, hello)) + " (MiB)")

        with Display() as display:
            env = dict(os.environ, DISPLAY=display, QT_QPA_PLATFORM="xcb")
            env.pop("CUNFANG_DATA_DIR", None)
            times: dict[str, list[float]] = {"ours": [], "hello": []}
            refused = {"ours": 0, "hello": 0}
            for round_number in range(args.rounds):  # alternate, so both see the same machine state
                for name, path in (("hello", hello), ("ours", ours)):
                    if args.drop_caches:
                        drop_caches()
                    command = [str(path / path.name)]
                    if name == "ours":
                        command += ["--data-dir", str(tmp / f"data-{round_number}")]  # first run, each time
                    for attempt in range(3):  # a start the X server refused is started again, and counted
                        try:
                            times[name].append(time_to_window(command, env))
                            break
                        except DisplayRefused:
                            if attempt == 2:
                                raise
                            refused[name] += 1
        first = {name: values[0] for name, values in times.items()}
        median = {name: statistics.median(values) for name, values in times.items()}
        start_ratio = median["ours"] / median["hello"]
        print(f"start → first window shown ({args.rounds} runs each, median): hello {median['hello'] * 1000:.0f} ms, "
              f"CunFang {median['ours'] * 1000:.0f} ms (ratio {start_ratio:.2f}, target ≤ {START_TARGET}) "
              f"{verdict(start_ratio, START_TARGET)}")
        print(f"  first run of each: hello {first['hello'] * 1000:.0f} ms, CunFang {first['ours'] * 1000:.0f} ms; "
              f"all runs (ms): hello {[round(t * 1000) for t in times['hello']]}, "
              f"CunFang {[round(t * 1000) for t in times['ours']]}"
              + ("" if args.drop_caches else "; OS file cache warm (see --drop-caches)"))
        if any(refused.values()):
            print(f"  started again because Xvfb refused the connection: hello {refused['hello']}, "
                  f"CunFang {refused['ours']} time(s) (not counted in the figures)")
    finally:
        if tmp_holder is not None:
            tmp_holder.cleanup()


if __name__ == "__main__":
    main()
