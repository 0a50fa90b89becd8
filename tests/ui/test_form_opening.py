"""填表 after a restart lists and opens the built-in forms from the form cache, without converting them."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QWidget

import app.forms.xlsform as xlsform
from app.store import Store
from app.store.keyring import FAST_KDF
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
    second.fill.start("capability_assessment")  # (a visit form would first ask who is visited)
    filler = second.fill.tabs.currentWidget()
    assert filler.objectName() == "formFiller" and filler.form.form_id == "capability_assessment"


def test_no_part_of_a_question_flashes_up_as_a_window(qtbot, tmp_path):
    """A widget shown before it has a parent becomes a window of its own for a moment: a second of the
    500-question form's opening went on that, and a hint flashing up took the focus from the main window."""
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    flashed = []

    class Watch(QObject):
        def eventFilter(self, watched, event):  # noqa: N802 - Qt API
            if event.type() == QEvent.Type.Show and isinstance(watched, QWidget) and watched.isWindow():
                flashed.append(f"{type(watched).__name__} {watched.objectName()}")
            return False

    watch = Watch()
    QApplication.instance().installEventFilter(watch)
    try:
        for form_id in ("elder_visit", "home_adaptation"):
            filler = window.fill.open_filler(window.catalog.by_id(form_id))
            qtbot.waitUntil(lambda f=filler: not f._pending, timeout=60000)
    finally:
        QApplication.instance().removeEventFilter(watch)
    assert flashed == []


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
