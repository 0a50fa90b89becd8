"""What a cadre does in the desktop app, driven through the real widgets (pytest-qt, offscreen)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton

from app.demo import load_demo
from app.forms.xlsform import load_form
from app.store import Store
from app.store.keyring import FAST_KDF
from tests.processes import kill_hard
from ui.form_filler import FormFiller, RevisionFiller
from ui.pages import RecordsPage, RegistryPage
from ui.questions import QuestionWidget
from ui.startup import FirstRunDialog, UnlockDialog

ROOT = Path(__file__).resolve().parents[2]
PASS = "cunfang-secret"

VISIT = textwrap.dedent(
    """
    | survey |
    |        | type          | name      | label::中文 (zh) | relevant        | constraint         | constraint_message::中文 (zh) | required | calculation |
    |        | text          | elder     | 老人姓名          |                 |                    |                              | yes      |             |
    |        | integer       | age       | 年龄              |                 | . >= 60 and . < 130 | 年龄应在60到130岁之间          | yes      |             |
    |        | select_one yn | alone     | 是否独居          |                 |                    |                              | yes      |             |
    |        | text          | neighbour | 邻居联系人        | ${alone} = '1'  |                    |                              | yes      |             |
    |        | begin repeat  | kids      | 子女              |                 |                    |                              |          |             |
    |        | text          | kname     | 子女姓名          |                 |                    |                              | yes      |             |
    |        | end repeat    |           |                   |                 |                    |                              |          |             |
    |        | calculate     | n         |                   |                 |                    |                              |          | count(${kids}) |
    | choices |
    |         | list_name | name | label::中文 (zh) |
    |         | yn        | 1    | 是                |
    |         | yn        | 0    | 否                |
    | settings |
    |          | form_id     | version | default_language | form_title |
    |          | elder_visit | 2026.1  | 中文 (zh)         | 探访记录    |
    """
)


@pytest.fixture(scope="module")
def visit_form():
    return load_form(VISIT)


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    s.close()


def question(filler: FormFiller, name: str) -> QuestionWidget:
    return next(q for q in filler.questions if q.control.name == name)


def type_text(qtbot, box, text: str) -> None:
    """Type as a person would: keys for ASCII, an input-method commit for Chinese (as a Pinyin IME sends)."""
    box.setFocus()
    if text.isascii():
        qtbot.keyClicks(box, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(box, event)


def type_into(qtbot, widget: QuestionWidget, text: str) -> None:
    type_text(qtbot, widget.findChild(QLineEdit), text)


# ---------------------------------------------------------------- first run and unlock


def confirm_recovery_key(qtbot, dialog) -> str:
    """The key is shown once; going on needs the box 'copied onto paper' ticked (Esc does not skip it)."""
    shown = dialog.key_dialog
    assert shown.isVisible() and not shown.ok.isEnabled()
    qtbot.keyClick(shown, Qt.Key.Key_Escape)
    assert shown.isVisible()
    shown.copied.setChecked(True)
    qtbot.mouseClick(shown.ok, Qt.MouseButton.LeftButton)
    return shown.findChild(QLabel, "key").text()


def test_first_run_creates_the_administrator_and_the_encrypted_store(qtbot, tmp_path):
    from app import accounts

    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    type_text(qtbot, dialog.author, "王站长")
    qtbot.keyClicks(dialog.passphrase, PASS)
    qtbot.keyClicks(dialog.confirm, PASS + "x")
    dialog.town.select("340123101")  # 安徽省合肥市肥西县三河镇 (choosing by keyboard: tests/ui/test_first_run_places.py)
    dialog.create()
    assert "不一致" in dialog.error.text()
    assert not Store.exists(tmp_path / "data")
    qtbot.keyClicks(dialog.confirm, PASS)
    dialog.create()
    key = confirm_recovery_key(qtbot, dialog)
    assert dialog.result() == dialog.DialogCode.Accepted
    assert dialog.store.account.login == "admin" and dialog.store.account.name == "王站长"
    assert {v["name"] for v in dialog.store.villages()} >= {"太华村", "北街社区"}, "the township's villages"
    dialog.store.close()
    accounts.recover(tmp_path / "data", key, "admin", "another-password")[0].close()  # the key shown works


def test_first_run_asks_for_the_township_and_keeps_the_real_store_free_of_demo_data(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "data", kdf=FAST_KDF)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.town.code() == "", "no township is filled in for the cadre"
    assert [box.currentText() for box in dialog.town.boxes] == ["", "", "", ""]
    qtbot.keyClicks(dialog.passphrase, PASS)
    qtbot.keyClicks(dialog.confirm, PASS)
    dialog.create()
    assert "乡镇" in dialog.error.text() and not Store.exists(tmp_path / "data")
    dialog.town.select("340123101")
    dialog.create()
    with qtbot.waitSignal(dialog.accepted, timeout=60_000):
        confirm_recovery_key(qtbot, dialog)
    assert dialog.store.count_persons() == 0 and dialog.store.list_records(limit=5) == []
    assert dialog.store.get_setting("town") == "三河镇" and dialog.store.township() == "340123101"
    dialog.store.close()


def test_unlock_refuses_a_wrong_passphrase_in_place(qtbot, tmp_path):
    Store.create(tmp_path / "data", PASS, kdf=FAST_KDF).close()
    dialog = UnlockDialog(tmp_path / "data")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.passphrase, "wrong-one")
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert "密码不正确" in dialog.error.text()
    assert dialog.store is None
    dialog.passphrase.clear()
    qtbot.keyClicks(dialog.passphrase, PASS)
    qtbot.keyClick(dialog.passphrase, Qt.Key.Key_Return)
    assert dialog.store is not None
    dialog.store.close()


# ---------------------------------------------------------------- filling a form


def test_fill_by_keyboard_with_relevance_repeat_and_constraint(qtbot, store, visit_form, monkeypatch):
    shown_errors = []
    monkeypatch.setattr("ui.form_filler.show_error", lambda parent, exc, *a: shown_errors.append(str(exc)))
    filler = FormFiller(store, visit_form, author="李主任")
    qtbot.addWidget(filler)
    filler.show()
    filler.activateWindow()
    qtbot.waitActive(filler)
    type_into(qtbot, question(filler, "elder"), "王秀英")
    type_into(qtbot, question(filler, "age"), "45")
    age = question(filler, "age")
    assert age.message.isVisible() and "60到130" in age.message.text()
    box = age.findChild(QLineEdit)
    box.selectAll()
    qtbot.keyClicks(box, "82")
    assert not age.message.isVisible()

    neighbour = question(filler, "neighbour")
    assert not neighbour.isVisible()  # only asked when the elder lives alone
    yes = next(b for b in question(filler, "alone").group.buttons() if b.property("value") == "1")
    yes.setFocus()
    qtbot.keyClick(yes, Qt.Key.Key_Space)
    neighbour = question(filler, "neighbour")
    assert neighbour.isVisible()
    type_into(qtbot, neighbour, "张大妈")

    type_into(qtbot, question(filler, "kname"), "王小明")
    add = filler.findChild(QPushButton, "add_kids")
    qtbot.mouseClick(add, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len([q for q in filler.questions if q.control.name == "kname"]) == 2)
    second = [q for q in filler.questions if q.control.name == "kname"][1]
    assert filler.focusWidget() is second.findChild(QLineEdit)  # the new member's first question, ready to type
    type_into(qtbot, second, "王小红")
    qtbot.waitUntil(lambda: store.get_record(filler.record_uuid)["data"].get("n") == 2, timeout=3000)

    assert filler.session.errors() == {}
    finish = filler.findChild(QPushButton, "finalizeButton")
    with qtbot.waitSignal(filler.finalized, timeout=5000):
        qtbot.keyClick(finish, Qt.Key.Key_Space)
    assert shown_errors == []
    record = store.get_record(filler.record_uuid)
    assert record["status"] == "finalized"
    assert record["data"]["kids"] == [{"kname": "王小明"}, {"kname": "王小红"}]
    assert record["data"]["neighbour"] == "张大妈" and record["data"]["age"] == 82


def app_process(script: str, tmp_path: Path) -> list[str]:
    """A command running ``script`` as its own program on a new store and the visit form."""
    directory = tmp_path / "data"
    Store.create(directory, PASS, kdf=FAST_KDF).close()
    form_file = tmp_path / "visit.md"
    form_file.write_text(VISIT, encoding="utf-8")
    return [sys.executable, "-c", script, str(directory), PASS, str(form_file)]


SHORTCUTS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication, QLineEdit
    from app.forms.xlsform import load_form
    from app.store import Store
    import ui.form_filler as ff
    app = QApplication([])
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    summaries = []
    ff.MissingSummary.exec = lambda self: summaries.append(self.list.count())
    filler = ff.FormFiller(store, load_form(Path(sys.argv[3])))
    filler.show()
    filler.activateWindow()
    app.processEvents()
    box = filler.questions[0].findChild(QLineEdit)
    box.setFocus()
    QTest.keyClicks(box, "Wang")
    QTest.keyClick(box, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    saved = store.get_record(filler.record_uuid)["data"]["elder"]
    QTest.keyClick(box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(box, Qt.Key.Key_Return)
    moved = filler.focusWidget() is filler.questions[1].findChild(QLineEdit)
    print(saved, summaries, moved)
    """
)


def test_ctrl_s_saves_ctrl_enter_finalizes_enter_moves_on(tmp_path):
    # Run as a plain program: under pytest the offscreen platform drops window activation after
    # edits, and window shortcuts (rightly) need an active window.
    result = subprocess.run(app_process(SHORTCUTS, tmp_path), cwd=ROOT, capture_output=True, text=True,
                            env=dict(os.environ, QT_QPA_PLATFORM="offscreen"), timeout=120)
    assert result.stdout.split() == ["Wang", "[3]", "True"], result.stderr  # saved; 3 still missing; next question


def test_finalize_lists_what_is_missing_and_keeps_the_draft(qtbot, store, visit_form, monkeypatch):
    shown = {}
    monkeypatch.setattr("ui.form_filler.MissingSummary.exec", lambda self: shown.setdefault("items", [
        self.list.item(i).text() for i in range(self.list.count())]))
    filler = FormFiller(store, visit_form)
    qtbot.addWidget(filler)
    type_into(qtbot, question(filler, "elder"), "张三")
    filler.finalize()
    assert any("年龄" in text and "必答" in text for text in shown["items"])
    assert store.get_record(filler.record_uuid)["status"] == "draft"
    assert store.get_record(filler.record_uuid)["data"]["elder"] == "张三"


KILLED_FILLER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from PySide6.QtWidgets import QApplication, QLineEdit
    from app.forms.xlsform import load_form
    from app.store import Store
    from ui.form_filler import FormFiller
    app = QApplication([])
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    filler = FormFiller(store, load_form(Path(sys.argv[3])))
    filler.show()
    for q in filler.questions:
        if q.control.name == "elder":
            q.findChild(QLineEdit).setText("半路老人")
            q.findChild(QLineEdit).textEdited.emit("半路老人")
    app.processEvents()
    filler.flush()
    print("typed", filler.record_uuid, flush=True)
    app.exec()
    """
)


def test_killed_mid_form_the_draft_comes_back(qtbot, tmp_path, visit_form):
    directory = tmp_path / "data"
    child = subprocess.Popen(app_process(KILLED_FILLER, tmp_path), cwd=ROOT, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=dict(os.environ, QT_QPA_PLATFORM="offscreen"))
    try:
        line = child.stdout.readline().split()
    finally:
        kill_hard(child)  # kill -9 on POSIX, TerminateProcess on Windows
        child.wait(timeout=30)
    assert line and line[0] == "typed", child.stderr.read()
    store = Store.open(directory, PASS)
    try:
        (draft,) = store.drafts()
        assert draft["uuid"] == line[1]
        filler = FormFiller(store, visit_form, record_uuid=draft["uuid"])
        qtbot.addWidget(filler)
        assert question(filler, "elder").findChild(QLineEdit).text() == "半路老人"
    finally:
        store.close()


# ---------------------------------------------------------------- registry and records


def test_registry_search_runs_off_the_ui_thread(qtbot, store):
    load_demo(store, persons=500, seed=2)
    person = store.query("SELECT name, initials FROM persons WHERE kind = 'elder' LIMIT 1")[0]
    page = RegistryPage(store)
    qtbot.addWidget(page)
    page.refresh()
    qtbot.keyClicks(page.search, person["initials"])
    qtbot.waitUntil(lambda: page.model.rowCount() > 0 and page.model.query_text == person["initials"]
                    and page.count.text().startswith("找到"), timeout=5000)
    names = [page.model.rows[i]["name"] for i in range(page.model.rowCount())]
    assert person["name"] in names
    # everything found is already shown: no "scroll for more" when there is no more
    assert page.count.text() == f"找到 {page.model.rowCount()} 人", page.count.text()


def test_edit_a_sent_record_and_see_its_history(qtbot, store, visit_form):
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.1",
                            data={"elder": "王秀英", "age": 80, "alone": "0", "kids": []})
    store.finalize(uuid, visit_form)
    store.set_status(uuid, "queued")
    store.set_status(uuid, "sent")
    filler = RevisionFiller(store, visit_form, store.get_record(uuid), reason="年龄抄错", author="李主任")
    qtbot.addWidget(filler)
    box = question(filler, "age").findChild(QLineEdit)
    box.selectAll()
    qtbot.keyClicks(box, "81")
    with qtbot.waitSignal(filler.done, timeout=5000):
        filler.finalize()
    assert store.get_record(uuid)["revision"] == 2
    page = RecordsPage(store, None, "")
    qtbot.addWidget(page)
    page.refresh()
    row = next(i for i in range(page.model.rowCount()) if page.model.rows[i]["uuid"] == uuid)
    page.view.setCurrentIndex(page.model.index(row, 0))
    page._show_history()
    text = page.history.item(0).text()
    assert "年龄抄错" in text and "age：80 → 81" in text and "李主任" in text


def test_a_red_flag_is_shown_at_once_and_listed_on_the_dashboard(qtbot, store):
    from app.dashboard import build
    from ui.pages import DashboardPage

    form = load_form(ROOT / "resources" / "forms" / "child_visit.xlsx")
    child = store.add_person(name="刘小雨", kind="child", village_id=None)
    filler = FormFiller(store, form, person=store.get_person(child))
    qtbot.addWidget(filler)
    filler.show()
    assert not filler.banner.isVisible()
    seen = next(b for b in question(filler, "child_seen").group.buttons() if b.property("value") == "1")
    seen.click()
    with_whom = question(filler, "with_whom")
    alone = next(b for b in with_whom.group.buttons() if b.property("value") == "alone")
    alone.click()
    assert filler.banner.isVisible() and "儿童独自居住" in filler.banner.text()
    data = filler.session.to_data()
    uuid = store.save_draft(form_id="child_visit", form_version=form.version, person_id=child, data=data)
    store.set_status(uuid, "finalized")
    store.conn.execute("UPDATE records SET flags = '[\"child_alone\"]' WHERE uuid = ?", (uuid,))
    board = build(store)
    assert [r["uuid"] for r in board.red_flags] == [uuid]
    assert [r["uuid"] for r in board.open_reports] == [uuid]
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert any("儿童独自居住" in page.drafts.item(i).text() for i in range(page.drafts.count()))


def test_visit_rules_are_set_in_settings(qtbot, store, monkeypatch):
    from app.settings import load_settings
    from ui.pages import SettingsPage

    monkeypatch.setattr("ui.pages.QMessageBox.information", lambda *a: None)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert page.days[("elder", "general")].value() == 90
    page.days[("elder", "general")].setValue(30)
    page.monthly.setChecked(True)
    page.save()
    visits = load_settings(store.data_dir).visits
    assert visits.elder_by_tier["general"] == 30 and visits.monthly_floor


def test_a_persons_page_shows_their_details_and_records(qtbot, store):
    load_demo(store, persons=200, seed=4)
    page = RegistryPage(store)
    qtbot.addWidget(page)
    opened = []
    page.open_record.connect(opened.append)
    page.refresh()
    qtbot.waitUntil(lambda: page.model.rowCount() > 0, timeout=5000)
    row = next(i for i in range(page.model.rowCount()) if page.model.rows[i]["last_visit"])
    page.view.setCurrentIndex(page.model.index(row, 0))
    person = page.model.rows[row]
    assert person["name"] in page.details.text() and person["next_due"] in page.details.text()
    assert "*" in page.details.text()  # the ID number is masked on screen
    assert page.person_records.count() > 0
    page.person_records.itemActivated.emit(page.person_records.item(0))
    assert opened and store.get_record(opened[0])["person_id"] == person["id"]


def test_households_are_listed_and_searched_by_address(qtbot, store):
    load_demo(store, persons=100, seed=5)
    page = RegistryPage(store)
    qtbot.addWidget(page)
    page.refresh()
    page.tabs.setCurrentWidget(page.households_view)
    assert page.households.rowCount() > 0
    address = page.households.rows[0]["address"]
    page.search.setText(address[-6:])
    page.run_search()
    assert all(address[-6:] in row["address"] for row in page.households.rows)
    assert page.households.rowCount() >= 1


@pytest.mark.parametrize("form_file", sorted(p.name for p in (ROOT / "resources" / "forms").glob("*.xlsx")))
def test_every_built_in_form_opens_from_a_person_and_saves(qtbot, store, form_file):
    form = load_form(ROOT / "resources" / "forms" / form_file)
    kind = "child" if "child" in form_file else "elder"
    person = store.get_person(store.add_person(name="王秀英", kind=kind, id_number="11010519491231002X"))
    filler = FormFiller(store, form, person=person, author="李秀兰")
    qtbot.addWidget(filler)
    filler.show()
    record = store.get_record(filler.record_uuid)
    assert record["status"] == "draft" and record["person_id"] == person["id"]
    names = {q.control.name for q in filler.questions}
    for field in ("elder_name", "child_name"):
        if field in names and question(filler, field).isVisible():
            assert question(filler, field).findChild(QLineEdit).text() == "王秀英"


def test_finalizing_a_visit_changes_the_overdue_list_and_visit_rate(qtbot, store, monkeypatch):
    from datetime import date, timedelta

    from app.dashboard import build
    from ui.pages import DashboardPage

    store.add_village("v1", "东山村")
    person = store.get_person(store.add_person(name="王秀英", kind="elder", risk_tier="重点", village_id="v1"))
    store.update_person(person["id"], last_visit="2026-01-01", next_due="2026-02-01")
    before = build(store)
    assert [p["id"] for p in before.overdue] == [person["id"]] and before.rates[0]["visited"] == 0
    form = load_form(ROOT / "resources" / "forms" / "elder_visit.xlsx")
    filler = FormFiller(store, form, person=store.get_person(person["id"]), author="李秀兰")
    qtbot.addWidget(filler)
    from app.demo import ELDER_VISIT

    today = date.today()
    answers = dict(ELDER_VISIT, visit_date=today.isoformat(), next_visit=(today + timedelta(days=20)).isoformat())
    from app.forms.fill import apply_answers

    apply_answers(filler.session, answers)
    filler.refresh()
    with qtbot.waitSignal(filler.finalized, timeout=5000):
        filler.finalize()
    after = build(store)
    assert after.overdue == [] and after.rates[0]["visited"] == 1 and after.rates[0]["rate"] == 100.0
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert page.overdue.rowCount() == 0


def test_records_page_filters_by_date(qtbot, store):
    from PySide6.QtCore import QDate

    old = store.save_draft(form_id="elder_visit", form_version="1", data={}, title="旧记录")
    store.save_draft(form_id="elder_visit", form_version="1", data={}, title="新记录")
    store.conn.execute("UPDATE records SET created_at = '2025-06-01T09:00:00.000+00:00' WHERE uuid = ?", (old,))
    page = RecordsPage(store, None, "")
    qtbot.addWidget(page)
    page.refresh()
    assert page.model.rowCount() == 2
    page.since.setDate(QDate(2026, 1, 1))
    assert [page.model.rows[i]["title"] for i in range(page.model.rowCount())] == ["新记录"]
