"""A pull (forms and the registry from a real server on 127.0.0.1) onto a laptop whose disk is full (a filled
tmpfs): 磁盘空间不足, nothing half-applied (the registry cursor does not move past what was not stored), and the
next sync after freeing space receives everything."""

from __future__ import annotations

import pytest
from conftest import PASS

from app.errors import CunFangError, ErrorCode
from app.store import Store
from app.store.keyring import FAST_KDF
from sync.client.client import SyncClient, SyncReport, enroll
from tests.disk import fill, free, small_disk


def sync(store):
    with SyncClient(store) as client:
        return client.run()


def contents(store: Store) -> dict[str, list]:
    return {t: store.query(f"SELECT * FROM {t} ORDER BY rowid") for t in ("persons", "forms", "settings")}


def test_a_pull_onto_a_full_disk(sqlite_server, laptop_factory, tmp_path):
    a = laptop_factory(sqlite_server, "a")
    for i in range(40):
        a.add_person(name=f"王秀英{i}", kind="elder", village_id="V1", phone=f"138{i:08d}")
    assert not sync(a).error

    with small_disk(tmp_path / "disk", 8) as disk:
        b = Store.create(disk / "laptop", PASS, kdf=FAST_KDF)
        try:
            b.add_village("V1", "V1村", town="示范镇", county="示范县")
            enroll(b, sqlite_server.url, sqlite_server.user("b", "village_cadre", "V1"), device_name="b-pc")
            b.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            before = contents(b)
            fill(disk)
            with SyncClient(b) as client:
                for pull in (client._pull_forms, client._pull_registry):
                    with pytest.raises(CunFangError) as caught:
                        pull(SyncReport())
                    assert caught.value.code is ErrorCode.DISK_FULL
                    assert "磁盘空间不足" in str(caught.value) and str(b.data_dir) in str(caught.value)
            assert contents(b) == before
            try:  # a whole run: the report (or, when even its audit entry cannot be written, the error) says so
                report = sync(b)
                assert "磁盘空间不足" in report.error
            except CunFangError as exc:
                assert exc.code is ErrorCode.DISK_FULL
            assert contents(b) == before

            free(disk)
            report = sync(b)
            assert not report.error, report.error
            assert len(b.query("SELECT id FROM persons")) == 40
            assert b.query("SELECT count(*) AS n FROM forms")[0]["n"] > 0
            assert b.query("PRAGMA integrity_check") == [{"integrity_check": "ok"}]
        finally:
            free(disk)
            b.close()
