"""What goes into a PyInstaller bundle of a PySide6 widgets app, shared by our spec and the benchmark's baseline.

Both ``cunfang.spec`` and the bare "hello" window of ``benchmarks/package.py`` use these lists, so the
size and start-up comparison is between two bundles made the same way: the same Qt modules excluded, the
same Qt plugins and translations kept.

Only Python's standard library here: the spec files import it while PyInstaller runs.
"""

from __future__ import annotations

import os
import re

# Qt modules a widgets app does not use. Excluding the Python module stops PyInstaller's hook for it from
# collecting its libraries, plugins, QML files and translations. The list covers PySide6-Essentials and
# PySide6-Addons, so an Addons install on the build machine does not leak into the bundle.
UNUSED_QT_MODULES = (
    "Qt3DAnimation", "Qt3DCore", "Qt3DExtras", "Qt3DInput", "Qt3DLogic", "Qt3DRender", "QtAxContainer",
    "QtBluetooth", "QtCanvasPainter", "QtCharts", "QtConcurrent", "QtDataVisualization", "QtDBus", "QtDesigner",
    "QtGraphs", "QtGraphsWidgets", "QtHelp", "QtHttpServer", "QtLabsStyleKit", "QtLocation", "QtMultimedia",
    "QtMultimediaWidgets", "QtNetwork", "QtNetworkAuth", "QtNfc", "QtOpenGL", "QtOpenGLWidgets", "QtPdf",
    "QtPdfWidgets", "QtPositioning", "QtPrintSupport", "QtQml", "QtQmlFeatures", "QtQuick", "QtQuick3D",
    "QtQuickControls2", "QtQuickTest", "QtQuickWidgets", "QtRemoteObjects", "QtScxml", "QtSensors",
    "QtSerialBus", "QtSerialPort", "QtSpatialAudio", "QtSql", "QtStateMachine", "QtSvg", "QtSvgWidgets",
    "QtTest", "QtTextToSpeech", "QtUiTools", "QtWebChannel", "QtWebEngineCore", "QtWebEngineQuick",
    "QtWebEngineWidgets", "QtWebSockets", "QtWebView", "QtXml",
)

# Python packages that are never part of a desktop bundle: test tools, the bureau server, other GUI toolkits.
UNUSED_PYTHON = (
    "tkinter", "_tkinter", "unittest", "pydoc", "pydoc_data", "doctest", "lib2to3", "idlelib", "turtle",
    "PyQt5", "PyQt6", "PySide2", "IPython", "matplotlib", "numpy", "pandas", "PIL",
    "rich", "pygments", "markdown_it",  # pretty printers some libraries import only when debugging
    "pytest", "_pytest", "pytestqt", "hypothesis", "schemathesis", "trustme", "ruff", "xlwt",
    "sync.server", "fastapi", "starlette", "uvicorn", "sqlalchemy", "alembic", "psycopg", "psycopg_binary",
)

# Qt plugins kept, by plugin folder; ``None`` keeps the whole folder. Any folder not listed is dropped
# (OpenGL/EGL integrations, evdev input, SVG icon engine, virtual keyboard, QML tooling, SQL drivers …).
QT_PLUGINS = {
    # the platform integrations: the desktop ones, and offscreen for the self-test and CI
    "platforms": ("qwindows", "qdirect2d", "qcocoa", "qxcb", "qwayland", "qoffscreen", "qminimal"),
    # JPEG and GIF photos of attachments; PNG is built into QtGui
    "imageformats": ("qjpeg", "qgif", "qico"),
    # Chinese input methods on Linux (ibus, and the compose fallback); fcitx5 installs its own plugin
    "platforminputcontexts": ("ibusplatforminputcontextplugin", "composeplatforminputcontextplugin"),
    # native file dialogs on Linux desktops through the XDG portal (the GTK3 theme would pull GTK's libraries in)
    "platformthemes": ("qxdgdesktopportal",),
    "styles": None,  # the native widget styles on Windows and macOS
    "wayland-shell-integration": ("xdg-shell",),  # a native Wayland window; shm drawing needs nothing else
    "wayland-decoration-client": ("bradient",),   # title bars where the compositor draws none
}

# Qt's own translations kept: Simplified Chinese (the product's language) for Qt's dialogs and buttons.
QT_TRANSLATIONS = ("qtbase_zh_CN.qm", "qt_zh_CN.qm")

PLUGIN_DIR = re.compile(r"(?:^|[\\/])plugins[\\/](?P<folder>[^\\/]+)[\\/](?P<file>[^\\/]+)$")
TRANSLATION_FILE = re.compile(r"(?:^|[\\/])translations[\\/](?P<file>[^\\/]+\.qm)$")


def qt_excludes(namespace: str = "PySide6") -> list[str]:
    return [f"{namespace}.{name}" for name in UNUSED_QT_MODULES]


def excludes() -> list[str]:
    return qt_excludes() + list(UNUSED_PYTHON)


def _plugin_stem(filename: str) -> str:
    stem = filename.split(".")[0]
    return stem[3:] if stem.startswith("lib") else stem


def keep_qt_file(dest: str) -> bool:
    """Whether a collected file (its path inside the bundle) is a Qt plugin or translation we keep.

    Files that are neither (libraries, Python modules, our data) are always kept.
    """
    normalized = dest.replace("\\", "/")
    if "/Qt/" not in "/" + normalized and "PySide6/" not in normalized:
        return True
    plugin = PLUGIN_DIR.search(normalized)
    if plugin:
        wanted = QT_PLUGINS.get(plugin.group("folder"), ())
        return wanted is None or _plugin_stem(plugin.group("file")) in wanted
    translation = TRANSLATION_FILE.search(normalized)
    if translation:
        return translation.group("file") in QT_TRANSLATIONS
    return True


def limit_qt_plugins() -> bool:
    """Make PyInstaller's Qt hooks collect only the plugins in ``QT_PLUGINS``.

    Dropping plugins after the analysis is not enough: the libraries they link (QtNetwork for the VNC
    platform, QtOpenGL for EGL, GTK for the GTK theme …) would already be collected. So the hooks' plugin
    collector is wrapped before ``Analysis`` runs. Returns False when this PyInstaller has no such collector
    (then ``filter_toc`` still drops the plugins, but not their libraries).
    """
    try:
        from PyInstaller.utils.hooks.qt import QtLibraryInfo
    except ImportError:
        return False
    collect = getattr(QtLibraryInfo, "collect_plugins", None)
    if collect is None:
        return False
    if getattr(collect, "limited", False):
        return True

    def collect_kept_plugins(self, plugin_type):
        return [(src, dest) for src, dest in collect(self, plugin_type)
                if keep_qt_file(os.path.join(dest, os.path.basename(src)))]

    collect_kept_plugins.limited = True
    QtLibraryInfo.collect_plugins = collect_kept_plugins
    return True


def filter_toc(toc):
    """A PyInstaller TOC (``Analysis.binaries`` or ``.datas``) without the Qt plugins and translations we drop."""
    return [entry for entry in toc if keep_qt_file(entry[0])]


def keep_native_modules(toc, package: str, stems) -> list:
    """``toc`` with only the listed native modules (``_raw_aes``, …: file names up to the first dot) of
    ``package``; its other native modules are dropped, everything else is kept.

    For packages whose PyInstaller hook collects every extension they ship although the app loads a few
    (PyCryptodome: 47 libraries, of which AES-GCM, X25519 and HKDF load 17).
    """
    stems = set(stems)

    def keep(dest: str) -> bool:
        parts = dest.replace("\\", "/").split("/")
        if parts[0] != package or not parts[-1].endswith((".so", ".pyd", ".dylib")):
            return True
        return parts[-1].split(".")[0] in stems

    return [entry for entry in toc if keep(entry[0])]


def dir_size(path: str) -> int:
    """Bytes in the files under ``path`` (or of the file itself), symlinks not followed."""
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            full = os.path.join(folder, name)
            if not os.path.islink(full):
                total += os.path.getsize(full)
    return total
