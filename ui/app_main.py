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
QWidget { font-size: %(base).2fpt; }
QListWidget#nav { background: #eceff1; border: none; font-size: %(nav).2fpt; }
QListWidget#nav::item { padding: 10px 6px; }
QListWidget#nav::item:selected { background: #1565c0; color: white; }
QFrame[question="true"] { border-bottom: 1px solid #eceff1; }
QLabel#hint { color: %(hint)s; }
QLabel#message { color: #c62828; }
QLineEdit:focus, QPlainTextEdit:focus, QComboBox:focus, QDateEdit:focus { border: %(focus)dpx solid #1565c0; }
QRadioButton, QCheckBox { border: %(focus)dpx solid transparent; border-radius: 3px; padding: 1px 4px 1px 2px; }
QRadioButton:focus, QCheckBox:focus { border-color: #1565c0; background: #e3f2fd; }
QPushButton:focus { outline: %(focus)dpx solid #1565c0; }
QPushButton#finalizeButton { background: #2e7d32; color: white; padding: 4px 14px; }
"""
HIGH_CONTRAST = """
QWidget { color: black; }
QLineEdit, QPlainTextEdit, QComboBox, QListView, QTableView, QTreeView, QTextBrowser { background: white; }
QRadioButton:focus, QCheckBox:focus, QPushButton:focus { background: #fff59d; }
"""
BASE_POINTS = 10.5
TEXT_SCALES = (1.0, 1.25, 1.5)  # 设置 → 文字大小: 100 %, 125 %, 150 % (大字)
LOOK_SCALE, LOOK_CONTRAST = "view/text_scale", "view/high_contrast"  # per person on this laptop (QSettings)


def style_sheet(scale: float = 1.0, contrast: bool = False) -> str:
    """The app's style at a text size (1.0, 1.25, 1.5) and, for weaker eyes, in high contrast."""
    sheet = STYLE % {"base": BASE_POINTS * scale, "nav": 11 * scale, "hint": "#263238" if contrast else "#607d8b",
                     "focus": 3 if contrast else 2}
    return sheet + (HIGH_CONTRAST if contrast else "")


def saved_look() -> tuple[float, bool]:
    from PySide6.QtCore import QSettings

    settings = QSettings()
    try:
        scale = float(settings.value(LOOK_SCALE, 1.0))
    except (TypeError, ValueError):
        scale = 1.0
    contrast = str(settings.value(LOOK_CONTRAST, "false")).lower() in ("true", "1")
    return (scale if scale in TEXT_SCALES else 1.0), contrast


def apply_look(scale: float, contrast: bool, *, remember: bool = False) -> None:
    """Text size and contrast for every page and form, at once (and for the next start when ``remember``)."""
    app = QApplication.instance()
    font = app.font()
    font.setPointSizeF(BASE_POINTS * scale)
    app.setFont(font)
    app.setStyleSheet(style_sheet(scale, contrast))
    if remember:
        from PySide6.QtCore import QSettings

        QSettings().setValue(LOOK_SCALE, scale)
        QSettings().setValue(LOOK_CONTRAST, contrast)


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
    catalogues = Path(__file__).resolve().parents[1] / "resources" / "translations"
    for name in ("qt_gaps_zh_CN.qm", "cunfang_zh_CN.qm"):  # what Qt's catalogue misses (asked before it); ours
        ours = QTranslator(app)
        if ours.load(str(catalogues / name)):
            app.installTranslator(ours)
    apply_look(*saved_look())
    return app


def open_store(data_dir: Path) -> Store | str | None:
    """First run creates the store and its administrator; afterwards a person signs in (a store made before
    accounts is unlocked by its passphrase). None if the person quits, ``"practice"`` for 练习模式."""
    from ui.startup import PRACTICE, FirstRunDialog, UnlockDialog

    if _keyring_missing(data_dir):
        return None
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


def _keyring_missing(data_dir: Path) -> bool:
    """keyring.json gone but the database there: say so (not "database password"), offer the backup beside it.
    True when the person chose not to go on."""
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QMessageBox

    from app.errors import CunFangError, ErrorCode
    from app.store import connection, keyring

    try:
        Store.has_accounts(data_dir)
        return False
    except CunFangError as exc:
        if exc.code is not ErrorCode.STORE_KEYRING_MISSING_BACKUP:
            QMessageBox.critical(None, QCoreApplication.translate("StartUp", "密钥文件有问题"), exc.message)
            return True
        offer = QCoreApplication.translate("StartUp", "现在从备份恢复吗？")
        answer = QMessageBox.question(None, QCoreApplication.translate("StartUp", "密钥文件不见了"),
                                      f"{exc.message}\n\n{offer}")
        if answer != QMessageBox.StandardButton.Yes:
            return True
        keyring.restore_backup(data_dir / connection.KEYRING_NAME)
        return False


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
