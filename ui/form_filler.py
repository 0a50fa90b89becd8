"""The form filler: renders any form the engine loads, saves every change as a draft.

Groups become titled sections listed in an outline on the left; repeats get
添加/删除 buttons per instance. After every answer the engine re-evaluates what
depends on it and every visible question refreshes its value, relevance and
message. Closing never asks anything: the draft is already saved.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QPoint, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import check_clock
from app.forms.fill import apply_answers
from app.forms.model import Control, FormDef
from app.forms.session import FormSession
from app.forms.xpath.nodes import Node
from app.store import Store
from ui.errors import plain_message, show_error
from ui.questions import QuestionWidget, make_question

SAVE_DELAY_MS = 250
NAME_QUESTIONS = ("person_name", "name", "elder_name", "child_name", "elder")  # who a record is about
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
        self.session = FormSession(form, instances=store.form_instances())
        if record_uuid:
            record = store.get_record(record_uuid)
            apply_answers(self.session, record["data"], saved=True)
            self.person = self.person or ({"id": record["person_id"]} if record["person_id"] else None)
        elif person:
            self._prefill(person)
        self.answered_anything = record_uuid is not None  # a draft reopened is half-filled already
        self.questions: list[QuestionWidget] = []
        self.sections: list[tuple[Node, QWidget]] = []
        self._save_failing = False  # the last autosave failed (a full disk): the next success clears it
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
        # A click on a label, a gap or a 删除 button keeps the cursor in its question (the scroll area would take it).
        self.scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
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
        self.clock_warning = QLabel()
        self.clock_warning.setObjectName("clockWarning")
        self.clock_warning.setWordWrap(True)
        self.clock_warning.setStyleSheet("background: #fff3cd; color: #5c4400; padding: 6px;")
        layout.addWidget(self.clock_warning)
        self.check_clock()
        layout.addWidget(split, 1)
        # Window shortcuts of a hidden filler (another tab) are inactive, so open records never clash.
        for keys, action in (("Ctrl+S", self.save_now), ("Ctrl+Return", self.finalize),
                             ("Ctrl+Enter", self.finalize), ("Ctrl+P", self.print_pdf),
                             ("Ctrl+Delete", self.remove_focused_instance)):
            QShortcut(QKeySequence(keys), self).activated.connect(action)
        self.build()
        if record_uuid is None:
            self.save_now()  # a draft exists from the first moment: nothing can be lost
        QTimer.singleShot(0, self, self.focus_first)  # with self as context: never after the filler is gone

    # ------------------------------------------------------------------ building

    def _prefill(self, person: dict) -> None:
        """Known facts about the person fill the questions of the same name."""
        from app.registry import person_facts

        names = self.form.by_name()
        for key, value in person_facts(person, self.author).items():
            if key in names:
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
            QTimer.singleShot(FILL_IN_AFTER_MS, self, lambda: self._build_more(generation))  # dropped with the filler

    def _build_more(self, generation: int) -> None:
        """Fill the next waiting section, then come back for the one after it."""
        if generation != self._generation or not self._pending:
            return
        try:
            self._fill_section(*self._pending.pop(0))
        except RuntimeError:  # the filler's widgets were deleted (its tab or window closed) before it finished
            self._pending = []
            return
        if self._pending:
            QTimer.singleShot(0, self, lambda: self._build_more(generation))

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
                widget.next_wanted.connect(self.focus_next)
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
            remove.setObjectName("removeInstance")
            remove.setToolTip(self.tr("删除这一项（光标在这一项里时也可按 Ctrl+Delete）；删除前会先问您"))
            remove.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # not in the Tab path: one Space never deletes
            remove.clicked.connect(lambda _=False, n=instance: self.remove_instance(n))
            one_layout.addWidget(remove, alignment=Qt.AlignmentFlag.AlignRight)
        one.setProperty("instanceTitle", one.title())
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
        self.answered_anything = True
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
        add = layout.itemAt(layout.count() - 1).widget()
        box = self._render_instance(control, node, number, title, item)
        layout.insertWidget(layout.count() - 1, box)
        box.show()
        self._tab_before(box, add)
        self.refresh()
        self.save_now()
        if first < len(self.questions):
            target = self.questions[first].focus_target()
            if target is not None:
                target.setFocus()
                QTimer.singleShot(0, lambda: self.scroll.ensureWidgetVisible(box))

    @staticmethod
    def _tab_before(box: QWidget, anchor: QWidget) -> None:
        """Tab goes through a new entry's questions before the 添加 button, as if it had been there all along."""
        def tabbable(w: QWidget) -> bool:
            return bool(w.focusPolicy() & Qt.FocusPolicy.TabFocus)

        chain, widget = [], anchor.nextInFocusChain()
        while widget is not anchor:
            if box.isAncestorOf(widget) and tabbable(widget):
                chain.append(widget)
            widget = widget.nextInFocusChain()
        previous = anchor.previousInFocusChain()
        while previous is not anchor and (box.isAncestorOf(previous) or not tabbable(previous)):
            previous = previous.previousInFocusChain()
        for widget in chain:
            QWidget.setTabOrder(previous, widget)
            previous = widget
        QWidget.setTabOrder(previous, anchor)

    def remove_instance(self, node: Node, *, confirm: bool = True) -> bool:
        """Delete one repeat entry after asking (naming it); the focus and the scroll position stay."""
        focused = self._focused_question()  # before asking: the question box takes the focus for a while
        if confirm and self._has_answers(node) and not self._confirm_removal(node):
            if focused is not None and focused.focus_target() is not None:
                focused.focus_target().setFocus()
            return False
        keep: Node | None = focused.node if focused is not None else None
        if keep is not None and self._inside(keep, node):
            keep = self._same_question_nearby(focused, node)
        position = self.scroll.verticalScrollBar().value()
        self.session.remove_repeat(node)
        self.save_now()
        QTimer.singleShot(0, lambda: self._rebuilt(focus_on=keep, scroll_to=position))
        return True

    def remove_focused_instance(self) -> None:
        """Ctrl+Delete: the repeat entry holding the cursor."""
        focused = self._focused_question()
        instances = [n for n, _ in self.sections if n.generic_path() in self.form.repeat_paths]
        node = focused.node if focused is not None else None
        while node is not None and node not in instances:
            node = node.parent
        if node is not None:
            self.remove_instance(node)

    def _focused_question(self) -> QuestionWidget | None:
        focus = QApplication.focusWidget()
        if focus is None or not self.isAncestorOf(focus):
            focus = self.focusWidget()  # where the cursor was while a dialog is in front
        return next((q for q in self.questions if focus is not None and q.isAncestorOf(focus)), None)

    @staticmethod
    def _inside(node: Node, instance: Node) -> bool:
        while node is not None:
            if node is instance:
                return True
            node = node.parent
        return False

    @staticmethod
    def _has_answers(instance: Node) -> bool:
        return any(n.value != "" and not n.children for n in instance.iter())

    def _same_question_nearby(self, focused: QuestionWidget, instance: Node) -> Node | None:
        """The same question in the next entry (else the previous one), for the cursor after a delete."""
        siblings = [c for c in instance.parent.children if c.name == instance.name]
        at = siblings.index(instance)
        for other in siblings[at + 1:at + 2] + siblings[max(at - 1, 0):at]:
            same = next((q.node for q in self.questions if q.control is focused.control
                         and self._inside(q.node, other)), None)
            if same is not None:
                return same
        return None

    def _confirm_removal(self, instance: Node) -> bool:
        box = next((w for n, w in self.sections if n is instance), None)
        title = box.property("instanceTitle") if box is not None else instance.name
        answers = [n.value for n in instance.iter() if n.value and not n.children][:2]
        ask = QMessageBox(QMessageBox.Icon.Question, self.tr("删除这一项？"),
                          self.tr("删除“{title}”（{answers}）吗？这一项填写的内容会一起删除。").format(
                              title=title, answers="，".join(answers)), QMessageBox.StandardButton.NoButton, self)
        ask.setObjectName("confirmRemove")
        delete = ask.addButton(self.tr("删除"), QMessageBox.ButtonRole.DestructiveRole)
        keep = ask.addButton(self.tr("不删除"), QMessageBox.ButtonRole.RejectRole)
        ask.setDefaultButton(keep)  # Enter or Space keeps the entry
        ask.setEscapeButton(keep)
        ask.exec()
        return ask.clickedButton() is delete

    def _rebuilt(self, focus_on: Node | None, scroll_to: int) -> None:
        self.build()
        if focus_on is not None:
            self.ensure_built()  # the question to focus may be in a section not filled in yet
        self.scroll.widget().adjustSize()
        self.scroll.verticalScrollBar().setValue(scroll_to)
        widget = next((w for w in self.questions if w.node is focus_on), None)
        target = widget.focus_target() if widget is not None else None
        if target is not None:
            target.setFocus()
            self.scroll.ensureWidgetVisible(widget)
        else:
            self.scroll.setFocus()

    # ------------------------------------------------------------------ saving

    def title(self) -> str:
        name = self.session.instance_name()
        if name:
            return name
        who = (self.person or {}).get("name", "") or self._typed_name()
        return f"{who} {self.form.title or self.form.form_id} {datetime.now():%Y-%m-%d}".strip()

    def _typed_name(self) -> str:
        """The name typed into the form (老人姓名 …) when it was not started from a person."""
        names = self.form.by_name()
        for key in NAME_QUESTIONS:
            node = self.session.node(names[key]) if key in names else None
            if node is not None and node.value:
                return node.value
        return ""

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
            self.status.setText(self.tr("草稿没有保存：{reason}").format(reason=plain_message(exc)))
            if not self._save_failing:  # once per run of failures, not a dialog at every keystroke
                show_error(self, exc, self.tr("草稿没有保存"))
            self._save_failing = True
            return
        self._save_failing = False
        self.status.setText(self.tr("已自动保存 {time}").format(time=f"{datetime.now():%H:%M:%S}"))
        self.saved.emit(self.record_uuid)

    def flush(self) -> None:
        """Save anything pending (called when the filler closes)."""
        if self._save_timer.isActive():
            self.save_now()

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.flush()
        super().closeEvent(event)

    def check_clock(self):
        """Show, above the form, why the laptop's clock looks wrong (app.clock); returns the warning or None."""
        warning = None if self.store.closed else check_clock(self.store)
        self.clock_warning.setText(str(warning) if warning else "")
        self.clock_warning.setVisible(warning is not None)
        return warning

    def clock_confirmed(self) -> bool:
        """Before 定稿 dates a visit by a clock that looks wrong, ask (the default is not to)."""
        warning = self.check_clock()
        if warning is None:
            return True
        answer = QMessageBox.warning(self, self.tr("电脑时钟可能不对"),
                                     str(warning) + "\n\n" + self.tr("仍然按电脑现在的日期和时间定稿吗？"),
                                     QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                     QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def finalize(self) -> None:
        self.ensure_built()
        self.save_now()
        errors = self.session.errors()
        if errors:
            MissingSummary(self, errors).exec()
            return
        if not self.clock_confirmed():
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

    def _can_take_focus(self, widget: QuestionWidget) -> bool:
        target = widget.focus_target()
        return target is not None and widget.isVisibleTo(self) and target.isEnabled() \
            and not self.session.is_readonly(widget.node)

    def focus_first(self) -> None:
        """The cursor starts in the first question still to answer (else the first one)."""
        open_ = [w for w in self.questions if self._can_take_focus(w)]
        first = next((w for w in open_ if w.node.value == ""), open_[0] if open_ else None)
        if first is not None and not self.store.closed:
            first.focus_target().setFocus()
            self._show_from_its_title(first)
            QTimer.singleShot(0, lambda: self._show_from_its_title(first))  # again once the layout has settled

    def _show_from_its_title(self, widget: QuestionWidget) -> None:
        """Scroll so a question shows whole from its title: a question within the first screen leaves the form
        at its top (section heading and all), as a new form should look; one further down comes to the top."""
        if self.store.closed or not widget.isVisibleTo(self):
            return
        top = widget.mapTo(self.scroll.widget(), QPoint(0, 0)).y()
        bar = self.scroll.verticalScrollBar()
        if top + widget.height() <= self.scroll.viewport().height():
            bar.setValue(0)
        else:
            bar.setValue(max(0, top - 8))

    def focus_next(self, widget: QuestionWidget) -> None:
        """Enter: on to the next question that can be answered, as on a paper form."""
        at = self.questions.index(widget) if widget in self.questions else -1
        for following in self.questions[at + 1:]:
            if self._can_take_focus(following):
                following.focus_target().setFocus()
                self.scroll.ensureWidgetVisible(following)
                return

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
        self.list.setWordWrap(True)  # long questions wrap instead of running off a small screen
        self.list.setTextElideMode(Qt.TextElideMode.ElideNone)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
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
        from ui.main_window import fit_to_screen

        fit_to_screen(self, width=560, height=min(420, 120 + 48 * len(errors)))

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
        if not self.clock_confirmed():
            return
        try:
            self.store.edit_record(self.record["uuid"], self.form, self.session.to_data(), author=self.author,
                                   reason=self.reason)
        except Exception as exc:  # noqa: BLE001
            show_error(self, exc, self.tr("修改没有保存"))
            return
        self.status.setText(self.tr("已保存为新版本"))
        self.done.emit()
