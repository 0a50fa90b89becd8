"""Sync under faults: a lossy network, a laptop killed mid-sync, a server killed mid-batch.

Whatever breaks and wherever, the end state is the same: each record is on the server exactly once
(one record, one revision, no conflict), every attachment is there whole with its hash, and the laptop
knows it (every record "accepted"). Round counts are small by default; ``CUNFANG_FAULT_ROUNDS`` runs the
faulty-network test with more seeds, ``CUNFANG_KILL_ROUNDS`` kills more often.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import PASS, ROOT, Server, add_visit
from fault_proxy import FaultProxy

from app.store import Store
from app.store.doctor import examine
from sync import protocol
from sync.client.client import SyncClient, SyncReport
from sync.client.outbox import outbox_count
from sync.server import tables as t

BIG = 600_000  # three upload chunks of protocol.CHUNK_SIZE
assert protocol.CHUNK_SIZE * 2 < BIG <= protocol.CHUNK_SIZE * 3
FAULT_RATES = {"drop_request": 0.1, "cut_request": 0.1, "error_500": 0.1, "lose_response": 0.15,
               "cut_response": 0.1, "delay": 0.05}
CHINESE = re.compile(r"[\u4e00-\u9fff]")
FAST = {"sleep": lambda _seconds: None, "retries": 2, "timeout": (2, 10)}

Expected = dict[str, dict[str, bytes]]  # record uuid -> {attachment name: content}


def env_rounds(name: str, default: int) -> int:
    return max(1, int(os.environ.get(name, str(default))))


def fill_laptop(store: Store, count: int, *, seed: int, big_every: int = 0) -> Expected:
    """``count`` finalized visits in village V1; every ``big_every``-th one carries a multi-chunk photo (and the
    first of those a small signature too). Returns what the server must end up with."""
    rng = random.Random(seed)
    expected: Expected = {}
    for i in range(count):
        files: dict[str, bytes] = {}
        if big_every and i % big_every == big_every // 2:
            files["photo.jpg"] = rng.randbytes(BIG)
            if not expected or not any(expected.values()):
                files["signature.png"] = rng.randbytes(3000)
        expected[add_visit(store, "V1", attachments=files)] = files
    assert store.counts_by_status()["finalized"] == count
    return expected


def done(store: Store) -> bool:
    queued = store.query("SELECT count(*) AS n FROM records WHERE status = 'queued'")[0]["n"]
    return outbox_count(store) == 0 and queued == 0


def sync_until_done(store: Store, max_rounds: int, **options) -> list[SyncReport]:
    """Run sync again and again (a person pressing "sync" until it says done), at most ``max_rounds`` times."""
    reports: list[SyncReport] = []
    for _ in range(max_rounds):
        with SyncClient(store, **(FAST | options)) as client:
            reports.append(client.run())
        if done(store):
            return reports
    pytest.fail(f"still {outbox_count(store)} records to send after {max_rounds} sync runs; "
                f"last errors: {[r.error for r in reports[-3:]]}")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def assert_exactly_once(server: Server, store: Store, expected: Expected) -> None:
    """Every record on the server once, with its attachments whole; every record accepted on the laptop."""
    local = store.query("SELECT uuid, revision, base_revision, status, sync_outcome FROM records")
    assert {row["uuid"] for row in local} == set(expected)
    not_accepted = [(row["uuid"], row["status"], row["sync_outcome"]) for row in local if row["status"] != "accepted"]
    assert not not_accepted, f"{len(not_accepted)} records not accepted on the laptop: {not_accepted[:5]}"
    assert {row["sync_outcome"] for row in local} <= {"accepted", "duplicate"}
    assert all(row["base_revision"] == row["revision"] for row in local)

    counts = server.service.count_records()
    assert counts["records"] == len(expected), counts
    assert counts["revisions"] == len(expected), counts
    assert counts["conflicts"] == 0, counts

    wanted = {sha256(content): content for files in expected.values() for content in files.values()}
    with server.service.engine.connect() as conn:
        revisions = conn.execute(sa.select(t.record_revisions.c.uuid, t.record_revisions.c.revision,
                                           t.record_revisions.c.attachments)).all()
        stored = {row.hash: (row.size, bytes(row.content)) for row in conn.execute(
            sa.select(t.attachments.c.hash, t.attachments.c.size, t.attachments.c.content)
            .where(t.attachments.c.hash.in_(list(wanted))))} if wanted else {}
        chunks_left = conn.execute(sa.select(sa.func.count()).select_from(t.attachment_chunks)).scalar_one()
        any_conflict = conn.execute(sa.select(sa.func.count()).select_from(t.conflicts)).scalar_one()
    assert sorted(row.uuid for row in revisions) == sorted(expected), "a record is missing or stored twice"
    revision_of = {row["uuid"]: row["revision"] for row in local}
    for row in revisions:
        assert row.revision == revision_of[row.uuid]
        refs = {a["name"]: a["hash"] for a in json.loads(row.attachments)}
        assert refs == {name: sha256(content) for name, content in expected[row.uuid].items()}, row.uuid
    assert set(stored) == set(wanted), f"{len(set(wanted) - set(stored))} attachments missing on the server"
    for digest, (size, content) in stored.items():
        assert sha256(content) == digest and size == len(content) == len(wanted[digest]), digest[:12]
    assert chunks_left == 0, "half-uploaded attachment chunks left behind"
    assert any_conflict == 0


def assert_store_healthy(store: Store) -> None:
    report = examine(store)
    assert report.healthy, report.problems


# ---------------------------------------------------------------------- 1. a network that breaks everything


@pytest.mark.parametrize("seed", range(env_rounds("CUNFANG_FAULT_ROUNDS", 1)))
def test_records_arrive_exactly_once_through_a_faulty_network(server, laptop_factory, seed):
    store = laptop_factory(server)
    expected = fill_laptop(store, 30, seed=seed, big_every=8)  # 4 photos of 3 chunks, 1 small signature
    with FaultProxy(server.port, rates=FAULT_RATES, seed=seed, delay_seconds=0.2) as proxy:
        store.set_setting("sync.url", proxy.url)
        reports = sync_until_done(store, 60, batch_size=10)
    print('ROUNDS', len(reports), dict(proxy.stats), [r.counts() for r in reports], [r.error[:40] for r in reports])
    assert_exactly_once(server, store, expected)

    for fault in FAULT_RATES:
        assert proxy.stats[fault] >= 1, f"the proxy never injected {fault}: {dict(proxy.stats)}"
    assert not proxy.errors, proxy.errors
    assert any(r.error for r in reports), "no sync run noticed a fault"
    assert all(CHINESE.search(r.error) for r in reports if r.error), [r.error for r in reports]
    # a push whose answer was lost or cut was committed on the server: sending it again must say "duplicate"
    answer_lost = [entry for entry in proxy.log if entry[1] == "POST" and entry[2].endswith("/records")
                   and entry[3] in ("lose_response", "cut_response")]
    outcomes = {result.outcome for report in reports for result in report.results}
    if answer_lost:
        assert protocol.Outcome.DUPLICATE in outcomes, (answer_lost, outcomes)
    assert outcomes <= {protocol.Outcome.ACCEPTED, protocol.Outcome.DUPLICATE}, outcomes


# ---------------------------------------------------------------------- 2. the laptop killed mid-sync


def test_laptop_killed_mid_sync_loses_and_duplicates_nothing(sqlite_server, laptop_factory, tmp_path):
    server = sqlite_server
    store = laptop_factory(server)
    expected = fill_laptop(store, 60, seed=7, big_every=10)  # 6 photos; `cunfang sync` pushes 50 per batch
    directory = Path(store.data_dir)
    env = os.environ | {"CUNFANG_PASSPHRASE": PASS}
    rng = random.Random(11)
    killed, finished, seen = 0, 0, []
    with FaultProxy(server.port, rates={"delay": 1.0}, delay_seconds=0.08) as proxy:
        store.set_setting("sync.url", proxy.url)
        store.close()  # one writer: the child has the store to itself
        for round_no in range(env_rounds("CUNFANG_KILL_ROUNDS", 4)):
            with open(tmp_path / f"child{round_no}.log", "wb") as log:
                child = subprocess.Popen([sys.executable, "-m", "ui.entry", "--data-dir", str(directory), "sync"],
                                         cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
                try:
                    child.wait(timeout=rng.uniform(0.4, 2.5))
                    finished += 1
                except subprocess.TimeoutExpired:
                    child.kill()  # SIGKILL: no cleanup, no rollback by the process itself
                    child.wait(timeout=30)
                    killed += 1
            seen.append(server.service.count_records()["revisions"])
        assert not proxy.errors, proxy.errors
    print('KILL', killed, finished, seen)
    assert killed >= 1, f"the child always finished before the kill ({finished} runs)"
    assert all(n <= len(expected) for n in seen), seen

    store = Store.open(directory, PASS)
    try:
        assert_store_healthy(store)
        store.set_setting("sync.url", server.url)
        sync_until_done(store, 3)
        assert_exactly_once(server, store, expected)
        assert_store_healthy(store)
    finally:
        store.close()


# ---------------------------------------------------------------------- 3. the server killed mid-batch


def test_server_killed_mid_batch_keeps_exactly_once(server_db, start_server, laptop_factory):
    count, batch = 120, 20
    server = start_server(server_db)
    port = server.port
    store = laptop_factory(server)
    expected = fill_laptop(store, count, seed=3)
    rng = random.Random(5)
    with FaultProxy(port, rates={"delay": 0.5}, delay_seconds=0.1, seed=5) as proxy:
        store.set_setting("sync.url", proxy.url)
        for _round in range(env_rounds("CUNFANG_KILL_ROUNDS", 2)):
            have = _revisions(server)
            if have >= count - 1:
                break
            # a random point in the push, never on a batch boundary: the server dies between two records of a batch
            target = rng.choice([n for n in range(have + 1, count) if n % batch])
            killer = _Killer(server, target)
            killer.start()
            try:
                with SyncClient(store, batch_size=batch, **FAST) as client:
                    report = client.run()
            finally:
                killer.stop()
            print('SRVKILL', target, killer.killed_at, report.error, report.counts())
            assert killer.killed_at is not None, f"the sync ended before the server reached {target} records"
            assert report.error, "the run went on as if the server were still there"
            assert CHINESE.search(report.error), report.error
            assert not report.cancelled
            assert _revisions(server) < count
            server = start_server(server_db, port=port)  # the same database, the same address
        sync_until_done(store, 5, batch_size=batch)
        assert not proxy.errors, proxy.errors
    assert_exactly_once(server, store, expected)


def _revisions(server: Server) -> int:
    with server.service.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.record_revisions)).scalar_one()


class _Killer(threading.Thread):
    """kill -9 the server once it holds ``target`` record revisions (or give up after ``limit`` seconds)."""

    def __init__(self, server: Server, target: int, limit: float = 30.0):
        super().__init__(daemon=True)
        self.server, self.target, self.limit = server, target, limit
        self.halt = threading.Event()
        self.killed_at: int | None = None

    def run(self) -> None:
        deadline = time.monotonic() + self.limit
        while not self.halt.is_set() and time.monotonic() < deadline:
            have = _revisions(self.server)
            if have >= self.target:
                self.server.kill()
                self.killed_at = have
                return
            self.halt.wait(0.005)

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)
