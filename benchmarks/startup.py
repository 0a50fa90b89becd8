"""Desktop app benchmark: start-up, opening a 500-question form, memory with many persons.

Prints, each against a baseline in the same run:
- process start → main window painted, vs. a bare PySide6 window painted (interleaved rounds; target: at most
  2× without the sign-in). The path is the real one: a store with accounts, ``accounts.sign_in`` with the real
  key-derivation cost (argon2id, ``keyring.DEFAULT_KDF``; its time reported apart), ``MainWindow`` built and
  shown, then its first paint pass over (the first Paint event, the rest of that pass, a grab());
- time to open (render) a generated 500-question form in the form filler;
- resident memory with the registry page showing a store of N persons (default 50,000).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup.py [--persons 50000]
"""

from __future__ import annotations

import argparse
import json
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
PASSWORD = "East-hill-2026-a"

# Both children print one JSON line: epoch seconds at each mark, "painted" once the window's first paint pass is
# over (every widget of it drawn into the backing store), and how long a grab() of the painted window takes.
PAINTED = textwrap.dedent(
    """
    import json, time
    from PySide6.QtCore import QEvent, QObject, QTimer

    class FirstPaint(QObject):
        # Quits once the window's first paint pass is over: the first Paint event to it or a child, then the
        # rest of that pass (a zero timer runs after it); then grab() renders the whole window once more.

        def __init__(self, app, window, parts):
            super().__init__()
            self.app, self.window, self.parts, self.seen = app, window, parts, False

        def eventFilter(self, obj, event):
            if (not self.seen and event.type() == QEvent.Type.Paint and hasattr(obj, "window")
                    and obj.window() is self.window):
                self.seen = True
                self.parts["first_paint"] = time.time()
                QTimer.singleShot(0, self.done)
            return False

        def done(self):
            self.parts["painted"] = time.time()
            image = self.window.grab().toImage()
            self.parts["grab_ms"] = (time.time() - self.parts["painted"]) * 1000
            self.parts["size"] = [image.width(), image.height()]
            print(json.dumps(self.parts))
            self.app.quit()
    """
)

BARE = PAINTED + textwrap.dedent(
    """
    from PySide6.QtWidgets import QApplication, QMainWindow, QLabel
    parts = {"imported": time.time()}
    app = QApplication([])
    w = QMainWindow(); w.setCentralWidget(QLabel("hello")); w.resize(1280, 720)
    watcher = FirstPaint(app, w, parts)
    app.installEventFilter(watcher)
    w.show()
    parts["shown"] = time.time()
    app.exec()
    """
)

# The real path of a laptop with accounts: the app object (translations, fonts, look), sign-in as the person does
# at the login dialog (accounts.sign_in: argon2id at the store's own, real cost, the keyring, the audit line),
# the main window built and shown, then painted.
APP = PAINTED + textwrap.dedent(
    """
    import sys
    from pathlib import Path
    parts = {"start_imports": time.time()}
    from app import accounts
    from ui.app_main import make_app
    parts["imported"] = time.time()
    app = make_app()
    parts["app"] = time.time()
    store = accounts.sign_in(Path(sys.argv[1]), sys.argv[2], sys.argv[3])
    parts["signed_in"] = time.time()
    from ui.main_window import MainWindow
    w = MainWindow(store)
    parts["built"] = time.time()
    watcher = FirstPaint(app, w, parts)
    app.installEventFilter(watcher)
    w.show()
    parts["shown"] = time.time()
    app.exec()
    accounts.sign_out(store)
    """
)


def painted(script: str, *args: str) -> dict:
    """Milliseconds from the process start to each mark the child printed (and the grab's own time). The child
    keeps its Qt settings in a folder of its own, never the user's."""
    with tempfile.TemporaryDirectory() as settings:
        env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
                   XDG_CONFIG_HOME=settings)
        started = time.time()
        out = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True,
                             env=env, timeout=300)
    if out.returncode != 0:
        raise SystemExit(out.stderr[-2000:])
    parts = json.loads(out.stdout.strip().splitlines()[-1])
    return {k: ((v - started) * 1000 if isinstance(v, float) and k != "grab_ms" else v) for k, v in parts.items()}


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
    from app import accounts
    from app.demo import load_demo
    from app.store import Store, keyring
    from app.store.keyring import FAST_KDF

    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        kdf = keyring.DEFAULT_KDF
        t0 = time.perf_counter()
        store, _ = accounts.create_with_admin(data, "admin", "管理员", PASSWORD, kdf=kdf)
        load_demo(store, persons=2000, seed=1)
        store.close()
        print(f"store with accounts and 2,000 demo persons made in {time.perf_counter() - t0:.1f} s; "
              f"key derivation argon2id t={kdf.time_cost} m={kdf.memory_kib} KiB p={kdf.parallelism} "
              "(the real defaults)")
        bare, full = [], []
        for _ in range(args.rounds):  # interleaved: the machine's load hits both alike
            bare.append(painted(BARE))
            full.append(painted(APP, str(data), "admin", PASSWORD))

        def med(runs, key):
            return statistics.median(r[key] for r in runs)

        signin = statistics.median(r["signed_in"] - r["app"] for r in full)
        b_painted, f_painted = med(bare, "painted"), med(full, "painted")
        without = statistics.median(r["painted"] - (r["signed_in"] - r["app"]) for r in full)
        print(f"sign-in (accounts.sign_in, real key derivation): {signin:.0f} ms")
        print(f"start → main window painted: bare PySide6 {b_painted:.0f} ms, CunFang {f_painted:.0f} ms "
              f"with sign-in, {without:.0f} ms without it (ratio without sign-in {without / b_painted:.2f}, "
              "target ≤ 2)")
        print(f"  CunFang's parts (medians, ms from process start): imports {med(full, 'imported'):.0f}, "
              f"app {med(full, 'app'):.0f}, signed in {med(full, 'signed_in'):.0f}, window built "
              f"{med(full, 'built'):.0f}, shown {med(full, 'shown'):.0f}, first paint {med(full, 'first_paint'):.0f}"
              f", painted {f_painted:.0f}; a grab() of the painted window {med(full, 'grab_ms'):.0f} ms "
              f"({full[0]['size'][0]}×{full[0]['size'][1]})")
        print(f"  shown but not yet painted, as measured before: bare {med(bare, 'shown'):.0f} ms, "
              f"CunFang {med(full, 'shown'):.0f} ms; load average {os.getloadavg()[0]:.2f}")

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
