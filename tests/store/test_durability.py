"""Nothing reported saved is ever lost: process kills mid-write, and schema migrations."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from app.store import Store
from app.store.doctor import examine
from app.store.keyring import FAST_KDF
from app.store.migrate import available
from tests.processes import kill_hard

PASS = "村访通-secret"
ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent(
    """
    import sys, uuid
    from pathlib import Path
    from app.store import Store
    store = Store.open(Path(sys.argv[1]), sys.argv[2])
    person = store.add_person(name="张三", kind="elder")
    print("person", person, flush=True)
    drafts = [str(uuid.uuid4()) for _ in range(5)]
    i = 0
    while True:
        i += 1
        target = drafts[i % 5]
        store.save_draft(form_id="elder_visit", form_version="1", record_uuid=target,
                         data={"n": i, "note": "探访记录" * 20}, person_id=person)
        print("draft", target, i, flush=True)
        if i % 7 == 0:
            new = store.save_draft(form_id="child_visit", form_version="1", data={"n": i})
            print("new", new, i, flush=True)
    """
)


def kill_rounds() -> int:
    return int(os.environ.get("CUNFANG_KILL_ROUNDS", "4"))


def run_and_kill(directory: Path, lines_before_kill: int) -> list[list[str]]:
    child = subprocess.Popen([sys.executable, "-c", WRITER, str(directory), PASS], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reported = []
    try:
        for _ in range(lines_before_kill):
            line = child.stdout.readline()
            if not line:
                break
            reported.append(line.split())
    finally:
        kill_hard(child)  # kill -9 on POSIX, TerminateProcess on Windows
        child.wait(timeout=30)
    assert reported, child.stderr.read()
    return reported


@pytest.mark.parametrize("round_no", range(kill_rounds()))
def test_kill_minus_nine_loses_nothing_reported_saved(tmp_path, round_no):
    directory = tmp_path / "data"
    Store.create(directory, PASS, kdf=FAST_KDF).close()
    rng = random.Random(round_no)
    expected: dict[str, int] = {}
    for _ in range(2):  # two kills in a row on the same files
        for kind, *rest in run_and_kill(directory, rng.randint(5, 400)):
            if kind in ("draft", "new"):
                expected[rest[0]] = max(expected.get(rest[0], 0), int(rest[1]))
    store = Store.open(directory, PASS)
    try:
        for record_uuid, n in expected.items():
            saved = store.get_record(record_uuid)["data"]["n"]
            assert saved >= n, f"record {record_uuid} lost a reported save ({saved} < {n})"
        assert examine(store).healthy, examine(store).problems
    finally:
        store.close()


def test_migrations_keep_every_record_made_by_the_first_schema(tmp_path):
    directory = tmp_path / "data"
    first = Store.create(directory, PASS, kdf=FAST_KDF, migrate_upto=1)
    assert [r["number"] for r in first.query("SELECT number FROM schema_migrations")] == [1]
    first.add_village("341100101201", "东山村")
    person = first.add_person(name="王秀英", id_number="341100193801150048", kind="elder",
                              village_id="341100101201")
    uuids = [first.save_draft(form_id="elder_visit", form_version="1", data={"n": i, "备注": "测试"},
                              person_id=person) for i in range(50)]
    first.add_attachment(uuids[0], "photo.jpg", b"photo bytes")
    before = first.query("SELECT uuid, form_id, form_version, person_id, status, data FROM records ORDER BY uuid")
    first.close()

    upgraded = Store.open(directory, PASS)
    try:
        numbers = [r["number"] for r in upgraded.query("SELECT number FROM schema_migrations ORDER BY number")]
        assert numbers == [m.number for m in available()]
        after = upgraded.query("SELECT uuid, form_id, form_version, person_id, status, data FROM records "
                               "ORDER BY uuid")
        assert after == before
        assert upgraded.get_person(person)["name"] == "王秀英"
        assert upgraded.search_persons("秀英")[0]["id"] == person
        assert upgraded.attachment(upgraded.query("SELECT hash FROM attachments")[0]["hash"]) == b"photo bytes"
        assert {r["flags"] for r in upgraded.query("SELECT flags FROM records")} == {"[]"}
        assert examine(upgraded).healthy
    finally:
        upgraded.close()
