"""A form's village question (select_one_from_file villages.csv) offers the villages of the laptop's township from
the region table, found by typing a name or its pinyin; the record keeps the 12-digit code and the name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from app.forms.library import FormLibrary
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.form_filler import FormFiller

PASS = "East-hill-2026-a"


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    s.close()


def village_box(filler):
    question = next(q for q in filler.questions if q.control.name == "region_code")
    return question.combo


@pytest.mark.parametrize(("township", "typed", "code", "name"), [
    ("340123101", "taihua", "340123101202", "太华村"),  # 安徽省合肥市肥西县三河镇, full pinyin
    ("411628108", "hslc", "411628108200", "槐树李村"),  # 河南省鹿邑县太清宫镇: initials; a new township, no new code
])
def test_the_village_is_picked_from_the_townships_list_by_typing(qtbot, store, township, typed, code, name):
    from app.regions import national

    store.set_township(township)
    villages = national().children(township)
    filler = FormFiller(store, FormLibrary(store).get("elder_registry"), author="李秀兰")
    qtbot.addWidget(filler)
    filler.show()
    filler.activateWindow()
    qtbot.waitActive(filler)
    combo = village_box(filler)
    assert combo is not None
    offered = [combo.itemData(i) for i in range(1, combo.count())]
    assert offered == [v.code for v in villages], "the township's villages, in code order"
    combo.setFocus()
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)  # over （请选择）
    qtbot.keyClicks(combo.lineEdit(), typed)
    popup = combo.completer().popup()
    assert popup.isVisible() and combo.completer().completionCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert combo.currentText() == name
    paths = filler.form.by_name()
    value = {key: filler.session.node(paths[key]).value for key in ("region_code", "village")}
    assert value == {"region_code": code, "village": name}, "the code is the answer, the name is calculated"
