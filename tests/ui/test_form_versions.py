"""A form version pulled from the bureau shows up in 填表; a record made with the old one still opens with it."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from app.store import Store
from app.store.keyring import FAST_KDF
from app.store.store import utc_now
from ui.main_window import MainWindow
from ui.page_common import FORMS_DIR

PASS = "secret-123"


def pulled(store: Store, form_id: str, version: str, title: str) -> None:
    """Put a new version of a built-in form in the store, as a sync would."""
    workbook = load_workbook(FORMS_DIR / f"{form_id}.xlsx")
    sheet = workbook["settings"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("version") + 1, value=version)
    sheet.cell(row=2, column=header.index("form_title") + 1, value=title)
    out = io.BytesIO()
    workbook.save(out)
    store.conn.execute("INSERT INTO forms (form_id, version, title, content, sha256, received_at) "
                       "VALUES (?, ?, ?, ?, 'x', ?)", [form_id, version, title, out.getvalue(), utc_now()])


def test_new_records_use_the_pulled_version_and_old_ones_open_with_theirs(qtbot, tmp_path):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    store.add_village("V1", "东山村")
    person = store.add_person(name="王秀英", kind="elder", village_id="V1")
    old = store.save_draft(form_id="elder_visit", form_version="2026.1", data={}, person_id=person, village_id="V1")
    pulled(store, "elder_visit", "2026.10", "探访关爱记录表（新版）")
    window = MainWindow(store)
    qtbot.addWidget(window)

    window.fill.refresh()
    titles = [window.fill.list.item(i).text() for i in range(window.fill.list.count())]
    assert "探访关爱记录表（新版）（版本 2026.10）" in titles
    assert not any("2026.1）" in t and "探访关爱" in t for t in titles)  # only the newest version is offered

    window.open_record(old)
    filler = window.fill.tabs.currentWidget()
    assert filler.form.version == "2026.1"  # a new version never breaks an old record
    window.close()
    store.close()
