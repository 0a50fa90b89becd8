"""A laptop that never reaches the bureau (no network in the village): the bureau enrolls it with a file sealed by
the user's one-time token (``cunfang-server device enroll-file``), the laptop enrolls from it and writes USB
packages, and the bureau imports them: each record accepted. Against a real server on 127.0.0.1."""

from __future__ import annotations

import re

import pytest
from conftest import add_visit, new_laptop

from app.errors import CunFangError, ErrorCode
from sync.client.client import SyncClient, enroll_from_file, settings
from sync.client.packages import export_package


def test_a_laptop_without_network_enrolls_from_a_file_and_its_usb_package_is_accepted(sqlite_server, tmp_path):
    token = sqlite_server.user("offline-cadre", "village_cadre", "V1")
    enrollment = tmp_path / "登记文件.cfenroll"
    made = sqlite_server.cli("device", "enroll-file", token, str(enrollment), "--url", sqlite_server.url)
    assert "登记文件" in made.stdout and token not in enrollment.read_bytes().decode("latin-1")

    laptop = new_laptop(tmp_path / "laptop")
    try:
        laptop.add_village("V1", "东山村", town="示范镇")
        with pytest.raises(CunFangError) as refused:  # a wrong token opens nothing
            enroll_from_file(laptop, enrollment, token[:-2] + "xx")
        assert refused.value.code is ErrorCode.SYNC_ENROLL_FILE_BAD
        assert not re.search(r"[A-Za-z_]{5,}", refused.value.message.replace(enrollment.name, ""))
        assert not settings(laptop).get("credential")

        answer = enroll_from_file(laptop, enrollment, token)
        assert answer.user.name == "offline-cadre" and settings(laptop)["url"] == sqlite_server.url
        uuid = add_visit(laptop, "V1")
        assert export_package(laptop, tmp_path / "村访通.cfpkg") == 1
        imported = sqlite_server.cli("package", "import", str(tmp_path / "村访通.cfpkg"))
        assert imported.returncode == 0
        assert sqlite_server.service.count_records()["records"] == 1

        with SyncClient(laptop) as client:  # the day a network is there, the same credential syncs
            report = client.run()
        assert report.error == "" and [r.uuid for r in report.results] == [uuid]
        assert laptop.get_record(uuid)["status"] == "accepted"
    finally:
        laptop.close()

    used = sqlite_server.cli("device", "enroll-file", token, str(tmp_path / "again.cfenroll"), "--url",
                             sqlite_server.url, check=False)
    assert used.returncode == 1 and "登记码无效" in used.stderr  # a token enrolls once, by network or by file
