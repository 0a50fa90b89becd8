"""“服务器提供新版本”: the 同步 page and the status bar tell the user, without a dialog and without installing anything.

A real bureau server on 127.0.0.1 (tests/sync/conftest.py's ``Server``, loaded by path as tests/ui/test_sync_page.py
does) started with CUNFANG_CLIENT_VERSION, i.e. ``cunfang-server serve --client-version``.
"""

from __future__ import annotations

import uuid

import pytest
import test_sync_page as sync_page_tests
from PySide6.QtWidgets import QApplication, QLabel

from app.version import version, version_tuple
from sync import protocol
from sync.client.client import enroll, remember_update
from sync.server import api

URL = "https://mz.example.gov.cn/cunfang/new"
NOTES = "修正打印空白表"
WAIT, servers = sync_page_tests.WAIT, sync_page_tests.servers
# fixtures shared with the 同步 page tests (a laptop, a page, a main window) and tests/sync (servers on 127.0.0.1)
laptop, page, window = sync_page_tests.laptop, sync_page_tests.page, sync_page_tests.window
start_server = servers.start_server


def newer() -> str:
    major, minor = (list(version_tuple(version())) + [0, 0])[:2]
    return f"{major}.{minor + 1}.0"


@pytest.fixture
def offering(tmp_path, start_server, monkeypatch):
    """``offering(version)``: a SQLite bureau server offering that app version (``serve --client-version``)."""
    def start(offer: str):
        monkeypatch.setenv(api.CLIENT_VERSION_ENV, offer)
        monkeypatch.setenv(api.CLIENT_URL_ENV, URL)
        monkeypatch.setenv(api.CLIENT_NOTES_ENV, NOTES)
        return start_server(str(tmp_path / f"server-{offer}.db"))

    return start


def enrolled(laptop, server) -> None:
    enroll(laptop, server.url, server.user(f"cadre-{uuid.uuid4().hex[:8]}", "village_cadre", "V1"), device_name="t")


def test_a_sync_run_shows_the_newer_version_on_the_page(qtbot, page, laptop, offering):
    server = offering(newer())
    enrolled(laptop, server)
    remember_update(laptop, None)  # as if enrolled before the bureau offered it: the run brings the news
    page.refresh()
    assert page.update_notice.isHidden()

    assert page.sync_now()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=WAIT)

    assert page.runner.last_report.update_available
    assert page.update_notice.isVisible()
    text = page.update_notice.text()
    assert f"服务器提供新版本 {newer()}，请联系县局信息科安装。" in text
    assert URL in text and NOTES in text and f"本机版本：{version()}" in text
    assert not QApplication.activeModalWidget()  # a notice, not a dialog
    assert page.sync_button.isEnabled()  # and nothing else changes: sync goes on as before


def test_an_equal_version_shows_nothing(qtbot, page, laptop, offering):
    server = offering(version())
    enrolled(laptop, server)
    assert page.sync_now()
    qtbot.waitUntil(lambda: not page.runner.running, timeout=WAIT)
    assert page.runner.last_report.client_update.version == version()
    assert page.update_notice.isHidden()


def test_the_notice_goes_when_this_app_is_as_new(page, laptop, monkeypatch):
    import app.version
    import sync.client.client

    def running(text: str) -> None:  # this app's version, as app/version.py would say
        monkeypatch.setattr(app.version, "version", lambda: text)
        monkeypatch.setattr(sync.client.client, "app_version", lambda: text)

    laptop.set_setting("sync.credential", "x" * 20)  # enrolled, as far as the page is concerned
    remember_update(laptop, protocol.ClientUpdate(version="0.9.0"))
    running("0.8.1")
    page.refresh()
    assert page.update_notice.isVisible() and "0.9.0" in page.update_notice.text()
    assert "本机版本：0.8.1" in page.update_notice.text()
    running("0.9.0")  # the bureau installed it
    page.refresh()
    assert page.update_notice.isHidden()


def test_the_status_bar_tells_of_a_newer_version_after_an_automatic_sync(qtbot, window, laptop, offering):
    server = offering(newer())
    enrolled(laptop, server)
    remember_update(laptop, None)
    servers.add_visit(laptop, "V1")  # something waits: the window's first look syncs by itself
    win = window()
    notice = win.statusBar().findChild(QLabel, "updateNotice")
    assert notice is not None and notice.isHidden()

    qtbot.waitUntil(lambda: win.waiting.text() == "待同步 0 条" and not notice.isHidden(), timeout=WAIT)

    assert notice.text() == f"服务器提供新版本 {newer()}，请联系县局信息科安装。"
    assert URL in notice.toolTip() and NOTES in notice.toolTip()
    assert not QApplication.activeModalWidget()


def test_the_status_bar_remembers_the_notice_across_restarts(qtbot, window, laptop):
    laptop.set_setting("sync.credential", "x" * 20)
    remember_update(laptop, protocol.ClientUpdate(version=newer(), url=URL))  # said by the server last time
    win = window()
    notice = win.statusBar().findChild(QLabel, "updateNotice")
    assert notice.isHidden()  # nothing read before the first look at sync (start-up stays short)
    qtbot.waitUntil(lambda: not notice.isHidden(), timeout=10_000)
    assert newer() in notice.text() and URL in notice.toolTip()
