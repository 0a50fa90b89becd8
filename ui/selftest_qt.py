"""The Qt part of ``cunfang --self-test``: Qt starts, a window draws, Chinese text has real glyphs, the
translations and the platform plugins are in the bundle. ``ui.entry`` hands these to ``app.selftest``.

Qt runs on the offscreen platform unless ``QT_QPA_PLATFORM`` says otherwise, so the self-test needs no
display (CI, a remote shell) and never shows a window.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication

from app.selftest import Check, CheckFailed, Context

SAMPLE = QT_TRANSLATE_NOOP("SelfTest", "村访通")  # the text every Chinese screen of the program must show
PROBE = QT_TRANSLATE_NOOP("MainWindow", "工作台")  # a message our catalogue must hold
NATIVE_PLATFORM = {"win32": "qwindows", "darwin": "qcocoa"}.get(sys.platform, "qxcb")

def application():
    """The running QApplication, or a new offscreen one (Windows offscreen reads fonts from QT_QPA_FONTDIR)."""
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if app is not None:
        return app
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    windows_fonts = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
    if sys.platform == "win32" and os.environ["QT_QPA_PLATFORM"].startswith("offscreen"):
        # Qt's offscreen platform on Windows uses FreeType over QT_QPA_FONTDIR, not the system font list
        os.environ.setdefault("QT_QPA_FONTDIR", str(windows_fonts))
    return QApplication(sys.argv[:1])


def check_window(ctx: Context) -> str:
    from PySide6.QtWidgets import QLabel

    app = application()
    label = QLabel(SAMPLE)
    label.resize(240, 60)
    label.show()
    app.processEvents()
    image = label.grab().toImage()
    label.close()
    label.deleteLater()
    if image.isNull() or image.width() < 1:
        raise CheckFailed(QCoreApplication.translate("SelfTest", "窗口无法绘制"))
    return QCoreApplication.translate("SelfTest", "Qt {qt} 已启动（平台 {platform}），窗口绘制正常").format(
        qt=_qt_version(), platform=app.platformName())


def _qt_version() -> str:
    from PySide6 import __version__

    return __version__


def cjk_font():
    """A font that covers Simplified Chinese: the app's preferred ones first, then any the system has."""
    from PySide6.QtGui import QFont, QFontDatabase

    from ui.app_main import CJK_FONTS

    families = QFontDatabase.families()
    chinese = set(QFontDatabase.families(QFontDatabase.WritingSystem.SimplifiedChinese))
    for family in [f for f in CJK_FONTS if f in families] + sorted(chinese):
        if family in chinese or family in CJK_FONTS:
            return QFont(family, 24)
    return None


def check_chinese_font(ctx: Context) -> str:
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QColor, QFontMetrics, QImage, QPainter, QRawFont

    application()
    font = cjk_font()
    if font is None:
        raise CheckFailed(QCoreApplication.translate(
            "SelfTest", "系统里找不到能显示中文的字体（Linux 请安装 fonts-noto-cjk）"))
    metrics = QFontMetrics(font)
    raw = QRawFont.fromFont(font)
    missing = [ch for ch in SAMPLE if not metrics.inFontUcs4(ord(ch)) or not raw.supportsCharacter(ord(ch))]
    if missing:
        raise CheckFailed(QCoreApplication.translate("SelfTest", "字体 {family} 缺少这些字的字形：{chars}").format(
            family=font.family(), chars="".join(missing)))
    image = QImage(40 * len(SAMPLE), 48, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setFont(font)
    painter.setPen(QColor("black"))
    painter.drawText(image.rect(), Qt.AlignmentFlag.AlignCenter, SAMPLE)
    painter.end()
    inked = _inked_columns(image)
    if inked < len(SAMPLE) * 8:  # each glyph leaves strokes across most of its width; a blank or a dot does not
        raise CheckFailed(QCoreApplication.translate("SelfTest", "用 {family} 画出的“{text}”几乎是空白").format(
            family=font.family(), text=SAMPLE))
    return QCoreApplication.translate("SelfTest", "字体 {family}：“{text}”的字形齐全，绘制正常").format(
        family=font.family(), text=SAMPLE)


def _inked_columns(image) -> int:
    """How many pixel columns of ``image`` hold a dark pixel."""
    columns = 0
    for x in range(image.width()):
        if any(image.pixelColor(x, y).lightness() < 128 for y in range(image.height())):
            columns += 1
    return columns


def check_bundle_parts(ctx: Context) -> str:
    from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator

    application()
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    platforms = sorted(p.name for p in (plugins / "platforms").glob("*") if p.is_file())
    if not any(NATIVE_PLATFORM in name for name in platforms):
        message = QCoreApplication.translate("SelfTest", "缺少本系统的界面插件 {plugin}（找到的：{found}）")
        raise CheckFailed(message.format(plugin=NATIVE_PLATFORM, found=", ".join(platforms) or "-"))
    ours = QTranslator()
    catalogue = Path(__file__).resolve().parents[1] / "resources" / "translations" / "cunfang_zh_CN.qm"
    if not ours.load(str(catalogue)) or not ours.translate("MainWindow", PROBE):
        raise CheckFailed(QCoreApplication.translate("SelfTest", "界面翻译 {name} 缺失或无法加载").format(
            name=catalogue.name))
    qt_own = QTranslator()
    qt_translations = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if not qt_own.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", qt_translations):
        raise CheckFailed(QCoreApplication.translate("SelfTest", "缺少 Qt 自带的中文翻译 qtbase_zh_CN.qm"))
    from ui.icons import ICON_DIR, NAV_ICONS

    missing = [name for name in NAV_ICONS if not (ICON_DIR / f"{name.replace('.', '-')}.png").exists()]
    if missing:
        raise CheckFailed(QCoreApplication.translate("SelfTest", "缺少导航图标：{names}").format(
            names=", ".join(missing)))
    return QCoreApplication.translate("SelfTest", "界面插件 {plugin}、中文翻译和 {count} 个图标都在").format(
        plugin=NATIVE_PLATFORM, count=len(NAV_ICONS))


CHECKS = (
    Check(QCoreApplication.translate("SelfTest", "图形界面"), check_window),
    Check(QCoreApplication.translate("SelfTest", "中文字体"), check_chinese_font),
    Check(QCoreApplication.translate("SelfTest", "界面组件"), check_bundle_parts),
)
