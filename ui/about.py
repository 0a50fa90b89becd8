"""帮助 → 关于村访通: the program's name, version, where its data lives, and the licence."""

from __future__ import annotations

import platform
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout


class AboutDialog(QDialog):
    def __init__(self, data_dir: Path, parent=None):
        super().__init__(parent)
        from app.version import version

        self.setObjectName("about")
        self.setWindowTitle(self.tr("关于村访通"))
        self.data_dir = Path(data_dir)
        self.version = version()
        layout = QVBoxLayout(self)
        title = QLabel(self.tr("村访通"))
        title.setObjectName("aboutTitle")
        title.setStyleSheet("font-size: 18pt; font-weight: bold;")
        layout.addWidget(title)
        layout.addWidget(QLabel(self.tr("乡镇民政探访与入户调查（离线优先）")))
        self.version_label = QLabel(self.tr("版本 {version}").format(version=self.version))
        self.version_label.setObjectName("aboutVersion")
        self.version_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.version_label)
        runtime = QLabel(self.tr("Qt {qt}，Python {python}，{system}").format(
            qt=pyside_version, python=platform.python_version(), system=f"{platform.system()} {platform.release()}"))
        runtime.setObjectName("aboutRuntime")
        layout.addWidget(runtime)
        self.data_label = QLabel(self.tr("数据目录：{path}").format(path=self.data_dir))
        self.data_label.setObjectName("aboutDataDir")
        self.data_label.setWordWrap(True)
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row = QHBoxLayout()
        row.addWidget(self.data_label, 1)
        open_dir = QPushButton(self.tr("打开数据目录"))
        open_dir.clicked.connect(self.open_data_dir)
        row.addWidget(open_dir)
        layout.addLayout(row)
        licence = QLabel(self.tr("许可：专有软件，仅供授权的民政部门使用。"
                                 "本程序使用 Qt for Python（PySide6，LGPL v3）、Python 和其他开源组件，"
                                 "它们各自遵循自己的许可证。"))
        licence.setObjectName("aboutLicence")
        licence.setWordWrap(True)
        layout.addWidget(licence)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.setMinimumWidth(460)

    def open_data_dir(self) -> None:
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.data_dir)))
