"""填表 after a restart lists and opens the built-in forms from the form cache, without converting them."""

from __future__ import annotations

import app.forms.xlsform as xlsform
from app.store import Store
from app.store.keyring import FAST_KDF
from ui import questions
from ui.main_window import MainWindow

PASS = "secret-123"


def test_fill_page_after_a_restart_uses_the_cache(qtbot, tmp_path, monkeypatch):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    first = MainWindow(store)
    qtbot.addWidget(first)
    first.fill.refresh()
    listed = [first.fill.list.item(i).text() for i in range(first.fill.list.count())]
    assert (tmp_path / "data" / "cache" / "forms").is_dir()

    def convert(*args, **kwargs):
        raise AssertionError("a built-in workbook was converted again")

    monkeypatch.setattr(xlsform, "convert", convert)
    second = MainWindow(store)  # a new window, a new catalog: as after starting the program again
    qtbot.addWidget(second)
    second.fill.refresh()
    assert [second.fill.list.item(i).text() for i in range(second.fill.list.count())] == listed
    assert second.catalog.library.cache.hits >= len(listed)
    second.fill.start("elder_visit")
    filler = second.fill.tabs.currentWidget()
    assert filler.objectName() == "formFiller" and filler.form.form_id == "elder_visit"


def test_question_widgets_are_made_inside_their_section(qtbot, tmp_path, monkeypatch):
    """A question widget shown before it had a parent became a window of its own for a moment: a second
    of the 500-question form's opening went on that."""
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    window = MainWindow(store)
    qtbot.addWidget(window)
    orphans = []
    original = questions.QuestionWidget.refresh

    def refresh(self, **kwargs):
        if self.parentWidget() is None:
            orphans.append(self.control.name)
        return original(self, **kwargs)

    monkeypatch.setattr(questions.QuestionWidget, "refresh", refresh)
    filler = window.fill.open_filler(window.catalog.by_id("elder_visit"))
    assert filler.questions and orphans == []


def test_a_long_form_shows_its_first_sections_at_once_and_fills_in_the_rest(qtbot, tmp_path):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    window = MainWindow(store)
    qtbot.addWidget(window)
    form = window.catalog.by_id("home_adaptation")
    total = sum(1 for c in form.walk() if c.kind not in ("group", "repeat"))
    filler = window.fill.open_filler(form)
    built = len(filler.questions)
    assert 0 < built < total and filler._pending  # the first screenful is there; the rest comes next
    qtbot.waitUntil(lambda: not filler._pending, timeout=60000)
    assert len({q.control.ref for q in filler.questions}) == total
    # Jumping to a question (定稿's list of what is missing) never waits for the filling-in.
    again = window.fill.open_filler(form)
    last = [q for q in form.walk() if q.kind == "input"][-1]
    again.focus_question(last.name)
    assert not again._pending and any(q.control.ref == last.ref for q in again.questions)
