"""Choosing a place from the 统计用区划代码 table: province → city → county → township, by keyboard.

Each level is an editable list (two a row): type part of the name, its pinyin or the pinyin initials (三河镇, sanhe,
shz), pick with Down and Enter (or Tab when one is left), and the next level fills in and takes the cursor.
A level with a single entry (北京市's 市辖区) is chosen by itself.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox, QCompleter, QGridLayout, QLabel, QStyle, QWidget

from app.regions import LEVEL_NAMES, Region, RegionTable, national
from app.store.pinyin import search_key

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 1  # what an entry is found by when typed (app.store.pinyin.search_key)
CODE_ROLE = Qt.ItemDataRole.UserRole


class PlaceBox(QComboBox):
    """One level's places; ``chosen`` gives the code of the place picked ('' when the text names none)."""

    chosen = Signal(str)
    picked = Signal()  # Enter on a place, or a match taken from the list: the person is done with this level

    def __init__(self, name: str, parent=None):
        super().__init__(parent)
        self.setObjectName(name)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setMinimumContentsLength(14)  # a township of nine characters (安徽肥西经济开发区) shows whole
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)  # the layout's share
        self.places = QStandardItemModel(self)
        self.setModel(self.places)
        completer = QCompleter(self.places, self)
        completer.setCompletionRole(SEARCH_ROLE)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        completer.setMaxVisibleItems(12)
        self.setCompleter(completer)
        self._last = ""
        self.currentIndexChanged.connect(lambda _i: self._announce())
        self.lineEdit().editingFinished.connect(self._announce)
        self.lineEdit().returnPressed.connect(self._pick)
        completer.activated.connect(lambda _text: self._pick())

    def set_places(self, regions: list[Region]) -> None:
        self.blockSignals(True)
        self.places.clear()
        for region in regions:
            item = QStandardItem(region.name)
            item.setData(region.code, CODE_ROLE)
            item.setData(search_key(region.name), SEARCH_ROLE)
            self.places.appendRow(item)
        widest = max((self.fontMetrics().horizontalAdvance(r.name) for r in regions), default=0)
        for view in (self.view(), self.completer().popup()):  # the lists show whole names, wider than the box
            view.setMinimumWidth(widest + 2 * view.frameWidth() + view.style().pixelMetric(
                QStyle.PixelMetric.PM_ScrollBarExtent) + 16)
        self.setCurrentIndex(0 if len(regions) == 1 else -1)
        if len(regions) != 1:
            self.setEditText("")
        self.blockSignals(False)
        self.setEnabled(bool(regions))
        self._announce()  # the place shown changed: the levels below follow

    def code(self) -> str:
        """The code of the place the box names: the one picked, the one whose name is typed in full, or the only
        one the typed text (name or pinyin) matches; '' otherwise."""
        text = self.currentText().strip()
        if not text:
            return ""
        index = self.currentIndex()
        if index >= 0 and self.itemText(index) == text:
            return self.itemData(index, CODE_ROLE)
        exact = self.findText(text, Qt.MatchFlag.MatchFixedString)
        if exact >= 0:
            return self.itemData(exact, CODE_ROLE)
        lowered = text.lower()
        hits = [i for i in range(self.count()) if lowered in str(self.itemData(i, SEARCH_ROLE)).lower()]
        return self.itemData(hits[0], CODE_ROLE) if len(hits) == 1 else ""

    def select(self, code: str) -> None:
        index = self.findData(code, CODE_ROLE)
        self.setCurrentIndex(index)
        self._announce()

    def _pick(self) -> None:
        self._announce()
        if self.code():
            self.picked.emit()

    def _announce(self) -> None:
        code = self.code()
        if code and self.currentText() != self.itemText(self.findData(code, CODE_ROLE)):
            self.blockSignals(True)
            self.setCurrentIndex(self.findData(code, CODE_ROLE))  # shorthand typed (shz): show the full name
            self.blockSignals(False)
        if code and self.completer().popup().isVisible():
            self.completer().popup().hide()
        if code != self._last:
            self._last = code
            self.chosen.emit(code)


class TownshipPicker(QWidget):
    """Province → city → county → township lists; ``code()`` is the township's 9-digit code or ''."""

    changed = Signal(str)

    def __init__(self, table: RegionTable | None = None, parent=None):
        super().__init__(parent)
        self.table = table or national()
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        self.boxes: list[PlaceBox] = []
        # two lists a row, in equal halves: a township's name can be long (安徽肥西经济开发区), and four in a row cut
        # it on a laptop screen's dialog
        for i, level in enumerate(("province", "city", "county", "township")):
            box = PlaceBox(level, self)
            label = QLabel(LEVEL_NAMES[level], self)
            label.setBuddy(box)
            row, column = 2 * (i // 2), i % 2
            grid.addWidget(label, row, column)
            grid.addWidget(box, row + 1, column)
            self.boxes.append(box)
        for column in (0, 1):
            grid.setColumnStretch(column, 1)
        for i, box in enumerate(self.boxes):
            box.chosen.connect(lambda code, i=i: self._chosen(i, code))
            box.picked.connect(lambda i=i: self._move_on(i))
        for box in self.boxes[1:]:
            box.setEnabled(False)
        self.setFocusProxy(self.boxes[0])
        self.boxes[0].set_places(self.table.children())

    def _chosen(self, level: int, code: str) -> None:
        if level + 1 < len(self.boxes):
            following = self.boxes[level + 1]
            following.set_places(self.table.children(code) if code else [])
        else:
            self.changed.emit(code)
        if level + 1 < len(self.boxes) and not self.boxes[-1].code():
            self.changed.emit("")

    def _move_on(self, level: int) -> None:
        """The cursor to the next level still to choose (a level of one entry is chosen already)."""
        for box in self.boxes[level + 1:]:
            if box.isEnabled() and (box.count() != 1 or box is self.boxes[-1]):
                box.setFocus()
                return

    def code(self) -> str:
        return self.boxes[-1].code() if self.boxes[-1].isEnabled() else ""

    def select(self, code: str) -> None:
        """Show a township (or a county: the lists down to it)."""
        for length, box in zip((2, 4, 6, 9), self.boxes, strict=True):
            if len(code) >= length:
                box.select(code[:length])
