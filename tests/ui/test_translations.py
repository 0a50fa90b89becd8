"""UI strings go through Qt's translation system; the zh_CN catalogue is complete, compiled and current."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QTranslator

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "resources" / "translations"
TS = TRANSLATIONS / "cunfang_zh_CN.ts"
QM = TRANSLATIONS / "cunfang_zh_CN.qm"
UI_FILES = sorted((ROOT / "ui").glob("*.py"))

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")  # Han characters (not punctuation)
TRANSLATING = {"tr", "translate", "QT_TR_NOOP", "QT_TRANSLATE_NOOP", "QT_TRANSLATE_NOOP3"}
TEXT_SETTERS = {"setText", "setWindowTitle", "setPlaceholderText", "setToolTip", "setStatusTip", "setWhatsThis",
                "showMessage", "addItem", "addItems", "insertItem", "addTab", "insertTab", "setTabText", "setTitle",
                "addRow", "setSpecialValueText", "setLabelText", "setHorizontalHeaderLabels", "setHeaderLabels",
                "setPrefix", "setSuffix", "setCancelButtonText"}
TEXT_WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QToolButton", "QGroupBox", "QLineEdit",
                "QListWidgetItem", "QTableWidgetItem", "QTreeWidgetItem", "QAction", "QProgressDialog", "QMessageBox"}
STATIC_DIALOGS = {("QMessageBox", name) for name in ("information", "warning", "critical", "question", "about")} | {
    ("QFileDialog", name) for name in ("getOpenFileName", "getOpenFileNames", "getSaveFileName",
                                       "getExistingDirectory")} | {
    ("QInputDialog", name) for name in ("getText", "getItem", "getInt", "getDouble", "getMultiLineText")}
# Chinese literals that are deliberately not translated, with the reason.
NOT_UI_TEXT = {
    ("app_main.py", "村访通"),  # QApplication.setApplicationName: names the QSettings file, must not change by language
}
# `cunfang` subcommands kept in ui/ because they load Qt: terminal text (click), like app/cli.py, not Qt UI.
TERMINAL_FILES = {"print_cli.py"}


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return ""


def _untranslated_cjk(node: ast.AST) -> list[ast.Constant]:
    """Chinese string constants in an expression that are not inside a tr()/translate() call."""
    if isinstance(node, ast.Call) and _name(node.func) in TRANSLATING:
        return []
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and CJK.search(node.value):
        return [node]
    return [found for child in ast.iter_child_nodes(node) for found in _untranslated_cjk(child)]


def _is_text_call(call: ast.Call) -> bool:
    name = _name(call.func)
    if name in TEXT_SETTERS or name in TEXT_WIDGETS:
        return True
    func = call.func
    return isinstance(func, ast.Attribute) and (_name(func.value), func.attr) in STATIC_DIALOGS


def _docstrings(tree: ast.Module) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            ids.add(id(node.value))
    return ids


def _where(path: Path, node: ast.AST) -> str:
    return f"ui/{path.name}:{node.lineno}: {ast.unparse(node)[:80]}"


@pytest.fixture
def zh_translator(qapp):
    translator = QTranslator()
    assert translator.load(str(QM)), f"{QM} does not load"
    QCoreApplication.installTranslator(translator)
    yield translator
    QCoreApplication.removeTranslator(translator)


def ts_messages(path: Path) -> dict[tuple[str, str], ET.Element]:
    """(context, source) → message element, without vanished or obsolete messages."""
    messages = {}
    for context in ET.parse(path).getroot().iter("context"):
        name = context.findtext("name")
        for message in context.iter("message"):
            translation = message.find("translation")
            if translation is not None and translation.get("type") in ("vanished", "obsolete"):
                continue
            messages[(name, message.findtext("source"))] = message
    return messages


# ---------------------------------------------------------------- the compiled catalogue


def test_qm_loads_into_a_translator(qapp):
    translator = QTranslator()
    assert translator.load(str(QM))
    assert not translator.isEmpty()
    assert translator.language() == "zh_CN"


def test_installed_catalogue_translates_known_strings(zh_translator):
    assert zh_translator.translate("MainWindow", "工作台") == "工作台"  # found in the .qm, not a fallback
    assert QCoreApplication.translate("MainWindow", "工作台") == "工作台"
    assert QCoreApplication.translate("SettingsPage", "保存设置") == "保存设置"
    assert QCoreApplication.translate("MainWindow", "待同步 %n 条", None, 3) == "待同步 3 条"
    assert QCoreApplication.translate("ErrorDialog", "操作没有完成") == "操作没有完成"


def test_main_window_shows_the_catalogue_text(zh_translator, qtbot, tmp_path):
    from app.store import Store
    from app.store.keyring import FAST_KDF
    from ui.main_window import MainWindow

    store = Store.create(tmp_path / "data", "cunfang-secret", kdf=FAST_KDF)
    window = MainWindow(store)  # never shown or closed: closing would write the geometry to QSettings
    try:
        window.autosync.tick()  # the first look at sync (a few seconds after start-up in the app) fills the status bar
        assert window.windowTitle() == "村访通"
        store.set_township("340123101")
        titled = MainWindow(store)  # the township chosen at first run is named in the title bar
        assert titled.windowTitle() == "村访通 — 三河镇"
        titled.autosync.shutdown()
        assert [window.nav.item(i).text().strip() for i in range(window.nav.count())] == [
            "工作台", "台账", "填表", "记录", "同步", "导出", "设置"]
        assert window.nav.item(0).toolTip() == "工作台（Ctrl+1）"
        assert window.waiting.text() == "待同步 0 条"
        assert window.last_sync.text() == "上次同步：从未"
        assert window.online.text() == "● 未登记县局服务器"
    finally:
        window.autosync.shutdown()
        window.status_timer.stop()
        window.deleteLater()
        qtbot.wait(10)  # the window goes before its store
        store.close()


def test_zh_cn_catalogue_is_finished_identity_and_compiled(zh_translator):
    messages = ts_messages(TS)
    assert len(messages) > 100
    for (context, source), message in messages.items():
        translation = message.find("translation")
        assert translation.get("type") is None, f"unfinished: {context} / {source}"
        numerus = message.get("numerus") == "yes"
        texts = [f.text for f in translation.findall("numerusform")] if numerus else [translation.text]
        assert texts == [source] * len(texts) and texts, f"not the identity translation: {context} / {source}"
        # the .qm holds it (translate() gives "" for a message the catalogue does not have)
        assert zh_translator.translate(context, source, None, 1 if numerus else -1) == source, (
            f"{QM.name} is older than {TS.name}: run resources/translations/update.py")


# ---------------------------------------------------------------- the rule, checked on the code


def test_text_setters_and_widgets_get_translated_strings():
    """setText("中文"), QLabel("中文"), QMessageBox.information(self, "中文", …) etc. must wrap the text in tr()."""
    offences = []
    for path in UI_FILES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _is_text_call(node):
                for argument in [*node.args, *(k.value for k in node.keywords)]:
                    offences += [_where(path, c) for c in _untranslated_cjk(argument)]
    assert not offences, "UI text must go through self.tr()/QCoreApplication.translate():\n" + "\n".join(offences)


def test_no_chinese_literal_bypasses_tr_anywhere_in_ui():
    """Stricter: outside docstrings, every Chinese literal in ui/ sits inside tr()/translate()/QT_TRANSLATE_NOOP."""
    offences = []
    for path in UI_FILES:
        if path.name in TERMINAL_FILES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for constant in _untranslated_cjk(tree):
            if id(constant) not in docstrings and (path.name, constant.value) not in NOT_UI_TEXT:
                offences.append(_where(path, constant))
    assert not offences, "Chinese literals outside tr():\n" + "\n".join(offences)


def test_ts_is_up_to_date_with_the_code(tmp_path):
    lupdate = shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) or shutil.which("pyside6-lupdate")
    if lupdate is None:
        pytest.skip("pyside6-lupdate is not installed (comes with PySide6-Essentials); cannot regenerate the .ts")
    fresh = tmp_path / "fresh.ts"
    subprocess.run([lupdate, "-silent", *(str(p.relative_to(ROOT)) for p in UI_FILES), "-ts", str(fresh),
                    "-source-language", "zh_CN", "-target-language", "zh_CN"], cwd=ROOT, check=True)
    in_code, committed = set(ts_messages(fresh)), set(ts_messages(TS))
    assert in_code == committed, (
        f"{TS.name} is out of date; run: .venv/bin/python resources/translations/update.py\n"
        f"missing from the .ts: {sorted(in_code - committed)}\nno longer in the code: {sorted(committed - in_code)}")
