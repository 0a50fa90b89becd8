"""台账 (issue 19, item 10): sorted by pinyin and by any column, by a header click or by keyboard, and a person's
panel that names who looks after them."""

from __future__ import annotations

import json
import uuid

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication

from app.store.search import name_sort_key
from app.store.store import utc_now

VILLAGE = "341100101201"


@pytest.fixture
def store(village_store):  # tests/conftest.py: one village, VILLAGE 东山村
    return village_store


def page_for(qtbot, store):
    from ui.pages import RegistryPage

    page = RegistryPage(store)
    qtbot.addWidget(page)
    page.resize(1093, 560)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and "正在查找" not in page.count.text())
    return page


def shown(page) -> list[str]:
    return [page.model.rows[i]["name"] for i in range(page.model.rowCount())]


def column(page, key: str) -> int:
    return [k for k, _ in page.model.columns].index(key)


def test_a_header_click_sorts_by_pinyin_and_again_the_other_way(qtbot, store):
    names = ["章一", "张三丰", "夏", "西瓦", "安然", "阿牛", "张三"]
    for name in names:
        store.add_person(name=name, kind="elder", village_id=VILLAGE)
    page = page_for(qtbot, store)
    excel = ["阿牛", "安然", "西瓦", "夏", "张三", "张三丰", "章一"]
    assert shown(page) == excel, "village, then names by pinyin, before any click"
    header = page.view.horizontalHeader()
    x = header.sectionViewportPosition(column(page, "name")) + 5
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: shown(page) == excel and page.model.sort_key == "name")
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, 5))
    qtbot.waitUntil(lambda: shown(page) == excel[::-1])
    assert "降序" in page.sort.currentText() and "姓名" in page.sort.currentText(), "the order box follows the header"


def test_the_order_is_chosen_by_keyboard_and_a_big_registry_comes_sorted_page_by_page(qtbot, store):
    from app.demo import load_demo

    load_demo(store, persons=1200, seed=7)
    page = page_for(qtbot, store)
    page.sort.setFocus()
    target = page.sort.findText("按下次探访（降序）")
    assert target > 0
    for _ in range(target):
        qtbot.keyClick(page.sort, Qt.Key.Key_Down)  # a closed combo box steps through its items, as on Windows
    qtbot.waitUntil(lambda: page.model.sort_key == "next_due" and "正在查找" not in page.count.text())
    dues = [r["next_due"] for r in page.model.rows]
    filled = [d for d in dues if d]
    assert filled == sorted(filled, reverse=True) and dues[:len(filled)] == filled, "latest first, blanks last"
    assert page.model.rowCount() == 200 and page.model.canFetchMore(), "one page read, not the whole registry"
    page.model.fetchMore()
    everyone = store.query("SELECT next_due, name FROM persons")
    expected = sorted((p for p in everyone if p["next_due"]), key=lambda p: p["next_due"], reverse=True)
    assert [r["next_due"] for r in page.model.rows] == [p["next_due"] for p in expected[:400]]
    assert page.view.horizontalHeader().sortIndicatorSection() == column(page, "next_due")

    page.sort.setCurrentIndex(page.sort.findText("按姓名（升序）"))
    page.sort.activated.emit(page.sort.currentIndex())
    qtbot.waitUntil(lambda: page.model.sort_key == "name" and "正在查找" not in page.count.text())
    keys = [name_sort_key(r["name"]) for r in page.model.rows]
    assert keys == sorted(keys)


def add_finished(store, form_id: str, person_id: str, data: dict) -> None:
    """A finished registry record as a synced laptop holds it."""
    now = utc_now()
    store.bulk_insert("records", [{
        "uuid": str(uuid.uuid4()), "form_id": form_id, "form_version": "1", "person_id": person_id,
        "household_id": None, "village_id": VILLAGE, "status": "finalized", "revision": 1, "prev_revision": None,
        "author": "李干部", "title": "", "data": json.dumps(data, ensure_ascii=False), "created_at": now,
        "updated_at": now}])


def select(qtbot, page, name: str) -> str:
    page.search.setText(name)
    qtbot.waitUntil(lambda: page.model.rowCount() == 1 and page.model.rows[0]["name"] == name)
    page.view.setCurrentIndex(page.model.index(0, 0))
    QApplication.processEvents()
    return page.details.text()


def test_a_childs_panel_names_the_guardian_with_relation_and_phone_and_an_elders_the_family(qtbot, store):
    child = store.add_person(name="刘小雨", kind="child", birth_date="2016-05-01", village_id=VILLAGE)
    add_finished(store, "left_behind_child", child, {"child_name": "刘小雨", "g_name": "刘桂芝", "g_relation": "6",
                                                     "g_phone": "13912345678", "guard_type": "fair"})
    elder = store.add_person(name="王秀英", kind="elder", phone="13800001111", village_id=VILLAGE)
    add_finished(store, "elder_registry", elder, {"elder_name": "王秀英", "carers": [
        {"carer_name": "王建国", "relation": "2", "phone": "13700002222"}]})
    store.add_person(name="陈小明", kind="child", village_id=VILLAGE)
    page = page_for(qtbot, store)

    text = select(qtbot, page, "刘小雨")
    assert "受委托监护人：刘桂芝（祖父母/外祖父母）" in text and "139****5678" in text and "13912345678" not in text
    assert "岁" in text and "住址" in text and "下次应探访" in text
    text = select(qtbot, page, "王秀英")
    assert "赡(扶)养人/家属：王建国（子）" in text and "137****2222" in text
    text = select(qtbot, page, "陈小明")
    assert "监护人：还没有登记" in text


@pytest.fixture
def own_settings(tmp_path):
    """QSettings in a scratch folder: a test never writes the user's real window state."""
    from PySide6.QtCore import QSettings

    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    QSettings().clear()


def test_name_village_category_risk_and_next_visit_show_beside_the_panel_at_125_percent(qtbot, store, own_settings):
    """1366×768 at 125 % leaves a 1093×614 window: with a person's panel open, the five columns a cadre looks
    for are on screen without scrolling sideways."""
    from app.demo import load_demo
    from ui.main_window import MainWindow

    load_demo(store, persons=300, seed=5)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    window.showNormal()
    window.resize(1093, 614)
    window.show_page(window.registry)
    page = window.registry
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and "正在查找" not in page.count.text())
    page.view.setCurrentIndex(page.model.index(0, 0))
    qtbot.waitUntil(lambda: page.side.isVisible())
    QApplication.processEvents()
    view = page.view
    for key in ("name", "village", "categories", "risk_tier", "next_due"):
        index = column(page, key)
        right = view.columnViewportPosition(index) + view.columnWidth(index)
        assert view.columnViewportPosition(index) >= 0 and right <= view.viewport().width(), key
