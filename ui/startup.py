"""First run (create the encrypted store, choose the township from the region table, or practise first) and
unlock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QVBoxLayout,
)

from app.accounts import create_with_admin
from app.errors import CunFangError
from app.store import Store
from app.store.keyring import DEFAULT_KDF, Kdf
from ui.accounts_ui import RecoveryKeyDialog, error_label, password_field, passwords_match
from ui.places import TownshipPicker


class FirstRunDialog(QDialog):
    """A short setup: the administrator's account and the township (province → city → county → township lists
    from the 统计用区划代码 table; its villages become the ones forms offer), or 练习模式 instead.

    The administrator's password unlocks the encrypted store; a recovery key is shown once afterwards.
    """

    def __init__(self, data_dir: Path, parent=None, *, kdf: Kdf = DEFAULT_KDF):
        super().__init__(parent)
        self.setObjectName("firstRun")
        self.setWindowTitle(self.tr("村访通 · 首次设置"))
        self.data_dir = data_dir
        self.kdf = kdf
        self.store: Store | None = None
        self.recovery_key = ""
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("欢迎使用村访通。先建立<b>管理员账户</b>：本机上的所有记录都加密保存，用账户密码打开。"
                               "以后可在“设置 → 账户”里为村干部、儿童主任添加各自的账户。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.login = QLineEdit("admin")
        self.login.setObjectName("login")
        self.author = QLineEdit()
        self.author.setObjectName("author")
        self.author.setPlaceholderText(self.tr("您的姓名，记在每条记录上"))
        self.passphrase = password_field("passphrase")
        self.passphrase.setPlaceholderText(self.tr("至少 8 位"))
        self.confirm = password_field("confirm")
        # the township this laptop works for, chosen from the table; made without a parent like the fields above, so
        # that addRow puts its lists after 再输入一次 in the Tab order (a parent now would put them before 用户名)
        self.town = TownshipPicker()
        self.town.setObjectName("town")
        self.town.setToolTip(self.tr("依次选择省、市、县（区）、乡镇（街道）：可输入名称、拼音或拼音首字母查找，按回车选定"))
        form.addRow(self.tr("管理员用户名："), self.login)
        form.addRow(self.tr("您的姓名："), self.author)
        form.addRow(self.tr("密码："), self.passphrase)
        form.addRow(self.tr("再输入一次："), self.confirm)
        form.addRow(self.tr("本乡镇："), self.town)
        layout.addLayout(form)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始使用"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        practice = buttons.addButton(self.tr("先练习一下（练习模式）(&P)"), QDialogButtonBox.ButtonRole.ActionRole)
        practice.setObjectName("practice")
        practice.setToolTip(self.tr("打开一个虚构的示范乡镇来熟悉程序；练习数据单独存放，不会发送到县局"))
        practice.clicked.connect(lambda: self.done(PRACTICE))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.author.setFocus()

    def create(self) -> None:
        township = self.town.code()
        if not township:
            self.error.setText(self.tr("请依次选择本乡镇所在的省、市、县（区）和乡镇（记录和导出的台账上都会用到）。"))
            next((box for box in self.town.boxes if not box.code()), self.town.boxes[0]).setFocus()
            return
        if not passwords_match(self.passphrase, self.confirm, self.error):
            return
        name = self.author.text().strip() or self.login.text().strip()
        try:
            store, self.recovery_key = create_with_admin(self.data_dir, self.login.text(), name,
                                                         self.passphrase.text(), kdf=self.kdf)
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        store.set_township(township)  # its name as the town, its villages in the registry and the forms
        store.set_setting("author", name)
        self.store = store
        self.key_dialog = RecoveryKeyDialog(self.recovery_key, self)
        self.key_dialog.finished.connect(lambda _: self.accept())  # the real store starts empty: no demo data
        self.key_dialog.open()


PRACTICE = 2  # a first-run or sign-in dialog's result: open 练习模式 instead


def open_practice_store(data_dir: Path, parent=None) -> Store | None:
    """练习模式: the practice store, made (with a progress bar) the first time. None if it could not be opened."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    from app.practice import open_practice, practice_dir
    from ui.errors import show_error

    fresh = not Store.exists(practice_dir(data_dir))
    progress = None
    if fresh:
        progress = QProgressDialog(QCoreApplication.translate("FirstRunDialog", "正在准备练习用的示范乡镇…"),
                                   None, 0, 100, parent)
        progress.setWindowModality(Qt.WindowModality.ApplicationModal)
        progress.setMinimumDuration(0)
        progress.show()

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress.setValue(int(100 * done / max(total, 1)))
            QApplication.processEvents()

    try:
        return open_practice(data_dir, progress=step)
    except CunFangError as exc:
        show_error(parent, exc)
        return None
    finally:
        if progress is not None:
            progress.close()


class UnlockDialog(QDialog):
    """The passphrase, asked again after a wrong one, with the reason shown in place."""

    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        self.setObjectName("unlock")
        self.setWindowTitle(self.tr("村访通 · 解锁"))
        self.data_dir = data_dir
        self.store: Store | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("请输入数据库密码：")))
        self.passphrase = password_field("passphrase")
        layout.addWidget(self.passphrase)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("解锁"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(True)
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        buttons.accepted.connect(self.unlock)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def unlock(self) -> None:
        try:
            self.store = Store.open(self.data_dir, self.passphrase.text())
        except CunFangError as exc:
            self.error.setText(str(exc))
            self.passphrase.selectAll()
            self.passphrase.setFocus()
            return
        self.accept()
