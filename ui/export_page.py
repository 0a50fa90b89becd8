"""导出: a form's records or a 台账 layout to an Excel/WPS workbook or a CSV file, in the background.

What to export, the filters, the format and whether whole ID numbers go with it are chosen
here (the last only when the laptop's role allows); the export runs off the UI thread with
a progress bar and 取消, and the page then says where the file went.
"""

from __future__ import annotations

import threading
from pathlib import Path

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import CunFangError, ErrorCode
from app.store import STATUS_LABELS, Store
from app.store.records import counts_by_form
from ui.errors import show_error
from ui.page_common import chosen_date, optional_date, suggested_file
from ui.workers import Cancelled, run_in_background


class ExportPage(QWidget):
    """Choose what to export and how; the export itself runs in the background."""

    def __init__(self, store: Store, catalog=None):
        super().__init__()
        self.store, self.catalog = store, catalog
        self.task = None
        self.cancel_event: threading.Event | None = None
        self.last_files: list[Path] = []
        self.choices: dict[str, dict] = {}  # combo key → kind, name, title, whether record filters apply, about
        self.setObjectName("exportPage")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>导出</h2>把记录或台账导出为 Excel/WPS 可以直接打开的表格："
                                        "身份证号、电话和门牌号以文本保存，日期是真正的日期，每个表单还附一张“说明”。")))
        form = QFormLayout()
        self.what = QComboBox()
        self.what.setObjectName("exportWhat")
        self.what.currentIndexChanged.connect(lambda _: self._what_changed())
        form.addRow(self._buddy(self.tr("导出内容(&W)："), self.what), self.what)
        self.about = QLabel()
        self.about.setObjectName("exportAbout")
        self.about.setWordWrap(True)
        form.addRow("", self.about)
        self.village = QComboBox()
        self.village.setObjectName("exportVillage")
        form.addRow(self._buddy(self.tr("村(&V)："), self.village), self.village)
        dates = QHBoxLayout()
        self.since = optional_date("exportSince", self.tr("不限"))
        self.until = optional_date("exportUntil", self.tr("不限"))
        dates.addWidget(self.since)
        dates.addWidget(QLabel(self.tr("到")))
        dates.addWidget(self.until)
        dates.addWidget(QLabel(self.tr("（按记录在本机开始填写的那一天，两端都包含）")), 1)
        form.addRow(self._buddy(self.tr("填写日期(&D)："), self.since), dates)
        self.status = QComboBox()
        self.status.setObjectName("exportStatus")
        self.status.addItem(self.tr("全部状态"), None)
        for key, label in STATUS_LABELS.items():
            self.status.addItem(label, key)
        form.addRow(self._buddy(self.tr("状态(&S)："), self.status), self.status)
        formats = QHBoxLayout()
        self.xlsx = QRadioButton(self.tr("Excel/WPS 工作簿 (.xlsx)"))
        self.xlsx.setObjectName("exportXlsx")
        self.csv = QRadioButton(self.tr("CSV 文本 (UTF-8)"))
        self.csv.setObjectName("exportCsv")
        self.xlsx.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.xlsx)
        group.addButton(self.csv)
        formats.addWidget(self.xlsx)
        formats.addWidget(self.csv)
        formats.addStretch(1)
        form.addRow(self.tr("格式："), formats)
        self.codes = QCheckBox(self.tr("选择题写选项代码(&C)（默认写选项文字）"))
        self.codes.setObjectName("exportCodes")
        form.addRow("", self.codes)
        self.full_ids = QCheckBox(self.tr("写完整的身份证号和电话(&I)（默认只显示前几位和后四位）"))
        self.full_ids.setObjectName("exportFullIds")
        form.addRow("", self.full_ids)
        layout.addLayout(form)
        buttons = QHBoxLayout()
        self.go = QPushButton(self.tr("导出…(&E)"))
        self.go.setObjectName("exportGo")
        self.go.setDefault(True)
        self.go.clicked.connect(self.export)
        buttons.addWidget(self.go)
        self.progress = QProgressBar()
        self.progress.setObjectName("exportProgress")
        self.progress.setFormat(self.tr("%v / %m"))
        self.progress.hide()
        buttons.addWidget(self.progress, 1)
        self.stop = QPushButton(self.tr("取消"))
        self.stop.setObjectName("exportCancel")
        self.stop.clicked.connect(self.cancel)
        self.stop.hide()
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.cancel)
        buttons.addWidget(self.stop)
        buttons.addStretch(0)
        layout.addLayout(buttons)
        result = QHBoxLayout()
        self.result = QLabel()
        self.result.setObjectName("exportResult")
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        result.addWidget(self.result, 1)
        self.open_folder = QPushButton(self.tr("打开所在文件夹(&O)"))
        self.open_folder.setObjectName("exportOpenFolder")
        self.open_folder.clicked.connect(self._open_folder)
        self.open_folder.hide()
        result.addWidget(self.open_folder)
        layout.addLayout(result)
        layout.addStretch(1)

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text)
        label.setBuddy(widget)
        return label

    # ------------------------------------------------------------------ choices

    def refresh(self) -> None:
        from app.roles import laptop_role
        from app.spreadsheets.ledgers import ledgers, load_ledger

        chosen = self.what.currentData()
        self.what.blockSignals(True)
        self.what.clear()
        self.choices.clear()
        for form_id, count in counts_by_form(self.store).items():
            form = self.catalog.by_id(form_id) if self.catalog else None
            title = form.title if form is not None and form.title else form_id
            key = f"form:{form_id}"
            self.choices[key] = {"kind": "form", "name": form_id, "title": title, "records": True, "about": ""}
            self.what.addItem(self.tr("{title}（%n 条记录）", "", count).format(title=title), key)
        for name, path in ledgers(self.store.data_dir).items():
            try:
                ledger = load_ledger(path)
            except CunFangError:
                continue  # `cunfang export --list` names the problem
            key = f"ledger:{name}"
            self.choices[key] = {"kind": "ledger", "name": name, "title": ledger.title,
                                 "records": ledger.source == "records", "about": ledger.description}
            self.what.addItem(self.tr("台账：{title}").format(title=ledger.title), key)
        index = self.what.findData(chosen) if chosen else -1
        self.what.setCurrentIndex(max(index, 0))
        self.what.blockSignals(False)
        village = self.village.currentData()
        self.village.clear()
        self.village.addItem(self.tr("全部村"), None)
        for v in self.store.villages():
            self.village.addItem(v["name"], v["id"])
        self.village.setCurrentIndex(max(self.village.findData(village), 0))
        allowed = laptop_role(self.store).sees_full_ids
        self.full_ids.setEnabled(allowed)
        if not allowed:
            self.full_ids.setChecked(False)
        self.full_ids.setToolTip(self.tr("完整号码是个人信息：文件请妥善保管，用完删除。") if allowed else
                                 self.tr("您的角色只能导出遮蔽后的身份证号和电话。"))
        self._what_changed()

    def choice(self) -> dict | None:
        return self.choices.get(self.what.currentData() or "")

    def _what_changed(self) -> None:
        choice = self.choice()
        kind = choice["kind"] if choice else None
        for widget in (self.since, self.until, self.status):
            widget.setEnabled(bool(choice and choice["records"]))
        self.codes.setEnabled(kind == "form")
        if kind == "ledger":
            self.about.setText(choice["about"])
        else:
            self.about.setText(self.tr("每条记录一行；重复填写的部分（如家属）在单独的工作表里，用“记录编号”对应。")
                               if kind == "form" else self.tr("本机还没有记录。"))
        self.go.setEnabled(kind is not None and self.task is None)

    def filters(self):
        from app.spreadsheets.records import Filters

        return Filters(village=self.village.currentData(), since=chosen_date(self.since),
                       until=chosen_date(self.until), status=self.status.currentData())

    # ------------------------------------------------------------------ running

    def export(self) -> None:
        choice = self.choice()
        if not choice or self.task is not None:
            return
        suffix = ".csv" if self.csv.isChecked() else ".xlsx"
        name = choice["title"]
        kinds = self.tr("CSV 文件 (*.csv)") if suffix == ".csv" else self.tr("Excel 工作簿 (*.xlsx)")
        village = self.village.currentText() if self.village.currentData() else self.tr("全部村")
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出到"), suggested_file(name, village, suffix=suffix),
                                              kinds)
        if path:
            self.export_to(Path(path) if Path(path).suffix else Path(path + suffix))

    def export_to(self, path: Path):
        """Start the export to ``path``; returns the background task."""
        from app.spreadsheets.ledgers import export_ledger
        from app.spreadsheets.records import export_records

        choice = self.choice()
        if not choice or self.task is not None:
            return None
        kind, name = choice["kind"], choice["name"]
        filters, codes = self.filters(), self.codes.isChecked()
        full_ids = self.full_ids.isChecked() and self.full_ids.isEnabled()
        library = self.catalog.library if self.catalog else None
        cancel = self.cancel_event = threading.Event()

        def work(task):
            if kind == "ledger":
                return export_ledger(self.store, name, path, filters=filters, full_ids=full_ids, library=library,
                                     progress=task.report, cancel=cancel)
            return export_records(self.store, path, forms=[name], filters=filters, codes=codes, full_ids=full_ids,
                                  library=library, progress=task.report, cancel=cancel)

        self._running(True)
        self.result.setText(self.tr("正在导出到 {path} …").format(path=path))
        self.task = run_in_background(work, on_done=lambda result: self._done(result, kind),
                                      on_error=self._failed, on_progress=self._progress)
        return self.task

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()
            if self.cancel_event is not None:
                self.cancel_event.set()
            self.result.setText(self.tr("正在取消…"))

    def _running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.stop.setVisible(running)
        self.open_folder.setVisible(False)
        self.go.setEnabled(not running)
        if running:
            self.progress.setRange(0, 0)
            self.stop.setFocus()
        else:
            self.task = None
            self.go.setFocus()

    def _progress(self, done: int, total: int, _text: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(min(done, max(total, 1)))

    def _done(self, result, kind: str) -> None:
        self._running(False)
        self.last_files = list(result.files)
        files = "\n".join(str(f) for f in result.files)
        text = (self.tr("已导出 %n 行到：", "", result.rows) if kind == "ledger"
                else self.tr("已导出 %n 条记录到：", "", result.rows))
        if self.full_ids.isChecked():
            note = self.tr("身份证号和电话是完整的：文件请妥善保管，用完删除。")
        else:
            note = self.tr("身份证号和电话已遮蔽。")
        if result.files and result.files[0].suffix.lower() == ".csv":
            note += self.tr("用 Excel 打开 CSV 时请用“数据 → 从文本/CSV”导入，并把身份证号、电话列设为“文本”。")
        self.result.setText(f"{text}\n{files}\n{note}")
        self.open_folder.setVisible(bool(result.files))

    def _failed(self, error: Exception) -> None:
        self._running(False)
        cancelled = isinstance(error, CunFangError) and error.code == ErrorCode.EXPORT_CANCELLED
        if cancelled or isinstance(error, Cancelled):
            self.result.setText(self.tr("导出已取消，没有留下不完整的文件。"))
            return
        self.result.setText("")
        show_error(self, error)

    def _open_folder(self) -> None:
        if self.last_files:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.last_files[0].parent)))
