"""Printing: a record and a blank form as A4 PDFs with the Chinese text in them (pytest-qt, offscreen)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, Qt
from PySide6.QtGui import QImage, QShortcut
from PySide6.QtWidgets import QPushButton

from app.forms.library import FormLibrary
from app.forms.printout import Field, Table, blank_printout
from app.store import Store
from app.store.keyring import FAST_KDF
from ui.printing import print_blank, print_record

ROOT = Path(__file__).resolve().parents[2]
PASS = "cunfang-secret"
PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(PDFTOTEXT is None, reason="pdftotext (poppler-utils) is not installed: "
                                     "the PDF's text cannot be read back, so only its pages and fonts are checked")


@pytest.fixture(scope="module")
def library():
    return FormLibrary()


@pytest.fixture
def store(tmp_path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    s.close()


def add_visit(store: Store, library: FormLibrary, *, name: str = "王秀英", village_id: str | None = None,
              **answers) -> str:
    """A person and a valid, finalized elder visit about them (as tests/sync/conftest.py makes them)."""
    from app.demo import _VisitData

    form = library.get("elder_visit")
    person = store.add_person(name=name, kind="elder", village_id=village_id)
    data = {**_VisitData(date.today()).make("elder_visit", date.today(), 30, 0, {}), "elder_name": name, **answers}
    record = store.save_draft(form_id="elder_visit", form_version=form.version, data=data, person_id=person,
                              village_id=village_id, author="测试", title=f"{name} 探访")
    store.finalize(record, form, author="测试")
    return record


def pdf_text(path: Path) -> str:
    return subprocess.run([PDFTOTEXT, "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def check_a4(path: Path, pages: int) -> bytes:
    content = path.read_bytes()
    assert content.startswith(b"%PDF-")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", content)
    assert len(boxes) == pages >= 1
    for width, height in boxes:
        assert abs(float(width) - 595) < 2 and abs(float(height) - 842) < 2  # A4 in points
    assert b"/FontFile2" in content or b"/FontFile3" in content  # fonts embedded: prints the same anywhere
    return content


def png(width: int, height: int) -> bytes:
    image = QImage(width, height, QImage.Format.Format_RGB32)
    image.fill(Qt.GlobalColor.darkGreen)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QBuffer.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


def test_a_filled_record_prints_on_a4_with_its_answers(qapp, store, library, tmp_path):
    uuid = add_visit(store, library)
    store.add_attachment(uuid, "visit.jpg", png(800, 600), "image/png")
    path = tmp_path / "record.pdf"
    pages = print_record(store, None, uuid, path)
    content = check_a4(path, pages)
    assert b"/Subtype /Image" in content  # the photo kept with the record is on the paper
    if PDFTOTEXT is None:
        pytest.skip("pdftotext (poppler-utils) is not installed: the PDF's text cannot be read back")
    text = pdf_text(path)
    assert "探访关爱记录表" in text  # the title
    assert "探访方式" in text and "上门入户" in text  # a question and its answer's choice label
    assert "village_cadre" not in text and "村(居)干部" in text  # labels, never codes
    assert "王秀英" in text and uuid in text  # Latin letters and digits read back too (no shaped variants)
    assert not re.search("[\u2e80-\u2fdf]", text)  # 门 and 页 read back as such, not as the radicals ⻔ and ⻚
    assert "填表人（签字）" in text and "复核人（签字）" in text
    assert re.search(rf"第\s*1\s*页\s*/\s*共\s*{pages}\s*页", text)  # the footer on every page


@needs_pdftotext
def test_the_printed_record_is_headed_by_its_township_and_village(qapp, store, library, tmp_path):
    store.add_village("340102001001", "东山村", town="示范镇")
    uuid = add_visit(store, library, village_id="340102001001")
    path = tmp_path / "record.pdf"

    print_record(store, None, uuid, path)

    head = pdf_text(path).split("探访信息")[0]  # above the first section
    assert re.search(r"乡镇（街道）：\s*示范镇", head) and re.search(r"村（居）：\s*东山村", head)


@needs_pdftotext
def test_a_blank_form_has_a_box_for_every_choice(qapp, library, tmp_path):
    form = library.get("elder_visit")
    path = tmp_path / "blank.pdf"
    pages = print_blank(form, path)
    check_a4(path, pages)
    text = pdf_text(path)
    printout = blank_printout(form)
    boxes = sum(len(f.choices) for f in printout.fields() if isinstance(f, Field) and f.kind == "choices")
    boxes += sum(len(c) * t.blank_rows for t in printout.fields() if isinstance(t, Table) for c in t.blank_choices)
    assert text.count("□") == boxes > 50
    assert "上门入户" in text and "其他探访方式" in text  # every question, relevant or not
    assert "填表人（签字）" in text and "复核人（签字）" in text


def test_the_filler_prints_what_is_on_screen(qtbot, store, library, tmp_path, monkeypatch):
    from ui.form_filler import FormFiller, RevisionFiller

    asked, told = [], []
    monkeypatch.setattr("ui.printing.QFileDialog.getSaveFileName",
                        lambda parent, title, suggested, filters: (asked.append(suggested),
                                                                   (str(tmp_path / f"{len(asked)}"), ""))[1])
    monkeypatch.setattr("ui.printing.QMessageBox.information", lambda *a: told.append(a[2]))
    person = store.get_person(store.add_person(name="赵玉梅", kind="elder", village_id=None))
    draft = FormFiller(store, library.get("elder_visit"), person=person)
    qtbot.addWidget(draft)
    draft.findChild(QPushButton, "printButton").click()  # a draft, half filled
    assert (tmp_path / "1.pdf").exists() and "赵玉梅" in asked[0] and asked[0].endswith(".pdf")
    assert "A4 PDF" in told[0]

    uuid = add_visit(store, library, name="李桂兰")
    store.set_status(uuid, "queued")
    store.set_status(uuid, "sent")
    revision = RevisionFiller(store, library.get("elder_visit"), store.get_record(uuid), reason="更正", author="李")
    qtbot.addWidget(revision)
    shortcut = next(s for s in revision.findChildren(QShortcut) if s.key().toString() == "Ctrl+P")
    shortcut.activated.emit()  # Ctrl+P (window shortcuts need an active window, which offscreen tests lack)
    assert (tmp_path / "2.pdf").exists() and "李桂兰" in asked[1]
    if PDFTOTEXT:
        assert "赵玉梅" in pdf_text(tmp_path / "1.pdf") and "李桂兰" in pdf_text(tmp_path / "2.pdf")


def test_records_page_and_fill_page_print(qtbot, store, library, tmp_path, monkeypatch):
    from ui.page_common import FormCatalog
    from ui.pages import FillPage, RecordsPage

    uuid = add_visit(store, library)
    saved = []
    monkeypatch.setattr("ui.printing.QFileDialog.getSaveFileName",
                        lambda *a: (str(tmp_path / f"{len(saved)}.pdf"), ""))
    monkeypatch.setattr("ui.printing.saved", lambda parent, path, pages: saved.append((path, pages)))
    catalog = FormCatalog(store)
    page = RecordsPage(store, catalog, "")
    qtbot.addWidget(page)
    page.refresh()
    row = next(i for i in range(page.model.rowCount()) if page.model.rows[i]["uuid"] == uuid)
    page.view.setCurrentIndex(page.model.index(row, 0))
    page.print_selected()
    fill = FillPage(store, catalog, "")
    qtbot.addWidget(fill)
    fill.refresh()
    fill.list.setCurrentRow(next(i for i in range(fill.list.count())
                                 if fill.list.item(i).data(Qt.ItemDataRole.UserRole) == "child_visit"))
    fill.print_blank()
    assert [p.name for p, _ in saved] == ["0.pdf", "1.pdf"] and all(n >= 1 for _, n in saved)
    if PDFTOTEXT:
        assert "儿童主任走访记录" in pdf_text(saved[1][0])


def test_cunfang_print_command(store, library, tmp_path):
    uuid = add_visit(store, library)
    data_dir = store.data_dir
    store.close()
    env = dict(os.environ, CUNFANG_PASSPHRASE=PASS, QT_QPA_PLATFORM="offscreen")
    command = [sys.executable, "-m", "ui.entry", "--data-dir", str(data_dir), "print"]
    done = subprocess.run([*command, uuid[:8], "--out", str(tmp_path / "r.pdf")], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"已把记录 {uuid} 保存为" in done.stdout
    check_a4(tmp_path / "r.pdf", int(re.search(r"共 (\d+) 页", done.stdout).group(1)))
    blank = subprocess.run([*command, "--blank", "elder_visit", "--out", str(tmp_path / "b.pdf")], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert blank.returncode == 0 and (tmp_path / "b.pdf").exists(), blank.stderr
    if PDFTOTEXT:
        assert "□ 上门入户" in pdf_text(tmp_path / "b.pdf")
    wrong = subprocess.run([*command, "--blank", "no_such_form", "--out", str(tmp_path / "x.pdf")], cwd=ROOT,
                           env=env, capture_output=True, text=True, timeout=120)
    assert wrong.returncode != 0 and "没有表单“no_such_form”" in wrong.stderr and "Traceback" not in wrong.stderr
    neither = subprocess.run([*command, "--out", str(tmp_path / "x.pdf")], cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=120)
    assert neither.returncode != 0 and "两者选一" in neither.stderr
