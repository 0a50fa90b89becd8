"""Form versions on a laptop: new records get the newest version, old records keep theirs."""

from __future__ import annotations

import io
from pathlib import Path

from openpyxl import load_workbook

from app.forms.library import FormLibrary, archived_paths, builtin_paths, version_key
from app.store import Store
from app.store.keyring import FAST_KDF
from app.store.store import utc_now


def bumped(path: Path, version: str) -> bytes:
    """The same workbook with another settings.version (what the bureau would publish)."""
    workbook = load_workbook(path)
    sheet = workbook["settings"]
    header = [cell.value for cell in sheet[1]]
    sheet.cell(row=2, column=header.index("version") + 1, value=version)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def test_versions_are_ordered_as_people_write_them():
    assert version_key("2026.10") > version_key("2026.9") > version_key("2025.12")
    assert sorted(["2", "10", "1"], key=version_key) == ["1", "2", "10"]


def test_a_pulled_newer_version_is_used_for_new_records_and_old_records_keep_theirs(tmp_path):
    store = Store.create(tmp_path / "d", "secret123", kdf=FAST_KDF)
    path = next(p for p in builtin_paths() if p.stem == "elder_visit")
    content = bumped(path, "2026.10")
    store.conn.execute("INSERT INTO forms (form_id, version, title, content, sha256, received_at) "
                       "VALUES ('elder_visit', '2026.10', 't', ?, 'x', ?)", [content, utc_now()])
    library = FormLibrary(store)

    newest = {form.form_id: form.version for form in library.latest()}

    assert newest["elder_visit"] == "2026.10"
    assert newest["child_visit"] == "2026.3"
    assert library.get("elder_visit", "2026.1").version == "2026.1"
    assert library.get("elder_visit").version == "2026.10"
    assert library.get("elder_visit", "1999.1").version == "2026.10"  # unknown version: the newest, not nothing
    assert library.get("no_such_form") is None
    store.close()


def test_a_record_made_with_an_earlier_built_in_version_opens_with_it():
    """The program brought new versions of the built-in forms (2026.2); a record filled with 2026.1 before the
    upgrade still opens with 2026.1 (kept in resources/forms/versions), and new records get the newest."""
    library = FormLibrary()
    assert library.get("elder_visit", "2026.1").version == "2026.1"
    assert library.get("elder_visit").version != "2026.1"
    assert "2026.1" not in {form.version for form in library.latest() if form.form_id == "elder_visit"}
    for path in archived_paths():
        form_id, version = path.stem.rsplit("-", 1)
        assert library.get(form_id, version).version == version
