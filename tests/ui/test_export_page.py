"""The 导出 page: choose a form or a 台账 layout, filters and format; the export runs in the background."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import Qt
from python_calamine import CalamineWorkbook

from app.demo import load_demo
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.export_page import ExportPage
from ui.page_common import FormCatalog

PASS = "cunfang-secret"


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    load_demo(s, persons=300, seed=3)
    yield s
    s.close()


def page_for(qtbot, store, catalog=None) -> ExportPage:
    page = ExportPage(store, catalog)
    qtbot.addWidget(page)
    page.refresh()
    return page


def choose(page: ExportPage, key: str) -> None:
    page.what.setCurrentIndex(page.what.findData(key))


def test_forms_and_ledger_layouts_are_offered_with_the_filters_that_apply(qtbot, store):
    page = page_for(qtbot, store, FormCatalog(store))

    items = [page.what.itemText(i) for i in range(page.what.count())]
    assert any(text.startswith("探访关爱记录表（") for text in items)
    assert "台账：农村留守儿童花名册" in items and "台账：特殊困难老年人探访关爱台账" in items
    choose(page, "ledger:left_behind_roster")
    assert not page.status.isEnabled() and not page.since.isEnabled() and not page.codes.isEnabled()
    assert page.village.isEnabled() and "留守儿童" in page.about.text()
    choose(page, "form:elder_visit")
    assert page.status.isEnabled() and page.since.isEnabled() and page.codes.isEnabled()
    assert page.full_ids.isEnabled()  # township staff set this laptop up


def test_full_ids_are_offered_only_when_the_role_allows(qtbot, store):
    store.set_setting("sync.user", json.dumps({"name": "张主任", "role": "child_director"}))

    page = page_for(qtbot, store)

    assert not page.full_ids.isEnabled() and not page.full_ids.isChecked()
    assert "遮蔽" in page.full_ids.toolTip()


def test_an_export_runs_in_the_background_and_says_where_the_file_went(qtbot, store, tmp_path):
    page = page_for(qtbot, store, FormCatalog(store))
    choose(page, "form:elder_visit")
    page.village.setCurrentIndex(1)
    page.status.setCurrentIndex(page.status.findData("accepted"))
    out = tmp_path / "探访.xlsx"

    page.export_to(out)
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)

    assert str(out) in page.result.text() and "已遮蔽" in page.result.text()
    assert page.open_folder.isVisible() or not page.isVisible()
    assert not page.progress.isVisible() and page.go.isEnabled()
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python()
    village = page.village.currentText()
    assert len(rows) > 1 and {r[1] for r in rows[1:]} == {village} and {r[3] for r in rows[1:]} == {"已接收"}


def test_a_ledger_exports_to_csv(qtbot, store, tmp_path):
    page = page_for(qtbot, store, FormCatalog(store))
    choose(page, "ledger:elder_visit_ledger")
    page.csv.setChecked(True)
    out = tmp_path / "台账.csv"

    page.export_to(out)
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)

    assert out.read_bytes().startswith(b"\xef\xbb\xbf") and "从文本/CSV" in page.result.text()


def test_cancel_stops_the_export_and_leaves_no_file(qtbot, store, tmp_path, monkeypatch):
    from app.spreadsheets import records

    write = records._Plan.write
    monkeypatch.setattr(records._Plan, "write", lambda *a, **k: (time.sleep(0.002), write(*a, **k)))  # slow enough
    page = page_for(qtbot, store, FormCatalog(store))
    with qtbot.waitActive(page):
        page.show()
        page.activateWindow()
    choose(page, "form:elder_visit")
    out = tmp_path / "cancelled.xlsx"

    page.export_to(out)
    assert page.stop.isVisible() and page.stop.hasFocus() and not page.go.isEnabled()
    qtbot.waitUntil(lambda: page.progress.maximum() > 1, timeout=10000)
    qtbot.keyClick(page.stop, Qt.Key.Key_Escape)  # Esc is 取消, as is pressing the focused button
    qtbot.waitUntil(lambda: page.task is None, timeout=30000)

    assert "已取消" in page.result.text() and page.go.isEnabled()
    assert [p.name for p in tmp_path.iterdir()] == ["data"]
