"""A form's village question (select_one_from_file villages.csv) offers the villages of the laptop's township from
the region table, found by typing a name or its pinyin; the record keeps the 12-digit code and the name."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

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
    offered = [combo.itemData(i) for i in range(combo.count())]
    assert offered == [v.code for v in villages], "the township's villages, in code order"
    combo.setFocus()
    qtbot.keyClicks(combo.lineEdit(), typed)
    popup = combo.completer().popup()
    assert popup.isVisible() and combo.completer().completionCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert combo.currentText() == name
    paths = filler.form.by_name()
    value = {key: filler.session.node(paths[key]).value for key in ("region_code", "village")}
    assert value == {"region_code": code, "village": name}, "the code is the answer, the name is calculated"


def filled(qtbot, store, form_id="elder_registry"):
    filler = FormFiller(store, FormLibrary(store).get(form_id), author="李秀兰")
    qtbot.addWidget(filler)
    filler.show()
    filler.activateWindow()
    qtbot.waitActive(filler)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None)  # the cursor put in the first question
    return filler


def focus(qtbot, combo):
    """The cursor into the list, its window made active again when needed (on the offscreen screen a list of
    matches closed in an earlier test can become the active window after the form has been shown)."""
    def there() -> bool:
        if not combo.hasFocus():
            combo.window().activateWindow()
            combo.setFocus()
        return combo.hasFocus()

    qtbot.waitUntil(there)


def answer(filler, name):
    return filler.session.node(filler.form.by_name()[name]).value


def test_typing_into_an_unanswered_list_replaces_its_placeholder_and_gets_the_choice(qtbot, store):
    """（请选择） is a placeholder, not text: typing straight into the list (no Ctrl+A first) finds the choice,
    and Enter takes it (typing was appended to （请选择）, so nothing matched)."""
    store.set_township("340123101")  # 安徽省合肥市肥西县三河镇
    filler = filled(qtbot, store)
    combo = village_box(filler)
    assert combo.currentText() == "" and combo.lineEdit().placeholderText() == "（请选择）"
    assert "（请选择）" not in [combo.itemText(i) for i in range(combo.count())], "not a choice in the list"
    combo.setFocus()
    qtbot.keyClicks(combo.lineEdit(), "taihua")
    assert combo.lineEdit().text() == "taihua"
    popup = combo.completer().popup()
    assert popup.isVisible() and combo.completer().completionCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert combo.currentText() == "太华村" and answer(filler, "region_code") == "340123101202"


def test_a_name_typed_in_full_or_one_match_is_taken_on_leaving_and_an_emptied_list_clears_the_answer(qtbot, store):
    store.set_township("340123101")
    filler = filled(qtbot, store)
    combo = village_box(filler)
    focus(qtbot, combo)
    qtbot.keyClicks(combo.lineEdit(), "taihua")  # one village matches: Tab takes it
    combo.completer().popup().hide()
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Tab)
    combo = village_box(filler)  # the questions may be built again after an answer
    assert answer(filler, "region_code") == "340123101202" and combo.currentText() == "太华村"
    focus(qtbot, combo)
    combo.lineEdit().selectAll()
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Delete)
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Tab)
    combo = village_box(filler)
    assert answer(filler, "region_code") == "" and combo.currentText() == ""
    assert combo.lineEdit().placeholderText() == "（请选择）"
    focus(qtbot, combo)
    qtbot.keyClicks(combo.lineEdit(), "cun")  # every village: no single one; the answer stays unanswered
    combo.completer().popup().hide()
    qtbot.keyClick(combo.lineEdit(), Qt.Key.Key_Tab)
    combo = village_box(filler)
    assert answer(filler, "region_code") == "" and combo.currentText() == "", "the text shows no village it is not"
