"""First run (create the encrypted store, choose township and village, or practise first) and unlock."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
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
        self.town = QComboBox()  # the townships this laptop knows; a new one is typed in full
        self.town.setObjectName("town")
        self.town.setEditable(True)
        self.town.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.town.addItems(known_towns(data_dir))
        self.town.setCurrentIndex(-1)
        self.town.lineEdit().setPlaceholderText(self.tr("请选择或输入本乡镇全称，如 城关镇"))
        self.village = QLineEdit()
        self.village.setObjectName("village")
        self.village.setPlaceholderText(self.tr("例如 东山村（可留空，以后在台账中添加）"))
        form.addRow(self.tr("管理员用户名："), self.login)
        form.addRow(self.tr("您的姓名："), self.author)
        form.addRow(self.tr("密码："), self.passphrase)
        form.addRow(self.tr("再输入一次："), self.confirm)
        form.addRow(self.tr("乡镇："), self.town)
        form.addRow(self.tr("村："), self.village)
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
        if not self.town.currentText().strip():
            self.error.setText(self.tr("请填写本乡镇的名称（记录和导出的台账上都会用到）。"))
            self.town.setFocus()
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
        town = self.town.currentText().strip()
        if self.village.text().strip():
            store.add_village(f"local-{self.village.text().strip()}", self.village.text().strip(), town=town)
        store.set_setting("author", name)
        store.set_setting("town", town)
        self.store = store
        self.key_dialog = RecoveryKeyDialog(self.recovery_key, self)
        self.key_dialog.finished.connect(lambda _: self.accept())  # the real store starts empty: no demo data
        self.key_dialog.open()


PRACTICE = 2  # a first-run or sign-in dialog's result: open 练习模式 instead


def known_towns(data_dir: Path) -> list[str]:
    """Townships to choose from at first run: those named in ``towns.txt`` beside the data (one a line, as the
    county's installer may leave it), else none (the cadre types the name)."""
    listing = Path(data_dir) / "towns.txt"
    try:
        return [line.strip() for line in listing.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return []


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
