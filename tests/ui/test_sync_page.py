"""The 同步 page and the status bar against a real bureau server on 127.0.0.1 (pytest-qt, offscreen).

The server is the one tests/sync/conftest.py starts. tests/ has no ``__init__.py`` (so no ``tests.sync`` package),
pytest refuses ``pytest_plugins`` outside the root conftest, and ``import conftest`` would get whichever conftest
pytest loaded last; so that file (and the fault proxy beside it) is loaded here by path under a name of its own,
and the small fixtures below use its ``Server``, ``new_laptop`` and ``add_visit`` exactly as its own fixtures do.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QColor, QKeySequence

import ui.autosync
from sync.client.client import enroll
from ui.sync_page import SyncPage

ROOT = Path(__file__).resolve().parents[2]


def _load(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


servers = _load("cunfang_tests_sync_servers", ROOT / "tests" / "sync" / "conftest.py")
fault_proxy = _load("cunfang_tests_fault_proxy", ROOT / "tests" / "sync" / "fault_proxy.py")
WAIT = 60_000  # ms; a generous bound for one sync run on a loaded CI machine


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One SQLite bureau server for the module (each test enrolls its own laptop and user)."""
    directory = tmp_path_factory.mktemp("server")
    server = servers.Server(db=str(directory / "server.db"), port=servers.free_port(), log=directory / "server.log")
    server.start()
    yield server
    server.stop()


def token(server, villages: str = "V1") -> str:
    """A fresh user on the server, and their one-time enrollment token."""
    return server.user(f"cadre-{uuid.uuid4().hex[:8]}", "village_cadre", villages)


@pytest.fixture
def laptop(tmp_path):
    store = servers.new_laptop(tmp_path / "laptop")
    store.add_village("V1", "东山村", town="示范镇", county="示范县")
    yield store
    store.close()


@pytest.fixture
def page(qtbot, laptop):
    page = SyncPage(laptop)
    qtbot.addWidget(page)
    page.show()
    yield page
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=WAIT)  # nothing may touch the store after it closes


def finish_run(qtbot, runner):
    qtbot.waitUntil(lambda: not runner.running, timeout=WAIT)
    return runner.last_report


# ---------------------------------------------------------------- enrolling


def test_enroll_through_the_page(qtbot, page, laptop, server):
    assert page.stack.currentWidget() is page.enroll_view
    qtbot.keyClicks(page.url, server.url)
    qtbot.keyClicks(page.token, token(server))
    qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    assert not page.enroll_button.isEnabled()  # the request runs in the background; the button waits for it
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.status_view, timeout=WAIT)
    assert "登记成功" in page.summary.text() and "村干部" in page.summary.text()
    info = page.info.text()
    assert server.url in info and "村干部" in info and "待同步 0 条" in info and "上次同步：从未" in info
    assert page.sync_button.isEnabled() and not page.cancel_button.isVisible()


def test_a_wrong_token_is_refused_plainly_and_the_page_stays_usable(qtbot, page, laptop, server):
    qtbot.keyClicks(page.url, server.url)
    qtbot.keyClicks(page.token, "not-a-real-token-123")
    qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.enroll_button.isEnabled(), timeout=WAIT)
    message = page.enroll_message.text()
    assert "登记码无效" in message and "Traceback" not in message and "401" not in message
    assert page.stack.currentWidget() is page.enroll_view
    page.token.clear()
    qtbot.keyClicks(page.token, token(server))
    qtbot.keyClick(page.token, Qt.Key.Key_Return)  # Enter in the token field enrolls too
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.status_view, timeout=WAIT)
    assert page.enroll_message.text() == ""


def test_an_unreachable_server_a_short_token_or_an_empty_field_is_said_in_chinese(qtbot, page, server):
    qtbot.keyClicks(page.url, f"http://127.0.0.1:{servers.free_port()}")
    qtbot.keyClicks(page.token, "cf-not-a-real-token")
    page.enroll()
    qtbot.waitUntil(lambda: page.enroll_button.isEnabled(), timeout=WAIT)
    assert "连不上服务器" in page.enroll_message.text()
    page.token.setText("abc")
    page.url.setText(server.url)
    page.enroll()
    qtbot.waitUntil(lambda: page.enroll_button.isEnabled(), timeout=WAIT)
    assert "登记码无效" in page.enroll_message.text()
    page.url.clear()
    page.enroll()
    assert page.enroll_message.text() == "请填写服务器地址和登记码。"
    assert page.url.hasFocus() or not page.isActiveWindow()


# ---------------------------------------------------------------- syncing


def test_sync_now_sends_records_and_shows_a_result_for_each(qtbot, page, laptop, server):
    enroll(laptop, server.url, token(server), device_name="test")
    good = servers.add_visit(laptop, "V1", name="王秀英")
    invalid = servers.add_visit(laptop, "V1", name="有问题")  # the server's form check refuses it: rejected
    data = laptop.get_record(invalid)["data"]
    data["visit_date"] = "不是日期"
    laptop.conn.execute("UPDATE records SET data = ? WHERE uuid = ?", [json.dumps(data, ensure_ascii=False), invalid])
    page.refresh()
    assert page.stack.currentWidget() is page.status_view
    assert "待同步 2 条" in page.info.text()
    assert page.sync_button.shortcut() == QKeySequence("F5")

    page.sync_button.setFocus()
    qtbot.keyClick(page.sync_button, Qt.Key.Key_Space)  # keyboard only
    assert page.progress.isVisible() and not page.sync_button.isEnabled()
    report = finish_run(qtbot, page.runner)

    assert report.error == ""
    assert laptop.get_record(good)["status"] == "accepted"
    assert laptop.get_record(invalid)["status"] == "rejected"
    rows = {page.results.item(r, 0).data(Qt.ItemDataRole.UserRole): r for r in range(page.results.rowCount())}
    assert set(rows) == {good, invalid}
    accepted, rejected = rows[good], rows[invalid]
    assert page.results.item(accepted, 0).text() == "王秀英 探访"
    assert page.results.item(accepted, 1).text() == "1"
    assert page.results.item(accepted, 2).text() == "已接收"
    assert page.results.item(rejected, 2).text() == "被退回"
    assert "服务器检查发现记录有问题" in page.results.item(rejected, 3).text()
    assert page.results.item(rejected, 2).background().color() == QColor("#ffebee")  # rejected rows stand out
    assert page.results.item(accepted, 2).background().style() == Qt.BrushStyle.NoBrush
    assert "已接收 1 条" in page.summary.text() and "被退回 1 条" in page.summary.text()
    assert "待同步 0 条" in page.info.text() and "被退回待修改 1 条" in page.info.text()
    assert "上次同步：" in page.info.text() and "完成" in page.info.text()
    assert not page.progress.isVisible() and page.sync_button.isEnabled()

    opened = []
    page.open_record.connect(opened.append)
    page.results.itemActivated.emit(page.results.item(rejected, 0))
    assert opened == [invalid]


def test_cancel_stops_the_run_and_the_ui_stays_responsive(qtbot, page, laptop, server):
    # every request waits 0.4 s in a proxy, so the run is slow enough to cancel halfway
    with fault_proxy.FaultProxy(server.port, faults=lambda *_: "delay", delay_seconds=0.4) as proxy:
        enroll(laptop, proxy.url, token(server), device_name="test")
        uuids = [servers.add_visit(laptop, "V1", name=name) for name in ("王秀英", "李建国", "张桂兰")]
        page.refresh()
        ticks: list[float] = []
        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(time.monotonic()))
        timer.start(20)
        qtbot.mouseClick(page.sync_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: page.cancel_button.isVisible() and page.cancel_button.isEnabled(), timeout=5000)
        qtbot.wait(200)
        qtbot.mouseClick(page.cancel_button, Qt.MouseButton.LeftButton)
        assert "正在取消" in page.progress_text.text() and not page.cancel_button.isEnabled()
        report = finish_run(qtbot, page.runner)
        timer.stop()

    assert report.cancelled
    assert "同步已取消" in page.error.text()
    assert {laptop.get_record(u)["status"] for u in uuids} <= {"finalized", "queued"}  # waiting for next time
    assert page.sync_button.isEnabled() and not page.cancel_button.isVisible()
    gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert len(ticks) > 10 and max(gaps) < 0.5, f"the event loop stalled for {max(gaps):.2f} s"


def test_a_usb_package_is_written_in_the_background(qtbot, page, laptop, server, tmp_path):
    enroll(laptop, server.url, token(server), device_name="test")
    record = servers.add_visit(laptop, "V1")
    page.refresh()
    stick = tmp_path / "usb" / "村访通数据包.cfpkg"
    stick.parent.mkdir()
    assert page.export_package_to(stick) is not None
    assert not page.sync_button.isEnabled()  # one sync job at a time
    qtbot.waitUntil(lambda: "已把 1 条记录" in page.summary.text(), timeout=WAIT)
    assert stick.stat().st_size > 0
    assert laptop.get_record(record)["status"] == "sent"
    assert page.sync_button.isEnabled()


def test_a_run_that_cannot_start_says_why_in_words(qtbot, page):
    assert page.runner.start()  # not enrolled: the client refuses in the background
    qtbot.waitUntil(lambda: not page.runner.running, timeout=WAIT)
    assert "还没有登记" in page.error.text() and "Traceback" not in page.error.text()
    assert page.runner.failures == 1 and page.runner.status().enrolled is False


# ---------------------------------------------------------------- the main window


@pytest.fixture
def window(qtbot, laptop, monkeypatch):
    from ui.main_window import MainWindow

    monkeypatch.setattr(ui.autosync, "FIRST_CHECK_MS", 100)
    made = []

    def make():
        made.append(MainWindow(laptop))  # never shown or closed: closing would write the geometry to QSettings
        return made[0]

    yield make
    for window in made:
        window.autosync.shutdown()
        window.status_timer.stop()
        window.deleteLater()
    qtbot.wait(10)  # the window goes before its store


def test_the_status_bar_shows_what_waits_and_syncs_by_itself(qtbot, window, laptop, server):
    enroll(laptop, server.url, token(server), device_name="test")
    record = servers.add_visit(laptop, "V1")
    win = window()
    assert win.waiting.text() == "待同步 1 条"
    assert win.last_sync.text() == "上次同步：从未"
    qtbot.waitUntil(lambda: win.waiting.text() == "待同步 0 条" and "成功" in win.last_sync.text(), timeout=WAIT)
    assert laptop.get_record(record)["status"] == "accepted"
    assert win.online.text() == "● 已登记县局服务器"
    assert win.autosync.timer.isActive() and win.autosync.failures == 0
    assert win.autosync.timer.remainingTime() > ui.autosync.AUTO_SYNC_INTERVAL_MS - 10_000


def test_before_enrolling_the_status_bar_counts_what_waits_and_nothing_is_tried(qtbot, window, laptop):
    servers.add_visit(laptop, "V1")
    win = window()
    assert win.waiting.text() == "待同步 1 条" and win.online.text() == "● 未登记县局服务器"
    qtbot.waitUntil(lambda: win.autosync.timer.remainingTime() > 60_000, timeout=5000)  # the first look is done
    assert win.autosync.last_report is None and win.autosync.failures == 0
    assert win.last_sync.text() == "上次同步：从未"


def test_no_network_is_shown_and_retried_with_backoff(qtbot, window, laptop, server):
    with fault_proxy.FaultProxy(server.port) as proxy:
        enroll(laptop, proxy.url, token(server), device_name="test")
    servers.add_visit(laptop, "V1")  # the proxy is gone: nothing listens at the enrolled address any more
    win = window()
    qtbot.waitUntil(lambda: win.autosync.failures == 1 and not win.autosync.running, timeout=WAIT)
    assert win.online.text() == "● 网络不通，稍后重试"
    assert "连不上服务器" in win.online.toolTip()
    assert win.waiting.text() == "待同步 1 条" and "未完成" in win.last_sync.text()
    remaining = win.autosync.timer.remainingTime()
    assert ui.autosync.RETRY_MIN_S * 1000 - 1000 <= remaining <= ui.autosync.RETRY_BASE_S * 1000


def test_the_sync_page_in_the_window_shares_the_windows_runner(qtbot, window, laptop, server):
    win = window()
    win.autosync.timer.stop()
    page = win.sync
    assert page.runner is win.autosync
    assert page.stack.currentWidget() is page.enroll_view
    enroll(laptop, server.url, token(server), device_name="test")
    servers.add_visit(laptop, "V1")
    page.refresh()
    assert win.autosync.start()
    assert not page.sync_button.isEnabled() and not page.cancel_button.isHidden()  # the page shows any run
    assert not win.autosync.start()  # never two runs at once
    finish_run(qtbot, win.autosync)
    assert page.results.rowCount() == 1 and page.results.item(0, 2).text() == "已接收"
    assert win.waiting.text() == "待同步 0 条"


F5 = textwrap.dedent(
    """
    import sys
    import time
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication
    from app.store import Store
    from ui.main_window import MainWindow
    app = QApplication([])
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    window = MainWindow(store)
    window.autosync.timer.stop()
    window.show()
    QTest.qWaitForWindowActive(window)
    QTest.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    shown = window.stack.currentWidget().widget() is window.sync
    QTest.keyClick(window, Qt.Key.Key_F5)
    deadline = time.monotonic() + 60
    while window.autosync.last_report is None and time.monotonic() < deadline:
        QTest.qWait(50)
    page = window.sync
    print(shown, page.results.rowCount(), page.results.item(0, 2).text() if page.results.rowCount() else "-")
    window.autosync.shutdown()
    """
)


def test_ctrl_5_then_f5_syncs_from_the_keyboard(laptop, server):
    # A program of its own: under pytest the offscreen platform drops window activation, and window shortcuts
    # (rightly) need an active window.
    enroll(laptop, server.url, token(server), device_name="test")
    servers.add_visit(laptop, "V1")
    directory = laptop.data_dir
    laptop.close()
    result = subprocess.run([sys.executable, "-c", F5, str(directory), servers.PASS], cwd=ROOT, capture_output=True,
                            text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=120)
    assert result.stdout.split() == ["True", "1", "已接收"], result.stderr
