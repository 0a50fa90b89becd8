"""HTTPS: a bureau CA file makes the server trusted; without it the laptop refuses, in plain words."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import requests
from conftest import ROOT, add_visit, free_port, new_laptop

from app.errors import CunFangError, ErrorCode
from sync.client.client import SyncClient, enroll

trustme = pytest.importorskip("trustme")


@pytest.fixture
def https_server(tmp_path):
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert.private_key_pem.write_to_path(str(tmp_path / "key.pem"))
    cert.cert_chain_pems[0].write_to_path(str(tmp_path / "cert.pem"))
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    db, port = str(tmp_path / "s.db"), free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115
    process = subprocess.Popen([sys.executable, "-m", "sync.server.cli", "--db", db, "serve", "--port", str(port),
                                "--ssl-certfile", str(tmp_path / "cert.pem"), "--ssl-keyfile",
                                str(tmp_path / "key.pem")], stdout=log, stderr=subprocess.STDOUT, cwd=ROOT)
    url = f"https://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(url + "/api/v1/health", timeout=1, verify=str(tmp_path / "ca.pem"))
            break
        except requests.RequestException:
            time.sleep(0.1)
    from sync.server.api import open_service

    token = open_service(db).add_user("li", "village_cadre", ["V1"])
    yield url, token, str(tmp_path / "ca.pem")
    process.terminate()
    process.wait(timeout=10)
    log.close()


def test_an_unknown_certificate_is_refused_plainly_and_never_ignored(https_server, tmp_path):
    url, token, _ca = https_server
    laptop = new_laptop(tmp_path / "laptop")
    with pytest.raises(CunFangError) as refused:
        enroll(laptop, url, token)
    assert refused.value.code is ErrorCode.SYNC_TLS_FAILED
    assert "证书" in refused.value.message and "不要关闭证书检查" in refused.value.message
    laptop.close()


def test_the_bureau_ca_file_makes_the_server_trusted(https_server, tmp_path):
    url, token, ca = https_server
    laptop = new_laptop(tmp_path / "laptop")
    laptop.add_village("V1", "东山村")
    enroll(laptop, url, token, ca_file=ca)
    add_visit(laptop, "V1")
    with SyncClient(laptop) as client:
        report = client.run()
    assert report.error == "" and [r.outcome.value for r in report.results] == ["accepted"]
    laptop.close()
