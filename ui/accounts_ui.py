"""Signing in, the lock screen, the recovery key, "my account" and 设置 → 账户 (administrators)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app import accounts
from app.errors import CunFangError
from app.roles import ROLES
from ui.errors import plain_message, show_error
from ui.workers import run_in_background

LAST_LOGIN = "login/last"


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setObjectName(name)
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def error_label() -> QLabel:
    label = QLabel()
    label.setObjectName("error")
    label.setStyleSheet("color: #c62828")
    label.setWordWrap(True)
    return label


def passwords_match(password: QLineEdit, confirm: QLineEdit, error: QLabel, *, new: bool = False) -> bool:
    """Whether the password was typed the same twice; if not, says so and clears the second box to type again."""
    if password.text() == confirm.text():
        return True
    error.setText(QCoreApplication.translate("accounts", "两次输入的新密码不一致，请重新输入。") if new
                  else QCoreApplication.translate("accounts", "两次输入的密码不一致，请重新输入。"))
    confirm.clear()
    confirm.setFocus()
    return False


def ok_cancel(dialog: QDialog, ok_text: str, cancel_text: str, on_ok) -> QDialogButtonBox:
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
    buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(on_ok)
    buttons.rejected.connect(dialog.reject)
    return buttons


class LoginDialog(QDialog):
    """用户名 and 密码; a wrong one is explained in place, and the wait after many is shown."""

    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("login")
        self.setWindowTitle(self.tr("村访通 · 登录"))
        self.data_dir = data_dir
        self.store = None
        self._signing_in = None  # the background sign-in under way, if any
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("请登录。本机的记录只对有权查看的账户显示。")))
        form = QFormLayout()
        self.login = QLineEdit(str(QSettings().value(LAST_LOGIN, "") or ""))
        self.login.setObjectName("loginName")
        self.password = password_field("password")
        form.addRow(self.tr("用户名："), self.login)
        form.addRow(self.tr("密码："), self.password)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        forgot = QPushButton(self.tr("管理员忘记密码…"))
        forgot.setObjectName("forgot")
        forgot.setFlat(True)
        forgot.setAutoDefault(False)  # Return in the password field signs in, never opens this
        forgot.clicked.connect(self.recover)
        practice = QPushButton(self.tr("练习模式（虚构数据，不会发送）"))
        practice.setObjectName("practice")
        practice.setFlat(True)
        practice.setAutoDefault(False)
        practice.clicked.connect(lambda: self.done(2))  # ui.startup.PRACTICE: app_main opens the practice store
        row = QHBoxLayout()
        row.addWidget(forgot)
        row.addStretch(1)
        row.addWidget(practice)
        layout.addLayout(row)
        buttons = ok_cancel(self, self.tr("登录"), self.tr("退出"), self.sign_in)
        layout.addWidget(buttons)
        self._ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self._busy_while_signing_in = [self.login, self.password, forgot, practice, self._ok]
        (self.password if self.login.text() else self.login).setFocus()

    def sign_in(self) -> None:
        """Check the password and open the store off the UI thread: the key derivation, the store's upgrades
        and, once, the rewrite of a store made by an older version take up to several seconds on a slow disk,
        and the window keeps answering meanwhile."""
        if self._signing_in is not None:
            return  # Return pressed again while signing in
        login, password = self.login.text(), self.password.text()
        self._set_busy(True)
        self._signing_in = run_in_background(lambda _task: accounts.sign_in(self.data_dir, login, password),
                                             on_done=self._signed_in, on_error=self._refused)

    def _set_busy(self, busy: bool) -> None:
        for widget in self._busy_while_signing_in:
            widget.setEnabled(not busy)
        self._ok.setDefault(True)  # a disabled button stops being the default: Return must sign in again
        self.error.setStyleSheet("color: palette(text)" if busy else "color: #c62828")
        self.error.setText(self.tr("正在登录并打开本机数据，请稍候……") if busy else "")
        if busy:
            QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        else:
            QApplication.restoreOverrideCursor()

    def _signed_in(self, store) -> None:
        self._signing_in = None
        self._set_busy(False)
        if self.result() == QDialog.DialogCode.Rejected and not self.isVisible():
            store.close()  # 退出 was pressed while signing in
            return
        self.store = store
        QSettings().setValue(LAST_LOGIN, store.account.login)
        self.accept()

    def _refused(self, exc: Exception) -> None:
        self._signing_in = None
        self._set_busy(False)
        self.error.setText(plain_message(exc))  # the catalogue's words; anything else a plain apology, logged
        self.password.clear()
        self.password.setFocus()

    def recover(self) -> None:
        dialog = RecoveryDialog(self.data_dir, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.store = dialog.store
            self.accept()


class RecoveryDialog(QDialog):
    """The recovery key printed at setup, and a new password for an administrator."""

    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("recovery")
        self.setWindowTitle(self.tr("用恢复密钥找回管理员账户"))
        self.data_dir = data_dir
        self.store = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("输入首次设置时抄下的恢复密钥（8 组，每组 4 个字母或数字）。")))
        form = QFormLayout()
        self.key = QLineEdit()
        self.key.setObjectName("recoveryKey")
        self.key.setPlaceholderText("XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX-XXXX")
        self.login = QLineEdit("admin")
        self.login.setObjectName("adminLogin")
        self.password = password_field("newPassword")
        self.confirm = password_field("confirm")
        form.addRow(self.tr("恢复密钥："), self.key)
        form.addRow(self.tr("管理员用户名："), self.login)
        form.addRow(self.tr("新密码："), self.password)
        form.addRow(self.tr("再输入一次："), self.confirm)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, self.tr("设置新密码"), self.tr("取消"), self.recover))

    def recover(self) -> None:
        if not passwords_match(self.password, self.confirm, self.error):
            return
        try:
            self.store, fresh = accounts.recover(self.data_dir, self.key.text(), self.login.text(),
                                                 self.password.text())
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        self.key_dialog = RecoveryKeyDialog(fresh, self, used=True)  # the old key is used up: show the new one
        self.key_dialog.finished.connect(lambda _: self.accept())
        self.key_dialog.open()


class RecoveryKeyDialog(QDialog):
    """Shown once, right after setup: the recovery key, to be copied onto paper before going on."""

    def __init__(self, key: str, parent=None, *, used: bool = False):
        super().__init__(parent)
        self.setObjectName("recoveryKeyShown")
        self.setWindowTitle(self.tr("请抄下恢复密钥"))
        layout = QVBoxLayout(self)
        if used:
            layout.addWidget(QLabel(self.tr("原来的恢复密钥已经用过，从现在起作废。下面是新的恢复密钥。")))
        layout.addWidget(QLabel(self.tr("管理员忘记密码时，只有这个恢复密钥能打开本机的数据。<br>"
                                        "<b>它只显示这一次。</b>请抄在纸上，锁在办公室的柜子里；不要拍照或存在电脑里。")))
        from ui.printing import key_lines

        self.key = key
        shown = QLabel("\n".join(key_lines(key)))  # groups of four, two lines, large: easy to copy by hand
        shown.setObjectName("key")
        font = QFont("monospace")
        font.setStyleHint(QFont.StyleHint.Monospace)
        font.setPointSize(20)
        font.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        shown.setFont(font)
        shown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(shown, alignment=Qt.AlignmentFlag.AlignCenter)
        printing = QPushButton(self.tr("打印恢复密钥单…"))
        printing.setObjectName("printKey")
        printing.setAutoDefault(False)
        printing.clicked.connect(self.print_sheet)
        layout.addWidget(printing, alignment=Qt.AlignmentFlag.AlignCenter)
        self.copied = QCheckBox(self.tr("我已把恢复密钥抄在纸上"))
        self.copied.setObjectName("copied")
        layout.addWidget(self.copied)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(self.tr("继续"))
        self.ok.setEnabled(False)
        self.copied.toggled.connect(self.ok.setEnabled)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def reject(self) -> None:  # Esc does not skip it
        if self.copied.isChecked():
            super().reject()

    def print_sheet(self) -> None:
        """The key on an A4 sheet (PDF, printed from the viewer), never kept after printing."""
        from ui.printing import ask_pdf_path, recovery_sheet_pdf, saved

        path = ask_pdf_path(self, self.tr("恢复密钥单"))
        if path is not None:
            recovery_sheet_pdf(self.key, path)
            saved(self, path, 1)


class ChangePasswordDialog(QDialog):
    """我的账户 → 修改密码; ``forced`` after an administrator's reset (no cancel then)."""

    def __init__(self, store, parent=None, *, forced: bool = False):
        super().__init__(parent)
        self.setObjectName("changePassword")
        self.setWindowTitle(self.tr("修改我的密码"))
        self.store = store
        layout = QVBoxLayout(self)
        account = store.account
        intro = self.tr("{name}（{login}，{role}）").format(name=account.name, login=account.login,
                                                          role=account.role_def.label)
        if forced:
            intro += self.tr("<br>管理员为您重设了密码：请先换一个只有您自己知道的新密码。")
        layout.addWidget(QLabel(intro))
        form = QFormLayout()
        self.old = password_field("oldPassword")
        self.new = password_field("newPassword")
        self.confirm = password_field("confirm")
        form.addRow(self.tr("现在的密码："), self.old)
        form.addRow(self.tr("新密码（至少 8 位）："), self.new)
        form.addRow(self.tr("再输入一次："), self.confirm)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = ok_cancel(self, self.tr("修改"), self.tr("取消"), self.change)
        if forced:
            buttons.button(QDialogButtonBox.StandardButton.Cancel).hide()
        self.forced = forced
        layout.addWidget(buttons)

    def change(self) -> None:
        if not passwords_match(self.new, self.confirm, self.error, new=True):
            return
        try:
            accounts.change_password(self.store, self.old.text(), self.new.text())
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        self.accept()

    def reject(self) -> None:
        if not self.forced:
            super().reject()


class LockDialog(QDialog):
    """The lock screen: the same account's password opens it again; or another person signs in."""

    SWITCH = 2

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.setObjectName("lock")
        self.setWindowTitle(self.tr("村访通 · 已锁定"))
        self.store = store
        layout = QVBoxLayout(self)
        account = store.account
        layout.addWidget(QLabel(self.tr("<h3>已锁定</h3>{name}（{role}）的工作都还在，输入密码继续。").format(
            name=account.name, role=account.role_def.label)))
        self.password = password_field("password")
        layout.addWidget(self.password)
        self.error = error_label()
        layout.addWidget(self.error)
        row = QHBoxLayout()
        switch = QPushButton(self.tr("换人登录"))
        switch.setObjectName("switchUser")
        switch.setAutoDefault(False)
        switch.clicked.connect(lambda: self.done(self.SWITCH))
        unlock = QPushButton(self.tr("解锁"))
        unlock.setObjectName("unlock")
        unlock.setDefault(True)
        unlock.clicked.connect(self.unlock)
        row.addWidget(switch)
        row.addStretch(1)
        row.addWidget(unlock)
        layout.addLayout(row)
        self.password.setFocus()

    def unlock(self) -> None:
        try:
            accounts.check_password(self.store, self.password.text())
        except CunFangError as exc:
            self.error.setText(str(exc))
            self.password.clear()
            return
        self.accept()

    def reject(self) -> None:  # Esc never opens the lock
        pass


class AccountDialog(QDialog):
    """Add an account, or change one's name, role and villages (administrators)."""

    def __init__(self, store, parent=None, *, account: accounts.Account | None = None):
        super().__init__(parent)
        self.setObjectName("accountEdit")
        self.setWindowTitle(self.tr("添加账户") if account is None else self.tr("修改账户"))
        self.store = store
        self.account = account
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.login = QLineEdit(account.login if account else "")
        self.login.setObjectName("login")
        self.login.setPlaceholderText(self.tr("字母或数字，例如 zhangsan"))
        self.login.setEnabled(account is None)
        self.name = QLineEdit(account.name if account else "")
        self.name.setObjectName("name")
        self.role = QComboBox()
        self.role.setObjectName("role")
        for role in ROLES.values():
            self.role.addItem(self.tr(role.label), role.name)
        if account:
            self.role.setCurrentIndex(self.role.findData(account.role))
        self.villages = QListWidget()
        self.villages.setObjectName("villages")
        self.villages.setMaximumHeight(140)
        for village in store.villages():
            item = QListWidgetItem(f"{village['name']}（{village['id']}）")
            item.setData(Qt.ItemDataRole.UserRole, village["id"])
            checked = account is not None and village["id"] in account.villages
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.villages.addItem(item)
        self.password = password_field("password")
        form.addRow(self.tr("用户名："), self.login)
        form.addRow(self.tr("姓名："), self.name)
        form.addRow(self.tr("角色："), self.role)
        form.addRow(self.tr("负责的村："), self.villages)
        if account is None:
            form.addRow(self.tr("初始密码："), self.password)
        layout.addLayout(form)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, self.tr("保存"), self.tr("取消"), self.save))

    def _role_changed(self) -> None:
        self.villages.setEnabled(not ROLES[self.role.currentData()].all_villages)

    def chosen_villages(self) -> list[str]:
        items = (self.villages.item(i) for i in range(self.villages.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]

    def save(self) -> None:
        try:
            if self.account is None:
                accounts.add_account(self.store, self.login.text(), self.name.text(), self.role.currentData(),
                                     self.chosen_villages(), self.password.text())
            else:
                accounts.update_account(self.store, self.account.login, name=self.name.text(),
                                        role_name=self.role.currentData(), villages=self.chosen_villages())
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        self.accept()


class AccountsPanel(QGroupBox):
    """设置 → 账户: who may use this laptop, in which role and villages."""

    changed = Signal()

    def __init__(self, store, parent: QWidget | None = None):
        super().__init__(self.tr("账户（只有管理员能看到这里）"), parent)
        self.setObjectName("accounts")
        self.store = store
        layout = QVBoxLayout(self)
        self.table = QTableWidget(0, 4)
        self.table.setObjectName("accountTable")
        self.table.setHorizontalHeaderLabels([self.tr("用户名"), self.tr("姓名"), self.tr("角色"), self.tr("负责的村")])
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(160)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        for name, text, slot in (("add", self.tr("添加账户…"), self.add), ("edit", self.tr("修改…"), self.edit),
                                 ("reset", self.tr("重设密码…"), self.reset),
                                 ("disable", self.tr("停用"), self.disable),
                                 ("recovery", self.tr("新的恢复密钥…"), self.new_recovery_key)):
            button = QPushButton(text)
            button.setAutoDefault(False)
            button.setObjectName(f"account_{name}")
            button.clicked.connect(slot)
            row.addWidget(button)
        row.addStretch(1)
        layout.addLayout(row)
        self.refresh()

    def refresh(self) -> None:
        villages = {v["id"]: v["name"] for v in self.store.villages()}
        rows = accounts.list_accounts(self.store)
        self.table.setRowCount(len(rows))
        for i, account in enumerate(rows):
            where = self.tr("全部") if "*" in account.villages else "、".join(villages.get(v, v)
                                                                               for v in account.villages)
            role = self.tr(account.role_def.label) + ("" if account.active else self.tr("（已停用）"))
            for j, text in enumerate((account.login, account.name, role, where)):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.login)
                self.table.setItem(i, j, item)

    def selected(self) -> accounts.Account | None:
        row = self.table.currentRow()
        if row < 0:
            return None
        return accounts.get(self.store, self.table.item(row, 0).data(Qt.ItemDataRole.UserRole))

    def _after(self, dialog: QDialog) -> None:
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.refresh()
            self.changed.emit()

    def add(self) -> None:
        self._after(AccountDialog(self.store, self))

    def edit(self) -> None:
        if (account := self.selected()) is not None:
            self._after(AccountDialog(self.store, self, account=account))

    def reset(self) -> None:
        if (account := self.selected()) is not None:
            self._after(ResetPasswordDialog(self.store, account, self))

    def disable(self) -> None:
        if (account := self.selected()) is None:
            return
        try:
            accounts.disable_account(self.store, account.login)
        except CunFangError as exc:
            show_error(self, exc)
            return
        self.refresh()
        self.changed.emit()

    def new_recovery_key(self) -> None:
        """Replace the recovery key (the old sheet stops working) and show the new one once."""
        answer = QMessageBox.question(self, self.tr("新的恢复密钥"), self.tr(
            "生成新的恢复密钥后，原来抄下或打印的恢复密钥立即作废。继续吗？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            key = accounts.replace_recovery_key(self.store)
        except CunFangError as exc:
            show_error(self, exc)
            return
        self.key_dialog = RecoveryKeyDialog(key, self)
        self.key_dialog.open()


class ResetPasswordDialog(QDialog):
    def __init__(self, store, account: accounts.Account, parent=None):
        super().__init__(parent)
        self.setObjectName("resetPassword")
        self.setWindowTitle(self.tr("重设密码"))
        self.store, self.account = store, account
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("给 {name}（{login}）一个新密码。本人下次登录时须修改它；数据不受影响。")
                                .format(name=account.name, login=account.login)))
        self.password = password_field("password")
        layout.addWidget(self.password)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, self.tr("重设"), self.tr("取消"), self.reset))

    def reset(self) -> None:
        try:
            accounts.reset_password(self.store, self.account.login, self.password.text())
        except CunFangError as exc:
            self.error.setText(plain_message(exc))
            return
        self.accept()



class AdoptDialog(QDialog):
    """设置 → 启用账户: a store made before accounts gets its administrator; the old passphrase stops working."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.setObjectName("adopt")
        self.setWindowTitle(self.tr("启用账户"))
        self.store = store
        self.recovery_key = ""
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("启用账户后，每个人用自己的用户名和密码登录，只看到自己负责的村和人员；"
                               "原来的数据库密码不再能打开数据。先建立管理员账户："))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit("admin")
        self.login.setObjectName("login")
        self.name = QLineEdit(store.get_setting("author") or "")
        self.name.setObjectName("name")
        self.password = password_field("password")
        self.confirm = password_field("confirm")
        form.addRow(self.tr("管理员用户名："), self.login)
        form.addRow(self.tr("姓名："), self.name)
        form.addRow(self.tr("密码（至少 8 位）："), self.password)
        form.addRow(self.tr("再输入一次："), self.confirm)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        layout.addWidget(ok_cancel(self, self.tr("启用"), self.tr("取消"), self.adopt))

    def adopt(self) -> None:
        if not passwords_match(self.password, self.confirm, self.error):
            return
        try:
            self.recovery_key = accounts.adopt_accounts(self.store, self.login.text(),
                                                        self.name.text().strip() or self.login.text(),
                                                        self.password.text())
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        self.key_dialog = RecoveryKeyDialog(self.recovery_key, self)
        self.key_dialog.finished.connect(lambda _: self.accept())
        self.key_dialog.open()
