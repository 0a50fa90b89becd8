"""Screenshots of every page of the real window, with demo data, for people to look at.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/screenshots.py [OUT_DIR] [--scale 1.25]

The window is shot at the size it has on a 1366×768 laptop less a 40 px taskbar, in Qt's pixels at the scale
given (1.25 is the Windows default on such laptops). Window state and settings go to a scratch folder, never to
the user's own QSettings.

Needs a CJK font (Debian: fonts-noto-cjk), otherwise Chinese renders as boxes. Writes one PNG per page
(default OUT_DIR: screenshots/tmp, which git ignores), plus the 同步 page during and after a real sync with a
bureau server started on 127.0.0.1 the way tests/sync/conftest.py starts one.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def settle(app, seconds: float = 0.6) -> None:
    end = time.time() + seconds
    while time.time() < end:
        app.processEvents()
        time.sleep(0.02)


def settle_until(app, done, seconds: float = 20.0) -> None:
    """Process events until ``done()`` (work off the UI thread has come back), then settle the paint."""
    end = time.time() + seconds
    while not done() and time.time() < end:
        app.processEvents()
        time.sleep(0.02)
    settle(app)


def start_server(directory: Path):
    """A bureau server on 127.0.0.1 (tests/sync/conftest.py's ``Server``, loaded by path: tests/ is no package)."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("cunfang_tests_sync_servers", ROOT / "tests" / "sync" / "conftest.py")
    servers = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = servers  # dataclasses look their module up while the class is made
    spec.loader.exec_module(servers)
    return servers.Server(db=str(directory / "server.db"), port=servers.free_port(),
                          log=directory / "server.log").start()


def main() -> None:
    import os

    from PySide6.QtCore import QSettings

    from app.demo import load_demo
    from app.store import Store
    from app.store.keyring import FAST_KDF
    from ui.app_main import make_app
    from ui.main_window import MainWindow

    args = [a for a in sys.argv[1:]]
    scale = 1.0
    if "--scale" in args:
        at = args.index("--scale")
        scale = float(args[at + 1])
        del args[at:at + 2]
    os.environ["QT_SCALE_FACTOR"] = str(scale)  # read when the QApplication is made
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)  # never the user's own settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    out = Path(args[0]) if args else ROOT / "screenshots" / "tmp"
    out.mkdir(parents=True, exist_ok=True)
    app = make_app()
    screen = (int(1366 / scale), int((768 - 40) / scale))  # the laptop's screen less the taskbar
    store = Store.create(Path(tempfile.mkdtemp()) / "data", "screenshot-pass", kdf=FAST_KDF)
    load_demo(store, persons=2000, seed=1)
    store.set_setting("author", "李秀兰")
    window = MainWindow(store)
    window.resize(*screen)
    window.show()
    settle(app)
    names = ["dashboard", "registry", "fill", "records", "sync", "export", "settings"]
    for name, page in zip(names, window.pages, strict=True):
        window.show_page(page)
        settle(app)
        window.grab().save(str(out / f"{name}.png"))
    window.show_page(window.registry)
    window.registry.search.setText("wx")
    settle(app, 1.0)
    window.registry.view.setCurrentIndex(window.registry.model.index(0, 0))
    settle(app)
    window.grab().save(str(out / "registry-search.png"))
    person = store.query("SELECT * FROM persons WHERE kind = 'elder' AND risk_tier = '高风险' LIMIT 1")[0]
    window.show_page(window.fill)
    window.fill.start(ROOT / "resources" / "forms" / "elder_visit.xlsx", person=person)
    settle(app, 1.0)
    window.grab().save(str(out / "filler.png"))
    filler = window.fill.tabs.currentWidget()
    for widget in filler.questions:
        if widget.control.name == "visit_date":
            widget.answered.emit(widget.node, "2099-01-01")  # a date in the future: see the message
    settle(app)
    filler.scroll.ensureWidgetVisible(filler.questions[0])
    settle(app)
    window.grab().save(str(out / "filler-message.png"))
    # 同步 with a real server: enrolled for two of the demo villages, so the other villages' records come back 被退回
    from sync.client.client import enroll

    server = start_server(Path(tempfile.mkdtemp()))
    try:
        villages = ",".join(v["id"] for v in store.villages()[:2])
        enroll(store, server.url, server.user("李秀兰", "village_cadre", villages), device_name="screenshot")
        window.autosync.timer.stop()
        window.show_page(window.sync)
        window.sync.sync_now()
        settle(app, 1.5)
        window.grab().save(str(out / "sync-running.png"))
        deadline = time.time() + 600
        while window.autosync.running and time.time() < deadline:
            settle(app, 0.2)
        settle(app)
        window.grab().save(str(out / "sync-results.png"))
    finally:
        server.stop()
    window.close()
    store.close()
    account_shots(app, out, screen)
    print(f"screenshots in {out}")


def account_shots(app, out: Path, screen: tuple[int, int]) -> None:
    """First run, the recovery key, signing in, 设置 → 账户, a 村干部's 台账, and the lock screen."""
    from app import accounts
    from app.store.keyring import FAST_KDF
    from ui.accounts_ui import LoginDialog
    from ui.main_window import MainWindow
    from ui.startup import FirstRunDialog

    directory = Path(tempfile.mkdtemp()) / "data"
    first = FirstRunDialog(directory, kdf=FAST_KDF)
    first.author.setText("王站长")
    first.passphrase.setText("East-hill-2026-a")
    first.confirm.setText("East-hill-2026-a")
    first.town.select("340123101")  # 安徽省合肥市肥西县三河镇
    first.show()
    settle(app)
    first.grab().save(str(out / "first-run.png"))
    first.create()
    settle(app)
    first.key_dialog.grab().save(str(out / "recovery-key.png"))
    first.key_dialog.copied.setChecked(True)
    first.key_dialog.accept()
    store = first.store
    from app.demo import load_demo

    load_demo(store, persons=300, seed=2)
    village = store.villages()[1]["id"]
    accounts.add_account(store, "zhang", "张村长", "village_cadre", [village], "cadre-password")
    accounts.add_account(store, "li", "李主任", "child_director", [village], "child-password")
    window = MainWindow(store)
    window.resize(*screen)
    window.show()
    window.show_page(window.settings)
    settle(app)
    window.grab().save(str(out / "settings-accounts.png"))
    window.close()
    store.close()
    login = LoginDialog(directory)
    login.login.setText("zhang")
    login.password.setText("wrong-password")
    login.show()
    login.sign_in()
    settle_until(app, lambda: "正在登录" not in login.error.text())
    login.grab().save(str(out / "login-wrong.png"))
    login.password.setText("cadre-password")
    login.sign_in()
    settle_until(app, lambda: login.store is not None)
    cadre = MainWindow(login.store)
    cadre.resize(*screen)
    cadre.show()
    cadre.show_page(cadre.registry)
    settle(app, 1.0)
    cadre.grab().save(str(out / "cadre-registry.png"))
    cadre.lock()
    settle(app)
    cadre.grab().save(str(out / "locked-window.png"))
    cadre.lock_dialog.grab().save(str(out / "lock-dialog.png"))
    cadre.store.close()


if __name__ == "__main__":
    main()
