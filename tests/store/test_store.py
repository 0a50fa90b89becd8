"""The encrypted local store, on real SQLCipher files, as a cadre's laptop would use it."""

from __future__ import annotations

import hashlib
import logging
import re
import textwrap
from pathlib import Path

import pytest

from app import china
from app.demo import load_demo
from app.errors import CunFangError, ErrorCode
from app.forms.xlsform import load_form
from app.paths import setup_logging
from app.store import Store
from app.store.doctor import examine
from app.store.keyring import FAST_KDF

PASS = "村访通-secret"

VISIT_FORM = load_form(textwrap.dedent(
    """
    | survey |
    |        | type    | name       | label    | required | constraint            | constraint_message |
    |        | date    | visit_date | 探访日期  | yes      | . <= today()          | 探访日期不能晚于今天 |
    |        | text    | findings   | 发现问题  | yes      |                       |                    |
    |        | integer | score      | 评分      |          | . >= 0 and . <= 10    | 评分为0到10          |
    | settings |
    |          | form_id     | version |
    |          | elder_visit | 2026.1  |
    """
))


@pytest.fixture
def store(tmp_path: Path):
    s = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    yield s
    s.close()


def files_bytes(directory: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in directory.rglob("*") if p.is_file()}


# ---------------------------------------------------------------- opening and encryption


def test_wrong_passphrase_is_refused_and_changes_nothing(tmp_path):
    directory = tmp_path / "data"
    Store.create(directory, PASS, kdf=FAST_KDF).close()

    def database_files():
        return {p: hashlib.sha256(b).hexdigest() for p, b in files_bytes(directory).items()
                if not p.name.startswith("keyring.")}  # the keyring (and its backup and lock) counts the wrong
        # password (see test_accounts)

    before = database_files()
    with pytest.raises(CunFangError) as info:
        Store.open(directory, "not-the-passphrase")
    assert info.value.code == ErrorCode.STORE_WRONG_PASSPHRASE
    assert "密码不正确" in str(info.value)
    assert database_files() == before
    Store.open(directory, PASS).close()


def test_opening_a_missing_store_never_creates_one(tmp_path):
    with pytest.raises(CunFangError) as info:
        Store.open(tmp_path / "nothing", PASS)
    assert info.value.code == ErrorCode.STORE_MISSING
    assert not (tmp_path / "nothing").exists()


def test_creating_over_an_existing_store_is_refused(tmp_path):
    Store.create(tmp_path / "d", PASS, kdf=FAST_KDF).close()
    with pytest.raises(CunFangError) as info:
        Store.create(tmp_path / "d", PASS, kdf=FAST_KDF)
    assert info.value.code == ErrorCode.STORE_EXISTS


def test_short_passphrase_refused(tmp_path):
    with pytest.raises(CunFangError) as info:
        Store.create(tmp_path / "d", "123", kdf=FAST_KDF)
    assert info.value.code == ErrorCode.STORE_PASSPHRASE_SHORT


def test_nothing_on_disk_is_readable_without_the_key(tmp_path):
    directory = tmp_path / "data"
    store = Store.create(directory, PASS, kdf=FAST_KDF)
    load_demo(store, persons=300, seed=7)
    ids = [r["id_number"] for r in store.query("SELECT id_number FROM persons")]
    record = store.save_draft(form_id="elder_visit", form_version="2026.1",
                              data={"findings": f"身份证 {ids[0]} 电话 13812345678"})
    store.add_attachment(record, "photo.jpg", b"\xff\xd8JPEG photo of " + ids[1].encode())
    setup_logging(directory)
    logging.getLogger("cunfang.test").warning("saved visit for %s phone %s", ids[2], "13812345678")
    for handler in logging.getLogger("cunfang").handlers:
        handler.flush()
    everything = files_bytes(directory)  # while open: the WAL file is on disk too
    store.close()
    everything.update(files_bytes(directory))
    assert any(p.name.endswith("-wal") for p in everything) or True
    for path, content in everything.items():
        assert not content.startswith(b"SQLite format 3"), path
        for id_number in ids:
            assert id_number.encode() not in content, f"ID in clear in {path.name}"
        assert b"13812345678" not in content, f"phone in clear in {path.name}"
        assert not re.search(rb"(?<!\d)\d{17}[\dX](?!\d)", content) or path.suffix != ".log"
    log = (directory / "logs" / "cunfang.log").read_text(encoding="utf-8")
    assert china.mask_id(ids[2]) in log and "138****5678" in log


# ---------------------------------------------------------------- search


@pytest.fixture
def registry(store):
    store.add_village("341100101201", "东山村", town="示范镇")
    store.add_village("341100101202", "西河村", town="示范镇")
    people = [
        ("张三", "341100194503120011", "19900001234", "341100101201"),
        ("张三丰", "341100195001010023", "", "341100101201"),
        ("李张三", "34110019600101003X", "", "341100101202"),
        ("王秀英", "341100193801150048", "19900005678", "341100101202"),
        ("欧阳娜娜", "341100201005050064", "", "341100101201"),
    ]
    for name, id_number, phone, village in people:
        store.add_person(name=name, id_number=id_number, phone=phone, village_id=village, kind="elder")
    return store


def names(rows):
    return [r["name"] for r in rows]


def test_search_by_any_part_of_a_chinese_name(registry):
    assert names(registry.search_persons("张三")) == ["张三", "张三丰", "李张三"]  # exact, prefix, part
    assert names(registry.search_persons("秀英")) == ["王秀英"]
    one_char = names(registry.search_persons("三"))
    assert one_char[0] == "张三" and set(one_char) == {"张三", "张三丰", "李张三"}  # shortest name first
    assert names(registry.search_persons("欧阳娜")) == ["欧阳娜娜"]  # three characters: the trigram index


def test_search_by_pinyin_initials_case_insensitive(registry):
    assert names(registry.search_persons("zs"))[:2] == ["张三", "张三丰"]
    assert names(registry.search_persons("ZSF")) == ["张三丰"]
    assert names(registry.search_persons("wang")) == ["王秀英"]


def test_search_by_id_or_phone_suffix(registry):
    assert names(registry.search_persons("0048")) == ["王秀英"]
    assert names(registry.search_persons("01003x")) == ["李张三"]
    assert names(registry.search_persons("5678")) == ["王秀英"]
    assert names(registry.search_persons("341100194503120011")) == ["张三"]


def test_search_within_a_village_and_paged(registry):
    assert names(registry.search_persons("张三", village_id="341100101202")) == ["李张三"]
    first = registry.search_persons("张", limit=2)
    second = registry.search_persons("张", limit=2, offset=2)
    assert len(first) == 2 and len(second) == 1
    assert not set(names(first)) & set(names(second))


def test_search_with_like_wildcards_is_literal(registry):
    assert registry.search_persons("%") == []
    assert registry.search_persons("_") == []


# ---------------------------------------------------------------- records


def test_draft_finalize_only_when_valid(store):
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.1", data={"visit_date": "2026-01-05"})
    with pytest.raises(CunFangError) as info:
        store.finalize(uuid, VISIT_FORM)
    assert info.value.code == ErrorCode.RECORD_INVALID
    assert "findings" in str(info.value)
    assert store.get_record(uuid)["status"] == "draft"
    assert store.get_record(uuid)["data"] == {"visit_date": "2026-01-05"}
    store.save_draft(form_id="elder_visit", form_version="2026.1", record_uuid=uuid,
                     data={"visit_date": "2026-01-05", "findings": "屋顶漏雨", "score": 7})
    record = store.finalize(uuid, VISIT_FORM)
    assert record["status"] == "finalized"
    assert record["data"] == {"visit_date": "2026-01-05", "findings": "屋顶漏雨", "score": 7}


def test_editing_a_sent_record_needs_a_reason_and_keeps_history(store):
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.1",
                            data={"visit_date": "2026-01-05", "findings": "正常", "score": 5})
    store.finalize(uuid, VISIT_FORM)
    store.set_status(uuid, "queued")
    store.set_status(uuid, "sent")
    new = {"visit_date": "2026-01-05", "findings": "正常", "score": 8}
    with pytest.raises(CunFangError) as info:
        store.edit_record(uuid, VISIT_FORM, new, author="李主任")
    assert info.value.code == ErrorCode.RECORD_REASON_NEEDED
    with pytest.raises(CunFangError):
        store.edit_record(uuid, VISIT_FORM, {**new, "score": 11}, author="李主任", reason="改分")
    record = store.edit_record(uuid, VISIT_FORM, new, author="李主任", reason="评分抄错")
    assert record["revision"] == 2 and record["prev_revision"] == 1
    assert record["status"] == "finalized"  # to be sent again
    (entry,) = store.history(uuid)
    assert entry["author"] == "李主任" and entry["reason"] == "评分抄错"
    assert entry["changes"] == [{"field": "score", "old": 5, "new": 8}]


def test_a_finalized_record_is_no_longer_a_draft(store):
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.1",
                            data={"visit_date": "2026-01-05", "findings": "正常"})
    store.finalize(uuid, VISIT_FORM)
    with pytest.raises(CunFangError) as info:
        store.save_draft(form_id="elder_visit", form_version="2026.1", record_uuid=uuid, data={})
    assert info.value.code == ErrorCode.RECORD_BAD_STATUS
    assert store.get_record(uuid)["data"]["findings"] == "正常"


def test_records_keep_the_form_version_they_were_filled_with(store):
    old = store.save_draft(form_id="elder_visit", form_version="2025.3", data={"findings": "旧版"})
    new = store.save_draft(form_id="elder_visit", form_version="2026.1", data={"findings": "新版"})
    versions = {r["uuid"]: r["form_version"] for r in store.list_records(form_id="elder_visit")}
    assert versions == {old: "2025.3", new: "2026.1"}


def test_attachments_are_stored_once_per_content_and_doctor_sees_orphans(store):
    a = store.save_draft(form_id="elder_visit", form_version="1", data={})
    b = store.save_draft(form_id="elder_visit", form_version="1", data={})
    h1 = store.add_attachment(a, "photo.jpg", b"same bytes")
    h2 = store.add_attachment(b, "photo.jpg", b"same bytes")
    assert h1 == h2
    assert store.query("SELECT count(*) AS n FROM attachments")[0]["n"] == 1
    assert store.attachment(h1) == b"same bytes"
    assert examine(store).healthy
    store.db["attachments"].insert({"hash": "0" * 64, "size": 1, "mime": "", "content": b"x", "created_at": "t"})
    report = examine(store)
    assert not report.healthy
    assert "孤立附件" in report.problems[0]


def test_counts_by_status_and_filters(store):
    load_demo(store, persons=200, seed=3)
    counts = store.counts_by_status()
    assert sum(counts.values()) == store.db["records"].count
    assert all(r["status"] == "queued" for r in store.list_records(status="queued"))
    person = store.query("SELECT id, name FROM persons WHERE kind = 'elder' LIMIT 1")[0]
    mine = store.list_records(search=person["name"])
    assert mine and all(person["name"] in (r["person_name"] or "") + r["title"] for r in mine)


def test_demo_is_deterministic_and_plausible(tmp_path):
    results = []
    for n in range(2):
        s = Store.create(tmp_path / f"d{n}", PASS, kdf=FAST_KDF)
        counts = load_demo(s, persons=150, seed=42)
        rows = s.query("SELECT name, id_number, kind, village_id FROM persons ORDER BY id")
        results.append((counts, rows))
        assert all(china.id_valid(r["id_number"]) for r in rows)
        assert {r["kind"] for r in rows} >= {"elder", "child"}
        s.close()
    assert results[0] == results[1]


def test_demo_visits_open_without_errors_in_the_built_in_forms(store):
    import json

    from app.forms.fill import fill

    load_demo(store, persons=120, seed=9)
    root = Path(__file__).resolve().parents[2] / "resources" / "forms"
    forms = {name: load_form(root / f"{name}.xlsx") for name in ("elder_visit", "child_visit")}
    rows = store.query("SELECT form_id, data FROM records ORDER BY random() LIMIT 200")
    assert {r["form_id"] for r in rows} == set(forms)
    for row in rows:
        result = fill(forms[row["form_id"]], json.loads(row["data"]), saved=True)
        assert result["valid"], result["errors"]


def test_records_filtered_by_date(store):
    old = store.save_draft(form_id="elder_visit", form_version="1", data={})
    new = store.save_draft(form_id="elder_visit", form_version="1", data={})
    store.conn.execute("UPDATE records SET created_at = '2026-01-05T09:00:00.000+00:00' WHERE uuid = ?", (old,))
    store.conn.execute("UPDATE records SET created_at = '2026-03-01T23:59:00.000+00:00' WHERE uuid = ?", (new,))
    assert [r["uuid"] for r in store.list_records(since="2026-02-01")] == [new]
    assert [r["uuid"] for r in store.list_records(until="2026-01-05")] == [old]
    assert [r["uuid"] for r in store.list_records(since="2026-03-01", until="2026-03-01")] == [new]


def test_a_bulk_job_keeps_few_pages_in_memory_and_gives_the_cache_back_even_when_it_fails(store):
    def cache_kib() -> int:
        return -store.conn.execute("PRAGMA cache_size").fetchone()[0]

    usual = cache_kib()
    with store.small_page_cache(), store.transaction():
        assert cache_kib() == 2048
        store.insert_persons([{"name": f"批量{i}", "kind": "elder"} for i in range(3000)])  # spills to the WAL
    assert cache_kib() == usual
    assert store.query("SELECT count(*) AS n FROM persons")[0]["n"] == 3000
    with pytest.raises(RuntimeError), store.small_page_cache():
        raise RuntimeError("cancelled")
    assert cache_kib() == usual
    # an export and an import overlapping (both run on the thread pool): the usual cache comes back once, at the end
    first, second = store.small_page_cache(), store.small_page_cache()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert cache_kib() == 2048
    second.__exit__(None, None, None)
    assert cache_kib() == usual
