"""Signing in, the lock screen (Ctrl+L) that keeps drafts, 设置 → 账户, and what each role's window shows."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QPushButton, QTableWidget

from app import accounts
from app.store.audit import entries
from tests.accounts.conftest import ADMIN_PW, USER_PW, build_township
from ui.accounts_ui import AccountDialog, LockDialog, LoginDialog
from ui.main_window import MainWindow


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    directory = tmp_path_factory.mktemp("ui-township") / "data"
    build_township(directory)
    return directory


@pytest.fixture
def township(template, tmp_path):
    directory = tmp_path / "data"
    shutil.copytree(template, directory)
    return directory


def window_for(qtbot, township, login):
    store = accounts.sign_in(township, login, ADMIN_PW if login == "admin" else USER_PW)
    window = MainWindow(store)
    qtbot.addWidget(window)
    return window


def test_the_login_dialog_explains_a_wrong_password_and_signs_in_with_the_right_one(qtbot, township):
    dialog = LoginDialog(township)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.login.setText("cadre1")
    qtbot.keyClicks(dialog.password, "wrong-password")
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    assert "正在登录" in dialog.error.text() and not dialog.password.isEnabled()  # the window keeps answering
    qtbot.waitUntil(lambda: "用户名或密码不正确" in dialog.error.text(), timeout=10_000)
    assert dialog.store is None and dialog.password.text() == "" and dialog.password.hasFocus()
    qtbot.keyClicks(dialog.password, USER_PW)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.result() == dialog.DialogCode.Accepted, timeout=10_000)
    assert dialog.store.account.login == "cadre1"
    dialog.store.close()


def test_each_role_sees_its_own_village_pages_and_forms(qtbot, township):
    cadre = window_for(qtbot, township, "cadre1")
    assert "村干部" in cadre.windowTitle()
    assert cadre.nav_item("export").isHidden()  # 导出 is for township staff
    cadre.registry.refresh()
    qtbot.waitUntil(lambda: cadre.registry.model.rowCount() > 0)
    model = cadre.registry.model
    assert {model.data(model.index(r, 0)) for r in range(model.rowCount())} == {"王秀英"}
    cadre.fill.refresh()
    forms = {cadre.fill.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(cadre.fill.list.count())}
    assert "elder_visit" in forms and "child_visit" not in forms
    assert cadre.settings.findChild(QTableWidget, "accountTable") is None
    cadre.store.close()
    staff = window_for(qtbot, township, "staff")
    assert not staff.nav_item("export").isHidden()
    staff.store.close()


def test_ctrl_l_locks_hides_the_records_and_unlocking_keeps_the_draft(qtbot, township):
    window = window_for(qtbot, township, "cadre1")
    window.show()
    filler = window.fill.open_filler(window.catalog.by_id("elder_visit"))
    visitor = next(q for q in filler.questions if q.control.name == "visitor")
    qtbot.keyClicks(visitor.findChild(QLineEdit), "Licunzhang")  # not saved yet: locking saves it
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    lock = window.lock_dialog
    assert isinstance(lock, LockDialog) and lock.isVisible()
    assert not window.centralWidget().isVisible()
    assert filler.record_uuid in {d["uuid"] for d in window.store.drafts()}  # saved before locking
    qtbot.keyClick(lock, Qt.Key.Key_Escape)
    assert lock.isVisible()  # Esc does not open the lock
    qtbot.keyClicks(lock.password, "wrong-password")
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    assert "不正确" in lock.error.text() and lock.isVisible()
    qtbot.keyClicks(lock.password, USER_PW)
    qtbot.keyClick(lock.password, Qt.Key.Key_Return)
    assert window.centralWidget().isVisible()
    assert window.fill.tabs.indexOf(filler) > 0 and visitor.findChild(QLineEdit).text() == "Licunzhang"
    assert window.store.get_record(filler.record_uuid)["data"].get("visitor") == "Licunzhang"
    actions = [e["action"] for e in entries(window.store)]
    assert {"lock", "login_failed", "unlock"} <= set(actions)
    window.store.close()


def test_switching_user_from_the_lock_screen_closes_the_window(qtbot, township):
    window = window_for(qtbot, township, "cadre1")
    window.show()
    window.lock()
    qtbot.mouseClick(window.lock_dialog.findChild(QPushButton, "switchUser"), Qt.MouseButton.LeftButton)
    assert window.switch_user_requested and not window.isVisible()
    window.store.close()


def test_an_administrator_adds_a_child_director_in_settings(qtbot, township):
    window = window_for(qtbot, township, "admin")
    panel = window.settings.accounts
    before = panel.table.rowCount()
    dialog = AccountDialog(window.store, panel)
    qtbot.addWidget(dialog)
    dialog.login.setText("wangfang")
    dialog.name.setText("王芳")
    dialog.role.setCurrentIndex(dialog.role.findData("child_director"))
    dialog.save()
    assert "需要指定负责的村" in dialog.error.text()  # no village ticked: explained, nothing saved
    dialog.villages.item(1).setCheckState(Qt.CheckState.Checked)
    dialog.password.setText("short")
    dialog.save()
    assert "至少需要 8 个字符" in dialog.error.text()
    dialog.password.setText("first-password")
    dialog.save()
    assert dialog.result() == dialog.DialogCode.Accepted
    panel.refresh()
    assert panel.table.rowCount() == before + 1
    window.store.close()
    store = accounts.sign_in(township, "wangfang", "first-password")
    assert store.account.must_change and store.account.villages == ("v2",)
    assert {p["name"] for p in store.search_persons("")} == {"赵小红"}
    store.close()


def test_viewing_a_whole_id_number_is_for_staff_and_is_logged(qtbot, township):
    window = window_for(qtbot, township, "staff")
    page = window.registry
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    page.view.selectRow(0)
    page.show_person()
    person = page.selected_person()
    assert person["id_number"] not in page.details.text()  # masked until asked for
    assert not page.full_id.isHidden()
    page.full_id.click()
    assert person["id_number"] in page.details.text()
    logged = entries(window.store, action="view_full_id")
    assert logged and logged[0]["subject"] == person["id"] and logged[0]["user"] == "staff"
    window.store.close()
    cadre = window_for(qtbot, township, "cadre1")
    cadre.registry.refresh()
    qtbot.waitUntil(lambda: cadre.registry.model.rowCount() > 0)
    cadre.registry.view.selectRow(0)
    cadre.registry.show_person()
    assert cadre.registry.full_id.isHidden()
    cadre.store.close()


def test_a_store_made_before_accounts_gets_its_administrator_from_settings(qtbot, tmp_path, monkeypatch):
    from app.store import Store
    from app.store.keyring import FAST_KDF

    monkeypatch.setattr("ui.pages.QMessageBox.information", lambda *a: None)
    store = Store.create(tmp_path / "old", "old-passphrase", kdf=FAST_KDF)
    window = MainWindow(store)
    qtbot.addWidget(window)
    dialog = window.settings.adopt_accounts()
    dialog.password.setText("East-hill-2026-b")
    dialog.confirm.setText("East-hill-2026-b")
    dialog.adopt()
    dialog.key_dialog.copied.setChecked(True)
    dialog.key_dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    store.close()
    assert Store.has_accounts(tmp_path / "old")
    accounts.sign_in(tmp_path / "old", "admin", "East-hill-2026-b").close()


def test_a_new_password_typed_differently_twice_is_refused_and_the_second_box_emptied(qtbot, township):
    from ui.accounts_ui import ChangePasswordDialog

    store = accounts.sign_in(township, "admin", ADMIN_PW)
    try:
        dialog = ChangePasswordDialog(store)
        qtbot.addWidget(dialog)
        dialog.old.setText(ADMIN_PW)
        dialog.new.setText("new-password-1")
        dialog.confirm.setText("new-password-2")
        dialog.change()
        assert "两次输入的新密码不一致" in dialog.error.text()
        assert dialog.confirm.text() == "" and dialog.new.text() == "new-password-1"
    finally:
        store.close()
    accounts.sign_in(township, "admin", ADMIN_PW).close()  # the password did not change


def test_recovering_shows_the_new_recovery_key_and_the_old_one_is_used_up(qtbot, township):
    from PySide6.QtWidgets import QLabel

    from ui.accounts_ui import RecoveryDialog

    store = accounts.sign_in(township, "admin", ADMIN_PW)
    old = accounts.replace_recovery_key(store)
    store.close()
    dialog = RecoveryDialog(township)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.key.setText(old)
    dialog.password.setText("Brand-new-2026x")
    dialog.confirm.setText("Brand-new-2026x")
    dialog.recover()
    shown = dialog.key_dialog
    assert shown.isVisible() and "作废" in " ".join(w.text() for w in shown.findChildren(QLabel))
    new = shown.findChild(QLabel, "key").text()
    shown.copied.setChecked(True)
    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        shown.ok.click()
    dialog.store.close()
    assert new != old
    accounts.recover(township, new, "admin", "Another-new-2026y")[0].close()


def test_an_administrator_replaces_the_recovery_key_in_settings(qtbot, township, monkeypatch):
    from PySide6.QtWidgets import QLabel, QMessageBox

    from ui.accounts_ui import AccountsPanel

    store = accounts.sign_in(township, "admin", ADMIN_PW)
    old = accounts.replace_recovery_key(store)
    panel = AccountsPanel(store)
    qtbot.addWidget(panel)
    monkeypatch.setattr("ui.accounts_ui.QMessageBox.question", lambda *a: QMessageBox.StandardButton.Yes)
    panel.findChild(QPushButton, "account_recovery").click()
    new = panel.key_dialog.findChild(QLabel, "key").text()
    store.close()
    assert new != old
    with pytest.raises(accounts.CunFangError):
        accounts.recover(township, old, "admin", "Brand-new-2026x")
    accounts.recover(township, new, "admin", "Brand-new-2026x")[0].close()


def test_a_lost_keyring_is_named_and_the_backup_offered_at_start(qtbot, township, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.store import connection
    from ui.app_main import _keyring_missing

    (township / connection.KEYRING_NAME).unlink()
    asked = []

    def question(parent, title, text):
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.question", question)
    assert _keyring_missing(township) is False  # restored: the sign-in goes on
    assert "找不到密钥文件" in asked[0] and "数据库还在" in asked[0] and "keyring.backup.json" in asked[0]
    accounts.sign_in(township, "admin", ADMIN_PW).close()
