"""One widget per question type, all speaking the engine's text values.

Each ``QuestionWidget`` shows a label (with a red * when required), a hint, an
input fitting the type, and the engine's message under it. It emits
``answered(text)`` when the person changes the answer; ``refresh()`` pulls the
current value, choices, relevance and message back from the session.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QDate, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QImage, QKeyEvent, QPainter, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from app.forms.model import Control
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node

EMPTY_DATE = QDate(1900, 1, 1)
MANY_CHOICES = 8


class QuestionWidget(QFrame):
    answered = Signal(object, object)  # node, value
    attachment_chosen = Signal(object, str, bytes)  # node, file name, content

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
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.editingFinished.emit()
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
                       "datetime": self.tr("如 2024-03-15 14:30"), "geopoint": self.tr("纬度 经度，如 31.86 117.28"),
                       "barcode": self.tr("扫描或输入编号")}.get(self.control.qtype)
        if placeholder:
            box.setPlaceholderText(placeholder)
        box.textEdited.connect(self.emit)
        return box

    def show_value(self, value):
        box = self.input
        current = box.toPlainText() if isinstance(box, QPlainTextEdit) else box.text()
        if self.node in self.session.input_errors:
            return  # keep what the person typed so they can correct it
        if current != value:
            if isinstance(box, QPlainTextEdit):
                box.setPlainText(value)
            else:
                box.setText(value)


class DateQuestion(QuestionWidget):
    def build_input(self):
        box = QDateEdit()
        box.setCalendarPopup(True)
        box.setDisplayFormat("yyyy-MM-dd")
        box.setMinimumDate(EMPTY_DATE)
        box.setSpecialValueText(self.tr("（未填）"))
        box.setDate(EMPTY_DATE)
        box.dateChanged.connect(lambda d: self.emit("" if d == EMPTY_DATE else d.toString("yyyy-MM-dd")))
        return box

    def show_value(self, value):
        date = QDate.fromString(value, "yyyy-MM-dd") if value else EMPTY_DATE
        if self.input.date() != date:
            self.input.setDate(date if date.isValid() else EMPTY_DATE)


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
            self.combo.addItem(self.tr("（请选择）"), "")
            for c in choices:
                self.combo.addItem(self.session.choice_label(c, self.node), c.value)
            self.combo.completer().setFilterMode(Qt.MatchFlag.MatchContains)
            self.combo.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
            self.combo.activated.connect(lambda i: self.emit(self.combo.itemData(i) or ""))
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

    def show_value(self, value):
        if not hasattr(self, "box"):
            return
        self.rebuild()
        if self.combo is not None:
            index = self.combo.findData(value)
            self.combo.setCurrentIndex(max(index, 0))
        elif self.group is not None:
            self.group.setExclusive(False)
            for button in self.group.buttons():
                button.setChecked(button.property("value") == value)
            self.group.setExclusive(True)

    def focus_target(self):
        if self.combo is not None:
            return self.combo
        buttons = self.group.buttons() if self.group else []
        return buttons[0] if buttons else None


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
        self.checks, self.values = [], [c.value for c in choices]
        for c in choices:
            check = QCheckBox(self.session.choice_label(c, self.node))
            check.setProperty("value", c.value)
            check.toggled.connect(self.changed)
            self.box.addWidget(check)
            self.checks.append(check)

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
            self.pad = SignaturePad()
            self.pad.changed.connect(self.signed)
            row.addWidget(self.pad)
        else:
            self.pad = None
            button = QPushButton(self.tr("选择文件…"))
            button.clicked.connect(self.choose)
            row.addWidget(button)
        row.addWidget(self.name)
        return wrap

    def signed(self) -> None:
        name = f"{self.control.name}-signature.png"
        self.attachment_chosen.emit(self.node, name, self.pad.png())
        self.emit(name)

    def choose(self) -> None:
        kinds = self.tr(self.FILTERS.get(self.control.qtype, self.FILTERS["file"]))
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择文件"), "", kinds)
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
