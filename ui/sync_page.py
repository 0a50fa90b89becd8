"""同步: enroll this laptop with the bureau server, sync now (with progress, cancel and a result per record), and
write a USB package when no network reaches the village.

Every piece of work goes through the window's ``SyncRunner`` (ui/autosync.py), off the UI thread and one at a
time; the page only shows what the runner reports.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import CunFangError
from app.store import Store
from app.store import records as record_store
from app.store.lifecycle import STATE_LABELS, State, state_of
from app.store.outbox import accounts_with_credentials
from sync.client.client import SyncReport, enroll
from sync.client.packages import export_package
from sync.protocol import OUTCOME_LABELS, Outcome, summary
from ui.autosync import SyncRunner, local_time
from ui.errors import plain_message, plain_text, show_text
from ui.page_common import _table, documents_folder, suggested_file

ERROR_STYLE = "color: #c62828;"
VILLAGE_CODE = re.compile(r"(?<!\d)\d{12}(?!\d)")  # a 12-digit village code in a server's message
NOTICE_STYLE = "background: #fff8e1; color: #5d4037; border: 1px solid #ffe082; padding: 6px;"
ROW_COLOURS = {Outcome.REJECTED: ("#ffebee", "#b71c1c"), Outcome.CONFLICT: ("#fff8e1", "#8d6e00")}


class SyncPage(QWidget):
    """Not enrolled: how to enroll, and the form. Enrolled: the account, what waits, 立即同步 and the results."""

    open_record = Signal(str)

    def __init__(self, store: Store, runner: SyncRunner | None = None):
        super().__init__()
        self.store = store
        self._villages: dict[str, str] | None = None  # id → name, read once per showing
        self.setObjectName("syncPage")
        self.runner = runner if runner is not None else SyncRunner(store, self)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>同步</h2>")))
        self.stack = QStackedWidget()
        self.enroll_view = self._build_enroll_view()
        self.status_view = self._build_status_view()
        self.stack.addWidget(self.enroll_view)
        self.stack.addWidget(self.status_view)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self._build_waiting_view())
        self.runner.started.connect(self._run_started)
        self.runner.progress.connect(self._run_progress)
        self.runner.finished.connect(self._run_finished)
        self.runner.changed.connect(self._show_state)
        self.refresh()

    # ------------------------------------------------------------------ building

    def _build_enroll_view(self) -> QWidget:
        view = QWidget()
        box = QVBoxLayout(view)
        box.setContentsMargins(0, 0, 0, 0)
        intro = QLabel(self.tr(
            "本机还没有登记到县局服务器。不登记也能照常填表，记录都加密保存在本机（下面列出等待发送的记录）。\n"
            "登记以后，已定稿的记录会自动发送到县局，县局发布的表单和人员名册也会下载到本机。\n"
            "请向县里的信息员索取服务器地址和一次性登记码（每人一个，用过即失效）。"))
        intro.setWordWrap(True)
        box.addWidget(intro)
        fields = QWidget()
        fields.setMaximumWidth(760)
        form = QFormLayout(fields)
        form.setContentsMargins(0, 0, 0, 0)
        self.url = QLineEdit(self.store.get_setting("server_url") or "")
        self.url.setObjectName("syncUrl")
        self.url.setPlaceholderText(self.tr("例如 https://mz.example.gov.cn"))
        form.addRow(self.tr("服务器地址："), self.url)
        self.token = QLineEdit()
        self.token.setObjectName("syncToken")
        self.token.setPlaceholderText(self.tr("管理员给的一次性登记码"))
        self.token.returnPressed.connect(self.enroll)
        form.addRow(self.tr("登记码："), self.token)
        # 高级 (collapsed): only when the bureau uses a certificate of its own does anyone need this
        self.advanced_toggle = QToolButton()
        self.advanced_toggle.setObjectName("syncAdvanced")
        self.advanced_toggle.setText(self.tr("高级"))
        self.advanced_toggle.setCheckable(True)
        self.advanced_toggle.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.advanced_toggle.setArrowType(Qt.ArrowType.RightArrow)
        self.advanced_toggle.setAutoRaise(True)
        self.advanced_toggle.toggled.connect(self._show_advanced)
        form.addRow(self.advanced_toggle)
        self.advanced = QWidget()
        self.advanced.setObjectName("syncAdvancedPanel")
        ca_row = QHBoxLayout(self.advanced)
        ca_row.setContentsMargins(0, 0, 0, 0)
        ca_row.addWidget(QLabel(self.tr("CA 证书文件：")))
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("syncCaFile")
        self.ca_file.setPlaceholderText(self.tr("一般不用填；县局使用自己的证书时，由信息员提供（.pem/.crt）"))
        choose = QPushButton(self.tr("选择…"))
        choose.clicked.connect(self.choose_ca_file)
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(choose)
        form.addRow(self.advanced)
        self.advanced.setVisible(False)
        box.addWidget(fields)
        self.enroll_button = QPushButton(self.tr("登记本机"))
        self.enroll_button.setObjectName("enrollButton")
        self.enroll_button.clicked.connect(self.enroll)
        box.addWidget(self.enroll_button, alignment=Qt.AlignmentFlag.AlignLeft)
        self.enroll_message = QLabel()
        self.enroll_message.setObjectName("enrollMessage")
        self.enroll_message.setWordWrap(True)
        self.enroll_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.enroll_message)
        usb = QLabel(self.tr("没有网络？请县局为您写一个登记文件（用您的登记码加密）：填上登记码，"
                             "按“用登记文件登记…”选择这个文件。登记以后，记录可以装进加密的U盘数据包，带到县局导入。"))
        usb.setObjectName("hint")
        usb.setWordWrap(True)
        box.addWidget(usb)
        usb_row = QHBoxLayout()
        self.enroll_file_button = QPushButton(self.tr("用登记文件登记…"))
        self.enroll_file_button.setObjectName("enrollFileButton")
        self.enroll_file_button.setToolTip(self.tr("没有网络时：用县局写的登记文件和您的登记码登记本机"))
        self.enroll_file_button.clicked.connect(self.choose_enroll_file)
        usb_row.addWidget(self.enroll_file_button)
        self.enroll_package_button = QPushButton(self.tr("导出U盘数据包…"))
        self.enroll_package_button.setObjectName("enrollPackageButton")
        self.enroll_package_button.setToolTip(self.tr("把等待发送的记录写成加密数据包，带到县局导入"))
        self.enroll_package_button.clicked.connect(self.export_package)
        usb_row.addWidget(self.enroll_package_button)
        usb_row.addStretch(1)
        box.addLayout(usb_row)
        box.addStretch(1)
        return view

    def _show_advanced(self, shown: bool) -> None:
        self.advanced.setVisible(shown)
        self.advanced_toggle.setArrowType(Qt.ArrowType.DownArrow if shown else Qt.ArrowType.RightArrow)

    def _build_waiting_view(self) -> QWidget:
        """What waits to be sent and why, for the signed-in account only (its scope), enrolled or not."""
        view = QWidget()
        box = QVBoxLayout(view)
        box.setContentsMargins(0, 6, 0, 0)
        self.waiting_title = QLabel()
        self.waiting_title.setObjectName("syncWaitingTitle")
        box.addWidget(self.waiting_title)
        self.waiting = _table(QTableWidget(0, 4))
        self.waiting.setObjectName("syncWaiting")
        self.waiting.setHorizontalHeaderLabels([self.tr("记录"), self.tr("村"), self.tr("状态"),
                                                self.tr("为什么还在等")])
        self.waiting.setWordWrap(False)
        self.waiting.setMaximumHeight(190)  # the results above keep the room (1366×768 at 125 %)
        self.waiting.itemActivated.connect(self._open_row)
        box.addWidget(self.waiting)
        return view

    def _build_status_view(self) -> QWidget:
        view = QWidget()
        box = QVBoxLayout(view)
        box.setContentsMargins(0, 0, 0, 0)
        self.update_notice = QLabel()  # the server offers a newer version: said here, never installed by itself
        self.update_notice.setObjectName("syncUpdateNotice")
        self.update_notice.setTextFormat(Qt.TextFormat.PlainText)
        self.update_notice.setStyleSheet(NOTICE_STYLE)
        self.update_notice.setWordWrap(True)
        self.update_notice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.update_notice.hide()
        box.addWidget(self.update_notice)
        self.info = QLabel()
        self.info.setObjectName("syncInfo")
        self.info.setTextFormat(Qt.TextFormat.PlainText)
        self.info.setWordWrap(True)
        self.info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.info)
        row = QHBoxLayout()
        self.sync_button = QPushButton(self.tr("立即同步（F5）"))
        self.sync_button.setObjectName("syncNowButton")
        self.sync_button.setShortcut(QKeySequence(Qt.Key.Key_F5))  # a button's shortcut works only while it shows
        self.sync_button.setToolTip(self.tr("发送已定稿的记录，接收县局的表单和人员名册"))
        self.sync_button.clicked.connect(self.sync_now)
        self.cancel_button = QPushButton(self.tr("取消"))
        self.cancel_button.setObjectName("syncCancelButton")
        self.cancel_button.setToolTip(self.tr("当前这一步完成后停止；已经发送的记录都已确认，其余的下次继续"))
        self.cancel_button.clicked.connect(self.cancel)
        self.package_button = QPushButton(self.tr("导出U盘数据包…"))
        self.package_button.setObjectName("packageButton")
        self.package_button.setToolTip(self.tr("没有网络时，把待发送的记录写成加密数据包，带到县局导入"))
        self.package_button.clicked.connect(self.export_package)
        for button in (self.sync_button, self.cancel_button, self.package_button):
            row.addWidget(button)
        row.addStretch(1)
        box.addLayout(row)
        self.progress = QProgressBar()
        self.progress.setObjectName("syncProgress")
        self.progress_text = QLabel()
        self.progress_text.setObjectName("syncProgressText")
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.progress_text)
        box.addLayout(progress_row)
        self.summary = QLabel()
        self.summary.setObjectName("syncSummary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.summary)
        self.error = QLabel()
        self.error.setObjectName("syncError")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.addWidget(self.error)
        self.results = _table(QTableWidget(0, 4))
        self.results.setObjectName("syncResults")
        self.results.setHorizontalHeaderLabels([self.tr("记录"), self.tr("版本"), self.tr("结果"), self.tr("原因")])
        self.results.setWordWrap(False)
        self.results.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        self.results.itemActivated.connect(self._open_row)
        box.addWidget(self.results, 1)
        self.results_hint = QLabel(self.tr("被退回的记录排在前面，标为红色：按原因修改后重新定稿，下次同步会再发送。"
                                           "双击一行打开记录。"))
        self.results_hint.setObjectName("hint")
        self.results_hint.setWordWrap(True)
        box.addWidget(self.results_hint)
        box.addStretch(0)  # takes the room the table leaves while there are no results
        self._status_layout = box
        self._update_buttons()
        self._show_table(False)
        return view

    def _show_table(self, visible: bool) -> None:
        self.results.setVisible(visible)
        self.results_hint.setVisible(visible)
        self._status_layout.setStretch(self._status_layout.count() - 1, 0 if visible else 1)

    # ------------------------------------------------------------------ showing the state

    def refresh(self) -> None:
        self._show_state()

    def _show_state(self) -> None:
        if self.store.closed:
            return
        status = self.runner.status()
        self.stack.setCurrentWidget(self.status_view if status.enrolled else self.enroll_view)
        if status.enrolled:
            self.info.setText("\n".join(self._info_lines(status)))
        if status.update is not None:
            line, details = self.runner.update_notice(status.update)
            self.update_notice.setText(f"{line}\n{details}")
        self.update_notice.setVisible(status.update is not None)
        self._show_waiting(status)
        self._update_buttons()

    def village_name(self, code: str | None) -> str:
        """A village by its name: the laptop's registry first, then the national table; the code only when
        neither knows it."""
        if not code:
            return ""
        if self._villages is None:
            self._villages = {v["id"]: v["name"] for v in self.store.villages()}
        if code in self._villages and self._villages[code] != code:
            return self._villages[code]
        from app.regions import national

        region = national().get(code) if VILLAGE_CODE.fullmatch(code) else None
        return region.short_name if region is not None else self._villages.get(code, code)

    def _named(self, text: str) -> str:
        """``text`` with each 12-digit village code replaced by the village's name."""
        return VILLAGE_CODE.sub(lambda m: self.village_name(m.group(0)), text or "")

    def waiting_reason(self, row: dict, enrolled: bool, credentials: set[str]) -> str:
        """Why a record of this account still waits, in one plain sentence (never another account's name)."""
        state = state_of(row)
        login = self.store.account.login if getattr(self.store, "account", None) is not None else ""
        if state == State.PACKAGED:
            return self.tr("已装入U盘数据包，等县局导入；下次联网同步时确认。")
        if row.get("sync_outcome") == "retry" and row.get("server_message"):
            return self.tr("上次没有发出：{reason}").format(reason=self._named(row["server_message"]))
        if not enrolled:
            return self.tr("本机还没有登记到县局服务器，登记后自动发送。")
        owner = row.get("created_by") or ""
        if state == State.FINALIZED and row.get("server_message"):
            if owner and owner != login and owner not in credentials:
                return self.tr("录入这条记录的账户还没有在本机登记同步，要等该账户登录并登记后才发送。")
            if owner and owner == login and login not in credentials:
                return self.tr("本机用的服务器账号不负责这条记录；请用您自己的登记码在本页登记后再同步。")
            return self.tr("本机用的服务器账号不负责这条记录（别的村或别的表），要等负责的账户登录后同步。")
        if state == State.QUEUED:
            return self.tr("正在排队，下次同步时发送。")
        return self.tr("已定稿，下次同步时发送。")

    def _show_waiting(self, status) -> None:
        rows = record_store.waiting(self.store, 200)
        credentials = accounts_with_credentials(self.store) if rows else set()
        self._villages = None
        total = status.pending
        if not total:
            self.waiting_title.setText(self.tr("没有等待发送的记录。"))
        else:
            self.waiting_title.setText(self.tr("等待发送的记录：%n 条", "", total)
                                       + (self.tr("（先列出最早的 {shown} 条）").format(shown=len(rows))
                                          if total > len(rows) else ""))
        self.waiting.setRowCount(len(rows))
        for row_number, row in enumerate(rows):
            state = state_of(row)
            cells = [row["title"] or row["form_id"], self.village_name(row["village_id"]), STATE_LABELS[state],
                     self.waiting_reason(row, status.enrolled, credentials)]
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, row["uuid"])
                item.setToolTip(text)
                self.waiting.setItem(row_number, column, item)
        for column in (0, 1, 2):
            self.waiting.resizeColumnToContents(column)
        self.waiting.setVisible(bool(rows))

    def _info_lines(self, status) -> list[str]:
        user = status.user
        scope = self.store.scope
        if status.own or scope.unrestricted:
            villages = self.tr("、").join(self.village_name(v) for v in user.get("villages") or []) or self.tr("（无）")
            account = self.tr("账号：{name}（{role}），负责村：{villages}").format(
                name=user.get("name", ""), role=user.get("role_label") or user.get("role", ""), villages=villages)
        else:  # the laptop's enrollment from before accounts: not this account's, so no one else's name or villages
            shared = [v for v in user.get("villages") or [] if scope.every_village or v in scope.villages]
            account = self.tr("账号：本机共用的登记（不是您自己的登记码）；其中与您负责的村相同的：{villages}").format(
                villages=self.tr("、").join(self.village_name(v) for v in shared) or self.tr("（无）"))
        lines = [self.tr("县局服务器：{server}").format(server=status.server), account,
                 self.tr("待同步 %n 条", "", status.pending) + (
                     self.tr("；被退回待修改 %n 条", "", status.rejected) if status.rejected else "")]
        if not status.last_at:
            lines.append(self.tr("上次同步：从未"))
        else:
            outcome = {"": self.tr("完成"), "cancelled": self.tr("已取消")}.get(status.last_kind, self.tr("未完成"))
            counts = self.visible_counts(status)
            lines.append(self.tr("上次同步：{when}，{outcome}").format(when=local_time(status.last_at), outcome=outcome)
                         + (self.tr("（{records}）").format(records=summary(counts)) if counts is not None else ""))
            if status.last_kind not in ("", "cancelled"):
                lines.append(self.tr("原因：{error}").format(error=plain_text(status.last_error)[0]))
        return lines

    def visible_counts(self, status=None, report=None) -> dict[str, int] | None:
        """The last run's outcomes counted over the records the signed-in account may see (a run carries every
        account's records of this laptop); None when they cannot be told apart (a run of an earlier session)."""
        report = report or self.runner.last_report
        if report is not None:
            titles = record_store.titles(self.store, [r.uuid for r in report.results])
            counts: dict[str, int] = {}
            for result in report.results:
                if result.uuid in titles:
                    counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
            return counts
        return status.last_counts if status is not None and self.store.scope.unrestricted else None

    def _update_buttons(self) -> None:
        """One job at a time: while a run or a package is under way, only 取消 (for a run) can be pressed."""
        running, busy = self.runner.running, self.runner.busy
        self.sync_button.setEnabled(not busy)
        self.package_button.setEnabled(not busy)
        self.enroll_package_button.setEnabled(not busy)
        self.enroll_file_button.setEnabled(not busy)
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running and not self.runner.cancelling)
        self.progress.setVisible(busy)
        self.progress_text.setVisible(busy)
        if not busy:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)

    # ------------------------------------------------------------------ enrolling

    def choose_ca_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择 CA 证书文件"), documents_folder(),
                                              self.tr("证书文件 (*.pem *.crt *.cer);;所有文件 (*)"))
        if path:
            self.ca_file.setText(path)

    def enroll(self):
        """Exchange the one-time token for this laptop's credential, in the background."""
        url, token = self.url.text().strip(), self.token.text().strip()
        ca_file = self.ca_file.text().strip() or None
        if not url or not token:
            self._enroll_said(self.tr("请填写服务器地址和登记码。"), error=True)
            (self.url if not url else self.token).setFocus()
            return None
        if "://" not in url:
            url = "https://" + url  # what an administrator usually dictates: the host name alone
        if ca_file and not Path(ca_file).is_file():
            self._enroll_said(self.tr("找不到证书文件 {path}，请重新选择。").format(path=ca_file), error=True)
            return None
        store, device = self.store, platform.node()
        task = self.runner.run_job(lambda _task: enroll(store, url, token, device_name=device, ca_file=ca_file),
                                   on_done=self._enrolled, on_error=lambda exc: self._enroll_failed(exc, ca_file))
        if task is None:
            self._enroll_said(self.tr("另一项同步工作正在进行，请稍后再试。"), error=True)
            return None
        self.enroll_button.setEnabled(False)
        self._enroll_said(self.tr("正在连接服务器 {url} …").format(url=url), error=False)
        return task

    def choose_enroll_file(self) -> None:
        if not self.token.text().strip():
            self._enroll_said(self.tr("请先填写登记码（与登记文件一起由县局发给您）。"), error=True)
            self.token.setFocus()
            return
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择登记文件"), documents_folder(),
                                              self.tr("村访通登记文件 (*.cfenroll);;所有文件 (*)"))
        if path:
            self.enroll_from_file(Path(path))

    def enroll_from_file(self, path: Path):
        """Enroll from the bureau's enrollment file, opened with the token typed above, in the background."""
        from sync.client.client import enroll_from_file

        token, store = self.token.text().strip(), self.store
        if not token:
            self._enroll_said(self.tr("请先填写登记码（与登记文件一起由县局发给您）。"), error=True)
            return None
        task = self.runner.run_job(lambda _task: enroll_from_file(store, path, token), on_done=self._enrolled,
                                   on_error=lambda exc: self._enroll_failed(exc, None))
        if task is None:
            self._enroll_said(self.tr("另一项同步工作正在进行，请稍后再试。"), error=True)
            return None
        self.enroll_button.setEnabled(False)
        self._enroll_said(self.tr("正在读取登记文件…"), error=False)
        return task

    def _enroll_said(self, text: str, *, error: bool) -> None:
        self.enroll_message.setStyleSheet(ERROR_STYLE if error else "")
        show_text(self.enroll_message, text)

    def _enrolled(self, answer) -> None:
        self.enroll_button.setEnabled(True)
        self.token.clear()
        self._enroll_said("", error=False)
        self._villages = None
        villages = self.tr("、").join(self.village_name(v) for v in answer.user.villages) or self.tr("（无）")
        self.summary.setText(self.tr("登记成功：{name}（{role}），负责村：{villages}。已定稿的记录会自动发送，"
                                     "也可以按“立即同步”。").format(name=answer.user.name,
                                                                 role=answer.user.role_label, villages=villages))
        self.error.clear()
        self.runner.enrolled_now()
        self.refresh()

    def _enroll_failed(self, exc: Exception, ca_file: str | None) -> None:
        self.enroll_button.setEnabled(True)
        self._enroll_said(str(exc) if isinstance(exc, CunFangError) else plain_message(exc), error=True)
        self.token.setFocus()
        self.token.selectAll()

    # ------------------------------------------------------------------ syncing

    def sync_now(self) -> bool:
        if not self.runner.start():
            self.error.setText(self.tr("另一项同步工作正在进行，请稍后再试。"))
            return False
        return True

    def cancel(self) -> None:
        self.runner.cancel()
        self.cancel_button.setEnabled(False)
        self.progress_text.setText(self.tr("正在取消…（当前这一步完成后停止）"))

    def _run_started(self) -> None:
        self._update_buttons()
        self.progress.setRange(0, 0)  # busy until the client says how many records go
        self.progress_text.setText(self.tr("正在连接服务器…"))
        self.summary.clear()
        self.error.clear()

    def _run_progress(self, done: int, total: int, text: str) -> None:
        if self.runner.cancelling:
            return
        if total and done < total:
            self.progress.setRange(0, total)
            self.progress.setValue(done)
            self.progress_text.setText(self.tr("{text}：{done}/{total}").format(text=text, done=done, total=total))
        else:
            self.progress.setRange(0, 0)
            self.progress_text.setText(self.tr("正在接收表单和人员名册…"))

    def _run_finished(self, outcome) -> None:
        self._update_buttons()
        if not isinstance(outcome, SyncReport):  # the run could not be done at all
            self.summary.clear()
            show_text(self.error, self.runner.failure_text)
            self._show_state()
            return
        report = outcome
        records = summary(self.visible_counts(report=report))
        if self.store.scope.unrestricted:
            text = self.tr("本次同步：{records}；人员名册发送 {sent} 条、接收 {received} 条。").format(
                records=records, sent=report.registry_sent, received=report.registry_received)
        else:  # the registry's counts cover every account of this laptop: only the account's own records
            text = self.tr("本次同步：{records}。").format(records=records)
        if report.forms_received:
            text += self.tr("收到新表单：{forms}。").format(forms=self.tr("、").join(report.forms_received))
        self.summary.setText(text)
        show_text(self.error, report.error)
        self.show_results(report.results)
        self._show_state()

    def show_results(self, results: list) -> None:
        """One row per record the server answered for; rejected ones first and in red, conflicts in amber."""
        first = {Outcome.REJECTED: 0, Outcome.CONFLICT: 1, Outcome.RETRY: 2}
        results = sorted(results, key=lambda r: first.get(r.outcome, 3))
        self.results.setRowCount(0)
        # only what the signed-in account may see: a run may carry other accounts' records of this laptop
        titles = record_store.titles(self.store, [r.uuid for r in results])
        results = [r for r in results if r.uuid in titles]
        self.results.setRowCount(len(results))
        self._villages = None
        for row, result in enumerate(results):
            message = self._named(result.message)  # 东山村, not 341100101201
            cells = [titles.get(result.uuid) or result.uuid[:8], str(result.revision),
                     OUTCOME_LABELS.get(result.outcome, result.outcome.value), message]
            colours = ROW_COLOURS.get(result.outcome)
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, result.uuid)
                item.setToolTip(text)
                if colours:
                    item.setBackground(QBrush(QColor(colours[0])))
                    item.setForeground(QBrush(QColor(colours[1])))
                    if column == 2:
                        font = QFont(item.font())
                        font.setBold(True)
                        item.setFont(font)
                self.results.setItem(row, column, item)
        for column in (0, 1, 2):
            self.results.resizeColumnToContents(column)
        self._show_table(bool(results))

    def _open_row(self, item: QTableWidgetItem) -> None:
        self.open_record.emit(item.data(Qt.ItemDataRole.UserRole))

    # ------------------------------------------------------------------ USB package

    def export_package(self) -> None:
        from sync.client.client import enrolled
        from sync.client.outbox import outbox_count

        if not enrolled(self.store):  # a package is sealed to the bureau server's key, learnt at enrolment
            self._enroll_said(self.tr("U盘数据包要用县局服务器的密钥加密，本机还没有这把密钥：请先登记本机（没有网络时"
                                      "用县局写的登记文件），再导出。记录都还在本机。"), error=True)
            return
        if outbox_count(self.store) == 0:
            self.summary.setText(self.tr("没有需要发送的记录，没有生成数据包。"))
            return
        town = self.store.get_setting("town") or ""
        suggested = suggested_file(self.tr("村访通数据包"), town, suffix=".cfpkg", desktop=True)
        path, _ = QFileDialog.getSaveFileName(self, self.tr("导出U盘数据包"), suggested,
                                              self.tr("村访通数据包 (*.cfpkg)"))
        if path:
            self.export_package_to(Path(path))

    def export_package_to(self, path: Path):
        """Seal the outbox into ``path`` in the background."""
        store = self.store
        task = self.runner.run_job(lambda _task: export_package(store, path), on_done=lambda n: self._packaged(n, path),
                                   on_error=self._package_failed)
        if task is None:
            self.error.setText(self.tr("另一项同步工作正在进行，请稍后再试。"))
            return None
        self.summary.clear()
        self.error.clear()
        self._update_buttons()
        self.progress.setRange(0, 0)
        self.progress_text.setText(self.tr("正在写入数据包…"))
        return task

    def _packaged(self, count: int, path: Path) -> None:
        self._show_state()
        if count == 0:
            self.summary.setText(self.tr("没有需要发送的记录，没有生成数据包。"))
        else:
            self.summary.setText(self.tr("已把 %n 条记录写入加密数据包 {path}。请交给县局导入；"
                                         "下次联网同步时会确认县局是否已收到。", "", count).format(path=path))

    def _package_failed(self, exc: Exception) -> None:
        self._show_state()
        if isinstance(exc, OSError):  # the stick was pulled out, is full or read-only
            self.error.setText(self.tr("无法写入数据包：{reason}。请检查U盘后重试，记录仍在本机。").format(
                reason=exc.strerror or exc))
        else:
            self.error.setText(plain_message(exc))
