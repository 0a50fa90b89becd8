"""A 村干部 signed in on a laptop that also holds another village's records (and children's records of their own
village, which are the 儿童主任's) finds none of them: not by name, not by title, not in a count; on no page,
not in the status bar, not in a sync result, not in an export."""

from __future__ import annotations

import json
import shutil

import pytest
from PySide6.QtCore import QAbstractListModel, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QTabWidget,
    QTextEdit,
    QWidget,
)

from app import accounts
from app.errors import CunFangError, ErrorCode
from app.store import records
from tests.accounts.conftest import ADMIN_PW, USER_PW, build_township
from ui.main_window import PAGES, MainWindow

HIDDEN = ("李桂兰", "赵小红", "张小明")  # v2's elder and child, v1's child: none is the cadre's
SEEN = "王秀英"  # the cadre's own elder in v1


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    """The township of tests/accounts plus: a record of each kind moved along its life cycle, and an enrolled
    laptop whose last sync (of every account's records) had rejected ones."""
    directory = tmp_path_factory.mktemp("leaks") / "data"
    visits = build_township(directory)
    store = accounts.sign_in(directory, "admin", ADMIN_PW)
    for state in ("finalized", "queued", "sent", "rejected"):
        store.set_status(visits["李桂兰"], state)  # v2: sent back by the server
    store.set_status(visits["赵小红"], "finalized")  # v2: waiting to sync
    for state in ("finalized", "queued"):
        store.set_status(visits["张小明"], state)  # v1, but a child: the 儿童主任's
    for state in ("finalized", "queued"):
        store.set_status(visits["王秀英"], state)  # the cadre's one record waiting to sync
    for key, value in {"sync.credential": "device-credential", "sync.url": "https://127.0.0.1:9",
                       "sync.user": json.dumps({"name": "cadre1", "role": "village_cadre", "villages": ["v1"]}),
                       "sync.last_run": json.dumps({"at": "2026-03-01T08:00:00+00:00",
                                                    "counts": {"rejected": 7, "accepted": 9}})}.items():
        store.set_setting(key, value)
    store.close()
    return directory, visits


@pytest.fixture
def cadre_window(template, tmp_path, qtbot, monkeypatch):
    monkeypatch.setattr("ui.autosync.FIRST_CHECK_MS", 3_600_000)  # no automatic run to a server that is not there
    directory = tmp_path / "data"
    shutil.copytree(template[0], directory)
    store = accounts.sign_in(directory, "cadre1", USER_PW)
    window = MainWindow(store)
    qtbot.addWidget(window)
    yield window
    window.close()
    store.close()


def texts(widget: QWidget) -> list[str]:
    """Everything a person can read in ``widget`` and its children: labels, buttons, boxes, lists, every row of
    every table (scrolled to the end), tool tips, tab titles."""
    found: list[str] = []
    for child in [widget, *widget.findChildren(QWidget)]:
        found.append(child.toolTip())
        if isinstance(child, QLabel | QAbstractButton | QLineEdit):
            found.append(child.text())
        if isinstance(child, QGroupBox):
            found.append(child.title())
        if isinstance(child, QTextEdit | QPlainTextEdit):
            found.append(child.toPlainText())
        if isinstance(child, QComboBox):
            found += [child.itemText(i) for i in range(child.count())]
        if isinstance(child, QTabWidget):
            found += [child.tabText(i) for i in range(child.count())]
        if isinstance(child, QListWidget):
            found += [child.item(i).text() for i in range(child.count())]
        if isinstance(child, QAbstractItemView) and child.model() is not None:
            model = child.model()
            while model.canFetchMore(child.rootIndex()):
                model.fetchMore(child.rootIndex())
            root = child.rootIndex()
            columns = model.columnCount(root) if not isinstance(model, QAbstractListModel) else 1
            for row in range(model.rowCount(root)):
                for column in range(columns):
                    index = model.index(row, column, root)
                    found += [str(model.data(index, role) or "") for role in
                              (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole)]
    return [t for t in found if t]


def assert_nothing_hidden(where: str, found: list[str]) -> None:
    leaks = [t for t in found if any(name in t for name in HIDDEN)]
    assert leaks == [], f"{where} shows another account's records: {leaks}"


def test_no_page_and_no_status_bar_shows_another_villages_records(qtbot, cadre_window):
    window = cadre_window
    window.registry.refresh()
    qtbot.waitUntil(lambda: window.registry.model.rowCount() > 0)
    seen = []
    for spec in PAGES:
        if not window.allowed(spec.key):
            continue
        page = window.page(spec.key)
        window.show_page(page)
        qtbot.wait(50)
        found = texts(page)
        assert_nothing_hidden(f"页面 {spec.key}", found)
        seen += found
    assert any(SEEN in t for t in seen)  # the scan does read the pages
    window.update_status()
    bar = texts(window.statusBar()) + [window.statusBar().currentMessage(), window.windowTitle()]
    assert_nothing_hidden("状态栏", bar)
    # counts: one record of the cadre's waits; nothing of theirs was sent back; the last run's 7 are not theirs
    assert window.waiting.text() == "待同步 1 条"
    assert "被退回" not in window.last_sync.text() and "7" not in window.last_sync.text()
    assert window.dashboard.findChild(QLabel, "cardSyncValue").text() == "1"
    window.sync.refresh()
    info = window.sync.info.text()
    last = info.split("上次同步")[1]
    assert "待同步 1 条" in info and "被退回" not in info and "7" not in last and "9" not in last, info


def test_a_sync_result_shows_only_the_accounts_own_records(qtbot, cadre_window, template):
    from sync.client.client import SyncReport
    from sync.protocol import Outcome, RecordResult

    visits = template[1]
    window = cadre_window
    report = SyncReport(results=[
        RecordResult(uuid=visits["王秀英"], revision=1, outcome=Outcome.ACCEPTED),
        RecordResult(uuid=visits["李桂兰"], revision=1, outcome=Outcome.REJECTED, message="李桂兰的记录缺少签名"),
        RecordResult(uuid=visits["张小明"], revision=1, outcome=Outcome.REJECTED, message="张小明"),
    ])
    page = window.sync
    window.autosync.last_report = report
    page._run_finished(report)
    assert page.results.rowCount() == 1 and page.results.item(0, 0).text() == "探访 王秀英"
    assert_nothing_hidden("同步结果", texts(page))
    assert "被退回" not in page.summary.text() and "人员名册" not in page.summary.text(), page.summary.text()
    assert page.summary.text() == "本次同步：已接收 1 条。"


def test_the_cadre_cannot_export_and_the_counts_are_theirs(cadre_window):
    store = cadre_window.store
    from app.spreadsheets.ledgers import export_ledger
    from app.spreadsheets.records import export_records

    with pytest.raises(CunFangError) as refused:
        export_records(store, store.data_dir / "out.xlsx", forms=["elder_visit"])
    assert refused.value.code == ErrorCode.ACCESS_DENIED
    with pytest.raises(CunFangError):
        export_ledger(store, "elder", store.data_dir / "ledger.xlsx")
    assert not list(store.data_dir.glob("*.xlsx"))
    assert records.waiting_count(store) == 1 and records.rejected_count(store) == 0
    assert set(records.counts_by_form(store)) == {"elder_visit"}
    assert records.titles(store, [r["uuid"] for r in store.list_records(limit=100)]) == {
        r["uuid"]: r["title"] for r in store.list_records(limit=100)}


def test_the_forms_offered_are_the_roles(cadre_window):
    from ui.pages import FormPicker

    picker = FormPicker(cadre_window, cadre_window.catalog, {"name": SEEN})
    offered = {picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())}
    role = cadre_window.store.scope.role
    assert offered and all(role.may_use_form(form_id) for form_id in offered)
    assert "child_visit" not in offered and "left_behind_child" not in offered
    picker.deleteLater()
