"""The main window's pages: 台账, 填表, 记录, 导出, 设置 (工作台: ui/dashboard_page.py, 同步: ui/sync_page.py)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import CunFangError, FormCheckFailed
from app.store import STATUS_LABELS, Store, households
from app.store import records as record_store
from ui.dashboard_page import DashboardPage  # noqa: F401 - re-exported: every page from one module
from ui.errors import show_error
from ui.export_page import ExportPage  # noqa: F401 - re-exported: every page from one module
from ui.models import HouseholdsModel, PersonsModel, RecordsModel
from ui.page_common import (  # noqa: F401
    FORMS_DIR,
    FormCatalog,
    _card,
    _table,
    builtin_forms,
    documents_folder,
    optional_date,
)
from ui.workers import Cancelled, run_in_background

# ---------------------------------------------------------------------------- 台账


def _masked_phone(phone: str) -> str:
    """A mobile number as the panel shows it until 显示完整 is pressed: 139****1234."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else (phone or "—")


class RegistryPage(QWidget):
    fill_for = Signal(dict)
    open_record = Signal(str)

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.setObjectName("registry")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>台账</h2>")))
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("registrySearch")
        self.search.setPlaceholderText(self.tr("姓名任意部分、拼音首字母（如 zs）、身份证号或电话后几位  (Ctrl+F)"))
        self.search.setClearButtonEnabled(True)
        self.village = QComboBox()
        self.village.addItem(self.tr("全部村"), None)
        for v in store.villages():
            self.village.addItem(v["name"], v["id"])
        fill = QPushButton(self.tr("为此人填表…"))
        fill.clicked.connect(self._fill)
        bar.addWidget(self.search, 1)
        bar.addWidget(self.village)
        bar.addWidget(fill)
        import_roster = QPushButton(self.tr("导入名册…"))
        import_roster.setObjectName("importRoster")
        import_roster.setToolTip(self.tr("从 Excel/WPS 或 CSV 名册导入人员（按身份证号新增或更新，可整体撤销）"))
        import_roster.clicked.connect(self.open_import)
        import_roster.setVisible(store.scope.role.may("import"))
        bar.addWidget(import_roster)
        self.model = PersonsModel(store)
        self.sort = QComboBox()  # the keyboard's way to what a click on a column header does
        self.sort.setObjectName("registrySort")
        self.sort.setToolTip(self.tr("也可以单击列标题排序，再单击一次倒过来"))
        self.sort.addItem(self.tr("按村、姓名拼音"), "-1 0")  # "column descending"
        for column, (_, header) in enumerate(self.model.columns):
            title = self.model.tr(header)
            self.sort.addItem(self.tr("按{column}（升序）").format(column=title), f"{column} 0")
            self.sort.addItem(self.tr("按{column}（降序）").format(column=title), f"{column} 1")
        sort_label = QLabel(self.tr("排序(&O)："))
        sort_label.setBuddy(self.sort)
        bar.insertWidget(2, sort_label)
        bar.insertWidget(3, self.sort)
        layout.addLayout(bar)
        self.view = _table(QTableView())
        self.view.setObjectName("personsView")
        self.view.setModel(self.model)
        header = self.view.horizontalHeader()
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # village, then names by pinyin, until a click
        header.setSortIndicatorShown(True)
        self.view.setSortingEnabled(True)  # a header click calls PersonsModel.sort: the store's query sorts
        header.sortIndicatorChanged.connect(self._sorted_by_header)
        self.sort.activated.connect(self._sort_chosen)
        self.model.sort_changed.connect(self.run_search)
        self.view.doubleClicked.connect(lambda _: self._fill())
        self.search.installEventFilter(self)  # Enter/↓: from the search box to the results
        self.view.installEventFilter(self)  # Enter: the person's forms, as a double-click
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self.show_person())
        row = QHBoxLayout()
        self.tabs = QTabWidget()
        self.tabs.addTab(self.view, self.tr("人员"))
        self.households = HouseholdsModel(store)
        self.households_view = _table(QTableView())
        self.households_view.setObjectName("householdsView")
        self.households_view.setModel(self.households)
        self.tabs.addTab(self.households_view, self.tr("住户"))
        self.tabs.currentChanged.connect(lambda _: self.run_search())
        row.addWidget(self.tabs, 3)
        side = QVBoxLayout()
        self.details = QLabel(self.tr("选中一个人，这里显示他/她的情况和全部记录。"))
        self.details.setObjectName("personDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.TextFormat.RichText)
        side.addWidget(self.details)
        self.full_id = QPushButton(self.tr("显示完整身份证号和电话"))
        self.full_id.setObjectName("showFullId")
        self.full_id.setToolTip(self.tr("每次查看都记入审计日志"))
        self.full_id.setVisible(False)
        self.full_id.clicked.connect(self.show_full_id)
        side.addWidget(self.full_id, alignment=Qt.AlignmentFlag.AlignLeft)
        self.person_records = QListWidget()
        self.person_records.setObjectName("personRecords")
        self.person_records.itemActivated.connect(
            lambda item: self.open_record.emit(item.data(Qt.ItemDataRole.UserRole)))
        side.addWidget(self.person_records, 1)
        self.side = QWidget()  # the person's panel takes room only when someone is selected
        self.side.setObjectName("personPanel")
        side.setContentsMargins(0, 0, 0, 0)
        self.side.setLayout(side)
        self.side.hide()
        row.addWidget(self.side, 2)
        layout.addLayout(row, 1)
        self.count = QLabel("")
        layout.addWidget(self.count)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(200)
        self._timer.timeout.connect(self.run_search)
        self.search.textChanged.connect(lambda _: self._timer.start())
        self.village.currentIndexChanged.connect(lambda _: self.run_search())
        self._task = None
        self._generation = 0
        self._sized = False
        self._guardian_phone = ""

    def refresh(self) -> None:
        self.model.villages = {v["id"]: v["name"] for v in self.store.villages()}
        self.run_search()

    def _sort_chosen(self, index: int) -> None:
        column, descending = map(int, self.sort.itemData(index).split())
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        self.view.sortByColumn(column, order)
        if column < 0:  # Qt leaves the model's order as it was for "no column"
            self.model.sort(-1, order)

    def _sorted_by_header(self, column: int, order) -> None:
        descending = int(order == Qt.SortOrder.DescendingOrder)
        wanted = self.sort.findData(f"{column} {descending}") if column >= 0 else 0
        if wanted >= 0:
            self.sort.setCurrentIndex(wanted)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() != QEvent.Type.KeyPress or event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            return super().eventFilter(watched, event)
        enter = event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if watched is self.search and (enter or event.key() == Qt.Key.Key_Down):
            if self._timer.isActive():  # typed just now: search first, then go down
                self._timer.stop()
                self.run_search()
            self.view.setFocus()
            if not self.view.currentIndex().isValid() and self.model.rowCount():
                self.view.setCurrentIndex(self.model.index(0, 0))
            return True
        if watched is self.view and enter and self.view.currentIndex().isValid():
            self._fill()
            return True
        return super().eventFilter(watched, event)

    def run_search(self) -> None:
        """Search off the UI thread; a newer search makes older results irrelevant."""
        if self.store.closed:  # a late timer after the window and its store have gone
            return
        if self.tabs.currentWidget() is self.households_view:
            self.households.query_text = self.search.text().strip()
            self.households.village_id = self.village.currentData()
            self.households.villages = self.model.villages
            self.households.reload()
            self.households_view.resizeColumnsToContents()
            if self.households.canFetchMore():
                self.count.setText(self.tr("住户 %n 户（向下滚动加载更多）", "", self.households.rowCount()))
            else:
                self.count.setText(self.tr("住户 %n 户", "", self.households.rowCount()))
            return
        self._generation += 1
        generation = self._generation
        self.model.query_text = self.search.text().strip()
        self.model.village_id = self.village.currentData()
        if self._task is not None:
            self._task.cancel()
        self.count.setText(self.tr("正在查找…"))

        def work(task):
            return self.model.fetch(0, 200)

        def done(rows):
            if generation == self._generation:
                self.model.set_rows(rows, exhausted=len(rows) < 200)
                if rows and self.view.hasFocus() and not self.view.currentIndex().isValid():
                    self.view.setCurrentIndex(self.model.index(0, 0))  # Enter in the search box came first
                if not self._sized and rows:
                    self.view.resizeColumnsToContents()
                    self._sized = True
                if len(rows) == 200:
                    self.count.setText(self.tr("找到 %n+ 人（向下滚动加载更多）", "", len(rows)))
                elif not rows and self.model.query_text:
                    self.count.setText(self.tr("没有找到“{text}”。可以按姓名的任意部分、拼音首字母（如 zs）、"
                                               "身份证号或电话的后几位查找；也请看看上面选的村对不对。")
                                       .format(text=self.model.query_text))
                else:
                    self.count.setText(self.tr("找到 %n 人", "", len(rows)))

        self._task = run_in_background(work, on_done=done, on_error=lambda e: None if isinstance(e, Cancelled)
                                       else show_error(self, e))

    def show_person(self) -> None:
        """The selected person's page: who they are, when they are due, and every record about them."""
        import json

        from app.china import mask_id

        person = self.selected_person()
        self.person_records.clear()
        self.side.setVisible(person is not None)
        if person is None:
            return
        extra = json.loads(person.get("extra") or "{}")
        age = ""
        if person.get("birth_date"):
            from datetime import date

            born, today = date.fromisoformat(person["birth_date"][:10]), date.today()
            age = self.tr("（{age} 岁）").format(age=today.year - born.year - ((today.month, today.day) <
                                                                             (born.month, born.day)))
        shown_phone = _masked_phone(person.get("phone") or "")
        address = ""
        if person.get("household_id"):
            address = households.address(self.store, person["household_id"])
        lines = [
            f"<h3>{person['name']}{age}</h3>",
            self.tr("身份证号：{id}").format(id=mask_id(person["id_number"]) if person["id_number"] else "—"),
            self.tr("电话：{phone}　住址：{address}").format(phone=shown_phone, address=address or "—"),
            self.tr("村：{village}　风险等级：{tier}").format(
                village=self.model.villages.get(person["village_id"], ""), tier=person["risk_tier"] or "—"),
            self.tr("上次探访：{last}　下次应探访：{due}").format(last=person["last_visit"] or "—",
                                                           due=person["next_due"] or "—"),
        ]
        from app.registry import guardian_of

        guardian = guardian_of(self.store, person)
        if guardian is not None:
            self._guardian_phone = guardian["phone"]
            relation = self.tr("（{relation}）").format(relation=guardian["relation"]) if guardian["relation"] else ""
            lines.append(self.tr("{role}：{name}{relation}　电话：{phone}").format(
                role=guardian["role"], name=guardian["name"], relation=relation,
                phone=_masked_phone(guardian["phone"])))
        else:
            self._guardian_phone = ""
            if person.get("kind") == "child":
                lines.append(self.tr("监护人：还没有登记（填《农村留守儿童信息登记表》或《困境儿童信息登记表》时登记）"))
        if extra.get("capability_level") not in (None, ""):
            lines.append(self.tr("能力等级：{level}").format(level=extra["capability_level"]))
        if person["status"] != "active":
            lines.append(self.tr("<b>状态：{status}</b>（{reason}）").format(status=person["status"],
                                                                        reason=person["status_reason"]))
        self.details.setText("<br>".join(lines))
        self.full_id.setVisible(self.store.scope.role.may("full_ids") and bool(person["id_number"] or person["phone"]))
        for record in self.store.list_records(person_id=person["id"], limit=200):
            item = QListWidgetItem(f"{record['updated_at'][:10]}  {record['title'] or record['form_id']}  "
                                   f"[{STATUS_LABELS.get(record['status'], record['status'])}]")
            item.setData(Qt.ItemDataRole.UserRole, record["uuid"])
            if record["status"] == "rejected":  # 被退回待修改: to be fixed, in red as on 同步
                item.setForeground(QBrush(QColor("#c62828")))
            self.person_records.addItem(item)

    def show_full_id(self) -> None:
        """The whole ID and phone number of the selected person, for roles that may see them; logged."""
        from app.store.audit import append

        person = self.selected_person()
        if person is None or not self.store.scope.role.may("full_ids"):
            return
        append(self.store, "view_full_id", subject=person["id"],
               user=self.store.account.login if self.store.account else "")
        self.details.setText(self.details.text() + "<br>" + self.tr("完整身份证号：{id}　电话：{phone}").format(
            id=person["id_number"] or "—", phone=person["phone"] or "—")
            + (self.tr("　监护人电话：{phone}").format(phone=self._guardian_phone) if self._guardian_phone else ""))
        self.full_id.setVisible(False)

    def selected_person(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_import(self):
        """The 导入名册 dialog; the list refreshes after an import or its undo."""
        from ui.import_dialog import ImportDialog

        self.import_dialog = ImportDialog(self.store, self)
        self.import_dialog.imported.connect(self.refresh)
        self.import_dialog.open()
        return self.import_dialog

    def _fill(self) -> None:
        person = self.selected_person()
        if person is None:
            QMessageBox.information(self, self.tr("请先选择"), self.tr("请先在列表中选择一个人。"))
            return
        self.fill_for.emit(person)


# ---------------------------------------------------------------------------- 填表


class FillPage(QWidget):
    """Choose a form (or arrive with a person); the filler opens as a tab, one per record."""

    record_changed = Signal()

    def __init__(self, store: Store, catalog: FormCatalog, author: str):
        super().__init__()
        self.store, self.catalog, self.author = store, catalog, author
        self.setObjectName("fillPage")
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        self.tabs.setTabsClosable(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        chooser = QWidget()
        box = QVBoxLayout(chooser)
        box.addWidget(QLabel(self.tr("<h2>填表</h2>选择要填写的表单（也可以在“台账”中选中一个人后“为此人填表”）：")))
        self.list = QListWidget()
        self.list.setObjectName("formList")
        self.list.itemActivated.connect(lambda item: self.start(item.data(Qt.ItemDataRole.UserRole)))
        box.addWidget(self.list, 1)
        other = QPushButton(self.tr("打开其他表单文件（XLSForm .xlsx / XForm .xml）…"))
        other.clicked.connect(self.open_file)
        blank = QPushButton(self.tr("打印空白表…"))
        blank.setObjectName("printBlank")
        blank.clicked.connect(self.print_blank)
        row = QHBoxLayout()
        row.addWidget(other, 1)
        row.addWidget(blank)
        box.addLayout(row)
        self.tabs.addTab(chooser, self.tr("选择表单"))
        self.tabs.tabBar().setTabButton(0, self.tabs.tabBar().ButtonPosition.RightSide, None)
        self.notice = QLabel()
        self.notice.setObjectName("fillNotice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("background: #e8f5e9; color: #1b5e20; padding: 6px; border-radius: 3px;")
        self.notice.hide()
        layout.addWidget(self.notice)
        layout.addWidget(self.tabs)

    def focus_here(self) -> None:
        """Arriving on 填表: the form list, or the open form where its cursor was."""
        current = self.tabs.currentWidget()
        if self.tabs.currentIndex() == 0:
            self.list.setFocus()
        elif current.focusWidget() is not None:
            current.focusWidget().setFocus()
        elif hasattr(current, "focus_first"):
            current.focus_first()

    def refresh(self) -> None:
        self.list.clear()
        for form in self.catalog.forms():  # only the forms of the signed-in account's role
            item = QListWidgetItem(self.tr("{title}（版本 {version}）").format(title=form.title or form.form_id,
                                                                             version=form.version))
            item.setData(Qt.ItemDataRole.UserRole, form.form_id)
            self.list.addItem(item)
        for path, exc in self.catalog.broken():
            item = QListWidgetItem(self.tr("{file}：表单有错误，不能使用（{error}）").format(file=path.name,
                                                                                  error=exc.errors[0]))
            item.setData(Qt.ItemDataRole.UserRole, path)
            self.list.addItem(item)
        if self.list.count():
            self.list.setCurrentRow(0)

    def open_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("打开表单"), documents_folder(),
                                              self.tr("表单 (*.xlsx *.xls *.xml)"))
        if path:
            self.start(Path(path))

    def print_blank(self) -> None:
        """The chosen form, blank, as an A4 PDF for paper backup."""
        from ui.printing import save_blank_pdf

        item = self.list.currentItem()
        form_id = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        form = self.catalog.by_id(form_id) if isinstance(form_id, str) else None  # a broken workbook is a Path
        if form is not None:
            save_blank_pdf(self, form)

    def start(self, form_or_path: str | Path, person: dict | None = None) -> None:
        """Open the form filler on a form id (its newest version here) or a workbook file."""
        try:
            if isinstance(form_or_path, Path):
                form = self.catalog.get(form_or_path)
            else:
                form = self.catalog.by_id(form_or_path)
        except FormCheckFailed as exc:
            show_error(self, exc, self.tr("表单不能使用"))
            return
        if form is None:
            return
        from app.registry import VISIT_KIND

        if person is None and form.form_id in VISIT_KIND:  # a visit is about someone in the registry
            picker = PersonPicker(self, self.store, VISIT_KIND[form.form_id], form.title or form.form_id)
            if not picker.exec():
                return
            person = picker.person
        self.open_filler(form, person=person)

    def open_filler(self, form, *, person: dict | None = None, record_uuid: str | None = None):
        from ui.form_filler import FormFiller

        for i in range(1, self.tabs.count()):
            existing = self.tabs.widget(i)
            if record_uuid and getattr(existing, "record_uuid", None) == record_uuid:
                self.tabs.setCurrentIndex(i)
                return existing
        try:
            filler = FormFiller(self.store, form, record_uuid=record_uuid, person=person, author=self.author)
        except CunFangError as exc:
            show_error(self, exc)
            return None
        filler.saved.connect(lambda _: self.record_changed.emit())
        filler.finalized.connect(lambda _: self._finalized(filler))
        who = (person or {}).get("name", "")
        self.tabs.addTab(filler, f"{who} {form.title or form.form_id}".strip())
        self.tabs.setCurrentWidget(filler)
        return filler

    def _finalized(self, filler) -> None:
        from app.practice import is_practice
        from sync.client.client import enrolled  # loaded by now: the status bar asks it every 30 s

        self.record_changed.emit()
        if is_practice(self.store):
            text = self.tr("已定稿：{title}。这是练习数据，不会发送到县局。")
        elif enrolled(self.store):
            text = self.tr("已定稿：{title}。联网后自动发送到县局。")
        else:
            text = self.tr("已定稿：{title}。在“同步”里登记县局服务器后会自动发送。")
        self.tell(text.format(title=filler.title()))
        self.tabs.removeTab(self.tabs.indexOf(filler))
        filler.deleteLater()

    def close_tab(self, index: int) -> None:
        if index == 0:
            return
        filler = self.tabs.widget(index)
        filler.flush()
        from ui.form_filler import RevisionFiller  # loaded already: a filler is open

        if getattr(filler, "answered_anything", False) and not isinstance(filler, RevisionFiller):
            self.tell(self.tr("已保存为草稿：{title}。可在“工作台”或“记录”里接着填写。").format(title=filler.title()))
        self.tabs.removeTab(index)
        filler.deleteLater()

    def tell(self, text: str) -> None:
        """What just happened to a record, said above the tabs and in the status bar."""
        self.notice.setText("✓ " + text)
        self.notice.show()
        window = self.window()
        if hasattr(window, "statusBar"):
            window.statusBar().showMessage(text, 15_000)

    def flush_all(self) -> None:
        for i in range(1, self.tabs.count()):
            self.tabs.widget(i).flush()


class FormPicker(QDialog):
    """为此人填表: the forms that fit the person (an elder's visit first); Enter starts the chosen one."""

    def __init__(self, parent, catalog: FormCatalog, person: dict, store: Store | None = None):
        from app.registry import forms_for

        super().__init__(parent)
        self.setObjectName("formPicker")
        self.setWindowTitle(self.tr("为 {name} 填表").format(name=person.get("name", "")))
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("选择要为 {name} 填写的表（回车开始）：").format(name=person.get("name", ""))))
        forms = {f.form_id: f for f in catalog.forms()
                 if store is None or store.scope.role.may_use_form(f.form_id)}
        fitting = forms_for(person.get("kind", ""), list(forms))
        self.list = QListWidget()
        self.list.setObjectName("pickerForms")
        for form_id in fitting:
            self._add(forms[form_id])
        self.others = [forms[f] for f in forms if f not in fitting]
        self.list.setCurrentRow(0)
        self.list.itemActivated.connect(lambda _: self.accept())
        layout.addWidget(self.list)
        if self.others:
            more = QCheckBox(self.tr("显示其他表单（{count} 种）").format(count=len(self.others)))
            more.setObjectName("showOtherForms")
            more.toggled.connect(self._show_others)
            layout.addWidget(more)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("开始填写"))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.list.setFocus()

    def _add(self, form) -> None:
        item = QListWidgetItem(form.title or form.form_id)
        item.setData(Qt.ItemDataRole.UserRole, form.form_id)
        self.list.addItem(item)

    def _show_others(self, on: bool) -> None:
        fitting = self.list.count() - (len(self.others) if not on else 0)
        if on:
            for form in self.others:
                self._add(form)
        else:
            while self.list.count() > fitting:
                self.list.takeItem(self.list.count() - 1)

    def chosen(self) -> str | None:
        item = self.list.currentItem()
        return item.data(Qt.ItemDataRole.UserRole) if item else None


class PersonPicker(QDialog):
    """填表 → a visit form: who is visited, found by name, pinyin initials or the end of the ID number."""

    def __init__(self, parent, store: Store, kind: str | None, title: str):
        super().__init__(parent)
        self.setObjectName("personPicker")
        self.setWindowTitle(self.tr("{form}：探访谁？").format(form=title))
        self.store, self.kind = store, kind
        self.person: dict | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("输入姓名、拼音首字母（如 wxy）或身份证号后几位，回车选中：")))
        self.search = QLineEdit()
        self.search.setObjectName("personSearch")
        self.search.setClearButtonEnabled(True)
        layout.addWidget(self.search)
        self.results = QListWidget()
        self.results.setObjectName("personResults")
        layout.addWidget(self.results, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("为此人填写"))
        without = buttons.addButton(self.tr("不选人，直接填写"), QDialogButtonBox.ButtonRole.ActionRole)
        without.setObjectName("withoutPerson")
        without.clicked.connect(self._without)
        buttons.accepted.connect(self._pick)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.search.textChanged.connect(self._find)
        self.search.installEventFilter(self)
        self.results.itemActivated.connect(lambda _: self._pick())
        self.without_person = False
        self._find("")
        self.search.setFocus()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                self._pick()
                return True
            if event.key() in (Qt.Key.Key_Down, Qt.Key.Key_Up):
                step = 1 if event.key() == Qt.Key.Key_Down else -1
                row = max(0, min(self.results.count() - 1, self.results.currentRow() + step))
                self.results.setCurrentRow(row)
                return True
        return super().eventFilter(watched, event)

    def _find(self, text: str) -> None:
        from app.china import mask_id

        villages = {v["id"]: v["name"] for v in self.store.villages()}
        self.results.clear()
        for row in self.store.search_persons(text.strip(), kind=self.kind, limit=30):
            tail = mask_id(row["id_number"]) if row.get("id_number") else ""
            item = QListWidgetItem(f"{row['name']}　{villages.get(row['village_id'], '')}　{tail}".strip())
            item.setData(Qt.ItemDataRole.UserRole, row["id"])
            self.results.addItem(item)
        self.results.setCurrentRow(0)

    def _pick(self) -> None:
        item = self.results.currentItem()
        if item is None:
            return
        self.person = self.store.get_person(item.data(Qt.ItemDataRole.UserRole))
        self.accept()

    def _without(self) -> None:
        self.without_person = True
        self.accept()


# ---------------------------------------------------------------------------- 记录


class RecordsPage(QWidget):
    open_record = Signal(str)

    def __init__(self, store: Store, catalog: FormCatalog, author: str):
        super().__init__()
        self.store, self.catalog, self.author = store, catalog, author
        self.setObjectName("recordsPage")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>记录</h2>")))
        bar = QHBoxLayout()
        self.form = QComboBox()
        self.form.addItem(self.tr("全部表单"), None)
        self.status = QComboBox()
        self.status.addItem(self.tr("全部状态"), None)
        for key, label in STATUS_LABELS.items():
            self.status.addItem(label, key)
        self.village = QComboBox()
        self.village.addItem(self.tr("全部村"), None)
        self.search = QLineEdit()
        self.search.setObjectName("recordSearch")
        self.search.setPlaceholderText(self.tr("按姓名、拼音首字母或标题查找"))
        for widget in (self.form, self.status, self.village):
            widget.currentIndexChanged.connect(lambda _: self.refresh())
        self.search.returnPressed.connect(self.refresh)
        self.since = optional_date("recordsSince", self.tr("不限"))
        self.until = optional_date("recordsUntil", self.tr("不限"))
        for box in (self.since, self.until):
            box.dateChanged.connect(lambda _: self.refresh())
        for widget in (self.form, self.status, self.village):
            bar.addWidget(widget)
        bar.addWidget(QLabel(self.tr("从")))
        bar.addWidget(self.since)
        bar.addWidget(QLabel(self.tr("到")))
        bar.addWidget(self.until)
        bar.addWidget(self.search, 1)
        open_button = QPushButton(self.tr("打开 / 修改"))
        open_button.clicked.connect(self._open)
        bar.addWidget(open_button)
        print_button = QPushButton(self.tr("打印/导出PDF…"))
        print_button.setObjectName("printRecord")
        print_button.setToolTip(self.tr("把选中的记录按纸质表格式保存为 A4 PDF（Ctrl+P）"))
        print_button.clicked.connect(self.print_selected)
        QShortcut(QKeySequence("Ctrl+P"), self, self.print_selected)
        bar.addWidget(print_button)
        layout.addLayout(bar)
        self.model = RecordsModel(store)
        self.view = _table(QTableView())
        self.view.setObjectName("recordsView")
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(False)
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.doubleClicked.connect(lambda _: self._open())
        self.view.clicked.connect(lambda _: self._show_history())
        layout.addWidget(self.view, 3)
        layout.addWidget(QLabel(self.tr("<b>修改历史</b>")))
        self.history = QListWidget()
        self.history.setObjectName("historyList")
        layout.addWidget(self.history, 1)

    def refresh(self) -> None:
        if self.form.count() == 1:
            for form_id in record_store.form_ids(self.store):
                form = self.catalog.by_id(form_id) if self.catalog else None
                title = form.title if form is not None and form.title else form_id
                self.model.titles[form_id] = title
                self.form.addItem(title, form_id)
        if self.village.count() == 1:
            for v in self.store.villages():
                self.village.addItem(v["name"], v["id"])
        def day(box: QDateEdit) -> str | None:
            return None if box.date() == box.minimumDate() else box.date().toString("yyyy-MM-dd")

        self.model.filters = {"form_id": self.form.currentData(), "status": self.status.currentData(),
                              "village_id": self.village.currentData(), "search": self.search.text().strip() or None,
                              "since": day(self.since), "until": day(self.until)}
        self.model.reload()
        for column in (0, 2, 3, 4, 5):
            self.view.resizeColumnToContents(column)

    def selected(self) -> dict | None:
        index = self.view.currentIndex()
        return self.model.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def _show_history(self) -> None:
        self.history.clear()
        row = self.selected()
        if row is None:
            return
        for entry in self.store.history(row["uuid"]):
            change = self.tr("{field}：{old} → {new}")
            changes = self.tr("；").join(change.format(field=c["field"], old=c["old"], new=c["new"])
                                        for c in entry["changes"])
            self.history.addItem(self.tr("第 {revision} 版 {time} {author}（原因：{reason}）{changes}").format(
                revision=entry["revision"], time=entry["changed_at"][:16].replace("T", " "), author=entry["author"],
                reason=entry["reason"] or self.tr("无"), changes=changes))
        if not self.history.count():
            self.history.addItem(self.tr("（没有修改过）"))

    def _open(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_record.emit(row["uuid"])

    def print_selected(self) -> None:
        from ui.printing import save_record_pdf

        row = self.selected()
        if row is None:
            QMessageBox.information(self, self.tr("请先选择"), self.tr("请先在列表中选择一条记录。"))
            return
        library = self.catalog.library if self.catalog else None
        save_record_pdf(self, self.store, library, row["uuid"], name=row["title"] or row["form_id"])


class EditReasonDialog(QDialog):
    def __init__(self, parent):
        super().__init__(parent)
        self.setWindowTitle(self.tr("修改已发送的记录"))
        form = QFormLayout(self)
        form.addRow(QLabel(self.tr("这条记录已经发送到县局。修改会生成新的版本，并记录修改人、时间和原因。")))
        self.reason = QLineEdit()
        self.reason.setObjectName("editReason")
        form.addRow(self.tr("修改原因："), self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


# ---------------------------------------------------------------------------- 导出, 设置


class SettingsPage(QWidget):
    def _look_changed(self) -> None:
        """大字 and high contrast apply to every page and form at once, and are kept for this laptop's user."""
        from ui.app_main import apply_look

        apply_look(self.text_size.currentData(), self.contrast.isChecked(), remember=True)

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>设置</h2>")))
        grid = QGridLayout()
        grid.addWidget(QLabel(self.tr("数据目录：")), 0, 0)
        grid.addWidget(QLabel(str(store.data_dir)), 0, 1)
        grid.addWidget(QLabel(self.tr("县局服务器：")), 1, 0)
        self.server = QLabel()
        self.server.setObjectName("serverInfo")
        grid.addWidget(self.server, 1, 1)
        grid.addWidget(QLabel(self.tr("填表人姓名：")), 2, 0)
        self.author = QLineEdit(store.get_setting("author") or "")
        grid.addWidget(self.author, 2, 1)
        grid.addWidget(QLabel(self.tr("文字大小：")), 3, 0)
        look = QHBoxLayout()
        self.text_size = QComboBox()
        self.text_size.setObjectName("textSize")
        from ui.app_main import TEXT_SCALES, saved_look

        for scale in TEXT_SCALES:
            self.text_size.addItem(self.tr("{percent}%").format(percent=int(scale * 100)), scale)
        scale, contrast = saved_look()
        self.text_size.setCurrentIndex(TEXT_SCALES.index(scale))
        self.contrast = QCheckBox(self.tr("高对比度（黑字白底、醒目的焦点框）"))
        self.contrast.setObjectName("highContrast")
        self.contrast.setChecked(contrast)
        self.text_size.currentIndexChanged.connect(lambda _: self._look_changed())
        self.contrast.toggled.connect(lambda _: self._look_changed())
        look.addWidget(self.text_size)
        look.addWidget(self.contrast)
        look.addStretch(1)
        grid.addLayout(look, 3, 1)
        from ui.places import TownshipPicker

        grid.addWidget(QLabel(self.tr("本乡镇：")), 4, 0)
        # the forms offer this township's villages; no parent until addWidget, so its lists follow 文字大小 in the
        # Tab order instead of coming before everything on the page
        self.township = TownshipPicker(store.region_table())
        self.township.setObjectName("township")
        self.township.select(store.township())
        from app.practice import is_practice

        practice = is_practice(store)  # its township is fictional: named, not chosen (no real villages in it)
        self.township.setEnabled(store.scope.role.may("settings") and not practice)
        self.township.setVisible(not practice)
        self.practice_town = QLabel(self.tr("{town}（练习模式的虚构乡镇；本乡镇在正式使用时选择）").format(
            town=store.get_setting("town") or ""))
        self.practice_town.setObjectName("practiceTown")
        self.practice_town.setVisible(practice)
        grid.addWidget(self.township, 4, 1)
        grid.addWidget(self.practice_town, 4, 1)  # the same place: one of the two shows
        layout.addLayout(grid)
        rules = QGroupBox(self.tr("探访周期（天）：本县规定与默认不同时在这里修改"))
        rules.setObjectName("visitRules")
        form = QFormLayout(rules)
        self.days: dict[tuple[str, str], QSpinBox] = {}
        for group, key, label in (("elder", "high", self.tr("高风险老人")), ("elder", "key", self.tr("重点老人")),
                                  ("elder", "general", self.tr("一般老人")),
                                  ("child", "poor", self.tr("儿童（监护情况差）")),
                                  ("child", "fair", self.tr("儿童（监护情况一般）")),
                                  ("child", "good", self.tr("儿童（监护情况较好）"))):
            box = QSpinBox()
            box.setRange(1, 366)
            box.setObjectName(f"days_{group}_{key}")
            self.days[(group, key)] = box
            form.addRow(label, box)
        self.major = QSpinBox()
        self.major.setRange(1, 30)
        form.addRow(self.tr("重大变故或安全红线后"), self.major)
        self.monthly = QCheckBox(self.tr("所有特殊困难老人每月至少探访一次（月探访率100%目标）"))
        form.addRow(self.monthly)
        self.idle = QSpinBox()
        self.idle.setObjectName("idleMinutes")
        self.idle.setRange(1, 240)
        self.idle.setSuffix(self.tr(" 分钟"))
        form.addRow(self.tr("无人操作多久后自动锁定"), self.idle)
        may_change = store.scope.role.may("settings")
        rules.setEnabled(may_change)
        if not may_change:
            rules.setToolTip(self.tr("只有管理员能修改这些设置"))
        layout.addWidget(rules)
        save = QPushButton(self.tr("保存设置"))
        save.clicked.connect(self.save)
        layout.addWidget(save, alignment=Qt.AlignmentFlag.AlignLeft)
        if store.account is not None and store.scope.role.may("accounts"):
            from ui.accounts_ui import AccountsPanel

            self.accounts = AccountsPanel(store)
            layout.addWidget(self.accounts, 1)
        elif store.account is None:  # a store made before accounts (one passphrase for everyone)
            adopt = QPushButton(self.tr("启用账户…"))
            adopt.setObjectName("adoptAccounts")
            adopt.setToolTip(self.tr("每人用自己的账户登录，只看到自己负责的村；原数据库密码随之失效"))
            adopt.clicked.connect(self.adopt_accounts)
            layout.addWidget(adopt, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addStretch(1)

    def adopt_accounts(self):
        """启用账户: the administrator is made now; the window restarts with sign-in at the next start."""
        from ui.accounts_ui import AdoptDialog

        self.adopt_dialog = AdoptDialog(self.store, self)
        self.adopt_dialog.accepted.connect(lambda: QMessageBox.information(
            self, self.tr("已启用账户"), self.tr("已启用账户。请在“设置 → 账户”里为村干部、儿童主任添加账户；"
                                             "下次打开村访通时用账户登录。")))
        self.adopt_dialog.open()
        return self.adopt_dialog

    def refresh(self) -> None:
        from app.settings import load_settings

        server = self.store.get_setting("sync.url")
        self.server.setText(server or self.tr("尚未登记（在“同步”页用管理员给的登记码登记本机）"))
        visits = load_settings(self.store.data_dir).visits
        for (group, key), box in self.days.items():
            table = visits.elder_by_tier if group == "elder" else visits.child_by_guardianship
            box.setValue(int(table.get(key, 90)))
        self.major.setValue(visits.major_event_days)
        self.monthly.setChecked(visits.monthly_floor)
        from ui.main_window import idle_minutes

        self.idle.setValue(idle_minutes(self.store))

    def save(self) -> None:
        from app.settings import load_settings, save_settings

        self.store.set_setting("author", self.author.text().strip())
        if not self.store.scope.role.may("settings"):
            QMessageBox.information(self, self.tr("已保存"), self.tr("填表人姓名已保存。"))
            return
        township = self.township.code() if self.township.isEnabled() else ""
        if township and township != self.store.township():
            self.store.set_township(township)  # a laptop set up before the region table, or moved to another
        self.store.set_setting("lock.idle_minutes", str(self.idle.value()))
        settings = load_settings(self.store.data_dir)
        for (group, key), box in self.days.items():
            table = settings.visits.elder_by_tier if group == "elder" else settings.visits.child_by_guardianship
            table[key] = box.value()
        settings.visits.major_event_days = self.major.value()
        settings.visits.monthly_floor = self.monthly.isChecked()
        save_settings(self.store.data_dir, settings)
        QMessageBox.information(self, self.tr("已保存"),
                                self.tr("设置已保存。新的探访周期从下一次定稿的探访记录起生效。"))
