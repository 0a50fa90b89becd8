"""The form filler on a full disk (a filled tmpfs): autosave says 磁盘空间不足 once (not a dialog per keystroke),
keeps every answer on screen, and saves them all as soon as there is room again."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLineEdit

from app.forms.library import FormLibrary
from app.store import Store
from app.store.keyring import FAST_KDF
from tests.disk import fill, free, small_disk
from ui.form_filler import FormFiller

PASS = "村访通-secret"


@pytest.fixture
def disk(tmp_path):
    with small_disk(tmp_path / "disk", 8) as mounted:
        yield mounted


def type_in(qtbot, filler: FormFiller, name: str, text: str) -> None:
    widget = next(q for q in filler.questions if q.control.name == name)
    box = widget.findChild(QLineEdit)
    box.setFocus()
    qtbot.keyClicks(box, text)


def test_autosave_on_a_full_disk_keeps_the_answers_and_says_so_once(qtbot, disk, monkeypatch):
    store = Store.create(disk / "data", PASS, kdf=FAST_KDF)
    shown: list[str] = []
    monkeypatch.setattr("ui.form_filler.show_error", lambda parent, exc, *a: shown.append(str(exc)))
    try:
        filler = FormFiller(store, FormLibrary().get("elder_visit"), author="李主任")
        qtbot.addWidget(filler)
        type_in(qtbot, filler, "visitor", "Li")
        filler.save_now()
        saved = filler.record_uuid
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        fill(disk)
        type_in(qtbot, filler, "elder_name", "Wang")
        filler.save_now()
        type_in(qtbot, filler, "visitor", "Xiulan")
        filler.save_now()
        assert len(shown) == 1 and "磁盘空间不足" in shown[0] and str(store.data_dir) in shown[0]
        assert "磁盘空间不足" in filler.status.text()
        assert "Wang" not in str(store.get_record(saved)["data"])  # the store holds the last good save
        assert "LiXiulan" in str(filler.session.to_data())  # and the screen every answer

        free(disk)
        filler.save_now()
        assert "已自动保存" in filler.status.text()
        data = str(store.get_record(saved)["data"])
        assert "LiXiulan" in data and "Wang" in data
    finally:
        free(disk)
        store.close()
