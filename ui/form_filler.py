"""The form filler: renders any form the engine loads, saves every change as a draft.

Groups become titled sections listed in an outline on the left; repeats get
添加/删除 buttons per instance. After every answer the engine re-evaluates what
depends on it and every visible question refreshes its value, relevance and
message. Closing never asks anything: the draft is already saved.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.forms.fill import apply_answers
from app.forms.model import Control, FormDef
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node
from app.store import Store
from ui.errors import show_error
from ui.questions import QuestionWidget, make_question

SAVE_DELAY_MS = 250
# Questions built before the filler shows; the sections after them are filled in the moments that follow
# (one per turn of the event loop), so a 500-question form opens at once. Smaller forms are built whole.
EAGER_QUESTIONS = 40
FILL_IN_AFTER_MS = 30  # the first filling-in waits for the form to be painted once


class FormFiller(QWidget):
    saved = Signal(str)
    finalized = Signal(str)

    def __init__(self, store: Store, form: FormDef, *, record_uuid: str | None = None, person: dict | None = None,
                 author: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("formFiller")
        self.store, self.form, self.author = store, form, author
        self.record_uuid = record_uuid
        self.person = person
        self.session = FormSession(form)
        if record_uuid:
            record = store.get_record(record_uuid)
            apply_answers(self.session, record["data"], saved=True)
            self.person = self.person or ({"id": record["person_id"]} if record["person_id"] else None)
        elif person:
            self._prefill(person)
        self.questions: list[QuestionWidget] = []
        self.sections: list[tuple[Node, QWidget]] = []
        self._pending: list[tuple] = []  # top-level sections still to fill: (controls, node, layout, outline item)
        self._generation = 0
        self._save_timer = QTimer(self)
        self._save_timer.setSingleShot(True)
        self._save_timer.setInterval(SAVE_DELAY_MS)
        self._save_timer.timeout.connect(self.save_now)

        title = QLabel(f"<h2>{form.title or form.form_id}</h2>")
        self.status = QLabel("")
        self.status.setObjectName("saveStatus")
        save = QPushButton(self.tr("保存草稿 (Ctrl+S)"))
        save.clicked.connect(self.save_now)
        finish = QPushButton(self.tr("定稿 (Ctrl+Enter)"))
        finish.setObjectName("finalizeButton")
        finish.clicked.connect(self.finalize)
        printing = QPushButton(self.tr("打印/导出PDF… (Ctrl+P)"))
        printing.setObjectName("printButton")
        printing.clicked.connect(self.print_pdf)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.status)
        top.addWidget(printing)
        top.addWidget(save)
        top.addWidget(finish)

        self.outline = QTreeWidget()
        self.outline.setHeaderHidden(True)
        self.outline.setMaximumWidth(220)
        self.outline.itemClicked.connect(self._jump)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        split = QSplitter()
        split.addWidget(self.outline)
        split.addWidget(self.scroll)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        self.banner = QLabel()
        self.banner.setObjectName("redFlagBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet("background: #c62828; color: white; padding: 6px; font-weight: bold;")
        self.banner.hide()
        layout.addWidget(self.banner)
        layout.addWidget(split, 1)
        # Window shortcuts of a hidden filler (another tab) are inactive, so open records never clash.
        for keys, action in (("Ctrl+S", self.save_now), ("Ctrl+Return", self.finalize),
                             ("Ctrl+Enter", self.finalize), ("Ctrl+P", self.print_pdf)):
            QShortcut(QKeySequence(keys), self).activated.connect(action)
        self.build()
        if record_uuid is None:
            self.save_now()  # a draft exists from the first moment: nothing can be lost

    # ------------------------------------------------------------------ building

    def _prefill(self, person: dict) -> None:
        """Known facts about the person fill the questions of the same name."""
        names = self.form.by_name()
        name = person.get("name", "")
        facts = {"person_name": name, "name": name, "elder_name": name, "child_name": name,
                 "id_number": person.get("id_number", ""), "elder_id": person.get("id_number", ""),
                 "child_id": person.get("id_number", ""), "phone": person.get("phone", ""),
                 "visitor": self.author}
        for key, value in facts.items():
            if key in names and value:
                node = self.session.node(names[key])
                if node is not None and node.relevant and self.session.control(node) is not None:
                    self.session.set_value(node, value)

    def build(self) -> None:
        if self.scroll.widget() is not None and self.scroll.widget().isAncestorOf(self.focusWidget()):
            self.scroll.setFocus()  # keep focus inside the window while the old questions go away
        self.questions, self.sections, self._pending = [], [], []
        self._generation += 1
        self.outline.clear()
        content = QWidget()
        content.setObjectName("formContent")
        box = QVBoxLayout(content)
        self._render(self.form.controls, self.session.root, box, None)
        box.addStretch(1)
        old = self.scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.scroll.setWidget(content)
        self.outline.expandAll()
        if self._pending:
            generation = self._generation
            QTimer.singleShot(FILL_IN_AFTER_MS, lambda: self._build_more(generation))

    def _build_more(self, generation: int) -> None:
        """Fill the next waiting section, then come back for the one after it."""
        if generation != self._generation or not self._pending:
            return
        self._fill_section(*self._pending.pop(0))
        if self._pending:
            QTimer.singleShot(0, lambda: self._build_more(generation))

    def ensure_built(self) -> None:
        """Fill every waiting section now (before anything that looks at all the questions)."""
        while self._pending:
            self._fill_section(*self._pending.pop(0))

    def _fill_section(self, controls: list[Control], node: Node, layout: QVBoxLayout, item) -> None:
        section = layout.parentWidget()
        shown = not section.isHidden()
        section.hide()  # its questions appear together when it shows again, not one show event each
        self._render(controls, node, layout, item)
        section.setVisible(shown)
        self.outline.expandAll()

    def _render(self, controls: list[Control], container: Node, layout: QVBoxLayout, tree: QTreeWidgetItem | None):
        for control in controls:
            if control.kind == "group":
                node = self.session.node(control.ref, container) if control.ref else container
                if node is None:
                    continue
                section = QGroupBox(self.session.label(control, node) or control.name, layout.parentWidget())
                section.setObjectName(f"g_{control.name}")
                inner = QVBoxLayout(section)
                item = self._outline_item(tree, section.title(), section)
                if tree is None and len(self.questions) >= EAGER_QUESTIONS:
                    self._pending.append((control.children, node, inner, item))
                else:
                    self._render(control.children, node, inner, item)
                layout.addWidget(section)
                self.sections.append((node, section))
            elif control.kind == "repeat":
                self._render_repeat(control, container, layout, tree)
            else:
                node = self.session.node(control.ref, container)
                if node is None:
                    continue
                widget = make_question(self.session, control, node, layout.parentWidget())
                widget.answered.connect(self.on_answer)
                widget.attachment_chosen.connect(self.on_attachment)
                layout.addWidget(widget)
                self.questions.append(widget)

    def _render_repeat(self, control: Control, container: Node, layout: QVBoxLayout, tree):
        parent_path = control.ref.rsplit("/", 1)[0]
        parents = self.session.nodes(parent_path, container)
        if not parents:
            return
        parent = parents[0]
        title = self.session.label(control, parent) or control.name
        frame = QGroupBox(title)
        frame.setObjectName(f"r_{control.name}")
        inner = QVBoxLayout(frame)
        item = self._outline_item(tree, title, frame)
        instances = self.session.repeat_instances(control.ref, parent)
        for i, instance in enumerate(instances, 1):
            inner.addWidget(self._render_instance(control, instance, i, title, item))
        if control.repeat_count is None and "noAddRemove" not in control.params:
            add = QPushButton(self.tr("添加{title}").format(title=title))
            add.setObjectName(f"add_{control.name}")
            add.clicked.connect(lambda _=False, c=control, p=parent, lay=inner, it=item, t=title:
                                self.add_instance(c, p, lay, it, t))
            inner.addWidget(add, alignment=Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(frame)
        self.sections.append((parent, frame))

    def _render_instance(self, control: Control, instance: Node, number: int, title: str, item) -> QGroupBox:
        one = QGroupBox(self.tr("{title} 第 {number} 项").format(title=title, number=number))
        one_layout = QVBoxLayout(one)
        self._render(control.children, instance, one_layout, item)
        if control.repeat_count is None and "noAddRemove" not in control.params:
            remove = QPushButton(self.tr("删除第 {number} 项").format(number=number))
            remove.clicked.connect(lambda _=False, n=instance: self.remove_instance(n))
            one_layout.addWidget(remove, alignment=Qt.AlignmentFlag.AlignRight)
        self.sections.append((instance, one))
        return one

    def _outline_item(self, parent: QTreeWidgetItem | None, title: str, widget: QWidget) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        item.setData(0, Qt.ItemDataRole.UserRole, widget)
        if parent is None:
            self.outline.addTopLevelItem(item)
        else:
            parent.addChild(item)
        return item

    def _jump(self, item: QTreeWidgetItem) -> None:
        widget = item.data(0, Qt.ItemDataRole.UserRole)
        if widget is not None:
            self.scroll.ensureWidgetVisible(widget, 0, 0)

    # ------------------------------------------------------------------ answering

    def on_answer(self, node: Node, value) -> None:
        self.session.set_value(node, value)
        self.refresh()
        self._save_timer.start()

    def on_attachment(self, node: Node, name: str, content: bytes) -> None:
        self.save_now()
        try:
            self.store.add_attachment(self.record_uuid, name, content)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc)

    def refresh(self) -> None:
        for widget in self.questions:
            widget.refresh()
        for node, section in self.sections:
            section.setVisible(node.relevant)
        self.show_red_flags()

    def show_red_flags(self) -> None:
        """Safety red flags (a child alone, no heating in winter, a fall with no one home) shown at once."""
        from app.dashboard import flag_text
        from app.schedule import red_flags

        flags = red_flags(self.session.to_data())
        self.banner.setVisible(bool(flags))
        if flags:
            self.banner.setText(self.tr("⚠ 安全红线：{flags}。请立即处置并报告村委会/乡镇；定稿后会列在工作台上。")
                                .format(flags=flag_text(flags)))

    def add_instance(self, control: Control, parent: Node, layout: QVBoxLayout, item, title: str) -> None:
        """Add one repeat instance in place (the rest of the form stays as it is) and focus it."""
        node = self.session.add_repeat(control.ref, parent)
        first = len(self.questions)
        number = len(self.session.repeat_instances(control.ref, parent))
        box = self._render_instance(control, node, number, title, item)
        layout.insertWidget(layout.count() - 1, box)
        box.show()
        self.refresh()
        self.save_now()
        if first < len(self.questions):
            target = self.questions[first].focus_target()
            if target is not None:
                target.setFocus()
                QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(box))

    def remove_instance(self, node: Node) -> None:
        self.session.remove_repeat(node)
        self.save_now()
        QTimer.singleShot(0, lambda: self._rebuilt(focus_in=None))

    def _rebuilt(self, focus_in: Node | None) -> None:
        self.build()
        if focus_in is not None:
            self.ensure_built()
        for widget in self.questions:
            if focus_in is not None and widget.node.parent is focus_in:
                target = widget.focus_target()
                if target is not None:
                    self.scroll.ensureWidgetVisible(widget)
                    target.setFocus()
                return
        self.scroll.setFocus()

    # ------------------------------------------------------------------ saving

    def title(self) -> str:
        name = self.session.instance_name()
        if name:
            return name
        who = (self.person or {}).get("name", "")
        return f"{who} {self.form.title or self.form.form_id} {datetime.now():%Y-%m-%d}".strip()

    def save_now(self) -> None:
        self._save_timer.stop()
        if self.store.closed:
            return
        try:
            self.record_uuid = self.store.save_draft(
                record_uuid=self.record_uuid, form_id=self.form.form_id, form_version=self.form.version,
                data=self.session.to_data(), person_id=(self.person or {}).get("id"),
                village_id=(self.person or {}).get("village_id"), author=self.author, title=self.title())
        except Exception as exc:  # noqa: BLE001 - shown plainly; the session keeps every answer
            show_error(self, exc, self.tr("草稿没有保存"))
            return
        self.status.setText(self.tr("已自动保存 {time}").format(time=f"{datetime.now():%H:%M:%S}"))
        self.saved.emit(self.record_uuid)

    def flush(self) -> None:
        """Save anything pending (called when the filler closes)."""
        if self._save_timer.isActive():
            self.save_now()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.flush()
        super().closeEvent(event)

    def finalize(self) -> None:
        self.ensure_built()
        self.save_now()
        errors = self.session.errors()
        if errors:
            MissingSummary(self, errors).exec()
            return
        try:
            self.store.finalize(self.record_uuid, self.form, author=self.author)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, self.tr("不能定稿"))
            return
        self.status.setText(self.tr("已定稿"))
        self.finalized.emit(self.record_uuid)

    def print_pdf(self) -> None:
        """打印/导出PDF…: the record as on screen, on A4 as the paper form (ui/printing.py)."""
        from ui.printing import save_record_pdf

        self.save_now()
        record_uuid = self.record_uuid or getattr(self, "record", {}).get("uuid")
        if record_uuid:
            save_record_pdf(self, self.store, None, record_uuid, name=self.title(), form=self.form,
                            data=self.session.to_data())

    def focus_question(self, key: str) -> None:
        self.ensure_built()
        for widget in self.questions:
            if self.session.key(widget.node) == key:
                self.scroll.ensureWidgetVisible(widget)
                target = widget.focus_target()
                if target is not None:
                    target.setFocus()
                return


class MissingSummary(QDialog):
    """What still needs an answer before the record can be finalized; choosing one jumps to it."""

    def __init__(self, filler: FormFiller, errors: dict[str, str]):
        super().__init__(filler)
        self.setObjectName("missingSummary")
        self.setWindowTitle(self.tr("还不能定稿"))
        self.filler = filler
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("还有 %n 处需要填写或更正（双击可跳到该题）：", "", len(errors))))
        self.list = QListWidget()
        labels = {self.filler.session.key(w.node): self.filler.session.label(w.control, w.node)
                  for w in filler.questions}
        for key, message in errors.items():
            text = self.tr("{question}：{message}").format(question=labels.get(key) or key, message=message)
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, key)
            self.list.addItem(item)
        self.list.itemActivated.connect(self.jump)
        self.list.setCurrentRow(0)
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)

    def jump(self, item: QListWidgetItem) -> None:
        self.accept()
        self.filler.focus_question(item.data(Qt.ItemDataRole.UserRole))


class RevisionFiller(FormFiller):
    """A filler on a finalized or sent record: 定稿 writes a new revision with its history."""

    done = Signal()

    def __init__(self, store: Store, form: FormDef, record: dict, *, reason: str, author: str):
        self.record = record
        self.reason = reason
        self._editing = True
        super().__init__(store, form, record_uuid=None, person=None, author=author)
        apply_answers(self.session, record["data"], saved=True)
        self.build()
        self.status.setText(self.tr("修改后请按“定稿”保存为新版本"))

    def save_now(self) -> None:
        """Revisions are written only when confirmed, never as drafts."""
        self._save_timer.stop()

    def finalize(self) -> None:
        errors = self.session.errors()
        if errors:
            MissingSummary(self, errors).exec()
            return
        try:
            self.store.edit_record(self.record["uuid"], self.form, self.session.to_data(), author=self.author,
                                   reason=self.reason)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, self.tr("修改没有保存"))
            return
        self.status.setText(self.tr("已保存为新版本"))
        self.done.emit()
