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
import sqlite3
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


class NetworkFaults:
    """Faults drawn at FAULT_RATES from a seeded generator, after the two worst fates of a push, forced: the first
    push never reaches the server on any of its three tries, the second is stored but its answer never comes back.
    Either way the run gives up, and only a laptop that waits for the server's word before changing a record's
    status gets every record there exactly once. (The third push is late, so each kind of fault happens.)"""

    FORCED_PUSHES = ("drop_request", "cut_request", "error_500", "lose_response", "cut_response", "lose_response",
                     "delay")

    def __init__(self, seed: int):
        assert FAST["retries"] == 2  # three tries per request: each forced fate spans one whole push
        self.rng = random.Random(seed)
        self.pushes = 0

    def __call__(self, _index: int, method: str, target: str) -> str:
        if method == "POST" and target.endswith("/records") and self.pushes < len(self.FORCED_PUSHES):
            self.pushes += 1
            return self.FORCED_PUSHES[self.pushes - 1]
        draw, total = self.rng.random(), 0.0
        for fault, rate in FAULT_RATES.items():
            total += rate
            if draw < total:
                return fault
        return "pass"


@pytest.mark.parametrize("seed", range(env_rounds("CUNFANG_FAULT_ROUNDS", 1)))
def test_records_arrive_exactly_once_through_a_faulty_network(server, laptop_factory, seed):
    store = laptop_factory(server)
    expected = fill_laptop(store, 30, seed=seed, big_every=8)  # 4 photos of 3 chunks, 1 small signature
    with FaultProxy(server.port, faults=NetworkFaults(seed), delay_seconds=0.2) as proxy:
        store.set_setting("sync.url", proxy.url)
        reports = sync_until_done(store, 60, batch_size=10)
    assert_exactly_once(server, store, expected)

    for fault in FAULT_RATES:
        assert proxy.stats[fault] >= 1, f"the proxy never injected {fault}: {dict(proxy.stats)}"
    uploads = [fault for _index, method, target, fault in proxy.log if method == "PUT" and "/attachments/" in target]
    assert len(uploads) >= 13 and len(set(uploads) - {"pass", "delay"}) >= 2, uploads  # 4 × 3 chunks + 1, some cut
    assert not proxy.errors, proxy.errors
    assert any(r.error for r in reports), "no sync run noticed a fault"
    assert all(CHINESE.search(r.error) for r in reports if r.error), [r.error for r in reports]
    # the second push was stored without the laptop hearing of it: sending it again must say "duplicate"
    assert len(reports) >= 3, "the forced push failures should each have ended a run"
    outcomes = [result.outcome for report in reports for result in report.results]
    assert protocol.Outcome.DUPLICATE in outcomes, "the push whose answer was lost was not sent again"
    assert set(outcomes) <= {protocol.Outcome.ACCEPTED, protocol.Outcome.DUPLICATE}, outcomes


# ---------------------------------------------------------------------- 2. the laptop killed mid-sync


class PushWatch:
    """Every request delayed a little (a slow county link); notes when a push of records goes through the proxy."""

    def __init__(self) -> None:
        self.push_seen = threading.Event()

    def __call__(self, _index: int, method: str, target: str) -> str:
        if method == "POST" and target.endswith("/records"):
            self.push_seen.set()
        return "delay"


def wait_until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def sync_and_kill(directory: Path, log_path: Path, watch: PushWatch, rng: random.Random, *, at_push: bool) -> str:
    """``cunfang sync`` in a child process, SIGKILLed at a random moment: anywhere, or (``at_push``) while a push is
    on its way, when the server may have stored it and the laptop not yet heard. Returns how it ended."""
    watch.push_seen.clear()
    with open(log_path, "wb") as log:
        child = subprocess.Popen([sys.executable, "-m", "ui.entry", "--data-dir", str(directory), "sync"], cwd=ROOT,
                                 env=os.environ | {"CUNFANG_PASSPHRASE": PASS}, stdout=log, stderr=subprocess.STDOUT)
        try:
            if at_push:
                wait_until(lambda: watch.push_seen.is_set() or child.poll() is not None, 20)
                time.sleep(rng.uniform(0, 0.3))
            else:  # opening the store, the registry, an upload, a push, the pulls
                wait_until(lambda: child.poll() is not None, rng.uniform(0.4, 2.5))
            if child.poll() is not None:
                return "finished"
            child.kill()  # SIGKILL: no cleanup, no rollback by the process itself
            return "killed pushing" if at_push and watch.push_seen.is_set() else "killed"
        finally:
            child.kill()
            child.wait(timeout=30)


def test_laptop_killed_mid_sync_loses_and_duplicates_nothing(sqlite_server, laptop_factory, tmp_path):
    server = sqlite_server
    store = laptop_factory(server)
    expected = fill_laptop(store, 60, seed=7, big_every=10)  # 6 photos; `cunfang sync` pushes 50 per batch
    directory = Path(store.data_dir)
    rng = random.Random(11)
    watch = PushWatch()
    killed, killed_pushing, logs = 0, 0, []
    with FaultProxy(server.port, faults=watch, delay_seconds=0.08) as proxy:
        store.set_setting("sync.url", proxy.url)
        store.close()  # one writer: the child has the store to itself
        for round_no in range(env_rounds("CUNFANG_KILL_ROUNDS", 4)):
            logs.append(tmp_path / f"child{round_no}.log")
            outcome = sync_and_kill(directory, logs[-1], watch, rng, at_push=bool(round_no % 2))
            killed += outcome != "finished"
            killed_pushing += outcome == "killed pushing"
        # (proxy.errors may hold a write to the killed laptop's closed connection: that is the point here)
    assert killed >= 1 and killed_pushing >= 1, (killed, killed_pushing)
    for path in logs:
        text = path.read_text(errors="replace")
        assert "Traceback" not in text and "意外错误" not in text, text

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


class PushCounter:
    """Half the requests delayed a little; counts the pushes of records that reach the proxy."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.pushes = 0

    def __call__(self, _index: int, method: str, target: str) -> str:
        if method == "POST" and target.endswith("/records"):
            self.pushes += 1
        return "delay" if self.rng.random() < 0.5 else "pass"


def test_server_killed_mid_batch_keeps_exactly_once(server_db, start_server, laptop_factory):
    count, batch = 120, 20
    server = start_server(server_db)
    port = server.port
    store = laptop_factory(server)
    expected = fill_laptop(store, count, seed=3)
    rng = random.Random(5)
    pushes = PushCounter(5)
    unanswered, rolled_back, reports = 0, 0, []
    with FaultProxy(port, faults=pushes, delay_seconds=0.1) as proxy:
        store.set_setting("sync.url", proxy.url)
        for _round in range(env_rounds("CUNFANG_KILL_ROUNDS", 2)):
            before = _revisions(server)
            if count - before < 2 * batch:
                break
            # the server dies while writing a random one of the batches still to send, but not the last (should the
            # killer miss that batch's transaction, it still finds the next one)
            killer = Killer(server, pushes, pushes.pushes + rng.randint(1, (count - before) // batch - 1),
                            extra=rng.uniform(0, 0.003))
            killer.start()
            try:
                with SyncClient(store, batch_size=batch, **FAST) as client:
                    report = client.run()
            finally:
                killer.stop()
            reports.append(report)
            assert killer.killed, "the sync ended before the server was killed"
            assert report.error, "the run went on as if the server were still there"
            assert CHINESE.search(report.error), report.error
            assert not report.cancelled
            stored, accepted = _revisions(server), store.counts_by_status()["accepted"]
            assert stored % batch == 0, f"{stored} records stored: a batch was stored in part"
            assert accepted % batch == 0 and accepted <= stored <= accepted + batch, (accepted, stored)
            unanswered += stored - accepted  # stored, and the answer lost with the server
            rolled_back += killer.writing and stored == accepted  # killed while writing: the batch is not there
            server = start_server(server_db, port=port)  # the same database, the same address
        reports += sync_until_done(store, 5, batch_size=batch)
        assert not proxy.errors, proxy.errors
    assert_exactly_once(server, store, expected)
    # what the server stored while the laptop never heard, and only that, came back as "duplicate"
    assert sum(r.counts().get("duplicate", 0) for r in reports) == unanswered
    if server.db.startswith("postgresql://"):  # (SQLite's write lock is only a hint that the batch is being written)
        assert rolled_back >= 1, "no kill landed inside a batch's transaction"


def _revisions(server: Server) -> int:
    with server.service.engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(t.record_revisions)).scalar_one()


class Killer(threading.Thread):
    """kill -9 the server while it writes the ``push``-th push of records seen by the proxy (then ``extra`` seconds).

    Writing shows as the lock a writer holds: PostgreSQL's row-exclusive lock on record_revisions, taken by the
    batch transaction's first insert and held until it commits; SQLite's write lock, held for 3 ms or more (a
    batch; the server's reads take it only for a moment).
    """

    def __init__(self, server: Server, pushes: PushCounter, push: int, *, extra: float, limit: float = 30.0):
        super().__init__(daemon=True)
        self.server, self.pushes, self.push, self.extra, self.limit = server, pushes, push, extra, limit
        self.halt = threading.Event()
        self.killed = self.writing = False
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as exc:  # noqa: BLE001 - reported by stop() in the test's thread
            self.error = exc

    def _run(self) -> None:
        deadline = time.monotonic() + self.limit
        while self.pushes.pushes < self.push:
            if self.halt.wait(0.001) or time.monotonic() > deadline:
                return
        writing = _WriteLock(self.server.db)
        try:
            while not writing.held():
                if self.halt.is_set() or time.monotonic() > deadline:
                    return
                time.sleep(0.0002)
        finally:
            writing.close()
        self.writing = True
        time.sleep(self.extra)
        self.server.kill()
        self.killed = True

    def stop(self) -> None:
        self.halt.set()
        self.join(timeout=10)
        assert not self.is_alive() and self.error is None, self.error


class _WriteLock:
    """Whether the server is in a write transaction on its records, seen from another connection."""

    def __init__(self, db: str):
        self.postgres = db.startswith("postgresql://")
        self.busy_since: float | None = None
        if self.postgres:
            import psycopg

            self.conn = psycopg.connect(db, autocommit=True)
        else:
            self.conn = sqlite3.connect(db, timeout=0, isolation_level=None)

    def held(self) -> bool:
        if self.postgres:
            return self.conn.execute(
                "SELECT 1 FROM pg_locks WHERE database = (SELECT oid FROM pg_database WHERE datname = "
                "current_database()) AND relation = 'record_revisions'::regclass AND mode = 'RowExclusiveLock' "
                "AND granted AND pid <> pg_backend_pid()").fetchone() is not None
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            self.busy_since = self.busy_since or time.monotonic()
            return time.monotonic() - self.busy_since >= 0.003
        self.conn.execute("ROLLBACK")
        self.busy_since = None
        return False

    def close(self) -> None:
        self.conn.close()
