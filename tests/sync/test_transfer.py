"""``cunfang-server db copy``: a bureau moves from the SQLite default to PostgreSQL and carries on where it stopped.

A real server on SQLite receives records (with attachments), registry rows, audit entries and a conflict from
laptops; its database is copied into a fresh PostgreSQL database (created and dropped by tests/sync/conftest.py's
``pg_url``: skipped with a reason when PostgreSQL is unreachable, a failure under CI=true); a server on the copy
answers for the old records as before and takes new users, laptops and records (the id sequences moved on).
"""

from __future__ import annotations

import hashlib
import json

import pytest
import sqlalchemy as sa
from conftest import add_visit, visit_form

from sync.client import outbox
from sync.client.client import SyncClient, settings
from sync.protocol import CHUNK_SIZE, Outcome, content_hash
from sync.server import tables as t
from sync.server.db import make_engine
from sync.server.transfer import TransferError, copy_database

PHOTO = bytes(range(256)) * 1200  # 300 KiB: two upload chunks, one attachment row of its own


def sync(store):
    with SyncClient(store) as client:
        return client.run()


def rows(url: str, table: sa.Table) -> list[tuple]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.select(table).order_by(*table.primary_key.columns))]
    finally:
        engine.dispose()


@pytest.fixture
def filled(sqlite_server, laptop_factory):
    """A SQLite bureau after a day's work: two laptops, records and a revision, a photo and half of another,
    persons, audit entries and a conflict; then the server is stopped, as before a move."""
    first = laptop_factory(sqlite_server, "zhang")
    second = laptop_factory(sqlite_server, "li")
    shared = add_visit(first, "V1", name="王秀英", attachments={"photo.jpg": PHOTO})
    for name in ("李建国", "张桂兰", "赵德胜"):
        add_visit(first, "V1", name=name)
    add_visit(second, "V1", name="孙玉兰")
    assert sync(first).counts() == {"accepted": 4} and sync(second).counts() == {"accepted": 1}
    data = first.get_record(shared)["data"]
    data["visitor"] = "李四"
    first.edit_record(shared, visit_form(), data, author="李四", reason="探访人写错了")
    assert sync(first).counts() == {"accepted": 1}  # revision 2
    # another laptop's different revision 2 of the same record: a conflict, kept whole on the server
    theirs = outbox.envelope(first, first.query("SELECT * FROM records WHERE uuid = ?", [shared])[0])
    theirs.data["visitor"] = "王五"
    theirs.content_hash = content_hash(theirs.form_id, theirs.form_version, theirs.data, theirs.attachments)
    caller = sqlite_server.service.authenticate(settings(second)["credential"])
    assert sqlite_server.service.push_one(caller, theirs).outcome is Outcome.CONFLICT
    sqlite_server.service.put_chunk(caller, hashlib.sha256(PHOTO[::-1]).hexdigest(), 0, len(PHOTO),
                                    PHOTO[:CHUNK_SIZE])
    sqlite_server.stop()
    return sqlite_server, first, second


def test_sqlite_to_postgres_and_the_bureau_carries_on(filled, pg_url, start_server, laptop_factory):
    old, first, second = filled
    before = old.cli("records", "count", "--json")

    copied = old.cli("db", "copy", "--from", old.db, "--to", pg_url, "--batch", "2")  # many small batches

    assert "复制完成" in copied.stdout and "行数与源数据库一致" in copied.stdout, copied.stderr
    for table in t.metadata.sorted_tables:  # every row, every byte (attachments, keys, credentials' hashes)
        assert rows(pg_url, table) == rows(old.db, table), table.name
    new = start_server(pg_url)
    assert new.cli("records", "count", "--json").stdout == before.stdout

    for laptop in (first, second):
        laptop.set_setting("sync.url", new.url)  # the bureau's address now points at the new server
    extra = add_visit(first, "V1", name="周新来")
    report = sync(first)
    assert report.error == "" and [r.uuid for r in report.results] == [extra]
    assert report.results[0].outcome is Outcome.ACCEPTED  # a new revision id after the copied ones
    third = laptop_factory(new, "wang")  # a new user and device: their ids continue after the copied ones too
    add_visit(third, "V1", name="吴新人")
    assert sync(third).counts() == {"accepted": 1}
    assert settings(third)["server_id"] == settings(first)["server_id"]  # the same bureau, not a new one
    counts = json.loads(new.cli("records", "count", "--json").stdout)
    assert counts["records"] == json.loads(before.stdout)["records"] + 2


def test_postgres_back_to_sqlite(filled, pg_url, tmp_path):
    old = filled[0]
    copy_database(old.db, pg_url)
    back = tmp_path / "back.db"
    counts = copy_database(pg_url, str(back), batch_bytes=1)  # one row per batch: the byte budget splits them
    assert all(c.ok for c in counts) and {c.table for c in counts} == set(t.metadata.tables)
    assert {c.table: c.target for c in counts if c.table in ("record_revisions", "conflicts", "attachment_chunks")} \
        == {"record_revisions": 6, "conflicts": 1, "attachment_chunks": 1}
    assert rows(str(back), t.attachments) == rows(old.db, t.attachments)


def test_the_target_must_be_empty_and_the_source_a_bureau_database(filled, pg_url, tmp_path):
    old = filled[0]
    copy_database(old.db, pg_url)
    with pytest.raises(TransferError, match="目标数据库里已经有数据"):
        copy_database(old.db, pg_url)
    refused = old.cli("db", "copy", "--from", old.db, "--to", pg_url, check=False)
    assert refused.returncode == 1 and "请复制到一个新建的空数据库" in refused.stderr
    assert "Traceback" not in refused.stderr

    empty = tmp_path / "empty.db"
    sa.create_engine(f"sqlite:///{empty}").connect().close()
    with pytest.raises(TransferError, match="没有村访通服务器的表"):
        copy_database(str(empty), str(tmp_path / "out.db"))
    with pytest.raises(TransferError, match="找不到源数据库文件"):
        copy_database(str(tmp_path / "typo.db"), str(tmp_path / "out.db"))
    with pytest.raises(TransferError, match="同一个"):
        copy_database(old.db, old.db)
