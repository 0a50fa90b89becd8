"""The 同步 page says what waits and why, for the signed-in account only, before and after enrolment (issue 16,
issue 19 item 12): against a real bureau server on 127.0.0.1 (the one tests/sync/conftest.py starts)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "ui"))
import test_sync_page as sync_page_tests  # noqa: E402  (its server loader and fixtures, as test_update_notice_page)

from app import accounts  # noqa: E402
from app.errors import CunFangError, ErrorCode  # noqa: E402
from app.store import outbox as store_outbox  # noqa: E402
from sync.client.client import enroll  # noqa: E402
from ui.sync_page import SyncPage  # noqa: E402

servers, WAIT, server = sync_page_tests.servers, sync_page_tests.WAIT, sync_page_tests.server
laptop, page = sync_page_tests.laptop, sync_page_tests.page
ADMIN_PW, USER_PW = "East-hill-2026-a", "Lake-side-2026-b"
CODE = re.compile(r"\d{12}")


def table(widget) -> list[list[str]]:
    return [[widget.item(r, c).text() for c in range(widget.columnCount())] for r in range(widget.rowCount())]


def test_before_enrolment_the_page_lists_what_waits_offers_the_usb_package_and_hides_the_ca_file(qtbot, page,
                                                                                                   laptop):
    record = servers.add_visit(laptop, "V1", name="王秀英")
    page.refresh()
    assert page.stack.currentWidget() is page.enroll_view
    assert page.waiting.isVisible() and "等待发送的记录：1 条" in page.waiting_title.text()
    [[title, village, state, why]] = table(page.waiting)
    assert (title, village, state) == ("王秀英 探访", "东山村", "已定稿") and "还没有登记" in why
    opened = []
    page.open_record.connect(opened.append)
    page.waiting.itemActivated.emit(page.waiting.item(0, 0))
    assert opened == [record]

    assert not page.ca_file.isVisible()  # 高级, collapsed: almost nobody needs a CA file
    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)
    assert page.ca_file.isVisible()
    qtbot.mouseClick(page.advanced_toggle, Qt.MouseButton.LeftButton)
    assert not page.ca_file.isVisible()

    assert page.enroll_package_button.isVisible() and page.enroll_package_button.isEnabled()
    qtbot.mouseClick(page.enroll_package_button, Qt.MouseButton.LeftButton)  # says plainly what it takes
    message = page.enroll_message.text()
    assert "U盘数据包" in message and "登记" in message and not re.search(r"[A-Za-z_]{4,}", message)
    assert laptop.get_record(record)["status"] == "finalized"  # nothing happened to it


def test_without_network_the_page_enrolls_from_the_bureaus_file_and_then_writes_a_usb_package(qtbot, page, laptop,
                                                                                              server, tmp_path):
    token = server.user("cadre-offline", "village_cadre", "V1")
    enrollment = tmp_path / "登记文件.cfenroll"
    server.cli("device", "enroll-file", token, str(enrollment), "--url", server.url)
    record = servers.add_visit(laptop, "V1", name="王秀英")
    page.enroll_from_file(enrollment)  # no token typed yet
    assert "请先填写登记码" in page.enroll_message.text()
    qtbot.keyClicks(page.token, token)
    page.enroll_from_file(enrollment)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.status_view, timeout=WAIT)
    assert "登记成功" in page.summary.text() and "东山村" in page.summary.text()
    package = tmp_path / "村访通.cfpkg"
    page.export_package_to(package)
    qtbot.waitUntil(lambda: not page.runner.busy, timeout=WAIT)
    assert package.is_file() and "已把 1 条记录写入加密数据包" in page.summary.text()
    [[_title, _village, state, why]] = table(page.waiting)
    assert state == "已装入U盘数据包" and "U盘数据包" in why
    assert laptop.get_record(record)["sync_outcome"] == "packaged"


def test_the_enrolment_and_the_results_name_villages_not_codes(qtbot, page, laptop, server):
    laptop.add_village("341100101201", "东山村", town="示范镇")
    qtbot.keyClicks(page.url, server.url)
    # a village this laptop's registry knows, and one only the national table names (多福巷社区)
    qtbot.keyClicks(page.token, server.user("cadre-codes", "village_cadre", "341100101201,110101001001"))
    qtbot.mouseClick(page.enroll_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: page.stack.currentWidget() is page.status_view, timeout=WAIT)
    for text in (page.summary.text(), page.info.text()):
        assert "东山村" in text and "多福巷社区" in text and not CODE.search(text), text


def test_a_record_held_back_says_why_with_the_servers_reason(qtbot, page, laptop, server):
    enroll(laptop, server.url, sync_page_tests.token(server), device_name="test")
    held = servers.add_visit(laptop, "V1", name="李桂兰")
    waits = servers.add_visit(laptop, "V1", name="赵大爷")
    store_outbox.queue_finalized(laptop, [laptop.scope])
    reason = CunFangError(ErrorCode.SYNC_ATTACHMENT_UNFINISHED, name="签名.png", reason="服务器拒收。").message
    store_outbox.apply_answers(laptop, [{"uuid": held, "revision": 1, "outcome": "retry", "message": reason}],
                               "2026-01-01T00:00:00Z")  # as a run stores the client's RETRY for that record
    page.refresh()
    rows = {row[0]: row for row in table(page.waiting)}
    assert set(rows) == {"李桂兰 探访", "赵大爷 探访"}
    assert rows["李桂兰 探访"][3].startswith("上次没有发出：") and "签名.png" in rows["李桂兰 探访"][3]
    assert rows["李桂兰 探访"][2] == "待同步" and "下次同步" in rows["赵大爷 探访"][3]
    assert laptop.get_record(waits)["status"] == "queued"


def test_on_a_shared_laptop_the_waiting_list_is_the_accounts_own_and_names_no_one_else(qtbot, server, tmp_path):
    """Enrolled laptop-wide for V1 before accounts; cadre b of V2 has no credential of their own: b's record waits
    with a reason that names neither a nor a's server user, and none of a's records appear."""
    data = tmp_path / "laptop"
    store = servers.new_laptop(data)
    store.add_village("V1", "东山村", town="示范镇")
    store.add_village("V2", "西河村", town="示范镇")
    enroll(store, server.url, server.user("server-jia", "village_cadre", "V1"), device_name="乡镇共用电脑")
    accounts.adopt_accounts(store, "admin", "管理员", ADMIN_PW)
    accounts.add_account(store, "cadre_a", "甲", "village_cadre", ["V1"], USER_PW)
    accounts.add_account(store, "cadre_b", "乙", "village_cadre", ["V2"], USER_PW)
    store.close()
    a = accounts.sign_in(data, "cadre_a", USER_PW)
    servers.add_visit(a, "V1", name="甲村的老人")
    a.close()

    b = accounts.sign_in(data, "cadre_b", USER_PW)
    try:
        servers.add_visit(b, "V2", name="乙村的老人")
        page = SyncPage(b)
        qtbot.addWidget(page)
        page.show()
        assert page.sync_now()
        qtbot.waitUntil(lambda: not page.runner.running, timeout=WAIT)
        report = page.runner.last_report
        assert report.error == "" and report.results == [] and report.waiting  # nothing of b's went under a's
        [[title, village, state, why]] = table(page.waiting)
        assert (title, village, state) == ("乙村的老人 探访", "西河村", "已定稿")
        assert "自己的登记码" in why
        shown = " ".join([page.waiting_title.text(), page.info.text(), page.summary.text(), page.error.text(),
                          *(" ".join(row) for row in table(page.waiting)), *(" ".join(row) for row in
                                                                             table(page.results))])
        shown += " ".join(report.waiting) + json.dumps(report.to_json(), ensure_ascii=False)  # what `cunfang sync` prints, as text and --json
        for other in ("甲村的老人", "server-jia", "cadre_a", "东山村"):
            assert other not in shown, other
        qtbot.waitUntil(lambda: not page.runner.busy, timeout=WAIT)
    finally:
        b.close()


pytestmark = pytest.mark.filterwarnings("ignore::pytest.PytestAssertRewriteWarning")
