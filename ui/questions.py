"""One widget per question type, all speaking the engine's text values.

Each ``QuestionWidget`` shows a label (with a red * when required), a hint, an
input fitting the type, and the engine's message under it. It emits
``answered(text)`` when the person changes the answer; ``refresh()`` pulls the
current value, choices, relevance and message back from the session.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QEvent, QLocale, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from app.forms.answers import parse_answer, parse_date
from app.forms.model import Control
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node
from app.forms.xpath.values import parse_datetime
from app.store.pinyin import search_key
from ui.icons import icon
from ui.places import SEARCH_ROLE

MANY_CHOICES = 8


ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class QuestionWidget(QFrame):
    answered = Signal(object, object)  # node, value
    attachment_chosen = Signal(object, str, bytes)  # node, file name, content
    next_wanted = Signal(object)  # this question: Enter was pressed in it

    def __init__(self, session: FormSession, control: Control, node: Node, parent: QWidget | None = None):
        super().__init__(parent)
        self.session, self.control, self.node = session, control, node
        self.setObjectName(f"q_{control.name}")
        self.setProperty("question", True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.setSpacing(3)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(self.label)
        hint = session.label(control, node, hint=True)
        self.hint = QLabel(hint, self)  # with its parent before it is shown: never a window of its own
        self.hint.setWordWrap(True)
        self.hint.setObjectName("hint")
        self.hint.setVisible(bool(hint))
        layout.addWidget(self.hint)
        self.input = self.build_input()
        if self.input is not None:
            layout.addWidget(self.input)
        self.message = QLabel(self)
        self.message.setObjectName("message")
        self.message.setWordWrap(True)
        self.message.hide()
        layout.addWidget(self.message)
        self._updating = False
        self.refresh()

    # -- to override
    def build_input(self) -> QWidget | None:
        return None

    def show_value(self, value: str) -> None:
        pass

    def focus_target(self) -> QWidget | None:
        return self.input

    # -- shared
    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        """Enter in a choice, a check list, a slider or a box its input does not use moves to the next question."""
        if event.key() in ENTER_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.next_wanted.emit(self)
            return
        super().keyPressEvent(event)

    def emit(self, value) -> None:
        if not self._updating:
            self.answered.emit(self.node, value)

    def refresh(self, *, show_message: bool = True) -> None:
        self._updating = True
        try:
            self.setVisible(self.node.relevant and self.node.parent is not None)
            title = self.session.label(self.control, self.node) or self.control.name
            star = ' <span style="color:#c62828">*</span>' if self.session.is_required(self.node) else ""
            self.label.setText(f"<b>{_escape(title)}</b>{star}")
            self.show_value(self.node.value)
            if self.input is not None:
                self.input.setEnabled(not self.session.is_readonly(self.node))
            message = self.session.error(self.node) if show_message else None
            if message and (self.node.value != "" or self.node in self.session.input_errors):
                self.message.setText("⚠ " + message)
                self.message.show()
            else:
                self.message.hide()
        finally:
            self._updating = False


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class EnterLineEdit(QLineEdit):
    """Enter moves to the next question, as on a paper form."""

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.key() in ENTER_KEYS and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.editingFinished.emit()
            question = self.parent()
            while question is not None and not isinstance(question, QuestionWidget):
                question = question.parent()
            if question is not None:
                question.next_wanted.emit(question)
            else:
                self.focusNextChild()
            return
        super().keyPressEvent(event)


class TextQuestion(QuestionWidget):
    def build_input(self):
        multiline = "multiline" in self.control.appearance
        if multiline:
            box = QPlainTextEdit()
            box.setTabChangesFocus(True)
            box.setFixedHeight(72)
            box.textChanged.connect(lambda: self.emit(box.toPlainText()))
            return box
        box = EnterLineEdit()
        placeholder = {"integer": self.tr("整数"), "decimal": self.tr("数字"), "time": self.tr("如 14:30"),
                       "datetime": self.tr("如 2024-3-15 14:30"), "geopoint": self.tr("纬度 经度，如 31.86 117.28"),
                       "barcode": self.tr("扫描或输入编号")}.get(self.control.qtype)
        if placeholder:
            box.setPlaceholderText(placeholder)
        if self.control.qtype in ("time", "datetime"):
            # A time is answered once it is one; a half-typed one waits for Enter, Tab or leaving the box.
            box.textEdited.connect(self.typed)
            box.editingFinished.connect(self.finished)
        else:
            box.textEdited.connect(self.emit)
        return box

    def _complete(self, text: str) -> bool:
        return not text.strip() or parse_answer(self.node.bind, self.control, text)[1] is None

    def typed(self, text: str) -> None:
        if self._complete(text):
            self.emit(text)

    def finished(self) -> None:
        """Leaving the box: a wrong time is refused with its message, a right one shown the one way."""
        text = self.input.text()
        if not self._complete(text):
            self.emit(text)
        elif self.node not in self.session.input_errors:
            self.input.setText(_readable_moment(self.control.qtype, self.node.value))

    def show_value(self, value):
        box = self.input
        current = box.toPlainText() if isinstance(box, QPlainTextEdit) else box.text()
        if self.node in self.session.input_errors:
            return  # keep what the person typed so they can correct it
        if self.control.qtype in ("time", "datetime"):
            if box.hasFocus() and current.strip() and parse_answer(self.node.bind, self.control, current)[0] == value:
                return  # 2027/1/5 9:30 stays as typed while the cursor is in it
            value = _readable_moment(self.control.qtype, value)
        if current != value:
            if isinstance(box, QPlainTextEdit):
                box.setPlainText(value)
            else:
                box.setText(value)


SUGGESTED_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
WEEKDAYS = (QT_TRANSLATE_NOOP("DateQuestion", "星期一"), QT_TRANSLATE_NOOP("DateQuestion", "星期二"),
            QT_TRANSLATE_NOOP("DateQuestion", "星期三"), QT_TRANSLATE_NOOP("DateQuestion", "星期四"),
            QT_TRANSLATE_NOOP("DateQuestion", "星期五"), QT_TRANSLATE_NOOP("DateQuestion", "星期六"),
            QT_TRANSLATE_NOOP("DateQuestion", "星期日"))


def _readable_moment(qtype: str, value: str) -> str:
    """2027-01-05T09:30:00.000+08:00 shown as 2027-01-05 09:30 (local time); 09:30:00.000 as 09:30."""
    if not value:
        return value
    if qtype == "time":
        return value[:5]
    moment = parse_datetime(value)
    return moment.astimezone().strftime("%Y-%m-%d %H:%M") if moment else value


class DateBox(EnterLineEdit):
    """A date typed as people write it (2027-1-5, 2027/1/5, 20270105, 27.1.5).

    F4 or Alt+↓ opens a calendar; ↑/↓ fill the suggested date into an empty box and otherwise step one day;
    Delete with nothing after the cursor clears the box. ``stepped`` reports a date set by a key or the calendar.
    """

    stepped = Signal(str)
    calendar_wanted = Signal()

    def __init__(self, suggestion):
        super().__init__()
        self.suggestion = suggestion  # a callable giving the ISO date ↓ fills in
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        """Wide enough for its whole hint (年-月-日，如 2027-01-05（按 ↓ 填入）) at any text size and scale."""
        hint = super().sizeHint()
        text = self.placeholderText() or "0000-00-00"
        return QSize(max(hint.width(), self.fontMetrics().horizontalAdvance(text) + 16), hint.height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return self.sizeHint()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        key, mods = event.key(), event.modifiers()
        alt = Qt.KeyboardModifier.AltModifier
        if key == Qt.Key.Key_F4 or (key == Qt.Key.Key_Down and mods == alt):
            self.calendar_wanted.emit()
            return
        if key in (Qt.Key.Key_Up, Qt.Key.Key_Down) and not mods:
            day = parse_date(self.text())
            if day is None and self.text().strip():
                return  # an unfinished or wrong date stays as typed; ↑/↓ never replace it
            if day is None:
                new = self.suggestion()
            else:
                new = QDate.fromString(day, "yyyy-MM-dd").addDays(1 if key == Qt.Key.Key_Up else -1)
                new = new.toString("yyyy-MM-dd")
            self.setText(new)
            self.selectAll()
            self.stepped.emit(new)
            return
        if key == Qt.Key.Key_Delete and not mods and not self.hasSelectedText() \
                and self.cursorPosition() == len(self.text()) and self.text():
            self.clear()
            self.textEdited.emit("")
            return
        super().keyPressEvent(event)


class DateQuestion(QuestionWidget):
    """A date box with a parser, a calendar (F4, Alt+↓ or the button) and the weekday of what was typed."""

    def build_input(self):
        wrap = QWidget()
        row = QHBoxLayout(wrap)
        row.setContentsMargins(0, 0, 0, 0)
        self.box = DateBox(self.suggested)
        self.box.setObjectName("dateBox")
        self.box.setPlaceholderText(self.tr("年-月-日，如 {example}（按 ↓ 填入）").format(example=self.suggested()))
        self.box.textEdited.connect(self.typed)
        self.box.editingFinished.connect(self.finished)
        self.box.stepped.connect(self.emit)
        self.box.calendar_wanted.connect(self.open_calendar)
        self.calendar_button = QToolButton()
        self.calendar_button.setObjectName("calendarButton")
        self.calendar_button.setIcon(icon("fa5s.calendar-alt"))
        self.calendar_button.setToolTip(self.tr("选日期（F4）"))
        self.calendar_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.calendar_button.clicked.connect(self.open_calendar)
        self.weekday = QLabel()
        self.weekday.setObjectName("weekday")
        row.addWidget(self.box)
        row.addWidget(self.calendar_button)
        row.addWidget(self.weekday)
        row.addStretch(1)
        return wrap

    def suggested(self) -> str:
        """The date the form suggests in its hint (建议不晚于 2027-01-05), else today."""
        found = SUGGESTED_DATE.search(self.session.label(self.control, self.node, hint=True) or "")
        return found.group(0) if found else QDate.currentDate().toString("yyyy-MM-dd")

    def typed(self, text: str) -> None:
        """A complete date is answered as it is typed; anything else waits for Enter, Tab or leaving the box."""
        if not text.strip():
            self.emit("")
        elif parse_date(text) is not None:
            self.emit(parse_date(text))
        self._show_weekday(parse_date(text))

    def finished(self) -> None:
        text = self.box.text()
        day = parse_date(text)
        if text.strip() and day is None:
            self.emit(text)  # the engine refuses it with a message; the box keeps what was typed
        elif day is not None and text != day and self.node not in self.session.input_errors:
            self.box.setText(day)

    def open_calendar(self) -> None:
        if not self.box.isEnabled():
            return
        calendar = QCalendarWidget(self)
        calendar.setWindowFlags(Qt.WindowType.Popup)
        calendar.setObjectName("datePopup")
        calendar.setLocale(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
        calendar.setGridVisible(True)
        start = QDate.fromString(parse_date(self.box.text()) or self.suggested(), "yyyy-MM-dd")
        calendar.setSelectedDate(start)

        def chosen(day: QDate) -> None:
            text = day.toString("yyyy-MM-dd")
            calendar.close()
            self.box.setText(text)
            self.box.setFocus()
            self.emit(text)
            self._show_weekday(text)

        calendar.activated.connect(chosen)
        calendar.clicked.connect(chosen)
        calendar.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        calendar.move(self.box.mapToGlobal(QPoint(0, self.box.height())))
        calendar.show()
        calendar.setFocus()
        self.calendar = calendar

    def show_value(self, value):
        if not hasattr(self, "box"):
            return
        if self.node in self.session.input_errors:
            return  # keep what the person typed so they can correct it
        if self.box.hasFocus() and parse_date(self.box.text()) == (value or None):
            return  # 2027-1-5 stays as typed while the cursor is in it
        if self.box.text() != value:
            self.box.setText(value)
        self._show_weekday(value)

    def _show_weekday(self, day: str | None) -> None:
        date = QDate.fromString(day or "", "yyyy-MM-dd")
        self.weekday.setText(self.tr(WEEKDAYS[date.dayOfWeek() - 1]) if date.isValid() else "")

    def focus_target(self):
        return self.box


class SelectOneQuestion(QuestionWidget):
    def build_input(self):
        self.container = QWidget()
        self.box = QVBoxLayout(self.container)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.group: QButtonGroup | None = None
        self.combo: QComboBox | None = None
        self.values: list[str] = []
        self.rebuild()
        return self.container

    def rebuild(self) -> None:
        choices = self.session.choices(self.control, self.node)
        values = [c.value for c in choices]
        if values == self.values and (self.group or self.combo):
            return
        self.values = values
        while self.box.count():
            item = self.box.takeAt(0)
            if item.widget():
                item.widget().deleteLater()
        self.group = self.combo = None
        appearance = self.control.appearance
        if len(choices) > MANY_CHOICES or "minimal" in appearance or "search" in appearance:
            self.combo = QComboBox()
            self.combo.setEditable(True)
            self.combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            # （请选择） is the empty box's placeholder, not an entry: typing replaces it instead of adding to it
            self.combo.lineEdit().setPlaceholderText(self.tr("（请选择）"))
            for i, c in enumerate(choices):
                label = self.session.choice_label(c, self.node)
                self.combo.addItem(label, c.value)
                self.combo.setItemData(i, search_key(label), SEARCH_ROLE)  # found by name, pinyin or initials
            self.combo.completer().setCompletionRole(SEARCH_ROLE)
            self.combo.completer().setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            self.combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
            self.combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.combo.activated.connect(lambda i: self.emit(self.combo.itemData(i) or ""))
            self.combo.installEventFilter(self)  # leaving it (Tab, a click elsewhere): see _typed
            self.combo.lineEdit().textEdited.connect(self._emptied)
            self.box.addWidget(self.combo)
            return
        self.group = QButtonGroup(self.container)
        horizontal = "horizontal" in appearance or "likert" in appearance or "columns" in appearance
        row = QHBoxLayout() if horizontal else None
        for c in choices:
            button = QRadioButton(self.session.choice_label(c, self.node))
            button.setProperty("value", c.value)
            self.group.addButton(button)
            (row.addWidget if row else self.box.addWidget)(button)
        if row:
            row.addStretch(1)
            self.box.addLayout(row)
        self.group.buttonClicked.connect(lambda b: self.emit(b.property("value")))
        for button in self.group.buttons():
            button.installEventFilter(self)

    def _emptied(self, text: str) -> None:
        """The text deleted: the question is unanswered again (（请选择） shows)."""
        if not text.strip() and self.node.value:
            self.emit("")

    def _typed(self) -> None:
        """Leaving a list typed in: an emptied box clears the answer; a choice's name typed in full, or text that
        only one choice matches (name, pinyin or initials), answers it; other text gives way to the answer."""
        text = self.combo.currentText().strip()
        if not text:
            if self.node.value:
                self.emit("")
            return
        index = self.combo.findText(text, Qt.MatchFlag.MatchFixedString)
        if index < 0:
            lowered = text.lower()
            hits = [i for i in range(self.combo.count())
                    if lowered in str(self.combo.itemData(i, SEARCH_ROLE)).lower()]
            index = hits[0] if len(hits) == 1 else -1
        if index >= 0:
            self.combo.setCurrentIndex(index)  # the whole name shown for the pinyin typed
            if self.combo.itemData(index) != self.node.value:
                self.emit(self.combo.itemData(index))
        else:
            self.show_value(self.node.value)

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 - Qt API
        """↑/↓/←/→ choose the previous or next option, as radio buttons do on Windows; leaving a list typed in
        reads what was typed."""
        if watched is self.combo and event.type() == QEvent.Type.FocusOut \
                and event.reason() != Qt.FocusReason.PopupFocusReason:
            self._typed()
            return False
        steps = {Qt.Key.Key_Up: -1, Qt.Key.Key_Left: -1, Qt.Key.Key_Down: 1, Qt.Key.Key_Right: 1}
        if event.type() == QEvent.Type.KeyPress and event.key() in steps and not event.modifiers() \
                and self.group is not None and watched in self.group.buttons():
            buttons = self.group.buttons()
            at = buttons.index(watched) + steps[event.key()]
            if 0 <= at < len(buttons):
                buttons[at].setFocus()
                buttons[at].click()
            return True
        return super().eventFilter(watched, event)

    def show_value(self, value):
        if not hasattr(self, "box"):
            return
        self.rebuild()
        if self.combo is not None:
            index = self.combo.findData(value) if value else -1
            self.combo.setCurrentIndex(index)
            if index < 0:
                self.combo.setEditText("")  # unanswered: the placeholder shows
        elif self.group is not None:
            self.group.setExclusive(False)
            for button in self.group.buttons():
                button.setChecked(button.property("value") == value)
            self.group.setExclusive(True)

    def focus_target(self):
        if self.combo is not None:
            return self.combo
        buttons = self.group.buttons() if self.group else []
        chosen = [b for b in buttons if b.isChecked()]
        return (chosen or buttons or [None])[0]


class SelectMultipleQuestion(QuestionWidget):
    def build_input(self):
        self.container = QWidget()
        self.box = QVBoxLayout(self.container)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.checks: list[QCheckBox] = []
        self.values: list[str] = []
        self.rebuild()
        return self.container

    def rebuild(self) -> None:
        choices = self.session.choices(self.control, self.node)
        if [c.value for c in choices] == self.values and self.checks:
            return
        for check in self.checks:
            check.deleteLater()
        if getattr(self, "grid_holder", None) is not None:
            self.grid_holder.deleteLater()
        self.checks, self.values = [], [c.value for c in choices]
        # A long list goes in columns (down, then across) so it fits a small screen without a long scroll.
        columns = 1 if len(choices) <= MANY_CHOICES else 2 if len(choices) <= 16 else 3
        rows = -(-len(choices) // columns)
        self.grid_holder = QWidget()
        grid = QGridLayout(self.grid_holder)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, c in enumerate(choices):
            check = QCheckBox(self.session.choice_label(c, self.node))
            check.setProperty("value", c.value)
            check.toggled.connect(self.changed)
            grid.addWidget(check, i % rows, i // rows)
            self.checks.append(check)
        self.box.addWidget(self.grid_holder)

    def changed(self) -> None:
        self.emit(" ".join(c.property("value") for c in self.checks if c.isChecked()))

    def show_value(self, value):
        if not hasattr(self, "box"):
            return
        self.rebuild()
        chosen = set(value.split())
        for check in self.checks:
            check.blockSignals(True)
            check.setChecked(check.property("value") in chosen)
            check.blockSignals(False)

    def focus_target(self):
        return self.checks[0] if self.checks else None


class RankQuestion(QuestionWidget):
    def build_input(self):
        box = QListWidget()
        box.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        box.setFixedHeight(120)
        box.model().rowsMoved.connect(lambda *a: self.emit(self.order()))
        self.list = box
        return box

    def order(self) -> str:
        return " ".join(self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count()))

    def show_value(self, value):
        choices = {c.value: c.label(self.session.lang) for c in self.session.choices(self.control, self.node)}
        ordered = [v for v in value.split() if v in choices] + [v for v in choices if v not in value.split()]
        if self.order() == " ".join(ordered):
            return
        self.list.clear()
        for v in ordered:
            self.list.addItem(choices[v])
            self.list.item(self.list.count() - 1).setData(Qt.ItemDataRole.UserRole, v)


class RangeQuestion(QuestionWidget):
    def build_input(self):
        self.start = float(self.control.params.get("start", 1))
        self.end = float(self.control.params.get("end", 10))
        self.step = float(self.control.params.get("step", 1)) or 1.0
        wrap = QWidget()
        row = QHBoxLayout(wrap)
        row.setContentsMargins(0, 0, 0, 0)
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, int(round((self.end - self.start) / self.step)))
        self.shown = QLabel(self.tr("（未填）"))
        self.slider.valueChanged.connect(lambda i: self.emit(_num(self.start + i * self.step)))
        row.addWidget(self.slider, 1)
        row.addWidget(self.shown)
        return wrap

    def show_value(self, value):
        self.shown.setText(value or self.tr("（未填）"))
        if value:
            self.slider.blockSignals(True)
            self.slider.setValue(int(round((float(value) - self.start) / self.step)))
            self.slider.blockSignals(False)

    def focus_target(self):
        return self.slider


def _num(x: float) -> str:
    return str(int(x)) if x == int(x) else str(x)


class AcknowledgeQuestion(QuestionWidget):
    def build_input(self):
        box = QCheckBox(self.tr("确认"))
        box.toggled.connect(lambda on: self.emit("OK" if on else ""))
        return box

    def show_value(self, value):
        self.input.setChecked(value == "OK")


class NoteQuestion(QuestionWidget):
    def build_input(self):
        return None


class CalculatedQuestion(QuestionWidget):
    def build_input(self):
        box = QLineEdit()
        box.setReadOnly(True)
        return box

    def show_value(self, value):
        self.input.setText(value)


class SignaturePad(QWidget):
    """Draw with the mouse or a pen; ``png()`` gives the picture."""

    changed = Signal()

    def __init__(self):
        super().__init__()
        self.setFixedHeight(140)
        self.setMinimumWidth(300)
        self.image = QImage(600, 140, QImage.Format.Format_RGB32)
        self.image.fill(Qt.GlobalColor.white)
        self.last: QPoint | None = None
        self.drawn = False

    def paintEvent(self, event):  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(Qt.GlobalColor.gray))
        painter.drawRect(0, 0, self.width() - 1, self.height() - 1)

    def mousePressEvent(self, event):  # noqa: N802
        self.last = event.position().toPoint()

    def mouseMoveEvent(self, event):  # noqa: N802
        if self.last is None:
            return
        point = event.position().toPoint()
        painter = QPainter(self.image)
        painter.setPen(QPen(Qt.GlobalColor.black, 2))
        painter.drawLine(self.last, point)
        painter.end()
        self.last = point
        self.drawn = True
        self.update()

    def mouseReleaseEvent(self, event):  # noqa: N802
        self.last = None
        if self.drawn:
            self.changed.emit()

    def clear(self) -> None:
        self.image.fill(Qt.GlobalColor.white)
        self.drawn = False
        self.last = None
        self.update()

    def png(self) -> bytes:
        from PySide6.QtCore import QBuffer, QIODevice

        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        self.image.save(buffer, "PNG")
        return bytes(buffer.data())


class FileQuestion(QuestionWidget):
    FILTERS = {"image": QT_TRANSLATE_NOOP("FileQuestion", "图片 (*.jpg *.jpeg *.png *.bmp)"),
               "audio": QT_TRANSLATE_NOOP("FileQuestion", "录音 (*.mp3 *.m4a *.wav *.amr)"),
               "video": QT_TRANSLATE_NOOP("FileQuestion", "视频 (*.mp4 *.mov)"),
               "file": QT_TRANSLATE_NOOP("FileQuestion", "所有文件 (*)")}

    def build_input(self):
        wrap = QWidget()
        row = QVBoxLayout(wrap)
        row.setContentsMargins(0, 0, 0, 0)
        self.name = QLabel(self.tr("（未选择）"))
        if "signature" in self.control.appearance or "draw" in self.control.appearance:
            where = QLabel(self.tr("请用鼠标、触摸板或手写笔在下面的方框里签名："))
            where.setObjectName("signHere")
            row.addWidget(where)
            self.pad = SignaturePad()
            self.pad.changed.connect(self.signed)
            row.addWidget(self.pad)
            clear = QPushButton(self.tr("清除重签"))
            clear.setObjectName("clearSignature")
            clear.setAutoDefault(False)
            clear.clicked.connect(self.clear_signature)
            row.addWidget(clear, alignment=Qt.AlignmentFlag.AlignLeft)
        else:
            self.pad = None
            button = QPushButton(self.tr("选择文件…"))
            button.clicked.connect(self.choose)
            row.addWidget(button)
        row.addWidget(self.name)
        return wrap

    def clear_signature(self) -> None:
        """清除重签: a blank pad and no signature in the answer (the old picture is no longer the record's)."""
        self.pad.clear()
        self.emit("")

    def signed(self) -> None:
        name = f"{self.control.name}-signature.png"
        self.attachment_chosen.emit(self.node, name, self.pad.png())
        self.emit(name)

    def choose(self) -> None:
        kinds = self.tr(self.FILTERS.get(self.control.qtype, self.FILTERS["file"]))
        from ui.page_common import documents_folder

        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择文件"), documents_folder(), kinds)
        if path:
            from pathlib import Path

            content = Path(path).read_bytes()
            name = Path(path).name
            self.attachment_chosen.emit(self.node, name, content)
            self.emit(name)

    def show_value(self, value):
        self.name.setText(value or self.tr("（未选择）"))


WIDGETS = {
    "text": TextQuestion, "integer": TextQuestion, "decimal": TextQuestion, "time": TextQuestion,
    "datetime": TextQuestion, "geopoint": TextQuestion, "geotrace": TextQuestion, "geoshape": TextQuestion,
    "barcode": TextQuestion, "date": DateQuestion, "select_one": SelectOneQuestion,
    "select_multiple": SelectMultipleQuestion, "rank": RankQuestion, "range": RangeQuestion,
    "acknowledge": AcknowledgeQuestion, "note": NoteQuestion, "image": FileQuestion, "audio": FileQuestion,
    "video": FileQuestion, "file": FileQuestion,
}


def make_question(session: FormSession, control: Control, node: Node, parent: QWidget | None = None) -> QuestionWidget:
    """The widget for a question. Give the ``parent`` it will sit in: a widget made without one and shown
    becomes a window of its own for a moment (a 500-question form spent a second on that)."""
    if node.bind is not None and node.bind.calculate is not None and control.qtype != "note":
        return CalculatedQuestion(session, control, node, parent)
    return WIDGETS.get(control.qtype, TextQuestion)(session, control, node, parent)


def debounce(widget: QWidget, ms: int, fn) -> QTimer:
    timer = QTimer(widget)
    timer.setSingleShot(True)
    timer.setInterval(ms)
    timer.timeout.connect(fn)
    return timer
