"""导入名册…: a village roster from Excel/WPS or CSV into the registry, step by step.

Choose the file → match its columns to person fields (remembered for files with the same headers) → a preview
with each row's outcome and reason (refused rows in red) → 导入 in the background with progress and cancel →
the result, with 撤销本次导入. All the rules live in app/spreadsheets/importer.py; this is only the dialog.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.store import Store
from ui.errors import show_error
from ui.models import PagedModel
from ui.page_common import _table, documents_folder, suggested_file
from ui.workers import Cancelled, run_in_background

REFUSED_TEXT = QColor("#b00020")
REFUSED_BACKGROUND = QColor("#fde7e9")


def _buddy(text: str, widget: QWidget) -> QLabel:
    """A label whose &-mnemonic (Alt+letter) moves the focus to ``widget``."""
    label = QLabel(text)
    label.setBuddy(widget)
    return label


class PreviewModel(PagedModel):
    """One line per spreadsheet row: its number, what will happen, who, and why (all rows are in memory)."""

    columns = [("row", QT_TRANSLATE_NOOP("PreviewModel", "行号")), ("label", QT_TRANSLATE_NOOP("PreviewModel", "结果")),
               ("name", QT_TRANSLATE_NOOP("PreviewModel", "姓名")),
               ("shown_id", QT_TRANSLATE_NOOP("PreviewModel", "身份证号")),
               ("explanation", QT_TRANSLATE_NOOP("PreviewModel", "原因或说明"))]

    def __init__(self):
        super().__init__(None)
        self.exhausted = True
        self.all_rows: list = []
        self.refused_only = False

    def show_rows(self, rows: list) -> None:
        self.all_rows = rows
        self.set_rows([r for r in rows if r.action == "refused"] if self.refused_only else rows, exhausted=True)

    def show_refused_only(self, on: bool) -> None:
        self.refused_only = on
        self.show_rows(self.all_rows)

    def display(self, row, key: str) -> str:
        return row.explanation() if key == "explanation" else str(getattr(row, key))

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if index.isValid() and self.rows[index.row()].action == "refused":
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(REFUSED_TEXT)
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(REFUSED_BACKGROUND)
        if role == Qt.ItemDataRole.ToolTipRole:
            role = Qt.ItemDataRole.DisplayRole  # a long reason shows whole on hover
        return super().data(index, role)


class ImportDialog(QDialog):
    """The four steps in one window; ``imported`` is emitted after an import or its undo (the 台账 refreshes)."""

    imported = Signal()
    FILE, MAPPING, PREVIEW, RESULT = range(4)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.table = None
        self.preview = None
        self.result = None
        self.combos: list[QComboBox] = []
        self._task = None
        self.setObjectName("importDialog")
        self.setWindowTitle(self.tr("导入名册"))
        self.resize(900, 600)
        layout = QVBoxLayout(self)
        self.pages = QStackedWidget()
        self.pages.addWidget(self._file_page())
        self.pages.addWidget(self._mapping_page())
        self.pages.addWidget(self._preview_page())
        self.pages.addWidget(self._result_page())
        layout.addWidget(self.pages, 1)
        buttons = QHBoxLayout()
        self.back_button = QPushButton(self.tr("上一步(&P)"))
        self.back_button.setObjectName("importBack")
        self.back_button.clicked.connect(self.back)
        self.next_button = QPushButton(self.tr("下一步(&N)"))
        self.next_button.setObjectName("importNext")
        self.next_button.clicked.connect(self.next)
        self.close_button = QPushButton(self.tr("关闭"))
        self.close_button.setObjectName("importClose")
        self.close_button.clicked.connect(self.reject)
        buttons.addStretch(1)
        for button in (self.back_button, self.next_button, self.close_button):
            button.setAutoDefault(False)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self._show(self.FILE)

    # ------------------------------------------------------------------ the pages

    def _file_page(self) -> QWidget:
        page = QWidget()
        form = QFormLayout(page)
        form.addRow(QLabel(self.tr("<h3>第一步：选择名册文件</h3>可以导入 Excel/WPS 表格（.xlsx、.xls）或 .csv 文件"
                                   "（UTF-8 或 GBK 编码都可以）。表格上方的标题行会自动跳过。")))
        row = QHBoxLayout()
        self.path = QLineEdit()
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText(self.tr("名册文件的位置"))
        self.path.returnPressed.connect(self.next)
        browse = QPushButton(self.tr("浏览(&B)…"))
        browse.setAutoDefault(False)
        browse.clicked.connect(self.browse)
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form.addRow(_buddy(self.tr("文件(&F)："), self.path), row)
        self.target = QComboBox()
        self.target.setObjectName("importTarget")
        self.target.addItem(self.tr("按表中的类别或年龄判断是老人还是儿童"), None)
        self.target.addItem(self.tr("特殊困难老年人（老人台账）"), ("form", "elder_registry"))
        self.target.addItem(self.tr("农村留守儿童（花名册）"), ("form", "left_behind_child"))
        self.target.addItem(self.tr("困境儿童"), ("form", "vulnerable_child"))
        self.target.addItem(self.tr("老人（不加类别）"), ("kind", "elder"))
        self.target.addItem(self.tr("儿童（不加类别）"), ("kind", "child"))
        form.addRow(_buddy(self.tr("导入对象(&T)："), self.target), self.target)
        self.village = QComboBox()
        self.village.setObjectName("importVillage")
        self.village.addItem(self.tr("自动（标题中写的村，或本机唯一的村）"), None)
        for v in self.store.villages():
            self.village.addItem(v["name"], v["id"])
        form.addRow(_buddy(self.tr("表中没有“村”一列时导入到(&V)："), self.village), self.village)
        return page

    @staticmethod
    def _step(text: str, note: str) -> tuple[QWidget, QVBoxLayout, QLabel]:
        """A step's page: its explanation, then a note filled in as the step is reached."""
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel(text))
        label = QLabel()
        label.setObjectName(note)
        label.setWordWrap(True)
        layout.addWidget(label)
        return page, layout, label

    def _mapping_page(self) -> QWidget:
        page, layout, self.mapping_note = self._step(
            self.tr("<h3>第二步：核对每一列对应的内容</h3>“姓名”和“身份证号”必须对应；不需要的列选“不导入”。"
                    "下次导入列名相同的表格时，会记住这里的选择。"), "mappingNote")
        self.mapping_area = QScrollArea()
        self.mapping_area.setWidgetResizable(True)
        layout.addWidget(self.mapping_area, 1)
        return page

    def _preview_page(self) -> QWidget:
        page, layout, self.summary = self._step(
            self.tr("<h3>第三步：预览</h3>现在还没有写入任何数据。被拒绝的行（红色）不会导入，请按原因在表格中改正后"
                    "重新导入；点“导入”后其余的行一次写入，可以整体撤销。"), "importSummary")
        bar = QHBoxLayout()
        self.refused_only = QCheckBox(self.tr("只看被拒绝的行(&R)"))
        self.refused_only.setObjectName("refusedOnly")
        bar.addWidget(self.refused_only)
        bar.addStretch(1)
        report = QPushButton(self.tr("保存每行结果为表格(&S)…"))
        report.setAutoDefault(False)
        report.clicked.connect(self.save_report)
        bar.addWidget(report)
        layout.addLayout(bar)
        self.model = PreviewModel()
        self.view = _table(QTableView())
        self.view.setObjectName("importPreview")
        self.view.setModel(self.model)
        self.refused_only.toggled.connect(self.model.show_refused_only)
        layout.addWidget(self.view, 1)
        return page

    def _result_page(self) -> QWidget:
        page, layout, self.result_label = self._step(self.tr("<h3>导入完成</h3>"), "importResult")
        self.undo_button = QPushButton(self.tr("撤销本次导入(&U)"))
        self.undo_button.setObjectName("undoImport")
        self.undo_button.setAutoDefault(False)
        self.undo_button.clicked.connect(self.undo)
        layout.addWidget(self.undo_button, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)
        return page

    def _show(self, page: int) -> None:
        self.pages.setCurrentIndex(page)
        self.back_button.setEnabled(page in (self.MAPPING, self.PREVIEW))
        self.next_button.setVisible(page != self.RESULT)
        self.next_button.setText(self.tr("导入(&I)") if page == self.PREVIEW else self.tr("下一步(&N)"))
        if page == self.PREVIEW:
            self.next_button.setEnabled(bool(self.preview and self.preview.accepted))
        else:
            self.next_button.setEnabled(True)
        self.close_button.setText(self.tr("完成") if page == self.RESULT else self.tr("关闭"))
        (self.close_button if page == self.RESULT else self.next_button).setDefault(True)
        focus = {self.FILE: self.path, self.MAPPING: self.combos[0] if self.combos else self.next_button,
                 self.PREVIEW: self.view, self.RESULT: self.undo_button}[page]
        focus.setFocus()

    # ------------------------------------------------------------------ the steps

    def browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择名册文件"), documents_folder(),
                                              self.tr("名册 (*.xlsx *.xls *.csv);;所有文件 (*)"))
        if path:
            self.path.setText(path)

    def back(self) -> None:
        if self.pages.currentIndex() in (self.MAPPING, self.PREVIEW):
            self._show(self.pages.currentIndex() - 1)

    def next(self) -> None:
        if self._task is not None:
            return
        page = self.pages.currentIndex()
        if page == self.FILE:
            self.read_file()
        elif page == self.MAPPING:
            self.make_preview()
        elif page == self.PREVIEW:
            self.run()

    def _busy(self, fn, on_done) -> None:
        """Run ``fn`` off the UI thread with the buttons held; errors are shown plainly."""
        self.setCursor(Qt.CursorShape.BusyCursor)
        self.next_button.setEnabled(False)

        def finished():
            self._task = None
            self.unsetCursor()
            self.next_button.setEnabled(True)

        def done(value):
            finished()
            on_done(value)

        def failed(exc):
            finished()
            show_error(self, exc)

        self._task = run_in_background(lambda task: fn(), on_done=done, on_error=failed)

    def read_file(self) -> None:
        from app.spreadsheets.importer import read_table

        text = self.path.text().strip()
        if not text:
            QMessageBox.information(self, self.tr("请选择文件"), self.tr("请先选择要导入的名册文件。"))
            return
        self._busy(lambda: read_table(Path(text)), self._file_read)

    def _file_read(self, table) -> None:
        from app.spreadsheets.importer import FIELDS, mapping_for

        self.table = table
        mapping, remembered = mapping_for(self.store, table.headers)
        where = self.tr("工作表“{sheet}”，").format(sheet=table.sheet) if len(table.sheets) > 1 else ""
        note = self.tr("{where}第 {row} 行是表头，共 {count} 行数据。").format(
            where=where, row=table.header_row_number, count=len(table.rows))
        if remembered:
            note += self.tr("已按上次的选择对应各列。")
        self.mapping_note.setText(note)
        holder = QWidget()
        form = QFormLayout(holder)
        self.combos = []
        samples = table.sample
        for column, header in enumerate(table.headers):
            combo = QComboBox()
            combo.setObjectName(f"mapColumn{column}")
            combo.addItem(self.tr("不导入"), "")
            for f in FIELDS:
                combo.addItem(f.label, f.key)
            combo.setCurrentIndex(max(combo.findData(mapping[column]), 0))
            self.combos.append(combo)
            example = "、".join(s[column] for s in samples if column < len(s) and s[column])
            text = self.tr("{header}（如：{example}）").format(header=header or self.tr("（无列名）"),
                                                           example=example[:40] or "—")
            form.addRow(_buddy(text, combo), combo)
        self.mapping_area.setWidget(holder)
        self._show(self.MAPPING)

    def mapping(self) -> list[str]:
        return [combo.currentData() for combo in self.combos]

    def options(self):
        from app.spreadsheets.importer import ImportOptions, options_for_form

        target = self.target.currentData()
        if target is None:
            options = ImportOptions()
        elif target[0] == "form":
            options = options_for_form(target[1])
        else:
            options = ImportOptions(kind=target[1])
        options.village_id = self.village.currentData()
        return options

    def make_preview(self) -> None:
        from app.spreadsheets.importer import analyse, remember_mapping

        mapping, options, table = self.mapping(), self.options(), self.table

        def work():
            preview = analyse(self.store, table, mapping, options)  # refuses a mapping without 姓名/身份证号
            remember_mapping(self.store, table.headers, mapping)
            return preview

        self._busy(work, self._previewed)

    def _previewed(self, preview) -> None:
        self.preview = preview
        counts = preview.counts
        text = self.tr("共 {total} 行：将新增 {add} 人，更新 {update} 人；无变化 {same} 人，拒绝 {refused} 行，"
                       "跳过 {skipped} 行。")
        self.summary.setText(text.format(total=len(preview.rows), **counts))
        self.model.show_rows(preview.rows)
        self.view.resizeColumnsToContents()
        self._show(self.PREVIEW)

    def save_report(self) -> None:
        from app.spreadsheets.importer import write_report

        if self.preview is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("保存每行结果"),
                                              suggested_file(self.tr("导入结果"), suffix=".xlsx"),
                                              self.tr("Excel 工作簿 (*.xlsx)"))
        if path:
            try:
                write_report(self.preview, Path(path))
            except OSError as exc:
                show_error(self, exc)

    def run(self):
        """Write every accepted row in one transaction, in the background; cancelling writes nothing."""
        from app.spreadsheets.importer import run_import

        mapping, options, table = self.mapping(), self.options(), self.table
        author = self.store.get_setting("author") or ""
        progress = QProgressDialog(self.tr("正在导入…"), self.tr("取消"), 0, 100, self)
        progress.setObjectName("importProgress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.setMinimumDuration(300)
        self.next_button.setEnabled(False)

        def done(result):
            self._task = None
            progress.close()
            self.result = result
            self.result_label.setText(self.tr("第 {id} 次导入：新增 {add} 人，更新 {update} 人（拒绝 {refused} 行，"
                                              "没有导入）。如果导入错了，可以整体撤销。").format(
                id=result.import_id, **result.preview.counts))
            self.undo_button.setEnabled(result.import_id is not None)
            self._show(self.RESULT)
            self.imported.emit()

        def failed(exc):
            self._task = None
            progress.close()
            self.next_button.setEnabled(True)
            if not isinstance(exc, Cancelled):
                show_error(self, exc)

        self._task = run_in_background(
            lambda task: run_import(self.store, table, mapping, options, author=author, progress=task.report),
            on_done=done, on_error=failed,
            on_progress=lambda n, total, _: progress.setValue(int(100 * n / max(total, 1))))
        progress.canceled.connect(self._task.cancel)
        return self._task

    def undo(self) -> None:
        from app.spreadsheets.importer import undo_import

        if self.result is None or self.result.import_id is None:
            return
        answer = QMessageBox.question(self, self.tr("撤销本次导入"),
                                      self.tr("删除本次导入新增的人员，并把更新过的人员恢复为导入前的信息？"))
        if answer != QMessageBox.StandardButton.Yes:
            return
        import_id, author = self.result.import_id, self.store.get_setting("author") or ""

        def undone(result):
            self.undo_button.setEnabled(False)
            text = self.tr("已撤销第 {id} 次导入：删除了 {removed} 人，恢复了 {restored} 人导入前的信息。").format(
                id=import_id, removed=result.removed, restored=result.restored)
            if result.kept:
                text += self.tr("有 {kept} 项在导入后又被修改过，保留了修改后的内容。").format(kept=result.kept)
            self.result_label.setText(text)
            self.imported.emit()

        self._busy(lambda: undo_import(self.store, import_id, author=author), undone)
