"""导入名册…: a cadre imports a village roster from the 台账 page, checks the preview, imports, and undoes it."""

from __future__ import annotations

from datetime import date

import openpyxl
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from app import china
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.import_dialog import ImportDialog
from ui.pages import RegistryPage

PASS = "cunfang-secret"
EAST = "340102001001"
CHILD_1 = china.make_id("340102", date(2015, 4, 3), 121)
CHILD_2 = china.make_id("340102", date(2016, 9, 20), 242)
CHILD_3 = china.make_id("340102", date(2014, 1, 8), 311)


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    s.add_village(EAST, "东山村")
    s.add_village("340102001002", "西河村")
    yield s
    s.close()


@pytest.fixture
def roster(tmp_path):
    """东山村's 留守儿童 roster: a merged title, the header on row 3, one ID Excel kept as a number."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["东山村留守儿童花名册"])
    sheet.merge_cells("A1:E1")
    sheet.append([])
    sheet.append(["序号", "儿童称呼", "公民身份号码", "性别", "监护人"])
    sheet.append([1, "张小明", CHILD_1, "男", "张大山"])
    sheet.append([2, "李小红", float(CHILD_2), "女", "李强"])
    sheet.append([3, "王小兵", CHILD_3, "男", "王军"])
    path = tmp_path / "东山村花名册.xlsx"
    workbook.save(path)
    return path


def wait_for_page(qtbot, dialog: ImportDialog, page: int) -> None:
    qtbot.waitUntil(lambda: dialog.pages.currentIndex() == page and dialog._task is None, timeout=10_000)


def test_import_a_roster_from_the_registry_page_and_undo_it(qtbot, store, roster, monkeypatch):
    page = RegistryPage(store)
    qtbot.addWidget(page)
    dialog = page.open_import()
    assert dialog.isVisible() and dialog.pages.currentIndex() == dialog.FILE

    dialog.path.setText(str(roster))  # as 浏览… fills it in
    dialog.target.setCurrentIndex(dialog.target.findData(("form", "left_behind_child")))
    qtbot.keyClick(dialog.path, Qt.Key.Key_Return)  # Enter moves on, as 下一步 does
    wait_for_page(qtbot, dialog, dialog.MAPPING)
    assert "第 3 行是表头" in dialog.mapping_note.text()
    assert dialog.mapping() == ["", "", "id_number", "sex", "guardian_name"]  # 儿童称呼 is not a known header

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)  # 姓名 is not matched yet: refused plainly
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "errorDialog") is not None, timeout=10_000)
    box = dialog.findChild(QMessageBox, "errorDialog")
    assert "还没有指定哪一列是“姓名”" in box.text()
    box.close()
    box.deleteLater()
    assert dialog.pages.currentIndex() == dialog.MAPPING

    name_combo = dialog.combos[1]
    name_combo.setFocus()
    name_combo.setCurrentIndex(name_combo.findData("name"))
    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, dialog.PREVIEW)
    assert store.count_persons() == 0  # nothing is written before 导入
    assert "将新增 2 人" in dialog.summary.text() and "拒绝 1 行" in dialog.summary.text()
    model = dialog.model
    assert [model.data(model.index(r, 1)) for r in range(model.rowCount())] == ["新增", "拒绝", "新增"]
    refused = model.index(1, 4)
    assert "被存成了数字" in model.data(refused)
    assert model.data(refused, Qt.ItemDataRole.ForegroundRole).color().name() == "#b00020"  # refused rows in red
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ForegroundRole) is None
    assert model.data(model.index(0, 3)) == china.mask_id(CHILD_1)
    dialog.refused_only.setChecked(True)
    assert model.rowCount() == 1
    dialog.refused_only.setChecked(False)
    assert dialog.next_button.text().startswith("导入")

    qtbot.mouseClick(dialog.next_button, Qt.MouseButton.LeftButton)
    wait_for_page(qtbot, dialog, dialog.RESULT)
    assert "新增 2 人" in dialog.result_label.text()
    assert sorted(p["name"] for p in store.query("SELECT name FROM persons")) == ["张小明", "王小兵"]
    qtbot.waitUntil(lambda: "2" in page.count.text(), timeout=10_000)  # the 台账 list refreshed

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(dialog.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "已撤销第 1 次导入" in dialog.result_label.text(), timeout=10_000)
    assert store.count_persons() == 0 and not dialog.undo_button.isEnabled()
    dialog.close()


def test_the_column_choices_come_back_for_the_same_headers(qtbot, store, roster):
    first = ImportDialog(store)
    qtbot.addWidget(first)
    first.path.setText(str(roster))
    first.next()
    wait_for_page(qtbot, first, first.MAPPING)
    first.combos[1].setCurrentIndex(first.combos[1].findData("name"))
    first.next()
    wait_for_page(qtbot, first, first.PREVIEW)

    second = ImportDialog(store)
    qtbot.addWidget(second)
    second.path.setText(str(roster))
    second.next()
    wait_for_page(qtbot, second, second.MAPPING)
    assert second.mapping() == ["", "name", "id_number", "sex", "guardian_name"]
    assert "已按上次的选择" in second.mapping_note.text()


def test_an_unreadable_file_is_explained_without_a_traceback(qtbot, store, tmp_path):
    broken = tmp_path / "坏了.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    dialog = ImportDialog(store)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(broken))
    dialog.next()
    qtbot.waitUntil(lambda: dialog.findChild(QMessageBox, "errorDialog") is not None, timeout=10_000)
    text = dialog.findChild(QMessageBox, "errorDialog").text()
    assert "无法读取文件 坏了.xlsx" in text and "Traceback" not in text
    assert dialog.pages.currentIndex() == dialog.FILE
