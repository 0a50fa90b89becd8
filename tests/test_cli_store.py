"""`cunfang init|demo|records list|persons search|doctor` as a script or county IT person runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASS = "村访通-secret"


def run(*args: str, data_dir: Path, passphrase: str | None = PASS) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CUNFANG_")}
    if passphrase is not None:
        env["CUNFANG_PASSPHRASE"] = passphrase
    return subprocess.run([sys.executable, "-m", "app.cli", "--data-dir", str(data_dir), *args], cwd=ROOT,
                          capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL,
                          timeout=300)


def test_create_fill_and_check_a_store(tmp_path):
    data = tmp_path / "data"
    created = run("init", data_dir=data)
    assert created.returncode == 0, created.stderr
    demo = run("demo", "--persons", "300", "--seed", "5", data_dir=data)
    assert demo.returncode == 0, demo.stderr
    assert "300 人" in demo.stdout

    listed = run("records", "list", "--status", "queued", "--limit", "5", "--json", data_dir=data)
    rows = [json.loads(line) for line in listed.stdout.splitlines()]
    assert rows and all(r["status"] == "queued" for r in rows)

    found = run("persons", "search", "--json", "--limit", "3", rows[0]["person_name"][:2], data_dir=data)
    people = [json.loads(line) for line in found.stdout.splitlines()]
    assert people and all("*" in p["id_number"] for p in people)  # masked on screen

    healthy = run("doctor", data_dir=data)
    assert healthy.returncode == 0, healthy.stderr
    assert "数据库健康" in healthy.stdout


def test_store_commands_explain_problems_without_tracebacks(tmp_path):
    data = tmp_path / "data"
    missing = run("doctor", data_dir=data)
    assert missing.returncode != 0 and "cunfang init" in missing.stderr

    no_pass = run("init", data_dir=data, passphrase=None)
    assert no_pass.returncode != 0 and "CUNFANG_PASSPHRASE" in no_pass.stderr
    assert not data.exists() or not any(data.iterdir())

    assert run("init", data_dir=data).returncode == 0
    again = run("init", data_dir=data)
    assert again.returncode != 0 and "不会覆盖" in again.stderr

    wrong = run("records", "list", data_dir=data, passphrase="wrong-pass")
    assert wrong.returncode != 0 and "密码不正确" in wrong.stderr
    for result in (missing, no_pass, again, wrong):
        assert "Traceback" not in result.stderr + result.stdout


def test_doctor_fails_on_a_damaged_file(tmp_path):
    data = tmp_path / "data"
    assert run("init", data_dir=data).returncode == 0
    assert run("demo", "--persons", "50", data_dir=data).returncode == 0
    db = data / "cunfang.db"
    content = bytearray(db.read_bytes())
    middle = len(content) // 2
    content[middle : middle + 64] = bytes(64)
    db.write_bytes(bytes(content))
    result = run("doctor", data_dir=data)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr


def test_init_with_the_township_makes_its_villages_the_forms_choices(tmp_path):
    data = tmp_path / "data"
    unknown = run("init", "--township", "340123199", data_dir=data)
    assert unknown.returncode != 0 and "不在区划表里" in unknown.stderr and "Traceback" not in unknown.stderr
    assert run("init", "--township", "340123101", data_dir=data).returncode == 0
    answers = tmp_path / "house.json"
    answers.write_text(json.dumps({
        "region_code": "340123101202", "group_name": "三组", "house_no": "12", "side": "even", "plate_type": "small",
        "plate_status": "new", "install_date": "2026-11-20", "bldg_use": "residence", "occupied": "resident",
        "head_name": "王德福", "head_phone": "138 0000 1234", "location": "31.5201 117.3102 28 6",
        "photo": "plate-12.jpg", "registrar": "李秀兰"}, ensure_ascii=False), encoding="utf-8")
    added = run("records", "add", "house_number", "--answers", str(answers), "--finalize", "--json", data_dir=data)
    assert added.returncode == 0, added.stderr
    listed = run("records", "list", "--json", data_dir=data)
    (record,) = [json.loads(line) for line in listed.stdout.splitlines()]
    assert record["status"] == "finalized", record  # valid: 太华村 is one of the township's villages
