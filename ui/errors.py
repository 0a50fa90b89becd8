"""One path from an error to the person: a plain Chinese dialog, the details in a masked log."""

from __future__ import annotations

import html
import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox, QWidget

from app.errors import CunFangError, explain, explain_network_failure
from app.paths import mask_sensitive

log = logging.getLogger("cunfang.ui")


def plain_message(exc: BaseException) -> str:
    """The text a person sees for an error (shown in a dialog or in place); unexpected ones go to the log."""
    known = explain(exc)  # the domain's own Chinese message (app/errors.py): also a full disk, a damaged page
    if known is not None:
        return plain_text(str(known))[0]
    log.error("unexpected error: %s", mask_sensitive("".join(traceback.format_exception(exc))))
    return QCoreApplication.translate("ErrorDialog",
                                      "程序遇到了一个意外问题，刚才的操作没有完成。已填写的内容都已保存。\n"
                                      "详细情况已记入日志，请告知县里的信息员。")


def plain_text(text: str) -> tuple[str, str]:
    """A message that may carry a raw network detail: (one Chinese sentence, the detail or "")."""
    sentence = explain_network_failure(text)
    return (sentence, text) if sentence else (text, "")


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Expected errors show their own message; anything else a plain apology and the log's place."""
    if title is None:
        title = QCoreApplication.translate("ErrorDialog", "操作没有完成")
    text, details = plain_text(str(exc)) if isinstance(exc, CunFangError) else (plain_message(exc), "")
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
    if details:
        box.setDetailedText(details)  # behind 显示详细信息… (Qt's own zh_CN button)
    box.open()


def show_text(label: QLabel, text: str) -> None:
    """An error shown in place: the plain sentence, and the raw detail behind a 详细信息 link."""
    sentence, details = plain_text(text)
    label.setProperty("details", details)
    if not details:
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setText(sentence)
        return
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(label.textInteractionFlags() | Qt.TextInteractionFlag.LinksAccessibleByMouse
                                  | Qt.TextInteractionFlag.LinksAccessibleByKeyboard)
    more = QCoreApplication.translate("ErrorDialog", "详细信息")
    label.setText(f'{html.escape(sentence)} <a href="details">{more}</a>')
    if not label.property("detailsWired"):
        label.setProperty("detailsWired", True)
        label.linkActivated.connect(lambda _: _show_details(label))


def _show_details(label: QLabel) -> None:
    box = QMessageBox(QMessageBox.Icon.Information, QCoreApplication.translate("ErrorDialog", "详细信息"),
                      mask_sensitive(str(label.property("details") or "")), QMessageBox.StandardButton.Ok, label)
    box.setObjectName("errorDetails")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.open()


def install_excepthook() -> None:
    """No traceback ever reaches the user: unexpected errors become a dialog and a log entry."""

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("uncaught: %s", mask_sensitive("".join(traceback.format_exception(exc_type, exc, tb))))
        app = QApplication.instance()
        if app is not None:
            show_error(app.activeWindow(), explain(exc) or RuntimeError("unexpected"))

    sys.excepthook = hook
