"""帮助 → 使用说明 (F1): a short guide to a cadre's day and every keyboard shortcut, inside the app."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTabWidget, QTextBrowser, QVBoxLayout, QWidget

PICTURES = Path(__file__).resolve().parents[1] / "resources" / "help"  # the real pages (resources/help/build.py)


def tr(text: str) -> str:
    return QCoreApplication.translate("HelpDialog", text)


def shortcuts() -> list[tuple[str, str]]:
    """(keys, what they do), as the window and the form filler define them."""
    return [
        ("Ctrl+1 … Ctrl+7", tr("工作台、台账、填表、记录、同步、导出、设置")),
        ("Ctrl+F", tr("在台账中查找人员（姓名、拼音首字母、身份证号或电话后几位）")),
        (tr("回车 / ↓"), tr("台账：从查找框到结果；再按回车为此人填表")),
        ("Tab / Shift+Tab", tr("下一题 / 上一题")),
        (tr("回车"), tr("填表时到下一题（多行文字题里是换行）")),
        ("↑ ↓ ← →", tr("单选题里选上一项 / 下一项")),
        (tr("空格"), tr("勾选或取消多选题的一项")),
        ("F4 / Alt+↓", tr("日期题：打开日历")),
        (tr("↓（日期为空时）"), tr("日期题：填入表单建议的日期（没有建议时为今天）；有日期时 ↑/↓ 加减一天")),
        ("Delete", tr("日期题：光标在末尾时清空日期")),
        ("Ctrl+S", tr("保存草稿（填写时也会自动保存）")),
        ("Ctrl+Enter", tr("定稿（还有没填的会列出来，双击可跳过去）")),
        ("Ctrl+Delete", tr("删除光标所在的那一项重复内容（会先问）")),
        ("Ctrl+P", tr("打印/导出 PDF")),
        ("F5", tr("同步页：立即同步")),
        ("Ctrl+L", tr("锁定（离开电脑时）")),
        ("F1", tr("本说明")),
    ]


def guide_steps() -> list[tuple[str, str, str]]:
    """(title, text, picture of the real page or ""), in the order of a cadre's day."""
    return [
        (tr("第一次用"), tr("第一次打开时建立管理员账户（记住密码，抄下恢复密钥）。不熟悉时先点“先练习一下”或菜单"
                           "“练习模式”：里面是虚构的示范乡镇，怎么填都不会发送到县局。熟悉后在菜单“练习模式 → "
                           "退出练习模式”回到正式数据。"), "first-run.png"),
        (tr("看今天要做什么"), tr("工作台列出逾期未探访的人（风险高的、逾期久的在前，“类别”说明是老人还是儿童）和"
                               "需要处理的安全红线。选中一人按回车或双击，就为他/她开始探访。"), "dashboard.png"),
        (tr("填表"), tr("光标会在第一道要填的题；回车到下一题，单选题用 ↑ ↓ 选。日期可以直接打 2027-1-5、"
                        "2027/1/5 或 20270105；按 F4 打开日历。填写时自动保存为草稿，关掉也不会丢。"), "visit.png"),
        (tr("定稿"), tr("填完按 Ctrl+Enter 定稿。还有没填的题会列出来。定稿后联网时自动发送到县局，"
                        "状态栏显示还有几条待同步。“记录”里能看到每一条和它的状态。"), "records.png"),
        (tr("导出台账"), tr("“导出”页把记录或台账存成 Excel/WPS 表格，文件默认放在“文档”里，名字带表名、村和日期。"),
         "export.png"),
        (tr("没有网络时"), tr("记录都在本机加密保存。到“同步”页可以导出 U 盘数据包，带到乡镇或县里导入。"), ""),
        (tr("出了问题"), tr("提示会说明原因和怎么办；需要时点“详细信息”，把内容告诉县里的信息员。"), ""),
    ]


def guide_html() -> str:
    """The guide; each picture is named by its file in resources/help (the browser's search path)."""
    items = "".join(f"<h3>{title}</h3><p>{text}</p>" + (f'<p><img src="{picture}"></p>' if picture else "")
                    for title, text, picture in guide_steps())
    return f"<h2>{tr('村干部的一天')}</h2>{items}"


def shortcuts_html() -> str:
    rows = "".join(f"<tr><td style='padding:3px 18px 3px 0'><b>{keys}</b></td><td>{what}</td></tr>"
                   for keys, what in shortcuts())
    return f"<h2>{tr('快捷键')}</h2><table>{rows}</table>"


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None, *, page: int = 0):
        super().__init__(parent)
        self.setObjectName("helpDialog")
        self.setWindowTitle(tr("村访通 · 使用说明"))
        layout = QVBoxLayout(self)
        self.tabs = QTabWidget()
        for title, html in ((tr("使用说明"), guide_html()), (tr("快捷键"), shortcuts_html())):
            view = QTextBrowser()
            view.setSearchPaths([str(PICTURES)])  # <img src="dashboard.png">: the real page, beside this text
            view.setHtml(html)
            self.tabs.addTab(view, title)
        self.tabs.setCurrentIndex(page)
        layout.addWidget(self.tabs)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        from ui.main_window import fit_to_screen

        fit_to_screen(self, width=640, height=560)
