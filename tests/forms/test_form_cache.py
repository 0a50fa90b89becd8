"""The form cache: a form loaded once is read back without converting the workbook again, an edited
workbook or another engine never meets a stale entry, and nothing but the form is kept."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest
from openpyxl import load_workbook

import app.forms.cache as cache_module
import app.forms.xlsform as xlsform
from app.forms.cache import FormCache, cache_for
from app.forms.fill import fill
from app.forms.library import BUILTIN_DIR, FormLibrary
from app.store import Store
from app.store.keyring import FAST_KDF

VISIT = BUILTIN_DIR / "elder_visit.xlsx"
EXTERNAL = Path(__file__).resolve().parent / "external"


@pytest.fixture
def workbook(tmp_path: Path) -> Path:
    path = tmp_path / "forms" / "elder_visit.xlsx"
    path.parent.mkdir()
    shutil.copy(VISIT, path)
    return path


def no_conversion(monkeypatch) -> None:
    """From here on, converting a workbook fails the test: a form must come from the cache."""
    def convert(*args, **kwargs):
        raise AssertionError("the workbook was converted again")

    monkeypatch.setattr(xlsform, "convert", convert)


def test_a_second_library_reads_the_form_from_the_cache(tmp_path, workbook, monkeypatch):
    cache = FormCache(tmp_path / "cache")
    first = FormLibrary(None, cache).load_path(workbook)
    assert (cache.hits, cache.misses) == (0, 1) and len(list(cache.directory.glob("*.form"))) == 1
    no_conversion(monkeypatch)
    second = FormLibrary(None, cache).load_path(workbook)  # as after a restart: nothing in memory
    assert (cache.hits, cache.misses) == (1, 1)
    assert second is not first and second.form_id == first.form_id and second.version == first.version
    answers = {"visit_date": "2026-11-20", "visitor": "李干部", "elder_name": "王秀英", "met_in_person": "maybe"}
    a, b = fill(first, answers), fill(second, answers)
    assert a["data"]["elder_name"] == "王秀英" and "met_in_person" in a["errors"]  # the choices came along too
    assert (a["valid"], a["errors"], a["data"]) == (b["valid"], b["errors"], b["data"])


def test_an_edited_workbook_is_converted_again(tmp_path, workbook):
    cache = FormCache(tmp_path / "cache")
    FormLibrary(None, cache).load_path(workbook)
    book = load_workbook(workbook)
    settings = book["settings"]
    header = [cell.value for cell in settings[1]]
    settings.cell(row=2, column=header.index("form_title") + 1, value="探访记录（改过）")
    book.save(workbook)
    edited = FormLibrary(None, cache).load_path(workbook)
    assert (cache.hits, cache.misses) == (0, 2)
    assert edited.title == "探访记录（改过）"


def test_another_engine_never_reads_an_entry(tmp_path, workbook, monkeypatch):
    cache = FormCache(tmp_path / "cache")
    FormLibrary(None, cache).load_path(workbook)
    monkeypatch.setattr(cache_module, "_fingerprint", "an upgraded engine")
    FormLibrary(None, cache).load_path(workbook)
    assert (cache.hits, cache.misses) == (0, 2)


def test_the_fingerprint_follows_the_engine_source(monkeypatch):
    monkeypatch.setattr(cache_module, "_fingerprint", None)
    before = cache_module.engine_fingerprint()
    monkeypatch.setattr(cache_module, "_fingerprint", None)
    monkeypatch.setattr(cache_module, "CACHE_FORMAT", "changed")
    assert cache_module.engine_fingerprint() != before


def test_a_damaged_entry_is_converted_again(tmp_path, workbook):
    cache = FormCache(tmp_path / "cache")
    FormLibrary(None, cache).load_path(workbook)
    entry = next(cache.directory.glob("*.form"))
    entry.write_bytes(b"not a pickle")
    form = FormLibrary(None, cache).load_path(workbook)
    assert form.form_id == "elder_visit" and cache.misses == 2
    assert entry.read_bytes() != b"not a pickle"  # written again, whole


def test_forms_that_read_files_beside_them_are_not_kept(tmp_path):
    cache = FormCache(tmp_path / "cache")
    FormLibrary(None, cache).load_path(EXTERNAL / "external_csv_form.xml")
    assert not list(cache.directory.glob("*.form")) if cache.directory.exists() else True


def test_a_broken_workbook_is_not_kept(tmp_path):
    broken = tmp_path / "broken.md"
    broken.write_text(textwrap.dedent(
        """
        | survey |
        |        | type    | name | label | relevant |
        |        | text    | a    | 甲    | ${nope}  |
        """), encoding="utf-8")
    cache = FormCache(tmp_path / "cache")
    for _ in range(2):
        with pytest.raises(xlsform.FormCheckFailed):
            FormLibrary(None, cache).load_path(broken)
    assert cache.misses == 2 and not cache.directory.exists()


def test_the_store_keeps_the_cache_in_its_data_directory_without_personal_data(tmp_path, monkeypatch):
    store = Store.create(tmp_path / "data", "secret-123", kdf=FAST_KDF)
    library = FormLibrary(store)
    assert library.cache.directory == tmp_path / "data" / "cache" / "forms" == cache_for(store.data_dir).directory
    form = library.get("elder_visit")
    store.add_village("V1", "东山村")
    person = store.add_person(name="欧阳秀英", kind="elder", village_id="V1")
    data = fill(form, {"visit_date": "2026-11-20", "elder_name": "欧阳秀英", "issues": "欧阳秀英说腿疼"})["data"]
    assert data["elder_name"] == "欧阳秀英"
    store.save_draft(form_id="elder_visit", form_version=form.version, data=data, person_id=person, village_id="V1")
    library.latest()  # every built-in form, as 填表 lists them
    entries = list(library.cache.directory.glob("*.form"))
    assert len(entries) == len(list(BUILTIN_DIR.glob("*.xlsx")))
    for entry in entries:
        assert "欧阳秀英".encode() not in entry.read_bytes()
    no_conversion(monkeypatch)
    again = FormLibrary(store)
    assert [f.form_id for f in again.latest()] == [f.form_id for f in library.latest()]
    assert again.cache.hits == len(entries)
    store.close()


def test_a_form_with_its_own_copy_of_a_shipped_file_is_not_kept(tmp_path):
    # the county's own county_settings.xml beside a form is a local file like any other: not cached
    folder = tmp_path / "county"
    folder.mkdir()
    shutil.copy(BUILTIN_DIR / "left_behind_child.xlsx", folder / "left_behind_child.xlsx")
    (folder / "county_settings.xml").write_text(
        (BUILTIN_DIR / "county_settings.xml").read_text(encoding="utf-8"), encoding="utf-8")
    cache = FormCache(tmp_path / "cache")
    FormLibrary(None, cache).load_path(folder / "left_behind_child.xlsx")
    assert not cache.directory.exists() or not list(cache.directory.glob("*.form"))
    FormLibrary(None, cache).load_path(BUILTIN_DIR / "left_behind_child.xlsx")  # the app's own: kept
    assert len(list(cache.directory.glob("*.form"))) == 1
