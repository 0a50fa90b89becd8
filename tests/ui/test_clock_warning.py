"""The form filler with a laptop clock reset to years ago (injected): the warning shows above the form, and 定稿
asks before it dates the visit (no: the draft stays a draft)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from PySide6.QtWidgets import QMessageBox

import app.clock
from app.demo import _VisitData
from app.forms.library import FormLibrary
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.form_filler import FormFiller

PASS = "村访通-secret"


@pytest.fixture
def store(tmp_path):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield store
    store.close()


def test_filler_warns_about_a_reset_clock_and_asks_before_finalizing(qtbot, store, monkeypatch):
    form = FormLibrary().get("elder_visit")
    draft = store.save_draft(form_id="elder_visit", form_version=form.version,
                             data=_VisitData(date.today()).make("elder_visit", date.today(), 30, 0, {}))
    right = FormFiller(store, form, record_uuid=draft)
    qtbot.addWidget(right)
    assert right.clock_warning.isHidden()

    monkeypatch.setattr(app.clock, "current_time", lambda: datetime(2019, 1, 1, 8, tzinfo=UTC))  # CMOS reset
    asked: list[str] = []

    def answer(reply):
        def warning(parent, title, text, *args):
            asked.append(text)
            return reply
        return warning

    filler = FormFiller(store, form, record_uuid=draft)
    qtbot.addWidget(filler)
    assert not filler.clock_warning.isHidden()
    assert "2019-01-01" in filler.clock_warning.text() and "主板电池" in filler.clock_warning.text()

    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.No))
    filler.finalize()
    assert len(asked) == 1 and "仍然按电脑现在的日期" in asked[0]
    assert store.get_record(draft)["status"] == "draft"

    monkeypatch.setattr(QMessageBox, "warning", answer(QMessageBox.StandardButton.Yes))
    filler.finalize()
    assert store.get_record(draft)["status"] == "finalized"


def test_dashboard_shows_the_clock_warning(qtbot, store, monkeypatch):
    from ui.dashboard_page import DashboardPage

    store.save_draft(form_id="elder_visit", form_version="1", data={})
    page = DashboardPage(store)
    qtbot.addWidget(page)
    page.refresh()
    assert page.clock_warning.isHidden()
    monkeypatch.setattr(app.clock, "current_time", lambda: datetime(2019, 1, 1, 8, tzinfo=UTC))
    page.refresh()
    assert not page.clock_warning.isHidden() and "主板电池" in page.clock_warning.text()
