"""First run (create the encrypted store, choose township and village, offer demo data) and unlock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
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
from ui.workers import run_in_background


class FirstRunDialog(QDialog):
    """A short setup: the administrator's account, township and village, and whether to load demo data.

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
        self.town = QLineEdit(self.tr("示范镇"))
        self.town.setObjectName("town")
        self.village = QLineEdit()
        self.village.setObjectName("village")
        self.village.setPlaceholderText(self.tr("例如 东山村（可留空，以后在台账中添加）"))
        self.demo = QCheckBox(self.tr("加入演示数据（虚构的村、人员和探访记录，便于熟悉程序）"))
        self.demo.setObjectName("demo")
        self.demo.setChecked(True)
        form.addRow(self.tr("管理员用户名："), self.login)
        form.addRow(self.tr("您的姓名："), self.author)
        form.addRow(self.tr("密码："), self.passphrase)
        form.addRow(self.tr("再输入一次："), self.confirm)
        form.addRow(self.tr("乡镇："), self.town)
        form.addRow(self.tr("村："), self.village)
        layout.addLayout(form)
        layout.addWidget(self.demo)
        self.error = error_label()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始使用"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.author.setFocus()

    def create(self) -> None:
        if not passwords_match(self.passphrase, self.confirm, self.error):
            return
        name = self.author.text().strip() or self.login.text().strip()
        try:
            store, self.recovery_key = create_with_admin(self.data_dir, self.login.text(), name,
                                                         self.passphrase.text(), kdf=self.kdf)
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        town = self.town.text().strip()
        if self.village.text().strip():
            store.add_village(f"local-{self.village.text().strip()}", self.village.text().strip(), town=town)
        store.set_setting("author", name)
        store.set_setting("town", town)
        self.store = store
        self.key_dialog = RecoveryKeyDialog(self.recovery_key, self)
        self.key_dialog.finished.connect(lambda _: self.load_demo() if self.demo.isChecked() else self.accept())
        self.key_dialog.open()

    def load_demo(self) -> None:
        from app.demo import load_demo

        progress = QProgressDialog(self.tr("正在加入演示数据…"), None, 0, 100, self)
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(0)
        store = self.store
        failed = self.tr("演示数据没有加入：{error}")
        self.demo_task = run_in_background(
            lambda task: load_demo(store, persons=2000, progress=lambda d, t: task.report(d, t)),
            on_done=lambda _: (progress.close(), self.accept()),
            on_error=lambda e: (progress.close(), self.error.setText(failed.format(error=e)), self.accept()),
            on_progress=lambda done, total, _: progress.setValue(int(100 * done / max(total, 1))),
        )


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
