"""What the pages share: the built-in form catalogue and table/card helpers."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from PySide6.QtCore import QDate, QSize, QStandardPaths, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QDateEdit, QGroupBox, QHeaderView, QLabel, QTableView, QVBoxLayout

from app.errors import FormCheckFailed

FORMS_DIR = Path(__file__).resolve().parents[1] / "resources" / "forms"


def builtin_forms() -> list[Path]:
    return sorted(FORMS_DIR.glob("*.xlsx"))


class StatusLabel(QLabel):
    """A status-bar label: when the bar is too narrow for all of them (1366×768 at 125 % with 大字 and every
    notice showing) it ends in "…" and tells the whole text on hover, instead of being cut off at the edge."""

    def __init__(self, text: str = ""):
        super().__init__(text)
        self._hint = ""  # a tooltip of its own (the online label's error), kept apart from the elided text

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        margins = self.contentsMargins()
        wide = self.fontMetrics().horizontalAdvance("MMMM…") + margins.left() + margins.right()  # a word and …
        return QSize(min(wide, super().minimumSizeHint().width()), super().minimumSizeHint().height())

    def shown_text(self) -> str:
        """What it shows: the text, or as much of it as fits and "…"."""
        return self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, self.contentsRect().width())

    def setToolTip(self, text: str) -> None:  # noqa: N802 - Qt API
        self._hint = text
        self._tip()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._tip()

    def _tip(self) -> None:
        cut = bool(self.text()) and self.shown_text() != self.text()
        super().setToolTip("\n".join(t for t in (self.text() if cut else "", self._hint) if t))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        if self.shown_text() == self.text():
            super().paintEvent(event)
            return
        self._tip()
        painter = QPainter(self)
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(self.contentsRect(), int(self.alignment()), self.shown_text())


class FormCatalog:
    """The forms this laptop can use (built-in and pulled from the bureau), loaded once each."""

    def __init__(self, store=None):
        from app.forms.library import FormLibrary

        self.store = store
        self.library = FormLibrary(store)

    def get(self, path: Path):
        return self.library.load_path(path)

    def forms(self) -> list:
        """The newest usable version of every form the signed-in account's role may fill (every list of forms
        to fill, 填表 and 为此人填表 alike, comes from here)."""
        forms = self.library.latest()
        if self.store is None:
            return forms
        return [form for form in forms if self.store.scope.role.may_use_form(form.form_id)]

    def broken(self) -> list[tuple[Path, FormCheckFailed]]:
        """Built-in workbooks that cannot be used, with why (shown, so nobody wonders where a form went)."""
        out = []
        for path in builtin_forms():
            try:
                self.get(path)
            except FormCheckFailed as exc:
                out.append((path, exc))
        return out

    def by_id(self, form_id: str, version: str | None = None):
        """``form_id`` in ``version`` when that version is here (a record opens with its own), else the newest."""
        return self.library.get(form_id, version)


def _table(view: QTableView) -> QTableView:
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    return view


def _card(title: str, value: str, name: str) -> QGroupBox:
    box = QGroupBox(title)
    box.setObjectName(name)
    label = QLabel(value)
    label.setObjectName(name + "Value")
    label.setStyleSheet("font-size: 26px; font-weight: bold; color: #1565c0;")
    QVBoxLayout(box).addWidget(label)
    return box


def optional_date(name: str, unset_text: str) -> QDateEdit:
    """A date box with a calendar whose lowest date (2000-01-01) means no date, shown as ``unset_text`` (不限)."""
    box = QDateEdit()
    box.setObjectName(name)
    box.setCalendarPopup(True)
    box.setDisplayFormat("yyyy-MM-dd")
    box.setMinimumDate(QDate(2000, 1, 1))
    box.setSpecialValueText(unset_text)
    box.setDate(QDate(2000, 1, 1))
    return box


def chosen_date(box: QDateEdit):
    """The date in an ``optional_date`` box, or None when it says 不限."""
    return None if box.date() == box.minimumDate() else box.date().toPython()


def documents_folder(desktop: bool = False) -> str:
    """Where file dialogs open: 文档 (or 桌面), never the program's own folder."""
    where = QStandardPaths.StandardLocation.DesktopLocation if desktop else \
        QStandardPaths.StandardLocation.DocumentsLocation
    return QStandardPaths.writableLocation(where) or str(Path.home())


def suggested_file(*parts: str, suffix: str, dated: bool = True, desktop: bool = False) -> str:
    """A save dialog's starting path: 文档/桌面 and a name saying what it holds, the village and the date."""
    words = [p for p in parts if p] + ([f"{date.today():%Y%m%d}"] if dated else [])
    safe = re.sub(r'[\\/:*?"<>|\s]+', " ", "-".join(words)).strip() or "cunfang"
    return str(Path(documents_folder(desktop)) / f"{safe}{suffix}")
