"""One path from an error to the person: a plain Chinese dialog, the details in a masked log."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.errors import explain
from app.paths import mask_sensitive

log = logging.getLogger("cunfang.ui")


def plain_message(exc: BaseException) -> str:
    """The text a person sees for an error (shown in a dialog or in place); unexpected ones go to the log."""
    known = explain(exc)  # the domain's own Chinese message (app/errors.py): also a full disk, a damaged page
    if known is not None:
        return str(known)
    log.error("unexpected error: %s", mask_sensitive("".join(traceback.format_exception(exc))))
    return QCoreApplication.translate("ErrorDialog",
                                      "程序遇到了一个意外问题，刚才的操作没有完成。已填写的内容都已保存。\n"
                                      "详细情况已记入日志，请告知县里的信息员。")


def show_error(parent: QWidget | None, exc: BaseException, title: str | None = None) -> None:
    """Expected errors show their own message; anything else a plain apology and the log's place."""
    if title is None:
        title = QCoreApplication.translate("ErrorDialog", "操作没有完成")
    box = QMessageBox(QMessageBox.Icon.Warning, title, plain_message(exc), QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorDialog")
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
