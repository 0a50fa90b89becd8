"""The main window: a navigation bar with Chinese labels, the pages, and a status bar."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QT_TRANSLATE_NOOP, QEvent, QObject, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app.errors import CunFangError
from app.store import Store
from ui.autosync import SyncRunner, local_time, sync_loaded
from ui.dashboard_page import DashboardPage
from ui.errors import plain_text, show_error
from ui.icons import icon as icon_for
from ui.page_common import FormCatalog, StatusLabel

# ---------------------------------------------------------------------------- the pages, one registry


def _dashboard(window: MainWindow) -> QWidget:
    page = DashboardPage(window.store)
    page.open_person.connect(window.fill_for_person)
    page.open_record.connect(window.open_record)
    return page


def _registry(window: MainWindow) -> QWidget:
    from ui.pages import RegistryPage

    page = RegistryPage(window.store)
    page.fill_for.connect(window.fill_for_person)
    page.open_record.connect(window.open_record)
    return page


def _fill(window: MainWindow) -> QWidget:
    from ui.pages import FillPage

    page = FillPage(window.store, window.catalog, window.author)
    page.record_changed.connect(window.update_status)
    return page


def _records(window: MainWindow) -> QWidget:
    from ui.pages import RecordsPage

    page = RecordsPage(window.store, window.catalog, window.author)
    page.open_record.connect(window.open_record)
    return page


def _sync(window: MainWindow) -> QWidget:
    from ui.sync_page import SyncPage

    page = SyncPage(window.store, window.autosync)
    page.open_record.connect(window.open_record)
    QTimer.singleShot(0, window.update_status)  # the sync client is loaded now: the full status bar
    return page


def _export(window: MainWindow) -> QWidget:
    from ui.pages import ExportPage

    return ExportPage(window.store, window.catalog)


def _settings(window: MainWindow) -> QWidget:
    from ui.pages import SettingsPage

    return SettingsPage(window.store)


@dataclass(frozen=True)
class PageSpec:
    """One page of the main window. ``right``: the app.access action the role needs to see it (None: all)."""

    key: str
    label: str  # marked for lupdate, translated when the window is built (self.tr in MainWindow)
    icon: str
    shortcut: str
    right: str | None
    factory: Callable[[MainWindow], QWidget]


# A new page is one line here (its order is the navigation's).
PAGES: tuple[PageSpec, ...] = (
    PageSpec("dashboard", QT_TRANSLATE_NOOP("MainWindow", "工作台"), "fa5s.home", "Ctrl+1", None, _dashboard),
    PageSpec("registry", QT_TRANSLATE_NOOP("MainWindow", "台账"), "fa5s.address-book", "Ctrl+2", None, _registry),
    PageSpec("fill", QT_TRANSLATE_NOOP("MainWindow", "填表"), "fa5s.edit", "Ctrl+3", None, _fill),
    PageSpec("records", QT_TRANSLATE_NOOP("MainWindow", "记录"), "fa5s.list-alt", "Ctrl+4", None, _records),
    PageSpec("sync", QT_TRANSLATE_NOOP("MainWindow", "同步"), "fa5s.sync-alt", "Ctrl+5", "sync", _sync),
    PageSpec("export", QT_TRANSLATE_NOOP("MainWindow", "导出"), "fa5s.file-excel", "Ctrl+6", "export", _export),
    PageSpec("settings", QT_TRANSLATE_NOOP("MainWindow", "设置"), "fa5s.cog", "Ctrl+7", None, _settings),
)
PAGE_INDEX = {spec.key: index for index, spec in enumerate(PAGES)}


PRACTICE_BANNER_STYLE = ("QWidget#practiceBanner { background: #ef6c00; } "
                         "QWidget#practiceBanner QLabel { color: white; font-weight: bold; }")
PRACTICE_NAV_STYLE = "QListWidget#nav { background: #ffe0b2; } QListWidget#nav::item:selected { background: #ef6c00; }"


def page_scroller() -> QScrollArea:
    """Each page sits in a scroll area: a page taller or wider than the screen scrolls, it never grows the window."""
    scroll = QScrollArea()
    scroll.setWidgetResizable(True)
    scroll.setFrameShape(QFrame.Shape.NoFrame)
    scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    return scroll


def fit_to_screen(widget: QWidget, *, width: int | None = None, height: int | None = None) -> None:
    """Size a window or dialog to what it wants, never beyond the screen it is on (the taskbar left free)."""
    screen = widget.screen() or QApplication.primaryScreen()
    room = screen.availableGeometry()
    hint = widget.sizeHint()
    w = min(width or hint.width(), room.width() - 16)
    h = min(height or hint.height(), room.height() - 40)  # the title bar is drawn outside the widget
    widget.resize(max(w, 200), max(h, 120))


def idle_minutes(store: Store) -> int:
    """Minutes without a key or mouse before the app locks itself (setting ``lock.idle_minutes``, default 10)."""
    try:
        return max(1, int(store.get_setting("lock.idle_minutes") or 10))
    except ValueError:
        return 10


class IdleLock(QObject):
    """Locks the window after ``minutes`` with no key press or mouse use anywhere in the app."""

    INPUT = (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove, QEvent.Type.Wheel)

    def __init__(self, window: MainWindow, *, minutes: int):
        super().__init__(window)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(minutes * 60_000)
        self.timer.timeout.connect(window.lock)
        if window.store.account is not None:
            QApplication.instance().installEventFilter(self)
            self.timer.start()

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        if event.type() in self.INPUT:
            self.timer.start()
        return False


class MainWindow(QMainWindow):
    def __init__(self, store: Store):
        super().__init__()
        self.setObjectName("mainWindow")
        self.store = store
        self.switch_user_requested = False
        self.practice_wanted: bool | None = None  # set when the window closes to enter or leave 练习模式
        from app.practice import is_practice

        self.practice = is_practice(store)
        self._locked = False
        account = store.account
        town = store.get_setting("town") or ""  # the township chosen at first run, named wherever the app is
        if self.practice:
            self.setWindowTitle(self.tr("村访通 — 练习模式（虚构数据，不会发送）"))
        elif account is None:
            self.setWindowTitle(self.tr("村访通 — {town}").format(town=town) if town else self.tr("村访通"))
        else:
            who = self.tr("{name}（{role}）").format(name=account.name, role=self.tr(account.role_def.label))
            self.setWindowTitle(self.tr("村访通 — {town} — {who}").format(town=town, who=who) if town
                                else self.tr("村访通 — {who}").format(who=who))
        self.catalog = FormCatalog(store)
        author = account.name if account else store.get_setting("author") or ""
        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(22, 22))
        self.nav.setFixedWidth(120)
        self.stack = QStackedWidget()
        # Pages are built on first visit: start-up builds only 工作台.
        self.author = author
        self._built: dict[str, QWidget] = {}
        for index, spec in enumerate(PAGES):
            label = self.tr(spec.label)
            item = QListWidgetItem(icon_for(spec.icon), f" {label}")
            item.setToolTip(self.tr("{label}（{key}）").format(label=label, key=spec.shortcut))
            self.nav.addItem(item)
            item.setHidden(not self.allowed(spec.key))
            self.stack.addWidget(page_scroller())
            QShortcut(QKeySequence(spec.shortcut), self, lambda i=index: self.nav.setCurrentRow(i))
        self.nav.currentRowChanged.connect(self._on_nav)
        central = QWidget()
        outer = QVBoxLayout(central)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        if self.practice:
            outer.addWidget(self._practice_banner())
            self.nav.setStyleSheet(PRACTICE_NAV_STYLE)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(0)
        row.addWidget(self.nav)
        row.addWidget(self.stack, 1)
        outer.addLayout(row, 1)
        self.setCentralWidget(central)

        def about() -> None:  # 帮助 → 关于村访通 (ui/about.py loads when it is opened)
            from ui.about import AboutDialog

            AboutDialog(self.store.data_dir, self).exec()

        if account is not None:
            menu = self.menuBar().addMenu(self.tr("账户"))
            lock = menu.addAction(self.tr("锁定"), self.lock)
            lock.setShortcut(QKeySequence("Ctrl+L"))
            lock.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)  # also over an open dialog
            self.addAction(lock)
            menu.addAction(self.tr("换人登录"), self.switch_user)
            menu.addAction(self.tr("修改我的密码…"), self.change_password)
        practice_menu = self.menuBar().addMenu(self.tr("练习模式"))
        if self.practice:
            practice_menu.addAction(self.tr("退出练习模式，回到正式数据"), lambda: self.switch_practice(False))
            practice_menu.addAction(self.tr("清空练习数据，重新开始"), self.restart_practice)
        else:
            practice_menu.addAction(self.tr("进入练习模式（虚构数据，不会发送）"), lambda: self.switch_practice(True))
        help_menu = self.menuBar().addMenu(self.tr("帮助"))
        guide = help_menu.addAction(self.tr("使用说明和快捷键"), self.show_help)
        guide.setShortcut(QKeySequence("F1"))
        guide.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        about_action = help_menu.addAction(self.tr("关于村访通"), about)
        about_action.setMenuRole(about_action.MenuRole.AboutRole)

        self.online = StatusLabel()  # each ends in … when they do not all fit (never cut at the edge)
        self.waiting = StatusLabel()
        self.last_sync = StatusLabel()
        self.statusBar().setSizeGripEnabled(False)
        for label in (self.online, self.waiting, self.last_sync):
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        QShortcut(QKeySequence("Ctrl+F"), self, self.focus_search)
        # Sync in the background while the app runs (the sync client loads on the first look, after start-up).
        self.autosync = SyncRunner(store, self, automatic=not self.practice)  # practice data are never sent
        self.autosync.changed.connect(self.update_status)
        self.autosync.progress.connect(self._sync_progress)

        self._restore_geometry()
        self.nav.setCurrentRow(0)
        self.status_timer = QTimer(self)
        self.status_timer.setInterval(30_000)
        self.status_timer.timeout.connect(self.update_status)
        self.status_timer.start()
        self.update_status()
        QTimer.singleShot(0, self.offer_drafts)
        self.idle = IdleLock(self, minutes=idle_minutes(store))

    # ------------------------------------------------------------------ the lock screen and switching user

    def lock(self) -> None:
        """Hide everything behind the lock screen; drafts are saved first and stay open underneath."""
        if self.store.account is None or self._locked or self.store.closed:
            return
        from app.store.audit import append
        from ui.accounts_ui import LockDialog

        self._locked = True
        if self.built("fill") is not None:
            self.fill.flush_all()
        self.centralWidget().hide()
        append(self.store, "lock", user=self.store.account.login, subject=self.store.account.login)
        self.lock_dialog = LockDialog(self.store, self)
        self.lock_dialog.finished.connect(self._unlocked)
        self.lock_dialog.open()

    def _unlocked(self, code: int) -> None:
        from ui.accounts_ui import LockDialog

        self._locked = False
        if code == LockDialog.SWITCH:
            self.switch_user()
            return
        self.centralWidget().show()

    def switch_user(self) -> None:
        """Close this person's window (drafts saved) so the next person signs in."""
        self.switch_user_requested = True
        self.close()

    def _practice_banner(self) -> QWidget:
        """The orange strip on every page of 练习模式, with the one action that leaves it."""
        banner = QWidget()
        banner.setObjectName("practiceBanner")
        banner.setStyleSheet(PRACTICE_BANNER_STYLE)
        banner.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        line = QHBoxLayout(banner)
        line.setContentsMargins(12, 4, 12, 4)
        text = QLabel(self.tr("练习模式：这里是虚构的示范乡镇，随便填、随便改，什么都不会发送到县局。"))
        text.setWordWrap(True)
        leave = QPushButton(self.tr("退出练习模式"))
        leave.setObjectName("leavePractice")
        leave.clicked.connect(lambda: self.switch_practice(False))
        line.addWidget(text, 1)
        line.addWidget(leave)
        return banner

    def show_help(self) -> None:
        from ui.help import HelpDialog

        HelpDialog(self).open()

    def switch_practice(self, practice: bool) -> None:
        """Enter or leave 练习模式: this window closes (drafts saved) and the other store opens."""
        self.practice_wanted = practice
        self.close()

    def restart_practice(self) -> None:
        from app.practice import reset_practice

        answer = QMessageBox.question(self, self.tr("清空练习数据"),
                                      self.tr("清空练习模式里填写的一切，重新生成示范乡镇？正式数据不受影响。"))
        if answer == QMessageBox.StandardButton.Yes:
            data_dir = self.store.data_dir.parent
            self.switch_practice(True)
            self.store.close()
            reset_practice(data_dir)

    def change_password(self) -> None:
        from ui.accounts_ui import ChangePasswordDialog

        ChangePasswordDialog(self.store, self).open()

    def allowed(self, key: str) -> bool:
        """Pages a role cannot use are not offered (导出 needs the export right)."""
        right = PAGES[PAGE_INDEX[key]].right
        return right is None or self.store.scope.role.may(right)

    # ------------------------------------------------------------------ navigation

    def page(self, key: str) -> QWidget:
        """The page called ``key`` in PAGES, built the first time it is wanted."""
        page = self._built.get(key)
        if page is None:
            index = PAGE_INDEX[key]
            page = self._built[key] = PAGES[index].factory(self)
            self.stack.widget(index).setWidget(page)
        return page

    def built(self, key: str) -> QWidget | None:
        """The page called ``key`` if it was built already (None: never visited)."""
        return self._built.get(key)

    def nav_item(self, key: str) -> QListWidgetItem:
        return self.nav.item(PAGE_INDEX[key])

    @property
    def pages(self) -> list[QWidget]:
        return [self.page(spec.key) for spec in PAGES]

    dashboard = property(lambda self: self.page("dashboard"))
    registry = property(lambda self: self.page("registry"))
    fill = property(lambda self: self.page("fill"))
    records = property(lambda self: self.page("records"))
    sync = property(lambda self: self.page("sync"))
    export = property(lambda self: self.page("export"))
    settings = property(lambda self: self.page("settings"))

    def _on_nav(self, row: int) -> None:
        if row < 0:
            return
        key = PAGES[row].key
        if not self.allowed(key):
            self.nav.setCurrentRow(PAGE_INDEX["dashboard"])
            return
        page = self.page(key)
        self.stack.setCurrentIndex(row)
        try:
            page.refresh()
        except CunFangError as exc:
            show_error(self, exc)
        # Ctrl+3 then ↓/Enter works in the page, not in the navigation or a tab bar (once the page is shown)
        QTimer.singleShot(0, self, lambda: self._focus_into(page) if self.stack.currentIndex() == row else None)

    @staticmethod
    def _focus_into(page: QWidget) -> None:
        """The cursor to the page's first control (a search box, a list), as Tab would take it (a tab bar is
        passed over: ↓ does nothing there)."""
        from PySide6.QtWidgets import QTabBar, QTabWidget

        focus = QApplication.focusWidget()
        if focus is not None and page.isAncestorOf(focus) and not isinstance(focus, QTabBar):
            return  # already somewhere in the page (a form that put its cursor in its first question)
        if hasattr(page, "focus_here"):
            page.focus_here()
            return
        widget = page.nextInFocusChain()
        while widget is not page and widget is not None:
            usable = widget.isVisibleTo(page) and widget.isEnabled() and not isinstance(widget, (QTabBar, QTabWidget))
            if usable and page.isAncestorOf(widget) and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
                widget.setFocus(Qt.FocusReason.TabFocusReason)
                return
            widget = widget.nextInFocusChain()

    def show_page(self, page) -> None:
        key = next(key for key, built in self._built.items() if built is page)
        self.nav.setCurrentRow(PAGE_INDEX[key])

    def focus_search(self) -> None:
        if self.built("records") is not None and self.stack.currentIndex() == PAGE_INDEX["records"]:
            self.records.search.setFocus()
            return
        self.show_page(self.registry)
        self.registry.search.setFocus()
        self.registry.search.selectAll()

    # ------------------------------------------------------------------ actions

    def fill_for_person(self, person: dict) -> None:
        from ui.pages import FormPicker

        if person.get("id") and "kind" not in person:  # 工作台's rows carry only what the list shows
            try:
                person = self.store.get_person(person["id"])
            except CunFangError as exc:
                show_error(self, exc)
                return
        picker = FormPicker(self, self.catalog, person, self.store)
        if picker.exec() and picker.chosen() is not None:
            self.show_page(self.fill)
            self.fill.start(picker.chosen(), person=person)

    def open_record(self, record_uuid: str) -> None:
        try:
            record = self.store.get_record(record_uuid)
        except CunFangError as exc:
            show_error(self, exc)
            return
        form = self.catalog.by_id(record["form_id"], record["form_version"])
        if form is None:
            QMessageBox.information(self, self.tr("无法打开"),
                                    self.tr("本机没有表单“{form_id}”，无法显示这条记录。").format(form_id=record["form_id"]))
            return
        if record["status"] == "draft":
            self.show_page(self.fill)
            self.fill.open_filler(form, record_uuid=record_uuid)
            return
        self.edit_record(form, record)

    def edit_record(self, form, record: dict) -> None:
        """Open a finalized or sent record in a filler; saving writes a new revision."""
        from ui.form_filler import RevisionFiller  # the form engine loads on first use, not at start-up

        reason = ""
        from app.store import lifecycle

        if lifecycle.state_of(record) in lifecycle.NEEDS_REASON:
            from ui.pages import EditReasonDialog

            dialog = EditReasonDialog(self)
            if not dialog.exec():
                return
            reason = dialog.reason.text().strip()
        filler = RevisionFiller(self.store, form, record, reason=reason, author=self.store.get_setting("author") or "")
        filler.done.connect(lambda: (self.records.refresh(), self.update_status()))
        self.show_page(self.fill)
        self.fill.tabs.addTab(filler, self.tr("修改：{title}").format(title=record["title"] or record["form_id"]))
        self.fill.tabs.setCurrentWidget(filler)

    def offer_drafts(self) -> None:
        """After a crash or a plain close, unfinished forms are waiting on 工作台; say so once."""
        if self.store.closed:  # the window is going away (a timer fired after the store was closed)
            return
        drafts = self.store.drafts()
        if drafts:
            self.statusBar().showMessage(self.tr("有 %n 份草稿未完成，可在工作台继续填写。", "", len(drafts)), 15_000)

    def update_status(self) -> None:
        """The status bar: sync state, records waiting to be sent, the last sync."""
        if self.store.closed:
            return
        if self.practice:
            self.online.setText(self.tr("● 练习模式：数据不会发送"))
            self.waiting.setText("")
            self.last_sync.setText("")
            return
        if not sync_loaded():  # the first seconds after start-up: only what the store says by itself
            from app.store.records import waiting_count

            self.waiting.setText(self.tr("待同步 %n 条", "", waiting_count(self.store)))
            return
        status = self.autosync.status()
        self.waiting.setText(self.tr("待同步 %n 条", "", status.pending))
        kind = status.last_kind
        if not status.enrolled:
            state = self.tr("● 未登记县局服务器")
        elif status.running:
            state = self.tr("● 同步中…")
        elif kind == "network":
            state = self.tr("● 网络不通，稍后重试")
        elif kind == "server":
            state = self.tr("● 服务器暂时出错，稍后重试")
        elif kind == "other":
            state = self.tr("● 同步未完成，稍后重试")
        else:
            state = self.tr("● 已登记县局服务器")
        self.online.setText(state)
        self.online.setToolTip(plain_text(status.last_error)[0] if kind else "")
        if not status.last_at:
            self.last_sync.setText(self.tr("上次同步：从未"))
            return
        outcome = {"": self.tr("成功"), "cancelled": self.tr("已取消")}.get(kind, self.tr("未完成"))
        rejected = status.rejected  # the signed-in account's records the server sent back
        if rejected and not kind:
            outcome = self.tr("完成，被退回 %n 条", "", rejected)
        self.last_sync.setText(self.tr("上次同步：{when} {outcome}").format(when=local_time(status.last_at),
                                                                        outcome=outcome))

    def _sync_progress(self, done: int, total: int, _text: str) -> None:
        if total and done < total:
            self.online.setText(self.tr("● 同步中… {done}/{total}").format(done=done, total=total))

    # ------------------------------------------------------------------ window state

    def _restore_geometry(self) -> None:
        """The first time the window opens maximised; afterwards as it was left, always inside the screen."""
        settings = QSettings()
        geometry = settings.value("main/geometry")
        fit_to_screen(self, width=1280, height=720)  # the size 还原 (restore) goes back to
        if geometry is None or not self.restoreGeometry(geometry):
            self.setWindowState(Qt.WindowState.WindowMaximized)
            return
        room = (self.screen() or QApplication.primaryScreen()).availableGeometry()
        if not self.isMaximized() and (self.width() > room.width() or self.height() > room.height()):
            fit_to_screen(self, width=self.width(), height=self.height())
            self.move(room.topLeft())

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        QApplication.instance().removeEventFilter(self.idle)
        self.idle.timer.stop()
        if self.built("fill") is not None:
            self.fill.flush_all()
        self.autosync.shutdown()
        QSettings().setValue("main/geometry", self.saveGeometry())
        super().closeEvent(event)
