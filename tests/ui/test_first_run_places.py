"""First run: the township is chosen from the 统计用区划代码 table (province → city → county → township) by
keyboard, typing a name, its pinyin or the pinyin initials; its villages are then the ones the forms offer."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from app.forms.fill import fill
from app.forms.library import FormLibrary
from app.store.keyring import FAST_KDF
from ui.places import TownshipPicker
from ui.startup import FirstRunDialog

PASS = "East-hill-2026-a"


def commit(box, text: str) -> None:
    """Chinese as a Pinyin input method sends it: one committed string."""
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(box.lineEdit(), event)


def press(qtbot, box, key) -> None:
    """A key as the person presses it: to the list of matches when it is open (it has the keyboard), else the box."""
    popup = box.completer().popup()
    qtbot.keyClick(popup if popup.isVisible() else box.lineEdit(), key)


def focused(box) -> bool:
    """The box has the cursor of its window."""
    return box.window().focusWidget() in (box, box.lineEdit())


def show(qtbot, widget) -> None:
    widget.show()
    widget.activateWindow()
    qtbot.waitActive(widget)


def test_the_township_is_chosen_by_typing_names_and_pinyin_with_enter(qtbot):
    picker = TownshipPicker()
    qtbot.addWidget(picker)
    show(qtbot, picker)
    province, city, county, town = picker.boxes
    assert not city.isEnabled() and not town.isEnabled(), "a level opens when the one above is chosen"
    province.setFocus()
    commit(province, "安徽")
    press(qtbot, province, Qt.Key.Key_Return)
    assert province.currentText() == "安徽省" and focused(city), "Enter picks it and moves on"
    qtbot.keyClicks(city.lineEdit(), "hefei")  # full pinyin
    press(qtbot, city, Qt.Key.Key_Return)
    assert city.currentText() == "合肥市" and focused(county)
    qtbot.keyClicks(county.lineEdit(), "fxx")  # pinyin initials of 肥西县
    press(qtbot, county, Qt.Key.Key_Return)
    assert county.currentText() == "肥西县" and focused(town)
    assert "三河镇" in [town.itemText(i) for i in range(town.count())]
    qtbot.keyClicks(town.lineEdit(), "shz")
    press(qtbot, town, Qt.Key.Key_Return)
    assert town.currentText() == "三河镇" and picker.code() == "340123101"


def test_a_completion_is_picked_with_down_and_enter_and_an_ambiguous_text_picks_nothing(qtbot):
    picker = TownshipPicker()
    qtbot.addWidget(picker)
    show(qtbot, picker)
    picker.select("340123")  # 肥西县
    town = picker.boxes[3]
    town.setFocus()
    qtbot.keyClicks(town.lineEdit(), "zhen")  # every 镇: no single township
    press(qtbot, town, Qt.Key.Key_Tab)
    assert picker.code() == ""
    town.lineEdit().clear()
    town.setFocus()
    qtbot.keyClicks(town.lineEdit(), "sanhe")
    popup = town.completer().popup()
    assert popup.isVisible() and town.completer().completionCount() == 1
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert town.currentText() == "三河镇" and picker.code() == "340123101"


def test_a_municipality_skips_the_city_level(qtbot):
    picker = TownshipPicker()
    qtbot.addWidget(picker)
    show(qtbot, picker)
    province, city, county, _town = picker.boxes
    province.setFocus()
    commit(province, "北京")
    press(qtbot, province, Qt.Key.Key_Return)
    assert city.currentText() == "市辖区" and focused(county), "北京市 has one city-level entry: chosen by itself"


def test_changing_the_county_clears_the_township(qtbot):
    picker = TownshipPicker()
    qtbot.addWidget(picker)
    picker.select("340123101")
    assert picker.code() == "340123101"
    picker.boxes[2].select("340121")  # 长丰县
    assert picker.code() == "" and picker.boxes[3].currentText() == ""


def test_first_run_by_keyboard_stores_the_township_and_the_forms_offer_its_villages(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    qtbot.keyClicks(dialog.passphrase, PASS)
    qtbot.keyClicks(dialog.confirm, PASS)
    province, city, county, town = dialog.town.boxes
    province.setFocus()
    commit(province, "河南")
    press(qtbot, province, Qt.Key.Key_Return)
    qtbot.keyClicks(city.lineEdit(), "zhoukou")
    press(qtbot, city, Qt.Key.Key_Return)
    commit(county, "鹿邑")
    press(qtbot, county, Qt.Key.Key_Return)
    assert focused(town)
    commit(town, "太清宫")
    press(qtbot, town, Qt.Key.Key_Return)
    code = dialog.town.code()
    assert code.startswith("411628") and town.currentText() == "太清宫镇"
    dialog.create()
    dialog.key_dialog.copied.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        qtbot.mouseClick(dialog.key_dialog.ok, Qt.MouseButton.LeftButton)
    store = dialog.store
    assert store.township() == code and store.get_setting("town") == "太清宫镇"
    # a township anywhere needs no code change: its villages are the registry's and the forms' choices
    from app.regions import national

    villages = national().children(code)
    assert len(villages) > 5
    assert {v["id"] for v in store.villages()} == {v.code for v in villages}
    form = FormLibrary().get("elder_registry")
    instances = store.form_instances()
    picked = fill(form, {"region_code": villages[0].code}, instances=instances)
    assert "region_code" not in picked["errors"] and picked["data"]["village"] == villages[0].short_name
    other = fill(form, {"region_code": "340123101202"}, instances=instances)  # 肥西县三河镇太华村
    assert "region_code" in other["errors"], "another township's village is not offered"
    store.close()


def test_a_laptop_set_up_before_the_region_table_chooses_its_township_in_settings(qtbot, tmp_path, monkeypatch):
    from app.store import Store
    from ui.pages import SettingsPage

    monkeypatch.setattr("ui.pages.QMessageBox.information", lambda *a, **k: None)
    store = Store.create(tmp_path / "old", PASS, kdf=FAST_KDF)
    store.set_setting("town", "三河镇")  # typed at an earlier first run: no code, no villages
    assert store.township() == "" and store.village_choices() == []
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.township.select("340123101")
    page.save()
    assert store.township() == "340123101"
    assert "340123101202" in {row["name"] for row in store.village_choices()}
    store.close()


def test_tab_from_the_password_goes_on_to_the_province_list_and_through_the_levels(qtbot, tmp_path):
    """By keyboard the township comes after the password, as on the screen (Tab went from 再输入一次 to 开始使用,
    so the province typed after it was lost and Enter pressed 开始使用)."""
    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    dialog.confirm.setFocus()
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Tab)
    province, city, county, town = dialog.town.boxes
    assert focused(province), dialog.focusWidget()
    dialog.town.select("340123")  # 肥西县: every level open
    for here, following in ((province, city), (city, county), (county, town)):
        qtbot.keyClick(dialog.focusWidget(), Qt.Key.Key_Tab)
        assert focused(following), (here.objectName(), dialog.focusWidget())


def test_in_settings_the_township_lists_come_after_the_text_size_in_the_tab_order(qtbot, tmp_path):
    from app.store import Store
    from ui.pages import SettingsPage

    store = Store.create(tmp_path / "old", PASS, kdf=FAST_KDF)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    show(qtbot, page)
    chain, widget = [], page.contrast
    for _ in range(6):
        widget = widget.nextInFocusChain()
        chain.append(widget)
    assert page.township.boxes[0] in chain or page.township.boxes[0].lineEdit() in chain, chain
    store.close()


def test_in_practice_mode_settings_name_the_practice_township_and_offer_no_real_one(qtbot, tmp_path, monkeypatch):
    """练习模式's township is fictional: 设置 names it instead of an empty province list that would put a real
    township's villages into the practice store."""
    from app.demo import TOWN
    from app.practice import open_practice
    from ui.pages import SettingsPage

    monkeypatch.setattr("ui.pages.QMessageBox.information", lambda *a, **k: None)
    store = open_practice(tmp_path / "data", persons=5)
    villages = {v["id"] for v in store.villages()}
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.show()
    assert not page.township.isVisible() and not page.township.isEnabled()
    assert TOWN in page.practice_town.text() and "练习" in page.practice_town.text()
    page.township.select("340123101")
    page.save()
    assert store.township() == "" and {v["id"] for v in store.villages()} == villages
    store.close()


def test_a_long_township_name_shows_whole_in_its_list_and_in_the_box(qtbot, tmp_path):
    """The four lists share the row (the township's was the narrowest, cutting 安徽肥西经济开发区), and a list of
    matches is as wide as its longest name."""
    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    show(qtbot, dialog)
    province, city, county, town = dialog.town.boxes
    dialog.town.select("340123")  # 肥西县
    town.setFocus()
    qtbot.keyClicks(town.lineEdit(), "jingji")
    popup = town.completer().popup()
    assert popup.isVisible()
    name = "安徽肥西经济开发区"
    assert popup.viewport().width() >= popup.fontMetrics().horizontalAdvance(name), (popup.width(), name)
    press(qtbot, town, Qt.Key.Key_Return)
    assert town.currentText() == name
    box = town.lineEdit()
    assert box.width() >= box.fontMetrics().horizontalAdvance(name), (box.width(), [b.width() for b in dialog.town.boxes])
    assert min(b.width() for b in dialog.town.boxes) >= max(b.width() for b in dialog.town.boxes) - 4, "equal shares"
