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

from app.errors import CunFangError
from app.store import Store
from ui.workers import run_in_background


class FirstRunDialog(QDialog):
    """A short setup: passphrase twice, township and village, and whether to load demo data."""

    def __init__(self, data_dir: Path, parent=None, *, kdf_iterations: int | None = None):
        super().__init__(parent)
        self.setObjectName("firstRun")
        self.setWindowTitle(self.tr("村访通 · 首次设置"))
        self.data_dir = data_dir
        self.kdf_iterations = kdf_iterations
        self.store: Store | None = None
        layout = QVBoxLayout(self)
        intro = QLabel(self.tr("欢迎使用村访通。先设置一个数据库密码：本机上的所有记录都会用它加密保存。"
                               "<br><b>请牢记密码</b>，忘记后数据无法打开。"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm = QLineEdit()
        self.confirm.setObjectName("confirm")
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.town = QLineEdit(self.tr("示范镇"))
        self.town.setObjectName("town")
        self.village = QLineEdit()
        self.village.setObjectName("village")
        self.village.setPlaceholderText(self.tr("例如 东山村（可留空，以后在台账中添加）"))
        self.author = QLineEdit()
        self.author.setObjectName("author")
        self.author.setPlaceholderText(self.tr("您的姓名，记在每条记录上"))
        self.demo = QCheckBox(self.tr("加入演示数据（虚构的村、人员和探访记录，便于熟悉程序）"))
        self.demo.setObjectName("demo")
        self.demo.setChecked(True)
        form.addRow(self.tr("数据库密码："), self.passphrase)
        form.addRow(self.tr("再输入一次："), self.confirm)
        form.addRow(self.tr("乡镇："), self.town)
        form.addRow(self.tr("村："), self.village)
        form.addRow(self.tr("填表人："), self.author)
        layout.addLayout(form)
        layout.addWidget(self.demo)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828")
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始使用"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("退出"))
        buttons.accepted.connect(self.create)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def create(self) -> None:
        if self.passphrase.text() != self.confirm.text():
            self.error.setText(self.tr("两次输入的密码不一致，请重新输入。"))
            self.confirm.clear()
            self.confirm.setFocus()
            return
        try:
            kwargs = {"kdf_iterations": self.kdf_iterations} if self.kdf_iterations else {}
            store = Store.create(self.data_dir, self.passphrase.text(), **kwargs)
        except CunFangError as exc:
            self.error.setText(str(exc))
            return
        town = self.town.text().strip()
        if self.village.text().strip():
            store.add_village(f"local-{self.village.text().strip()}", self.village.text().strip(), town=town)
        store.set_setting("author", self.author.text().strip())
        store.set_setting("town", town)
        self.store = store
        if self.demo.isChecked():
            self.load_demo()
        else:
            self.accept()

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
        self.passphrase = QLineEdit()
        self.passphrase.setObjectName("passphrase")
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        layout.addWidget(self.passphrase)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setStyleSheet("color: #c62828")
        self.error.setWordWrap(True)
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
