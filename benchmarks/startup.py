"""Desktop app benchmark: start-up, opening a 500-question form, memory with many persons.

Prints, each against a baseline in the same run:
- process start → main window shown and idle, vs. a bare PySide6 window (target: at most 2×);
- time to open (render) a generated 500-question form in the form filler;
- resident memory with the registry page showing a store of N persons (default 50,000).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [--persons 50000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

BARE = textwrap.dedent(
    """
    import time, sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
    app = QApplication([])
    w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.show()
    QTimer.singleShot(0, lambda: (print(time.time()), app.quit()))
    app.exec()
    """
)

APP = textwrap.dedent(
    """
    import time, sys
    from pathlib import Path
    from PySide6.QtCore import QTimer
    from app.store import Store
    from ui.app_main import make_app
    from ui.main_window import MainWindow
    app = make_app()
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    w = MainWindow(store); w.show()
    QTimer.singleShot(0, lambda: (print(time.time()), app.quit()))
    app.exec()
    """
)


def start_time(script: str, *args: str) -> float:
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    started = time.time()
    out = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True, env=env,
                         timeout=300)
    shown = float(out.stdout.strip().splitlines()[-1])
    return (shown - started) * 1000


MAKE_STORE = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from app.demo import load_demo
    from app.store import Store
    from app.store.keyring import FAST_KDF
    store = Store.create(Path(sys.argv[1]), "bench-pass", kdf=FAST_KDF)
    load_demo(store, persons=int(sys.argv[2]), seed=1)
    store.close()
    """
)


def current_rss_mb() -> float:
    """Resident memory now (Linux /proc; elsewhere the peak from getrusage)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app.demo import load_demo
    from app.store import Store
    from app.store.keyring import FAST_KDF

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        store = Store.create(data, "bench-pass", kdf=FAST_KDF)
        t0 = time.perf_counter()
        load_demo(store, persons=2000, seed=1)
        store.close()
        print(f"demo store of 2,000 persons made in {time.perf_counter() - t0:.1f} s")
        bare = [start_time(BARE) for _ in range(args.rounds)]
        full = [start_time(APP, str(data), "bench-pass") for _ in range(args.rounds)]
        b, f = statistics.median(bare), statistics.median(full)
        print(f"start → window shown and idle: bare PySide6 {b:.0f} ms, CunFang main window {f:.0f} ms "
              f"(ratio {f / b:.2f}, target ≤ 2; includes unlocking the encrypted store)")

    from benchmarks.forms import build_form
    from ui.app_main import make_app

    app = make_app()
    from app.forms.xlsform import load_form
    from ui.form_filler import FormFiller

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.xlsx"
        build_form(path, 500)
        form = load_form(path)
        store = Store.create(Path(tmp) / "data", "bench-pass", kdf=FAST_KDF)
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            filler = FormFiller(store, form)
            filler.show()
            app.processEvents()
            times.append((time.perf_counter() - t0) * 1000)
            filler.close()
            filler.deleteLater()
            app.processEvents()
        print(f"open a 500-question form in the filler: median {statistics.median(times):.0f} ms")
        store.close()

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "big"
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", MAKE_STORE, str(data), str(args.persons)], cwd=ROOT, check=True,
                       timeout=600)
        print(f"demo data for {args.persons:,} persons made in {time.perf_counter() - t0:.1f} s (separate process)")
        before = current_rss_mb()
        store = Store.open(data, "bench-pass")
        from ui.main_window import MainWindow

        window = MainWindow(store)
        window.show()
        window.show_page(window.registry)
        deadline = time.time() + 10
        while window.registry.model.rowCount() == 0 and time.time() < deadline:
            app.processEvents()
            time.sleep(0.01)
        view = window.registry.view
        t0 = time.perf_counter()
        for _ in range(20):  # scroll to the end, as far as lazy loading lets the view go
            view.scrollToBottom()
            app.processEvents()
        scrolled = window.registry.model.rowCount()
        print(f"registry: {scrolled:,} rows loaded after 20 scrolls to the bottom in "
              f"{(time.perf_counter() - t0) * 1000:.0f} ms (lazy: 200 rows a page)")
        print(f"memory of the app with {args.persons:,} persons open on 台账: {current_rss_mb():.0f} MB "
              f"(this process before opening the store: {before:.0f} MB)")
        window.close()
        store.close()


if __name__ == "__main__":
    main()
