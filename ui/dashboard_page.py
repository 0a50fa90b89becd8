"""工作台: the page a cadre sees first (built at start-up; the other pages are built on first visit)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.store import Store
from ui.page_common import _card

# ---------------------------------------------------------------------------- 工作台


def wrapped(text: str) -> QLabel:
    """A heading that wraps on a small screen instead of widening the page."""
    label = QLabel(text)
    label.setWordWrap(True)
    return label


class DashboardPage(QWidget):
    open_person = Signal(dict)
    open_record = Signal(str)

    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.setObjectName("dashboard")
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("<h2>工作台</h2>")))
        self.clock_warning = QLabel()  # due dates and "overdue" read the clock: say when it looks wrong
        self.clock_warning.setObjectName("clockWarning")
        self.clock_warning.setWordWrap(True)
        self.clock_warning.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 6px;")
        self.clock_warning.hide()
        layout.addWidget(self.clock_warning)
        self.cards = QHBoxLayout()
        layout.addLayout(self.cards)
        split = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(wrapped(self.tr("<b>逾期未探访</b>（风险最高的在前，同等风险逾期最久的在前；回车或双击开始探访）")))
        self.overdue = QTableWidget(0, 6)
        self.overdue.setObjectName("overdueTable")
        self.overdue.setHorizontalHeaderLabels([self.tr("姓名"), self.tr("类别"), self.tr("村"), self.tr("风险等级"),
                                                self.tr("应探访日期"), self.tr("逾期天数")])
        self.overdue.verticalHeader().hide()
        self.overdue.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.overdue.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        header = self.overdue.horizontalHeader()  # every column readable without scrolling sideways at 125 %
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.overdue.cellActivated.connect(self._open_overdue)  # Enter, or a double-click
        left.addWidget(self.overdue)
        right = QVBoxLayout()
        right.addWidget(wrapped(self.tr("<b>需要处理</b>（安全红线、发现报告、待验收改造、未完成的草稿；双击打开）")))
        self.drafts = QListWidget()
        self.drafts.setObjectName("draftList")
        self.drafts.itemActivated.connect(lambda item: self.open_record.emit(item.data(Qt.ItemDataRole.UserRole)))
        right.addWidget(self.drafts)
        right.addWidget(QLabel(self.tr("<b>各村本月探访</b>")))
        self.villages = QTableWidget(0, 4)
        self.villages.setHorizontalHeaderLabels([self.tr("村"), self.tr("需探访人数"), self.tr("本月已探访"),
                                                 self.tr("逾期")])
        self.villages.verticalHeader().hide()
        self.villages.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.villages.horizontalHeader().setStretchLastSection(True)
        right.addWidget(self.villages)
        split.addLayout(left, 3)
        split.addLayout(right, 2)
        layout.addLayout(split, 1)
        self.overdue_rows: list[dict] = []

    def refresh(self) -> None:
        from app.clock import check_clock
        from app.dashboard import build

        warning = check_clock(self.store)
        self.clock_warning.setText(str(warning) if warning else "")
        self.clock_warning.setVisible(warning is not None)

        board = build(self.store, overdue_limit=100)  # the most overdue first; the card shows the total
        self.overdue_rows = board.overdue
        while self.cards.count():
            item = self.cards.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        for title, value, name in ((self.tr("逾期未探访"), board.overdue_total, "cardOverdue"),
                                   (self.tr("本周到期"), board.due_this_week, "cardWeek"),
                                   (self.tr("安全红线"), len(board.red_flags), "cardFlags"),
                                   (self.tr("草稿待完成"), len(board.drafts), "cardDrafts"),
                                   (self.tr("待同步记录"), board.waiting_to_sync, "cardSync")):
            self.cards.addWidget(_card(title, str(value), name))
        names = {v["id"]: v["name"] for v in self.store.villages()}
        self.overdue.setRowCount(len(self.overdue_rows))
        today = date.today()
        kinds = {"elder": self.tr("老人"), "child": self.tr("儿童")}  # which forms fit: typing 老 finds an elder
        for i, row in enumerate(self.overdue_rows):
            late = (today - date.fromisoformat(row["next_due"][:10])).days
            for j, text in enumerate((row["name"], kinds.get(row["kind"], ""), names.get(row["village_id"], ""),
                                      row["risk_tier"], row["next_due"], str(late))):
                item = QTableWidgetItem(text)
                if j == 5:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.overdue.setItem(i, j, item)
        self.drafts.clear()
        for flagged in board.red_flags[:50]:
            item = QListWidgetItem(self.tr("⚠ {who}：{flags}（{when}）").format(
                who=flagged["person_name"] or flagged["title"], flags=flagged["flag_text"],
                when=flagged["updated_at"][:10]))
            item.setForeground(Qt.GlobalColor.red)
            item.setData(Qt.ItemDataRole.UserRole, flagged["uuid"])
            self.drafts.addItem(item)
        for report in board.open_reports[:50]:
            item = QListWidgetItem(self.tr("发现报告未结：{who}（{when} 发现，已 {days} 天）").format(
                who=report["person_name"] or report["title"], when=report["found"], days=report["days_open"]))
            item.setForeground(Qt.GlobalColor.darkRed)
            item.setData(Qt.ItemDataRole.UserRole, report["uuid"])
            self.drafts.addItem(item)
        for pending in board.adaptations_pending[:50]:
            item = QListWidgetItem(self.tr("适老化改造待验收：{who}（{n} 项）").format(
                who=pending["person_name"] or pending["title"], n=pending["planned"]))
            item.setData(Qt.ItemDataRole.UserRole, pending["uuid"])
            self.drafts.addItem(item)
        for d in board.drafts[:100]:
            item = QListWidgetItem(self.tr("草稿：{title}（{updated}）").format(
                title=d["title"] or d["form_id"], updated=d["updated_at"][:16].replace("T", " ")))
            item.setData(Qt.ItemDataRole.UserRole, d["uuid"])
            self.drafts.addItem(item)
        self.villages.setRowCount(len(board.rates))
        for i, row in enumerate(board.rates):
            rate = self.tr("{visited}（{percent}%）").format(visited=row["visited"], percent=round(row["rate"]))
            for j, text in enumerate((names.get(row["village_id"], ""), str(row["total"]), rate,
                                      str(row["overdue"]))):
                self.villages.setItem(i, j, QTableWidgetItem(text))

    def _open_overdue(self, row: int, _column: int) -> None:
        self.open_person.emit(self.store.get_person(self.overdue_rows[row]["id"]))
