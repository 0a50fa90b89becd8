"""Start the desktop app: Qt application, Chinese font and translations, first run or unlock, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDialog

from app.paths import data_dir as resolve_data_dir
from app.paths import setup_logging
from app.store import Store
from ui.errors import install_excepthook

CJK_FONTS = ("Microsoft YaHei UI", "Microsoft YaHei", "PingFang SC", "Noto Sans CJK SC", "Noto Sans SC",
             "Source Han Sans SC", "WenQuanYi Micro Hei", "SimSun")
STYLE = """
QWidget { font-size: 10.5pt; }
QListWidget#nav { background: #eceff1; border: none; font-size: 11pt; }
QListWidget#nav::item { padding: 10px 6px; }
QListWidget#nav::item:selected { background: #1565c0; color: white; }
QFrame[question="true"] { border-bottom: 1px solid #eceff1; }
QLabel#hint { color: #607d8b; }
QLabel#message { color: #c62828; }
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QDateEdit:focus { border: 2px solid #1565c0; }
QRadioButton:focus, QCheckBox:focus, QPushButton:focus { outline: 2px solid #1565c0; }
QPushButton#finalizeButton { background: #2e7d32; color: white; padding: 4px 14px; }
"""


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv or sys.argv[:1])
    app.setOrganizationName("CunFang")
    app.setApplicationName("村访通")
    font = QFont()
    font.setFamilies(list(CJK_FONTS))  # the first one installed is used; no font enumeration at start-up
    font.setPointSizeF(10.5)
    app.setFont(font)
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    translator = QTranslator(app)
    if translator.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(translator)  # Qt's own buttons and dialogs in Chinese
    ours = QTranslator(app)
    if ours.load(str(Path(__file__).resolve().parents[1] / "resources" / "translations" / "cunfang_zh_CN.qm")):
        app.installTranslator(ours)
    app.setStyleSheet(STYLE)
    return app


def open_store(data_dir: Path) -> Store | str | None:
    """First run creates the store and its administrator; afterwards a person signs in (a store made before
    accounts is unlocked by its passphrase). None if the person quits, ``"practice"`` for 练习模式."""
    from ui.startup import PRACTICE, FirstRunDialog, UnlockDialog

    if Store.has_accounts(data_dir):
        from ui.accounts_ui import LoginDialog

        dialog = LoginDialog(data_dir)
    else:
        dialog = UnlockDialog(data_dir) if Store.exists(data_dir) else FirstRunDialog(data_dir)
    code = dialog.exec()
    if code == PRACTICE:
        return "practice"
    if code != QDialog.DialogCode.Accepted:
        return None
    store = dialog.store
    if store.account is not None and store.account.must_change:
        from ui.accounts_ui import ChangePasswordDialog

        ChangePasswordDialog(store, forced=True).exec()
    return store


def run_app(data_dir: Path | None = None) -> int:
    directory = resolve_data_dir(data_dir)
    directory.mkdir(parents=True, exist_ok=True)
    setup_logging(directory)
    app = make_app()
    install_excepthook()
    practice = False
    while True:  # 换人登录 and entering or leaving 练习模式 close the window and open the next store
        if practice:
            from ui.startup import open_practice_store

            store = open_practice_store(directory)
        else:
            store = open_store(directory)
            if store == "practice":
                practice = True
                continue
        if store is None:
            return 0
        from ui.main_window import MainWindow

        window = MainWindow(store)
        window.show()
        window.raise_()
        window.activateWindow()  # the keyboard goes to the new window, not to where the sign-in dialog was
        try:
            code = app.exec()
        finally:
            from app.accounts import sign_out

            sign_out(store)
        if window.practice_wanted is not None:
            practice = window.practice_wanted
            continue
        if not window.switch_user_requested:
            return code
        practice = False
