"""Issue 19: what a 村干部 hits on a small laptop, driven through the real widgets by keyboard (pytest-qt)."""

from __future__ import annotations

import json
import os
import textwrap
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QInputMethodEvent
from PySide6.QtWidgets import (
    QApplication,
    QCalendarWidget,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.forms.xlsform import load_form
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.form_filler import FormFiller

PASS = "cunfang-secret"

FORM = textwrap.dedent(
    """
    | survey |
    |        | type          | name       | label::中文 (zh) | hint::中文 (zh)                              | required | constraint | calculation |
    |        | text          | elder      | 老人姓名          |                                              | yes      |            |             |
    |        | date          | visit_date | 探访日期          |                                              | yes      |            |             |
    |        | date          | next_visit | 下次探访日期      | 建议不晚于 2027-01-05                         |          |            |             |
    |        | dateTime      | reported   | 报告时间          |                                              |          |            |             |
    |        | select_one yn | alone      | 是否独居          |                                              | yes      |            |             |
    |        | select_multiple need | needs | 需要的帮助     |                                              |          |            |             |
    |        | integer       | age        | 年龄              |                                              |          |            |             |
    |        | begin repeat  | contacts   | 家属联系方式      |                                              |          |            |             |
    |        | text          | cname      | 家属姓名          |                                              |          |            |             |
    |        | text          | cphone     | 电话              |                                              |          |            |             |
    |        | end repeat    |            |                   |                                              |          |            |             |
    | choices |
    |         | list_name | name | label::中文 (zh) |
    |         | yn        | 1    | 是                |
    |         | yn        | 0    | 否                |
    |         | need      | food | 送餐              |
    |         | need      | med  | 就医              |
    | settings |
    |          | form_id | version | default_language | form_title |
    |          | day19   | 2026.1  | 中文 (zh)         | 探访记录    |
    """
)


@pytest.fixture(scope="module")
def form():
    return load_form(FORM)


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    s.close()


@pytest.fixture
def filler(qtbot, store, form):
    widget = FormFiller(store, form, author="李干部")
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def question(filler, name):
    return next(q for q in filler.questions if q.control.name == name)


def value(filler, name) -> str:
    return question(filler, name).node.value


def type_text(qtbot, box, text: str) -> None:
    """Keys for ASCII; Chinese arrives as an input-method commit, as a Pinyin IME sends it."""
    if text.isascii():
        qtbot.keyClicks(box, text)
        return
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(box, event)


def date_box(filler, name) -> QLineEdit:
    return question(filler, name).findChild(QLineEdit, "dateBox")


# ---------------------------------------------------------------- 1. dates typed


@pytest.mark.parametrize("typed", ["2027-1-5", "2027/1/5", "20270105", "27.1.5", "2027年1月5日"])
def test_a_date_is_typed_as_people_write_it(qtbot, filler, typed):
    box = date_box(filler, "next_visit")
    box.setFocus()
    assert box.text() == ""
    type_text(qtbot, box, typed)
    assert value(filler, "next_visit") == "2027-01-05"
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert not box.hasFocus(), "Tab leaves the date box"
    assert box.text() == "2027-01-05"
    assert question(filler, "next_visit").findChild(type(question(filler, "elder").label), "weekday").text() == "星期二"


def test_the_date_box_shows_its_whole_hint_at_125_percent_text(qtbot, store, form, restore_look):
    """Its hint (年-月-日，如 2027-01-05（按 ↓ 填入）) was cut to 年-月-日，如 20… on the laptop screen."""
    from ui.app_main import apply_look

    apply_look(1.25, False)
    widget = FormFiller(store, form, author="李干部")
    qtbot.addWidget(widget)
    widget.resize(1093 - 150, 560)  # the form's room on 1366×768 at 125 %, beside the navigation
    widget.show()
    qtbot.waitExposed(widget)
    box = date_box(widget, "next_visit")
    assert "2027-01-05" in box.placeholderText()
    assert box.contentsRect().width() >= box.fontMetrics().horizontalAdvance(box.placeholderText()), \
        (box.width(), box.placeholderText())


def test_ctrl_a_dash_and_delete_edit_the_date_and_tab_leaves_without_swallowing(qtbot, filler):
    box = date_box(filler, "visit_date")
    box.setFocus()
    assert value(filler, "visit_date") == ""
    qtbot.keyClicks(box, "2026-11-30")
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "2026-12-1")
    assert value(filler, "visit_date") == "2026-12-01"
    qtbot.keyClick(box, Qt.Key.Key_Delete)  # nothing after the cursor: clears the date
    assert box.text() == "" and value(filler, "visit_date") == ""
    qtbot.keyClicks(box, "2026-12-02")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    nxt = QApplication.focusWidget()
    assert nxt is date_box(filler, "next_visit"), "the next Tab lands in the next question, not swallowed"
    qtbot.keyClicks(nxt, "20270105")
    assert value(filler, "visit_date") == "2026-12-02" and value(filler, "next_visit") == "2027-01-05"


def test_up_and_down_never_jump_to_1901_and_down_fills_the_suggested_date(qtbot, filler):
    box = date_box(filler, "next_visit")
    box.setFocus()
    assert "2027-01-05" in box.placeholderText()
    qtbot.keyClick(box, Qt.Key.Key_Down)
    assert value(filler, "next_visit") == "2027-01-05", "the form's suggested date is one key away"
    qtbot.keyClick(box, Qt.Key.Key_Up)
    assert value(filler, "next_visit") == "2027-01-06"
    other = date_box(filler, "visit_date")
    other.setFocus()
    qtbot.keyClick(other, Qt.Key.Key_Up)
    assert value(filler, "visit_date") == date.today().isoformat()  # no hint: today, never 1901


def test_an_unparsable_date_is_explained_in_chinese_and_kept(qtbot, filler):
    box = date_box(filler, "next_visit")
    box.setFocus()
    qtbot.keyClicks(box, "2027-13-5")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    q = question(filler, "next_visit")
    assert box.text() == "2027-13-5", "what was typed is not lost"
    assert q.message.isVisible() and "不是有效的日期" in q.message.text() and "2027-13-5" in q.message.text()
    box.setFocus()
    qtbot.keyClick(box, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "2027-1-5")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert not q.message.isVisible() and value(filler, "next_visit") == "2027-01-05"


def test_f4_opens_a_calendar_and_enter_picks_the_day(qtbot, filler):
    box = date_box(filler, "next_visit")
    box.setFocus()
    qtbot.keyClicks(box, "2027-1-5")
    qtbot.keyClick(box, Qt.Key.Key_F4)
    calendar = question(filler, "next_visit").calendar
    assert isinstance(calendar, QCalendarWidget) and calendar.isVisible()
    assert calendar.selectedDate() == QDate(2027, 1, 5)
    calendar.setSelectedDate(QDate(2027, 1, 6))
    calendar.activated.emit(calendar.selectedDate())  # Enter on the grid
    assert value(filler, "next_visit") == "2027-01-06" and box.text() == "2027-01-06"
    assert not calendar.isVisible() and box.hasFocus()


def test_a_date_time_is_typed_the_same_way_and_half_typed_text_waits(qtbot, filler):
    box = question(filler, "reported").findChild(QLineEdit)
    box.setFocus()
    qtbot.keyClicks(box, "2027/1/5 9")
    assert not question(filler, "reported").message.isVisible(), "no error while still typing"
    qtbot.keyClicks(box, ":30")
    assert value(filler, "reported").startswith("2027-01-05T09:30")
    qtbot.keyClick(box, Qt.Key.Key_Tab)
    assert box.text() == "2027-01-05 09:30"


# ---------------------------------------------------------------- 2. repeat delete


def when_modal(name: str, act) -> list:
    """Run ``act(dialog)`` on the next modal dialog named ``name`` (it is closed whatever happens)."""
    seen = []

    def handle():
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, handle)
            return
        seen.append((dialog.objectName(), dialog.findChild(QLabel, "qt_msgbox_label").text()
                     if dialog.findChild(QLabel, "qt_msgbox_label") else ""))
        try:
            act(dialog)
        finally:
            if dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, handle)
    return seen


def fill_two_contacts(qtbot, filler):
    while len(filler.findChildren(QPushButton, "removeInstance")) < 2:
        filler.findChild(QPushButton, "add_contacts").click()
    names = [q for q in filler.questions if q.control.name == "cname"]
    phones = [q for q in filler.questions if q.control.name == "cphone"]
    for q, text in zip(names + phones, ["张三", "李四", "13800000001", "13800000002"], strict=True):
        q.findChild(QLineEdit).setFocus()
        type_text(qtbot, q.findChild(QLineEdit), text)
    return names, phones


def test_the_delete_button_is_not_in_the_tab_path(qtbot, filler):
    names, phones = fill_two_contacts(qtbot, filler)
    phones[0].findChild(QLineEdit).setFocus()
    qtbot.keyClick(phones[0].findChild(QLineEdit), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is names[1].findChild(QLineEdit), "Tab goes on to the next entry"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    assert len(filler.session.to_data()["contacts"]) == 2


def test_deleting_a_filled_entry_asks_naming_it_and_keeps_the_focus(qtbot, filler):
    names, phones = fill_two_contacts(qtbot, filler)
    filler.scroll.verticalScrollBar().setValue(filler.scroll.verticalScrollBar().maximum())
    phones[1].findChild(QLineEdit).setFocus()
    kept_node = phones[1].node
    scrolled = filler.scroll.verticalScrollBar().value()
    remove = [b for b in filler.findChildren(QPushButton, "removeInstance")]
    seen = when_modal("confirmRemove", lambda d: qtbot.keyClick(d, Qt.Key.Key_Return))  # Enter keeps it
    qtbot.mouseClick(remove[0], Qt.MouseButton.LeftButton)
    assert seen and "家属联系方式 第 1 项" in seen[0][1] and "张三" in seen[0][1]
    assert len(filler.session.to_data()["contacts"]) == 2
    seen = when_modal("confirmRemove", lambda d: next(b for b in d.buttons() if b.text() == "删除").click())
    qtbot.mouseClick(remove[0], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(filler.findChildren(QPushButton, "removeInstance")) == 1)
    assert [c["cname"] for c in filler.session.to_data()["contacts"]] == ["李四"]
    focused = filler._focused_question()
    assert focused is not None and focused.node is kept_node, "the cursor stays where it was"
    assert filler.scroll.verticalScrollBar().value() > 0 or scrolled == 0, "the form does not jump to the top"


def test_ctrl_delete_removes_the_entry_under_the_cursor_and_moves_to_the_next(qtbot, filler):
    names, phones = fill_two_contacts(qtbot, filler)
    box = names[0].findChild(QLineEdit)
    box.setFocus()
    when_modal("confirmRemove", lambda d: next(b for b in d.buttons() if b.text() == "删除").click())
    qtbot.keyClick(box, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(filler.findChildren(QPushButton, "removeInstance")) == 1)
    assert [c["cname"] for c in filler.session.to_data()["contacts"]] == ["李四"]
    focused = filler._focused_question()
    assert focused is not None and focused.node.value == "李四"


# ---------------------------------------------------------------- 3. windows that fit


@pytest.fixture
def own_settings(tmp_path):
    """QSettings in a scratch folder: a test never writes the user's real window state."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    QSettings().clear()
    yield
    QSettings().clear()


def test_the_main_window_opens_maximised_remembers_it_and_no_page_grows_it(qtbot, store, own_settings):
    from ui.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    window.show()
    qtbot.waitExposed(window)
    assert window.isMaximized(), "first start: maximised"
    room = window.screen().availableGeometry()
    for index in range(window.nav.count()):
        window.nav.setCurrentRow(index)
        QApplication.processEvents()
        assert window.minimumSizeHint().height() <= room.height() - 40, f"page {index} would grow the window"
        assert window.minimumSizeHint().width() <= room.width(), f"page {index} would widen the window"
        assert window.frameGeometry().height() <= room.height() + 16 and window.width() <= room.width() + 16
    window.showNormal()
    QApplication.processEvents()
    assert window.height() <= room.height() and window.width() <= room.width(), "还原 also fits the screen"
    window.showMaximized()
    window.close()
    again = MainWindow(store)
    qtbot.addWidget(again)
    again.autosync.timer.stop()
    assert again.windowState() & Qt.WindowState.WindowMaximized, "remembered"
    again.showNormal()
    again.close()
    third = MainWindow(store)
    qtbot.addWidget(third)
    third.autosync.timer.stop()
    assert not third.windowState() & Qt.WindowState.WindowMaximized, "a window left un-maximised stays so"
    third.autosync.shutdown()


def test_the_settings_page_scrolls_inside_a_small_window(qtbot, store, own_settings):
    from ui.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1093, 420)  # lower than the page: at 1366×768 and 125 % with 大字 it is
    window.show()
    qtbot.waitExposed(window)
    window.nav.setCurrentRow(6)
    QApplication.processEvents()
    assert window.size().height() == 420 and window.size().width() == 1093
    holder = window.stack.currentWidget()
    assert holder.widget() is window.settings
    qtbot.waitUntil(lambda: holder.verticalScrollBar().maximum() > 0)  # the page scrolls instead
    assert window.size().height() == 420
    window.autosync.shutdown()


# ---------------------------------------------------------------- 7. keyboard


def test_a_new_form_puts_the_cursor_in_its_first_question(qtbot, filler):
    qtbot.waitUntil(lambda: QApplication.focusWidget() is question(filler, "elder").findChild(QLineEdit))


def test_a_new_visit_opens_at_its_top_with_the_first_titles_showing(qtbot, store):
    """The visit's date is suggested, so the cursor starts in 探访方式; the form still shows from its top, the
    探访日期 title not cut at the upper edge (seen on the 1366×768 screen at 125 %)."""
    from app.forms.library import FormLibrary

    widget = FormFiller(store, FormLibrary().get("elder_visit"), author="李干部")
    qtbot.addWidget(widget)
    widget.resize(1093, 520)  # the filler's part of a maximised window at 1366×768 and 125 %
    widget.show()
    qtbot.waitExposed(widget)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is not None and widget.isAncestorOf(QApplication.focusWidget()))
    first = next(q for q in widget.questions if q.isAncestorOf(QApplication.focusWidget()))
    tried = 0
    for height in range(380, 760, 20):  # whatever the screen, a first question that fits shows from the top
        widget.resize(1093, height)
        widget.focus_first()
        qtbot.wait(30)
        bottom = first.mapTo(widget.scroll.widget(), first.rect().bottomLeft()).y()
        if bottom <= widget.scroll.viewport().height():
            tried += 1
            assert widget.scroll.verticalScrollBar().value() == 0, height
    assert tried


def test_enter_moves_on_from_every_kind_of_question_and_arrows_choose_in_a_radio_group(qtbot, filler):
    alone = question(filler, "alone")
    radios = alone.group.buttons()
    radios[0].setFocus()
    qtbot.keyClick(radios[0], Qt.Key.Key_Down)
    assert QApplication.focusWidget() is radios[1] and value(filler, "alone") == "0", "↓ chooses the next option"
    qtbot.keyClick(radios[1], Qt.Key.Key_Up)
    assert value(filler, "alone") == "1"
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    needs = question(filler, "needs").checks
    assert QApplication.focusWidget() is needs[0], "Enter on a radio group goes to the next question"
    qtbot.keyClick(needs[0], Qt.Key.Key_Space)
    qtbot.keyClick(needs[0], Qt.Key.Key_Return)
    assert value(filler, "needs") == "food"
    assert QApplication.focusWidget() is question(filler, "age").findChild(QLineEdit), "Enter leaves a check list"
    box = date_box(filler, "visit_date")
    box.setFocus()
    qtbot.keyClicks(box, "2026-12-1")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    assert QApplication.focusWidget() is date_box(filler, "next_visit")


def test_the_cursor_shows_on_a_choice(qtbot, filler, restore_look):
    """Arrows choose in a radio group and Space ticks a check list: the option with the cursor is marked, or a
    cadre typing on the laptop screen cannot see where the keys go (nothing showed there)."""
    from ui.app_main import apply_look

    apply_look(1.0, False)  # the app's own style sheet, as at start-up
    for choice in (question(filler, "alone").group.buttons()[0], question(filler, "needs").checks[0]):
        filler.scroll.ensureWidgetVisible(choice)
        question(filler, "elder").findChild(QLineEdit).setFocus()
        QApplication.processEvents()
        before = choice.grab().toImage()
        choice.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(choice.hasFocus)
        QApplication.processEvents()
        after = choice.grab().toImage()
        assert before.size() == after.size(), "the mark does not move the text"
        changed = sum(before.pixel(x, y) != after.pixel(x, y)
                      for x in range(0, before.width(), 2) for y in range(0, before.height(), 2))
        assert changed > (before.width() * before.height() // 4) // 10, f"{choice.text()}: no visible cursor"


def test_registry_enter_and_down_go_from_search_to_results_and_enter_opens_the_person(qtbot, store, monkeypatch):
    from app.demo import load_demo
    from ui.pages import RegistryPage

    load_demo(store, persons=60, seed=3)
    person = store.query("SELECT name, initials FROM persons WHERE kind = 'elder' LIMIT 1")[0]
    page = RegistryPage(store)
    qtbot.addWidget(page)
    page.show()
    page.refresh()
    opened = []
    page.fill_for.connect(opened.append)
    page.search.setFocus()
    qtbot.keyClicks(page.search, person["initials"])
    qtbot.keyClick(page.search, Qt.Key.Key_Return)  # at once, before the search has come back
    qtbot.waitUntil(lambda: page.view.currentIndex().isValid())
    assert page.view.hasFocus()
    qtbot.keyClick(page.view, Qt.Key.Key_Return)
    assert opened and opened[0]["name"] == page.model.rows[0]["name"]
    page.search.setFocus()
    qtbot.keyClick(page.search, Qt.Key.Key_Down)
    assert page.view.hasFocus() and page.view.currentIndex().row() == 0


# ---------------------------------------------------------------- 8. feedback


def finalize_by_keyboard(qtbot, page, form) -> None:
    """Open ``form`` on the 填表 page, type 王秀英 and a date, choose the first 独居 answer, then Ctrl+Enter (定稿)."""
    filler = page.open_filler(form)
    page.show()
    qtbot.waitExposed(page)
    qtbot.waitUntil(lambda: QApplication.focusWidget() is question(filler, "elder").findChild(QLineEdit))
    type_text(qtbot, QApplication.focusWidget(), "王秀英")
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    qtbot.keyClicks(QApplication.focusWidget(), "2026-12-1")
    question(filler, "alone").group.buttons()[0].setFocus()
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Space)
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def test_finalizing_says_so_and_closing_a_half_filled_form_says_it_was_kept(qtbot, store, form):
    from ui.page_common import FormCatalog
    from ui.pages import FillPage

    page = FillPage(store, FormCatalog(store), "李干部")
    qtbot.addWidget(page)
    finalize_by_keyboard(qtbot, page, form)
    assert page.notice.isVisible() and "已定稿" in page.notice.text() and "王秀英" in page.notice.text()
    assert store.counts_by_status()["finalized"] == 1
    other = page.open_filler(form)
    box = question(other, "elder").findChild(QLineEdit)
    box.setFocus()
    type_text(qtbot, box, "张桂兰")
    page.close_tab(page.tabs.indexOf(other))
    assert "已保存为草稿" in page.notice.text() and "张桂兰" in page.notice.text()
    assert [d["title"] for d in store.drafts()][0].startswith("张桂兰")


def test_finalizing_in_practice_mode_says_it_is_never_sent(qtbot, tmp_path, form):
    """练习模式 never sends a record: 定稿 there said "在“同步”里登记县局服务器后会自动发送"."""
    from app.practice import open_practice
    from ui.page_common import FormCatalog
    from ui.pages import FillPage

    practice = open_practice(tmp_path / "data", persons=5)
    try:
        page = FillPage(practice, FormCatalog(practice), "练习用户")
        qtbot.addWidget(page)
        finalize_by_keyboard(qtbot, page, form)
        text = page.notice.text()
        assert "已定稿" in text and "王秀英" in text and "练习" in text and "不会发送" in text, text
        assert "自动发送" not in text, text
    finally:
        practice.close()


# ---------------------------------------------------------------- 5. errors in plain words


def _failure(url: str, **kwargs) -> Exception:
    from sync.client.transport import Transport

    with pytest.raises(Exception) as caught:  # noqa: PT011 - whatever the real client raises
        Transport(url, timeout=(2, 1), **kwargs).call("GET", "/health")
    return caught.value


@pytest.fixture
def silent_server():
    """Accepts connections and never answers (a server hung mid-request)."""
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    listener.close()


@pytest.fixture
def self_signed_server(tmp_path):
    """An HTTPS server whose certificate no one vouches for."""
    import socket
    import ssl
    import threading

    trustme = pytest.importorskip("trustme")
    cert = trustme.CA().issue_cert("127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    cert.configure_cert(context)
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stop = threading.Event()

    def serve():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            try:
                context.wrap_socket(conn, server_side=True).close()
            except (ssl.SSLError, OSError):
                conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"https://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join(2)
    listener.close()


def test_every_network_failure_is_one_chinese_sentence_with_details_behind(qtbot, silent_server,
                                                                          self_signed_server):
    from ui.errors import show_error, show_text

    failures = {
        "服务器拒绝了连接": _failure("http://127.0.0.1:1"),
        "找不到服务器地址": _failure("http://no-such-host.invalid"),
        "超时": _failure(silent_server),
        "安全证书无法验证": _failure(self_signed_server),
    }
    parent = QLabel()
    qtbot.addWidget(parent)
    for cause, exc in failures.items():
        raw = str(exc)
        assert "Error(" in raw or "Caused by" in raw or "ConnectionPool" in raw  # what the client says underneath
        show_error(parent, exc)
        box = parent.findChildren(QMessageBox, "errorDialog")[-1]
        text = box.text()
        assert cause in text and "Error" not in text and "Caused" not in text and "Pool" not in text, text
        assert text.count("。") <= 3 and "请" in text, "cause and fix, in one short sentence or two"
        assert box.detailedText() == raw, "the raw detail is behind 详细信息"
        box.close()
        label = QLabel()
        show_text(label, raw)
        assert cause in label.text() and "详细信息" in label.text() and "Error(" not in label.text()


def test_save_dialogs_open_in_documents_with_date_and_village(qtbot, store):
    from ui.page_common import documents_folder, suggested_file

    path = suggested_file("老年人探访", "东山村", suffix=".xlsx")
    assert path.startswith(documents_folder())
    assert path.endswith(f"老年人探访-东山村-{date.today():%Y%m%d}.xlsx")
    assert suggested_file("数据包", suffix=".cfpkg", desktop=True).startswith(documents_folder(desktop=True))


def test_qt_dialogs_speak_chinese_after_start_up():
    """Qt's own file dialog and buttons, after the app's start-up (in a process of its own: it styles the app):
    the labels the dialog shows, not only the strings Qt's catalogue happens to hold (Qt 6's "&Look in:" is not
    in it: the export dialog said "Look in:" and "Files of type:" on the laptop screen)."""
    import subprocess
    import sys

    script = ("from ui.app_main import make_app\nfrom PySide6.QtCore import QCoreApplication as C\n"
              "from PySide6.QtWidgets import QFileDialog, QLabel\napp = make_app()\n"
              "d = QFileDialog(None, 'x')\nd.setOption(QFileDialog.Option.DontUseNativeDialog, True)\n"
              "print(*[l.text() for l in d.findChildren(QLabel) if l.objectName().endswith('Label')], "
              "C.translate('QPlatformTheme', 'Cancel'))")
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True,
                         env=env)
    assert sorted(out.stdout.split()) == sorted(["查找范围(&L)：", "文件名称(&N)：", "文件类型(&T)：", "取消"]), out.stdout


# ---------------------------------------------------------------- 6. starting a visit


@pytest.fixture
def township(store):
    from app.demo import load_demo

    load_demo(store, persons=80, seed=5)
    return store


def test_for_an_elder_the_picker_offers_elder_forms_visit_first_and_enter_starts_it(qtbot, township):
    from ui.page_common import FormCatalog
    from ui.pages import FormPicker

    row = township.query("SELECT id FROM persons WHERE kind = 'elder' LIMIT 1")[0]
    elder = township.get_person(row["id"])
    picker = FormPicker(None, FormCatalog(township), elder, township)
    qtbot.addWidget(picker)
    offered = [picker.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(picker.list.count())]
    assert offered[0] == "elder_visit"
    assert not {"child_visit", "left_behind_child", "vulnerable_child"} & set(offered), "no child forms for an elder"
    picker.show()
    qtbot.waitExposed(picker)
    qtbot.keyClick(picker.list, Qt.Key.Key_Return)
    assert picker.result() == picker.DialogCode.Accepted and picker.chosen() == "elder_visit"


def test_a_visit_from_fill_picks_the_person_fills_name_id_and_visitor_and_clears_overdue(qtbot, township):
    from ui.page_common import FormCatalog
    from ui.pages import FillPage

    overdue = township.overdue()
    target = township.get_person(next(p["id"] for p in overdue if township.get_person(p["id"])["kind"] == "elder"))
    page = FillPage(township, FormCatalog(township), "李干部")
    qtbot.addWidget(page)

    def choose(dialog):
        assert dialog.objectName() == "personPicker"
        qtbot.keyClicks(dialog.search, target["id_number"][-6:])  # the end of the ID number
        qtbot.waitUntil(lambda: dialog.results.count() == 1)
        qtbot.keyClick(dialog.search, Qt.Key.Key_Return)

    when_modal("personPicker", choose)
    page.start("elder_visit")
    filler = page.tabs.currentWidget()
    data = filler.session.to_data()
    flat = {k: v for group in data.values() if isinstance(group, dict) for k, v in group.items()} | data
    assert target["name"] in flat.values() and target["id_number"] in flat.values() and "李干部" in flat.values()
    assert filler.person["id"] == target["id"]
    from app.demo import ELDER_VISIT
    from app.forms.fill import apply_answers

    today = date.today()
    apply_answers(filler.session, dict(ELDER_VISIT, visit_date=today.isoformat(),
                                       next_visit=(today + timedelta(days=20)).isoformat()))
    assert not filler.session.errors(), filler.session.errors()
    filler.finalize()
    assert target["id"] not in [p["id"] for p in township.overdue()], "the visit clears the overdue status"


# ---------------------------------------------------------------- 4. practice mode


def test_practice_data_live_in_their_own_store_and_never_leave(tmp_path):
    from app.errors import CunFangError, ErrorCode
    from app.practice import is_practice, open_practice, practice_dir
    from sync.client.client import SyncClient, enroll
    from sync.client.packages import export_package

    real = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    practice = open_practice(tmp_path / "data", persons=120)
    try:
        assert is_practice(practice) and not is_practice(real)
        assert practice.data_dir == practice_dir(tmp_path / "data") and practice.count_persons() == 120
        assert real.count_persons() == 0 and real.list_records(limit=5) == [], "the real store stays clean"
        for attempt in (lambda: enroll(practice, "http://127.0.0.1:1", "cf-a-real-looking-token"),
                        lambda: SyncClient(practice).run(),
                        lambda: export_package(practice, tmp_path / "p.cfpkg")):
            with pytest.raises(CunFangError) as refused:
                attempt()
            assert refused.value.code is ErrorCode.PRACTICE_NOT_SENT and "练习模式" in str(refused.value)
        assert not (tmp_path / "p.cfpkg").exists()
    finally:
        practice.close()
        real.close()
    again = open_practice(tmp_path / "data")
    assert again.count_persons() == 120, "the practice township is kept between sessions"
    again.close()


def test_practice_mode_is_marked_and_left_with_one_action(qtbot, tmp_path, own_settings):
    from app.practice import open_practice
    from ui.main_window import MainWindow

    practice = open_practice(tmp_path / "data", persons=60)
    window = MainWindow(practice)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert "练习模式" in window.windowTitle()
    banner = window.findChild(QWidget, "practiceBanner")
    assert banner is not None and banner.isVisible()
    assert not window.autosync.automatic and "练习模式" in window.online.text()
    qtbot.mouseClick(window.findChild(QPushButton, "leavePractice"), Qt.MouseButton.LeftButton)
    assert window.practice_wanted is False and not window.isVisible()
    practice.close()


def test_the_real_first_run_can_go_to_practice_instead(qtbot, tmp_path):
    from ui.startup import PRACTICE, FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.mouseClick(dialog.findChild(QPushButton, "practice"), Qt.MouseButton.LeftButton)
    assert dialog.result() == PRACTICE and not Store.exists(tmp_path / "data")


# ---------------------------------------------------------------- 9. 还不能定稿


def test_cannot_finalize_yet_fits_wraps_and_says_choose_for_choices(qtbot, filler):
    from ui.form_filler import MissingSummary

    dialog = MissingSummary(filler, filler.session.errors())
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    assert dialog.list.wordWrap() and dialog.list.horizontalScrollBar().maximum() == 0
    texts = [dialog.list.item(i).text() for i in range(dialog.list.count())]
    assert any(t.startswith("是否独居") and "请选择" in t for t in texts), texts
    assert any(t.startswith("老人姓名") and "请填写" in t for t in texts), texts


# ---------------------------------------------------------------- 11. 工作台


def test_dashboard_orders_overdue_by_risk_then_days_overdue_with_a_days_column(qtbot, store):
    from ui.dashboard_page import DashboardPage

    store.add_village("v1", "东山村")
    today = date.today()
    people = {"一般久": ("一般", 60), "高风险近": ("高风险", 3), "重点中": ("重点", 20), "高风险久": ("高风险", 30)}
    for name, (tier, late) in people.items():
        pid = store.add_person(name=name, kind="elder", risk_tier=tier, village_id="v1")
        store.update_person(pid, last_visit=(today - timedelta(days=late + 30)).isoformat(),
                            next_due=(today - timedelta(days=late)).isoformat())
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.refresh()
    table = page.overdue
    headers = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]
    assert "逾期天数" in headers
    rows = [(table.item(r, 0).text(), table.item(r, headers.index("逾期天数")).text())
            for r in range(table.rowCount())]
    assert rows == [("高风险久", "30"), ("高风险近", "3"), ("重点中", "20"), ("一般久", "60")]
    assert table.item(0, headers.index("类别")).text() == "老人", "which forms fit: typing 老 finds an elder"
    opened = []
    page.open_person.connect(opened.append)
    page.resize(1093 - 150, 500)  # 1366×768 at 125 %, beside the navigation
    page.show()
    qtbot.waitExposed(page)
    assert table.horizontalScrollBar().maximum() == 0, "every column readable without scrolling sideways"
    table.setFocus()
    table.setCurrentCell(0, 0)
    qtbot.keyClick(table, Qt.Key.Key_Return)
    assert opened and opened[0]["name"] == "高风险久", "Enter starts the visit"


# ---------------------------------------------------------------- done when: the real window on a laptop screen

SCREEN_TOOLS = ("Xvfb", "openbox", "xdotool", "import", "compare", "xwininfo")  # Debian: xvfb openbox xdotool
# imagemagick x11-utils, with fonts-noto-cjk and Qt's libxcb-* (.ci/run installs them; so does laptop-screen)
OPENBOX_RC = """<?xml version="1.0" encoding="UTF-8"?>
<openbox_config xmlns="http://openbox.org/3.4/rc">
  <margins><top>0</top><bottom>40</bottom><left>0</left><right>0</right></margins>
  <placement><policy>Smart</policy><center>yes</center></placement>
</openbox_config>
"""


def run_on_laptop_screen(argv: list[str], scale: str, env: dict, folder: Path, timeout: int) -> None:
    """``argv`` on a virtual 1366×768 screen with a window manager whose bottom 40 px stand in for the Windows
    taskbar and Qt scaled like Windows' display setting (what ../shared/tools/laptop-screen does by hand)."""
    import subprocess

    from tests.processes import group_kwargs, kill_group, kill_hard

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "rc.xml").write_text(OPENBOX_RC)
    read, write = os.pipe()
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", str(write), "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                            pass_fds=[write], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(write)
    with os.fdopen(read) as answer:
        display = ":" + answer.readline().strip()
    env = {k: v for k, v in env.items() if k != "QT_QPA_PLATFORM"} | {"DISPLAY": display, "QT_SCALE_FACTOR": scale}
    wm = subprocess.Popen(["openbox", "--config-file", str(folder / "rc.xml")], env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    job = None
    try:
        subprocess.run(["xdotool", "sleep", "0.5"], env=env, check=True)  # openbox has taken the screen
        job = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **group_kwargs())
        job.wait(timeout)
    finally:
        if job is not None:
            kill_group(job)  # the script and the app it started, if the wait ran out
        for process in (wm, xvfb):
            kill_hard(process)
            process.wait()


@pytest.mark.slow
@pytest.mark.parametrize("scale", ["1.0", "1.25"])
def test_a_cadres_day_by_keyboard_on_a_1366x768_screen(tmp_path, scale):
    """The real app on a 1366×768 laptop screen (a 40 px taskbar, Windows-like scaling), driven by xdotool only:
    first run → the real 工作台 → 练习模式 → an overdue elder's visit typed → 定稿 → 记录 → 导出 → sign in."""
    import shutil
    import sys

    import openpyxl

    missing = [tool for tool in SCREEN_TOOLS if shutil.which(tool) is None]
    if missing or not sys.platform.startswith("linux"):
        pytest.skip(f"needs a virtual X screen: {', '.join(missing) or 'Linux'} missing (.ci/run installs them)")
    from app.accounts import sign_in
    from app.practice import PASSPHRASE, practice_dir
    from app.regions import national

    today = date.today()
    visit, following = today - timedelta(days=1), today + timedelta(days=5)
    out, data = tmp_path / "shots", tmp_path / "data"
    env = dict(os.environ) | {"PYTHON": sys.executable, "CADRE_PASSWORD": "East-hill-2026-a",
                              "VISIT_DAY": f"{visit.year}/{visit.month}/{visit.day}",  # as people write dates
                              "NEXT_DAY": f"{following.year}.{following.month}.{following.day}"}
    script = Path(__file__).parent / "xvfb" / "cadre_day.sh"
    try:
        run_on_laptop_screen([str(script), str(out), str(data)], scale, env, tmp_path / "screen", timeout=300)
    finally:
        steps = (out / "steps.txt").read_text() if (out / "steps.txt").exists() else ""
    assert steps.rstrip().endswith("done"), steps  # a failed wait names the window and leaves failed.png
    assert "Traceback" not in (out / "app.log").read_text()
    shots = sorted(p.name for p in out.glob("*.png"))
    assert len(shots) == 22, shots
    windows = {}
    for line in (out / "geometry.txt").read_text().splitlines():  # each page and dialog: inside the screen
        step, x, y, w, h = line.split()
        x, y, w, h = int(x), int(y), int(w), int(h)
        assert x >= 0 and y >= 0 and x + w <= 1366 and y + h <= 768 - 40, line  # less the taskbar
        windows[step] = (w, h)
    main = {windows[s] for s in windows if "dashboard" in s or s in ("records", "export", "registry", "settings")}
    assert len(main) == 1 and next(iter(main))[0] == 1366, windows  # maximised, and no page grew the window

    practice = Store.open(practice_dir(data), PASSPHRASE)
    try:  # the visit typed, found by what was typed in it (the practice township has visits of its own)
        typed = [r for r in practice.list_records(limit=100000)
                 if "电话联系，老人说身体还好" in json.dumps(practice.get_record(r["uuid"])["data"], ensure_ascii=False)]
        assert len(typed) == 1, typed
        record = practice.get_record(typed[0]["uuid"])
        answers = json.dumps(record["data"], ensure_ascii=False)
        assert record["status"] == "finalized", record["status"]
        assert f'"visit_date": "{visit.isoformat()}"' in answers, "the date typed with slashes was read"
        assert f'"next_visit": "{following.isoformat()}"' in answers, "the date typed with dots was read"
        assert '"visit_method": "phone"' in answers, "↓ in the radio group chose 电话"
        assert '"contact_name": "袁小军"' in answers or "袁小军" in answers, answers
        person = practice.get_person(record["person_id"])
        assert person["kind"] == "elder", "typing 老 in the 类别 column found an elder"
        assert person["id"] not in [p["id"] for p in practice.overdue()], "the visit cleared the overdue status"
    finally:
        practice.close()
    exported = list((out / "home" / "Documents").glob("*.xlsx"))
    assert len(exported) == 1 and "探访关爱记录表" in exported[0].name and f"{today:%Y%m%d}" in exported[0].name
    book = openpyxl.load_workbook(exported[0], read_only=True)
    cells = {str(c) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for c in row}
    assert "电话联系，老人说身体还好" in cells, "the visit is in the exported workbook"
    real = sign_in(data, "admin", "East-hill-2026-a")
    try:
        assert real.list_records(limit=5) == [] and real.count_persons() == 0, "practice never reaches the real store"
        # the township chosen from the lists (安徽 → hefei → fxx → sanhe): its code and name, and its villages
        assert real.township() == "340123101" and real.get_setting("town") == "三河镇"
        villages = national().children("340123101")
        assert len(villages) > 5 and {v["id"] for v in real.villages()} == {v.code for v in villages}
        assert "340123101202" in {row["name"] for row in real.village_choices()}, "the forms offer 太华村"
    finally:
        real.close()


def test_the_status_bar_never_cuts_its_last_label_at_125_percent(qtbot, store, own_settings, restore_look):
    """1366×768 at 125 % is a 1093 px wide window; with 大字 125 % and every notice showing (sync trouble, many
    waiting, the last sync with 被退回, a newer version offered) the labels do not all fit: each one then ends in
    "…" and says the whole text on hover, instead of the last one being cut off at the window's edge."""
    from ui.app_main import apply_look
    from ui.main_window import MainWindow

    apply_look(1.25, False)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1093, 560)
    window.show()
    qtbot.waitExposed(window)
    bar = window.statusBar()
    labels = [window.online, window.waiting, window.last_sync]
    texts = ["● 服务器暂时出错，稍后重试", "待同步 1234 条", "上次同步：12-05 10:32 完成，被退回 12 条"]
    for label, text in zip(labels, texts, strict=True):
        label.setText(text)
    notice = window.autosync.update_label
    notice.setText("服务器提供新版本 2027.1.0，请联系县局信息科安装。")
    notice.show()
    labels.append(notice)
    QApplication.processEvents()
    assert window.width() == 1093, "the status bar does not widen the window"
    for label in labels:
        assert label.geometry().right() < bar.width(), label.text()
        shown = label.shown_text()
        room = label.contentsRect().width()
        assert label.fontMetrics().horizontalAdvance(shown) <= room, (label.text(), shown, room)
        assert shown == label.text() or (shown.endswith("…") and label.toolTip().endswith(label.text())), shown
    assert any(label.shown_text() != label.text() for label in labels), "this much does not fit: it is elided"
    apply_look(1.0, False)
    QApplication.processEvents()
    window.autosync.update_label.hide()
    QApplication.processEvents()
    assert all(label.shown_text() == label.text() for label in labels[:3]), "at 100 % all three read in full"
    window.autosync.shutdown()


# ---------------------------------------------------------------- 13. recovery key


def test_the_recovery_key_is_shown_in_large_groups_and_prints_as_a_sheet(qtbot, tmp_path):
    import shutil
    import subprocess

    from app.accounts import new_recovery_key
    from ui.accounts_ui import RecoveryKeyDialog
    from ui.printing import recovery_sheet_pdf

    key = new_recovery_key()
    dialog = RecoveryKeyDialog(key)
    qtbot.addWidget(dialog)
    shown = dialog.findChild(QLabel, "key")
    lines = shown.text().splitlines()
    assert len(lines) == 2 and all(len(line.split()) == 4 for line in lines), "four groups of four a line"
    assert "".join(shown.text().split()) == key.replace("-", "")
    assert shown.font().pointSize() >= 20
    assert dialog.findChild(QPushButton, "printKey") is not None
    sheet = tmp_path / "sheet.pdf"
    recovery_sheet_pdf(key, sheet, login="admin", town="城关镇")
    assert sheet.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(sheet), "-"], capture_output=True, text=True, check=True).stdout
        assert "恢复密钥单" in text and "城关镇" in text
        assert key.replace("-", "") in "".join(text.split()), "the key reads back from the printed page"


@pytest.mark.parametrize("day", [6, 20])
def test_practice_data_look_like_a_working_township(tmp_path, day):
    """Past months mostly 85–95 % visited, this month in step with the day, about a fifth of those due overdue."""
    import calendar
    import statistics

    from app.demo import load_demo
    from app.registry import visit_rates

    today = date(2026, 12, day)
    store = Store.create(tmp_path / "d", PASS, kdf=FAST_KDF)
    load_demo(store, persons=600, seed=4, today=today, working=True)
    total = store.query("SELECT count(*) AS n FROM persons WHERE kind IN ('elder', 'child')")[0]["n"]
    past = []
    for back in range(1, 12):
        month_start = date(2026, 12 - back, 1)
        month_end = date(2026, 13 - back, 1) if back > 1 else date(2026, 12, 1)
        visited = store.query("SELECT count(DISTINCT person_id) AS n FROM records WHERE json_extract(data, "
                              "'$.visit_date') >= ? AND json_extract(data, '$.visit_date') < ?",
                              [month_start.isoformat(), month_end.isoformat()])[0]["n"]
        past.append(100 * visited / total)
    assert 85 <= statistics.median(past) <= 95, past
    assert sum(85 <= r <= 95 for r in past) >= 8, past
    rates = visit_rates(store, today)
    visited = sum(r["visited"] for r in rates)
    overdue = sum(r["overdue"] for r in rates)
    in_step = 90 * day / calendar.monthrange(2026, 12)[1]
    assert abs(100 * visited / total - in_step) <= 10, (100 * visited / total, in_step)
    assert 0.08 <= overdue / (overdue + visited) <= 0.32, (overdue, visited)  # ~a fifth: more early in the month
    store.close()


# ---------------------------------------------------------------- 14. help inside the app


def test_f1_opens_the_guide_and_the_shortcut_list(qtbot, store, own_settings):
    from ui.help import HelpDialog
    from ui.main_window import MainWindow

    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    f1 = next(a for a in window.findChildren(QAction) if a.shortcut().toString() == "F1")
    f1.trigger()
    dialog = window.findChild(HelpDialog)
    assert dialog is not None and dialog.isVisible()
    guide = dialog.tabs.widget(0).toPlainText()
    keys = dialog.tabs.widget(1).toPlainText()
    assert "练习模式" in guide and "F4" in guide
    for shortcut in ("Ctrl+1", "Ctrl+Enter", "Ctrl+S", "F4", "Ctrl+Delete", "F5", "Ctrl+L"):
        assert shortcut in keys, shortcut
    room = dialog.screen().availableGeometry()
    assert dialog.width() <= room.width() and dialog.height() <= room.height()
    window.autosync.shutdown()


def test_the_guide_shows_a_picture_of_every_real_page_it_names(qtbot):
    """帮助 → 使用说明: pictures of the real pages (resources/help/build.py makes them from the window), each
    one named exists, is shown, fits the window, and none lies unused."""
    import re

    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QImage, QPixmap, QTextDocument

    from ui.help import PICTURES, HelpDialog, guide_html

    named = re.findall(r'<img src="([^"]+)"', guide_html())
    assert len(named) >= 4, named
    assert sorted(named) == sorted(p.name for p in PICTURES.glob("*.png")), "named ones exist, none left over"
    dialog = HelpDialog()
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    view = dialog.tabs.widget(0)
    QApplication.processEvents()
    for name in named:
        shown = view.document().resource(QTextDocument.ResourceType.ImageResource, QUrl(name))
        assert isinstance(shown, (QImage, QPixmap)) and not shown.isNull(), f"{name} is not shown"
        assert shown.width() <= view.viewport().width(), name
        assert (PICTURES / name).stat().st_size < 60_000, "small enough to ship in the installer"
    assert view.horizontalScrollBar().maximum() == 0, "no sideways scrolling in the guide"


# ---------------------------------------------------------------- 15. 大字 and high contrast


@pytest.fixture
def restore_look(qapp):
    font, sheet = qapp.font(), qapp.styleSheet()
    yield qapp
    qapp.setFont(font)
    qapp.setStyleSheet(sheet)


def test_text_size_and_high_contrast_apply_everywhere_and_the_window_still_fits(qtbot, store, own_settings,
                                                                                restore_look):
    from ui.app_main import saved_look
    from ui.main_window import MainWindow

    app = restore_look
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.autosync.timer.stop()
    window.setWindowState(Qt.WindowState.WindowNoState)
    window.resize(1093, 560)
    window.show()
    qtbot.waitExposed(window)
    window.nav.setCurrentRow(6)
    page = window.settings
    page.text_size.setCurrentIndex(2)  # 150 %
    assert app.font().pointSizeF() == pytest.approx(15.75) and "font-size: 15.75pt" in app.styleSheet()
    page.contrast.setChecked(True)
    assert "color: black" in app.styleSheet()
    assert saved_look() == (1.5, True), "kept for the next start on this laptop"
    for index in range(window.nav.count()):  # every page at 150 %: it scrolls, the window keeps its size
        window.nav.setCurrentRow(index)
        QApplication.processEvents()
        assert window.size().width() == 1093 and window.size().height() == 560, index
    window.autosync.shutdown()


# ---------------------------------------------------------------- 16. long lists, signatures

LONG = textwrap.dedent(
    """
    | survey |
    |        | type                 | name  | label::中文 (zh) | appearance |
    |        | select_multiple many | needs | 需要的帮助        |            |
    |        | image                | sign  | 老人签名          | signature  |
    | choices |
    |         | list_name | name | label::中文 (zh) |
    """
    + "".join(f"    |         | many      | n{i}  | 帮助{i}          |\n" for i in range(12))
    + textwrap.dedent(
        """
        | settings |
        |          | form_id | version | default_language |
        |          | long19  | 1       | 中文 (zh)         |
        """
    )
)


def test_long_choice_lists_go_in_columns_and_a_signature_says_where_and_can_be_cleared(qtbot, store):
    from PySide6.QtCore import QPoint

    filler = FormFiller(store, load_form(LONG), author="李干部")
    qtbot.addWidget(filler)
    filler.resize(900, 600)
    filler.show()
    qtbot.waitExposed(filler)
    needs = question(filler, "needs")
    columns = {check.pos().x() for check in needs.checks}
    assert len(needs.checks) == 12 and len(columns) == 2, "twelve choices in two columns"
    sign = question(filler, "sign")
    assert "签名" in sign.findChild(QLabel, "signHere").text()
    pad = sign.pad
    qtbot.mousePress(pad, Qt.MouseButton.LeftButton, pos=QPoint(20, 20))
    qtbot.mouseMove(pad, QPoint(120, 60))
    qtbot.mouseRelease(pad, Qt.MouseButton.LeftButton, pos=QPoint(120, 60))
    assert value(filler, "sign") == "sign-signature.png"
    qtbot.mouseClick(sign.findChild(QPushButton, "clearSignature"), Qt.MouseButton.LeftButton)
    assert value(filler, "sign") == "" and not pad.drawn


# ---------------------------------------------------------------- 10. 台账


def test_registry_panel_shows_when_someone_is_selected_and_an_empty_search_explains(qtbot, township):
    from ui.pages import RegistryPage

    rejected = township.query("SELECT person_id FROM records WHERE status = 'rejected' AND person_id IS NOT NULL "
                              "LIMIT 1")[0]["person_id"]
    person = township.get_person(rejected)
    page = RegistryPage(township)
    qtbot.addWidget(page)
    page.resize(1093, 560)
    page.show()
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0)
    assert not page.side.isVisible(), "no room taken before anyone is selected"
    page.search.setText("查无此人xyz")
    qtbot.waitUntil(lambda: "没有找到" in page.count.text())
    assert "拼音首字母" in page.count.text()
    page.search.setText(person["id_number"][-6:])
    qtbot.waitUntil(lambda: page.model.rowCount() == 1)
    page.view.setCurrentIndex(page.model.index(0, 0))
    assert page.side.isVisible() and "岁" in page.details.text() and "住址" in page.details.text()
    items = [page.person_records.item(i) for i in range(page.person_records.count())]
    red = [i for i in items if "被退回" in i.text() or "退回" in i.text()]
    assert red and all(i.foreground().color().name() == "#c62828" for i in red)


# ---------------------------------------------------------------- 12. sync results in words


def test_sync_results_name_villages_not_codes(qtbot, store):
    from sync.protocol import Outcome, RecordResult
    from ui.sync_page import SyncPage

    store.add_village("341100101201", "东山村")
    person = store.add_person(name="王秀英", kind="elder", village_id="341100101201")
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.3", data={}, person_id=person,
                            village_id="341100101201", author="测试", title="王秀英 探访")
    page = SyncPage(store)
    qtbot.addWidget(page)
    # a result about one of this account's records (the page lists no other's: issue 16)
    result = RecordResult(uuid=uuid, revision=1, outcome=Outcome.REJECTED, code="SYNC_VILLAGE_NOT_ALLOWED",
                          message="您的账号不负责村“341100101201”，服务器没有接收这条记录。")
    page.show_results([result])
    assert "东山村" in page.results.item(0, 3).text() and "341100101201" not in page.results.item(0, 3).text()
    qtbot.waitUntil(lambda: not page.runner.busy)
