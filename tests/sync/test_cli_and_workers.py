"""What a newcomer and a county script do: the commands end to end, and many server workers at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading

import requests
import sqlalchemy as sa
from conftest import PASS, ROOT, add_visit
from openpyxl import load_workbook

from app.store import Store
from sync.client import outbox
from sync.client.client import settings
from sync.protocol import API
from sync.server import tables as t


def cunfang(data_dir, *args: str) -> subprocess.CompletedProcess:
    env = os.environ | {"CUNFANG_PASSPHRASE": PASS, "CUNFANG_DATA_DIR": str(data_dir)}
    return subprocess.run([sys.executable, "-m", "ui.entry", *args], capture_output=True, text=True, env=env,
                          timeout=300, cwd=ROOT)


def test_a_newcomer_enrolls_syncs_and_finds_the_records_in_the_bureau_export(sqlite_server, tmp_path):
    laptop_dir = tmp_path / "laptop"
    assert cunfang(laptop_dir, "init").returncode == 0
    assert cunfang(laptop_dir, "demo", "--persons", "60", "--seed", "3").returncode == 0
    with Store.open(laptop_dir, PASS) as store:
        villages = [v["id"] for v in store.villages()]
        waiting = store.query("SELECT count(*) AS n FROM records WHERE status IN ('finalized', 'queued') "
                              "AND form_id = 'elder_visit'")[0]["n"]
    token = sqlite_server.cli("user", "add", "王村干", "--role", "village_cadre", "--villages",
                              ",".join(villages)).stdout.strip().splitlines()[-1]

    enrolled = cunfang(laptop_dir, "enroll", sqlite_server.url, token)
    synced = cunfang(laptop_dir, "sync", "--json")
    status = json.loads(cunfang(laptop_dir, "sync", "status", "--json").stdout)

    assert enrolled.returncode == 0 and "登记成功" in enrolled.stdout
    assert synced.returncode == 0, synced.stderr
    report = json.loads(synced.stdout)
    assert report["counts"].get("accepted", 0) >= waiting > 0
    assert {r["outcome"] for r in report["results"]} <= {"accepted", "rejected"}  # child forms: not a cadre's
    assert status["enrolled"] and status["pending"] == 0 and status["last_run"]["error"] == ""
    counted = json.loads(sqlite_server.cli("records", "count", "--json").stdout)
    assert counted["records"] == report["counts"]["accepted"]
    out = tmp_path / "县局台账.xlsx"
    sqlite_server.cli("export", "--out", str(out))
    workbook = load_workbook(out)
    assert sum(sheet.max_row - 1 for sheet in workbook.worksheets) == counted["records"]


def test_sync_without_a_server_exits_non_zero_with_a_plain_message(sqlite_server, laptop_factory):
    laptop = laptop_factory(sqlite_server)
    add_visit(laptop, "V1")
    laptop.set_setting("sync.url", "http://127.0.0.1:9")
    directory = laptop.data_dir
    laptop.close()

    result = cunfang(directory, "sync")

    assert result.returncode == 1
    assert "连不上服务器" in result.stderr and "Traceback" not in result.stderr


def test_many_workers_pushing_the_same_records_store_each_once(pg_url, start_server, laptop_factory):
    server = start_server(pg_url, workers=3)
    laptop = laptop_factory(server)
    for n in range(40):
        add_visit(laptop, "V1", name=f"老人{n}")
    outbox.queue_finalized(laptop)
    body = {"records": [env.model_dump(mode="json") for env in outbox.pending(laptop, 200)]}
    headers = {"Authorization": f"Bearer {settings(laptop)['credential']}"}
    answers: list[list[str]] = []
    barrier = threading.Barrier(6)

    def push() -> None:
        with requests.Session() as session:  # a connection of its own: the workers take them in parallel
            barrier.wait(timeout=30)
            response = session.post(f"{server.url}{API}/records", json=body, headers=headers, timeout=120)
            answers.append([r["outcome"] for r in response.json()["results"]])

    threads = [threading.Thread(target=push) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=180)

    assert len(answers) == 6
    per_record = list(zip(*answers, strict=True))
    assert all(sorted(outcomes).count("accepted") == 1 for outcomes in per_record)  # exactly one push stored it
    assert all(set(outcomes) <= {"accepted", "duplicate"} for outcomes in per_record)
    assert server.service.count_records() == {"records": 40, "revisions": 40, "conflicts": 0,
                                              "by_form": {"elder_visit": 40}}
    with server.service.engine.connect() as conn:
        audited = conn.execute(sa.select(t.audit.c.outcome, sa.func.count()).where(t.audit.c.action == "push")
                               .group_by(t.audit.c.outcome)).all()
    assert dict(audited) == {"accepted": 40, "duplicate": 200}  # every answer is in the server's audit
