"""Sync push benchmark: 20 laptops push 10,000 visit records to the bureau server at once.

Starts the real server (``python -m sync.server.cli serve``) as a subprocess on a
free 127.0.0.1 port, twice: on a SQLite file with 1 worker, and on a fresh
PostgreSQL database (127.0.0.1:5432, user postgres; dropped afterwards) with 2
workers. Each laptop is an encrypted store in a temporary directory, enrolled as
its own village cadre (its own village code), holding ``--records / --laptops``
finalized ``elder_visit`` records, a fifth of them with a 20-40 KB attachment.
One process per laptop (spawned) runs ``SyncClient.run()``; the clock runs from
the moment all of them are told to start until the last one has finished, and the
server's record count must then equal the number sent.

Nothing of the preparation is timed: ``--template`` records are made through the
real API (``save_draft``, ``add_attachment``, ``finalize``) in one store, and each
laptop gets copies of their data under new UUIDs, written with one executemany.
Each laptop also does one sync run before its records are written (its village,
persons and the form list go up and down then, not in the measured run).

Baseline, same run: a bare FastAPI app (one POST route inserting the batch's rows
with SQLAlchemy Core in one transaction, one PUT route storing an attachment),
served by uvicorn with the same workers on the same kind of database and pushed
by as many client processes with the same batches of the same record JSON (built
from the laptops' own stores beforehand). The ratio shows what validation,
idempotency, per-record transactions, audit rows and the laptop's own store cost.

Also printed: CPU seconds spent by the server processes, the client processes and
PostgreSQL during the push (Linux /proc; both sides share the machine's cores),
the client-observed latency of ``POST /records``, and a per-record breakdown of
``Service.push`` measured in-process on one thread (request parsing, form
validation with ``fill``, the record's transaction). ``--profile`` adds a
cProfile of ``Service.push`` on one batch.

Targets: at least 100 records/s on SQLite (1 worker) and 200 records/s on
PostgreSQL (2 workers).

Run: .venv/bin/python benchmarks/sync.py [--laptops 20] [--records 10000] [--batch 50] [--profile]
Quick check: .venv/bin/python benchmarks/sync.py --quick   (4 laptops x 50 records)
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import json
import multiprocessing as mp
import os
import pstats
import queue
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from fastapi import Body, FastAPI, Request  # noqa: E402 - module level: the baseline's routes name these types

from app.store import Store  # noqa: E402
from app.store.keyring import FAST_KDF  # noqa: E402

PASSPHRASE = "benchmark-passphrase"
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TARGETS = {"sqlite": 100.0, "postgres": 200.0}
FORM_ID = "elder_visit"
TOWN, COUNTY = "示范镇", "示范县"
ATTACHMENT_BYTES = (20_000, 40_000)
BASELINE_ENV = "CUNFANG_BENCH_BASELINE_DB"
START_TIMEOUT = 60.0       # a server answering its health check
PREPARE_TIMEOUT = 900.0    # all laptops enrolled and filled
PUSH_TIMEOUT = 3600.0      # all laptops done pushing
IS_POSIX = os.name == "posix"

# The baseline's tables: the columns the server's ``records`` table keeps, and attachment blobs.
baseline_meta = sa.MetaData()
BASE_RECORDS = sa.Table(
    "baseline_records", baseline_meta,
    sa.Column("uuid", sa.String(64), primary_key=True),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("form_id", sa.String(100), nullable=False),
    sa.Column("form_version", sa.String(100), nullable=False),
    sa.Column("village_id", sa.String(64)),
    sa.Column("person_id", sa.String(64)),
    sa.Column("title", sa.String(500), nullable=False),
    sa.Column("author", sa.String(100), nullable=False),
    sa.Column("data", sa.Text, nullable=False),
    sa.Column("attachments", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(40), nullable=False),
    sa.Column("received_at", sa.String(40), nullable=False),
)
BASE_BLOBS = sa.Table(
    "baseline_blobs", baseline_meta,
    sa.Column("hash", sa.String(64), primary_key=True),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
)


# ---------------------------------------------------------------------- the baseline server


def baseline_app():
    """uvicorn factory (``benchmarks.sync:baseline_app``): insert what is posted, nothing else."""
    from starlette.concurrency import run_in_threadpool

    from sync.server.db import make_engine  # the server's own engine settings (WAL, FULL, BEGIN IMMEDIATE)

    engine = make_engine(os.environ[BASELINE_ENV])
    app = FastAPI()

    @app.get("/health")
    def health() -> dict:
        return {"ok": True}

    @app.post("/records")
    def push(body: dict[str, Any] = Body(...)) -> dict:  # noqa: B008 - FastAPI's way of taking a raw JSON body
        now = datetime.now(UTC).isoformat(timespec="milliseconds")
        rows = [{"uuid": r["uuid"], "revision": r["revision"], "form_id": r["form_id"],
                 "form_version": r["form_version"], "village_id": r.get("village_id"), "person_id": r.get("person_id"),
                 "title": r.get("title", ""), "author": r.get("author", ""),
                 "data": json.dumps(r["data"], ensure_ascii=False),
                 "attachments": json.dumps(r.get("attachments", []), ensure_ascii=False),
                 "updated_at": r["updated_at"], "received_at": now} for r in body["records"]]
        with engine.begin() as conn:
            conn.execute(BASE_RECORDS.insert(), rows)
        return {"results": [{"uuid": r["uuid"], "revision": r["revision"], "outcome": "accepted"} for r in rows]}

    def store_blob(digest: str, data: bytes) -> None:
        with engine.begin() as conn:
            conn.execute(BASE_BLOBS.insert(), [{"hash": digest, "size": len(data), "content": data}])

    @app.put("/blobs/{digest}")
    async def blob(digest: str, request: Request) -> dict:
        data = await request.body()
        await run_in_threadpool(store_blob, digest, data)
        return {"hash": digest, "received": len(data), "complete": True}

    return app


# ---------------------------------------------------------------------- processes


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ServerProcess:
    """A server subprocess (and its uvicorn workers) on 127.0.0.1, stopped as a whole."""

    def __init__(self, name: str, args: list[str], health: str, log: Path, env: dict | None = None):
        self.name, self.args, self.health, self.log, self.env = name, args, health, log, env
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        import requests

        handle = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        extra = {"start_new_session": True} if IS_POSIX else {
            "creationflags": subprocess.CREATE_NEW_PROCESS_GROUP}  # type: ignore[attr-defined]
        self.process = subprocess.Popen([sys.executable, *self.args, "--port", str(self.port)], stdout=handle,
                                        stderr=subprocess.STDOUT, cwd=ROOT, env={**os.environ, **(self.env or {})},
                                        **extra)
        handle.close()
        deadline = time.monotonic() + START_TIMEOUT
        with requests.Session() as session:
            session.trust_env = False
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited: {self.tail()}")
                try:
                    if session.get(self.url + self.health, timeout=1).ok:
                        time.sleep(1.0 if "--workers" in self.args else 0)  # let every worker finish starting
                        return self
                except requests.RequestException:
                    pass
                time.sleep(0.1)
        raise RuntimeError(f"{self.name} did not answer within {START_TIMEOUT:.0f} s: {self.tail()}")

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        try:
            if IS_POSIX:
                os.killpg(process.pid, signal.SIGTERM)
            else:
                process.terminate()
            process.wait(timeout=15)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            pass
        if IS_POSIX:
            try:
                os.killpg(process.pid, signal.SIGKILL)  # workers left behind, if any
            except ProcessLookupError:
                pass
        elif process.poll() is None:
            process.kill()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            print(f"  warning: {self.name} (pid {process.pid}) did not exit")


def cpu_seconds(select) -> float | None:
    """CPU seconds (user + system) of the processes ``select(pid, pgrp, comm)`` picks, from Linux /proc."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        comm = text[text.index("(") + 1: text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        if select(int(entry.name), int(fields[2]), comm):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def machine_cpu() -> float | None:
    """CPU seconds the whole machine has been busy (all processes, all cores), from Linux /proc/stat."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def group_cpu(pgid: int) -> float | None:
    return cpu_seconds(lambda _pid, pgrp, _comm: pgrp == pgid)


def postgres_cpu() -> float | None:
    return cpu_seconds(lambda _pid, _pgrp, comm: comm.startswith("postgres"))


def code_version() -> str:
    """The commit measured, and whether the server or client code differs from it."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "sync", "app"], cwd=ROOT, capture_output=True,
                               text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" + uncommitted changes in sync/ or app/" if dirty else "")


def postgres_reachable() -> str:
    """'' when PostgreSQL answers at 127.0.0.1:5432, else why not."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return ""
    except Exception as exc:  # noqa: BLE001 - any failure means "not here"
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=10) as conn:
        conn.execute(sql)


# ---------------------------------------------------------------------- laptops


def build_template(directory: Path, count: int) -> list[dict]:
    """``count`` elder visits made the way the app makes them (save_draft, attachment, finalize): their rows."""
    from app.demo import _name, _VisitData

    rng = random.Random(7)
    visits = _VisitData(date.today())
    form = visits.form(FORM_ID)
    village = "341100101999"
    store = Store.create(directory, PASSPHRASE, kdf=FAST_KDF)
    try:
        store.add_village(village, "模板村", town=TOWN, county=COUNTY)
        for k in range(count):
            name = _name(rng)
            day = date.today() - timedelta(days=rng.randint(0, 60))
            person = store.add_person(name=name, kind="elder", village_id=village)
            variant = 4 if k % 10 == 9 else k % 3
            data = visits.make(FORM_ID, day, 30, variant, {"elder_name": name})
            record = store.save_draft(form_id=FORM_ID, form_version=form.version, data=data, person_id=person,
                                      village_id=village, author="演示村干部", title=f"{name} {day.isoformat()} 探访")
            if k % 5 == 0:
                store.add_attachment(record, "visit.jpg", rng.randbytes(rng.randint(*ATTACHMENT_BYTES)), "image/jpeg")
            store.finalize(record, form, author="演示村干部")
        return store.query("SELECT form_id, form_version, author, title, data, flags FROM records "
                           "ORDER BY created_at")
    finally:
        store.close()


def village_code(index: int) -> str:
    return f"341100101{300 + index:03d}"


def fill_laptop(store: Store, index: int, count: int, template: list[dict], share: float, persons: list[str]) -> int:
    """``count`` finalized records copied from ``template`` under new UUIDs, some with an attachment."""
    rng = random.Random(1000 + index)
    start = datetime.now(UTC) - timedelta(seconds=count + 60)
    rows, blobs, links = [], [], []
    for k in range(count):
        source = template[k % len(template)]
        stamp = (start + timedelta(seconds=k)).isoformat(timespec="milliseconds")
        record = str(uuid.uuid4())
        rows.append((record, source["form_id"], source["form_version"], persons[k % len(persons)], None,
                     village_code(index), "finalized", 1, None, source["author"], source["title"], source["data"],
                     "", source["flags"], stamp, stamp))
        if rng.random() < share:
            content = rng.randbytes(rng.randint(*ATTACHMENT_BYTES))
            digest = hashlib.sha256(content).hexdigest()
            blobs.append((digest, len(content), "image/jpeg", content, stamp))
            links.append((record, "visit.jpg", digest))
    with store.transaction():
        store.conn.executemany(
            "INSERT INTO records (uuid, form_id, form_version, person_id, household_id, village_id, status, "
            "revision, prev_revision, author, title, data, server_message, flags, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        store.conn.executemany("INSERT OR IGNORE INTO attachments (hash, size, mime, content, created_at) "
                               "VALUES (?, ?, ?, ?, ?)", blobs)
        store.conn.executemany("INSERT INTO record_attachments (record_uuid, name, hash) VALUES (?, ?, ?)", links)
    return len(links)


def cunfang_laptop(index: int, directory: str, url: str, token: str, count: int, template: list[dict],
                   share: float, batch: int, start, out) -> None:
    """One laptop (spawned process): enroll, a first sync, fill the outbox; then, on ``start``, sync (timed)."""
    try:
        from app.demo import _name
        from sync.client.client import SyncClient, enroll

        store = Store.create(Path(directory), PASSPHRASE, kdf=FAST_KDF)
        village = village_code(index)
        store.add_village(village, f"试点{index + 1}村", town=TOWN, county=COUNTY)
        rng = random.Random(index)
        persons = store.insert_persons([{"name": _name(rng), "kind": "elder", "village_id": village}
                                        for _ in range(max(1, min(50, count // 10)))])
        enroll(store, url, token, device_name=f"bench-{index}")
        with SyncClient(store, batch_size=batch) as client:
            first = client.run()  # the village and persons go up, the forms come down: not part of the push
        if first.error:
            raise RuntimeError(f"first sync: {first.error}")
        attached = fill_laptop(store, index, count, template, share, persons)

        latencies: list[float] = []
        with SyncClient(store, batch_size=batch) as client:
            call = client.transport.call

            def timed_call(method: str, path: str, *args, **kwargs):
                t0 = time.perf_counter()
                try:
                    return call(method, path, *args, **kwargs)
                finally:
                    if path == "/records":
                        latencies.append(time.perf_counter() - t0)

            client.transport.call = timed_call
            out.put(("ready", index, None))
            if not start.wait(PREPARE_TIMEOUT):
                raise RuntimeError("never told to start")
            t0, cpu0 = time.perf_counter(), time.process_time()
            report = client.run()
            elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        out.put(("done", index, {"elapsed": elapsed, "cpu": cpu, "counts": report.counts(), "error": report.error,
                                 "latencies": latencies, "attachments": attached}))
        store.close()
    except BaseException:  # noqa: BLE001 - the parent reports it and stops the run
        out.put(("error", index, traceback.format_exc()))


def baseline_laptop(index: int, directory: str, url: str, batch: int, start, out) -> None:
    """One baseline client (spawned process): the laptop's own record JSON, posted batch by batch on ``start``."""
    try:
        import requests

        from sync.client import outbox
        from sync.protocol import PushRequest

        store = Store.open(Path(directory), PASSPHRASE)
        rows = store.query("SELECT * FROM records ORDER BY updated_at, uuid")
        envelopes = [outbox.envelope(store, row) for row in rows]
        blobs = {ref.hash: store.attachment(ref.hash) for env in envelopes for ref in env.attachments}
        store.close()
        batches = [envelopes[i: i + batch] for i in range(0, len(envelopes), batch)]
        payloads = [PushRequest(records=b).model_dump(mode="json") for b in batches]
        session = requests.Session()
        session.trust_env = False
        latencies: list[float] = []
        out.put(("ready", index, None))
        if not start.wait(PREPARE_TIMEOUT):
            raise RuntimeError("never told to start")
        t0, cpu0 = time.perf_counter(), time.process_time()
        sent = 0
        for chunk, payload in zip(batches, payloads, strict=True):
            for env in chunk:
                for ref in env.attachments:
                    session.put(f"{url}/blobs/{ref.hash}", data=blobs[ref.hash], timeout=(10, 120),
                                headers={"Content-Type": "application/octet-stream"}).raise_for_status()
            b0 = time.perf_counter()
            answer = session.post(f"{url}/records", json=payload, timeout=(10, 120))
            answer.raise_for_status()
            latencies.append(time.perf_counter() - b0)
            sent += len(answer.json()["results"])
        elapsed, cpu = time.perf_counter() - t0, time.process_time() - cpu0
        session.close()
        out.put(("done", index, {"elapsed": elapsed, "cpu": cpu, "counts": {"accepted": sent}, "error": "",
                                 "latencies": latencies, "attachments": len(blobs)}))
    except BaseException:  # noqa: BLE001 - the parent reports it and stops the run
        out.put(("error", index, traceback.format_exc()))


def run_laptops(target, jobs: list[tuple], server: ServerProcess) -> dict:
    """Start one spawned process per job, wait until all are ready, release them at once, time until all are done."""
    ctx = mp.get_context("spawn")
    start = ctx.Event()
    out = ctx.Queue()
    processes = [ctx.Process(target=target, args=(*job, start, out), daemon=True) for job in jobs]
    results: dict[int, dict] = {}
    try:
        for process in processes:
            process.start()
        ready = 0
        deadline = time.monotonic() + PREPARE_TIMEOUT
        while ready < len(processes):
            kind, index, payload = _receive(out, deadline, "laptops to get ready")
            if kind == "error":
                raise RuntimeError(f"laptop {index} failed while preparing:\n{payload}")
            ready += kind == "ready"
        server_cpu0, pg_cpu0 = group_cpu(server.process.pid) if IS_POSIX else None, postgres_cpu()
        machine0 = machine_cpu()
        t0 = time.perf_counter()
        start.set()
        deadline = time.monotonic() + PUSH_TIMEOUT
        while len(results) < len(processes):
            kind, index, payload = _receive(out, deadline, "laptops to finish")
            if kind == "error":
                raise RuntimeError(f"laptop {index} failed:\n{payload}")
            results[index] = payload
        wall = time.perf_counter() - t0
        server_cpu1, pg_cpu1 = group_cpu(server.process.pid) if IS_POSIX else None, postgres_cpu()
        machine1 = machine_cpu()
    finally:
        start.set()  # nobody stays parked on the event
        for process in processes:
            process.join(timeout=30)
        for process in processes:
            if process.is_alive():
                process.terminate()
                process.join(timeout=10)
            if process.is_alive():
                process.kill()
                process.join(timeout=10)
        out.close()
    errors = [f"laptop {i}: {r['error']}" for i, r in sorted(results.items()) if r["error"]]
    if errors:
        raise RuntimeError("sync reported errors: " + "; ".join(errors[:3]))
    return {"wall": wall, "results": results,
            "server_cpu": None if server_cpu0 is None or server_cpu1 is None else server_cpu1 - server_cpu0,
            "pg_cpu": None if pg_cpu0 is None or pg_cpu1 is None else pg_cpu1 - pg_cpu0,
            "machine_cpu": None if machine0 is None or machine1 is None else machine1 - machine0,
            "client_cpu": sum(r["cpu"] for r in results.values()),
            "latencies": sorted(x for r in results.values() for x in r["latencies"]),
            "counts": _sum_counts(r["counts"] for r in results.values()),
            "attachments": sum(r["attachments"] for r in results.values())}


def _receive(out, deadline: float, what: str) -> tuple:
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise RuntimeError(f"timed out waiting for {what}")
    try:
        return out.get(timeout=remaining)
    except queue.Empty:
        raise RuntimeError(f"timed out waiting for {what}") from None


def _sum_counts(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for one in counts:
        for key, n in one.items():
            total[key] = total.get(key, 0) + n
    return total


# ---------------------------------------------------------------------- in-process hints


def server_hints(db_url: str, laptop: Path, batch: int, profile: bool) -> dict:
    """Per-record cost of ``Service.push`` and its parts, in-process on one thread, on a batch of fresh copies
    (new UUIDs) of the first laptop's records; median of 3 rounds after a warm-up."""
    from app.forms.fill import fill
    from sync.client import outbox
    from sync.client.client import settings
    from sync.protocol import PushRequest
    from sync.server.api import open_service

    store = Store.open(laptop, PASSPHRASE)
    try:
        credential = settings(store)["credential"]
        rows = store.query("SELECT * FROM records ORDER BY updated_at, uuid LIMIT ?", [batch])
        envelopes = [outbox.envelope(store, row) for row in rows]
    finally:
        store.close()
    service = open_service(db_url, migrate_db=False)
    try:
        caller = service.authenticate(credential)
        form = service.form_def(envelopes[0].form_id, envelopes[0].form_version)
        n = len(envelopes)
        body = PushRequest(records=envelopes).model_dump_json()
        timings: dict[str, Any] = {}

        def fresh() -> list:
            return [env.model_copy(update={"uuid": str(uuid.uuid4())}) for env in envelopes]

        def clock(name: str, fn, make=lambda: None) -> None:
            runs = []
            for round_ in range(4):
                made = make()
                t0 = time.perf_counter()
                fn(made)
                if round_:  # the first round warms caches
                    runs.append((time.perf_counter() - t0) / n * 1000)
            timings[name] = statistics.median(runs)

        clock("parse", lambda _: PushRequest.model_validate_json(body))
        clock("fill", lambda _: [fill(form, e.data, saved=True) for e in envelopes])
        check = getattr(service, "_check", None)  # a private helper: the figure is skipped if it goes away
        if check is not None:
            try:
                clock("check", lambda _: [check(caller, e) for e in envelopes])
            except TypeError:
                pass
        pushed: list[list] = []

        def push_new(envs: list) -> None:
            pushed.append(envs)
            service.push(caller, envs)

        clock("push", push_new, fresh)
        clock("again", lambda _: service.push(caller, pushed[-1]))
        if profile:
            profiler = cProfile.Profile()
            profiler.runcall(service.push, caller, fresh())
            text = io.StringIO()
            pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(30)
            timings["profile"] = text.getvalue()
        return timings
    finally:
        service.engine.dispose()


# ---------------------------------------------------------------------- one database


def run_database(label: str, kind: str, db_url: str, workers: int, args, template: list[dict], work: Path,
                 servers: list[ServerProcess]) -> dict:
    from sync.server.api import open_service
    from sync.server.db import make_engine

    per_laptop = [args.records // args.laptops + (i < args.records % args.laptops) for i in range(args.laptops)]
    total = sum(per_laptop)
    print(f"\n== {label}: {args.laptops} laptops, {total:,} records, batches of {args.batch}, "
          f"{workers} worker{'s' if workers > 1 else ''} ==")

    # CunFang
    server = ServerProcess(f"CunFang server ({label})", ["-m", "sync.server.cli", "--db", db_url, "serve",
                                                         "--workers", str(workers)],
                           "/api/v1/health", work / f"server-{kind}.log")
    servers.append(server)
    t0 = time.perf_counter()
    server.start()
    service = open_service(db_url, migrate_db=False)
    try:
        tokens = [service.add_user(f"村干部{kind}{i + 1}", "village_cadre", [village_code(i)])
                  for i in range(args.laptops)]
    finally:
        service.engine.dispose()
    laptops = [work / f"{kind}-laptop-{i}" for i in range(args.laptops)]
    jobs = [(i, str(laptops[i]), server.url, tokens[i], per_laptop[i], template, args.attachments, args.batch)
            for i in range(args.laptops)]
    print("  server started; laptops enroll, sync once and fill their outboxes (not timed), then push", flush=True)
    cunfang = run_laptops(cunfang_laptop, jobs, server)
    prep_note = f"(setup and push took {time.perf_counter() - t0:.0f} s in all)"
    server.stop()
    service = open_service(db_url, migrate_db=False)
    try:
        counted = service.count_records()
    finally:
        service.engine.dispose()
    accepted = cunfang["counts"].get("accepted", 0)
    print(f"  CunFang:  {total / cunfang['wall']:8.1f} records/s  ({total:,} records, {cunfang['attachments']:,} "
          f"attachments in {cunfang['wall']:.1f} s) {prep_note}")
    print(f"            outcomes {cunfang['counts']}; server holds {counted['records']:,} records "
          f"({counted['revisions']:,} revisions, {counted['conflicts']} conflicts)"
          f" — {'OK' if counted['records'] == total == accepted else 'MISMATCH'}")
    _print_cpu(cunfang, total, kind)

    # baseline, on the same laptops' record JSON
    base_url = db_url if kind == "postgres" else str(work / "baseline.db")
    engine = make_engine(base_url)
    try:
        baseline_meta.create_all(engine)
    finally:
        engine.dispose()
    from sync.server.db import normalize_url

    base = ServerProcess(f"baseline server ({label})",
                         ["-m", "uvicorn", "benchmarks.sync:baseline_app", "--factory", "--host", "127.0.0.1",
                          "--workers", str(workers), "--log-level", "warning"],
                         "/health", work / f"baseline-{kind}.log", env={BASELINE_ENV: normalize_url(base_url)})
    servers.append(base)
    base.start()
    base_jobs = [(i, str(laptops[i]), base.url, args.batch) for i in range(args.laptops)]
    baseline = run_laptops(baseline_laptop, base_jobs, base)
    base.stop()
    engine = make_engine(base_url)
    try:
        with engine.connect() as conn:
            base_count = conn.execute(sa.select(sa.func.count()).select_from(BASE_RECORDS)).scalar_one()
    finally:
        engine.dispose()
    print(f"  baseline: {total / baseline['wall']:8.1f} records/s  (bare FastAPI + SQLAlchemy Core insert, "
          f"{total:,} records in {baseline['wall']:.1f} s; table holds {base_count:,}"
          f" — {'OK' if base_count == total else 'MISMATCH'})")
    _print_cpu(baseline, total, kind)

    hints = server_hints(db_url, laptops[0], args.batch, args.profile)
    print(f"  Service.push in-process, one thread, per record of a batch of {args.batch}: "
          f"{hints['push']:.2f} ms = {1000 / hints['push']:.0f} records/s per thread;")
    print(f"            request parsing (pydantic) {hints['parse']:.2f} ms, fill() {hints['fill']:.2f} ms", end="")
    if "check" in hints:
        print(f", all checks before writing (hash, rights, fill, attachments) {hints['check']:.2f} ms,")
        write = hints["push"] - hints["check"]
        print(f"            so writing (revisions, heads, audit, commit) ~{write:.2f} ms;", end="")
    print(f" the same batch again (all duplicates) {hints['again']:.2f} ms/record")
    if "profile" in hints:
        print("  cProfile of Service.push on one batch (cumulative):")
        print("\n".join("    " + line for line in str(hints["profile"]).splitlines() if line.strip()))
    ok = counted["records"] == total == accepted and base_count == total
    return {"rate": total / cunfang["wall"], "baseline": total / baseline["wall"], "ok": ok}


def _print_cpu(run: dict, total: int, kind: str) -> None:
    """Where the machine's CPU went during the push: server, clients, PostgreSQL, and everything else."""
    lat = run["latencies"]
    parts = []
    ours = run["client_cpu"]
    if run["server_cpu"] is not None:
        parts.append(f"server {run['server_cpu']:.1f} s ({run['server_cpu'] / total * 1000:.1f} ms/record)")
        ours += run["server_cpu"]
    parts.append(f"clients {run['client_cpu']:.1f} s ({run['client_cpu'] / total * 1000:.1f} ms/record)")
    if kind == "postgres" and run["pg_cpu"] is not None:
        parts.append(f"PostgreSQL {run['pg_cpu']:.1f} s ({run['pg_cpu'] / total * 1000:.1f} ms/record)")
        ours += run["pg_cpu"]
    if run["machine_cpu"] is not None and run["server_cpu"] is not None:
        parts.append(f"other processes {max(0.0, run['machine_cpu'] - ours):.1f} s")
    print(f"            CPU: {', '.join(parts)}; wall x cores = {run['wall'] * (os.cpu_count() or 1):.1f} s")
    if lat:
        print(f"            POST /records as the client sees it: median {statistics.median(lat) * 1000:.0f} ms, "
              f"p95 {lat[min(len(lat) - 1, int(len(lat) * 0.95))] * 1000:.0f} ms per batch ({len(lat)} batches)")


# ---------------------------------------------------------------------- main


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--laptops", type=int, default=20)
    parser.add_argument("--records", type=int, default=10_000, help="records in all (split among the laptops)")
    parser.add_argument("--batch", type=int, default=50, help="records per push (SyncClient's default: 50)")
    parser.add_argument("--attachments", type=float, default=0.2, help="share of records with an attachment")
    parser.add_argument("--template", type=int, default=10, help="records made through the real API, then copied")
    parser.add_argument("--quick", action="store_true", help="4 laptops x 50 records")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--profile", action="store_true", help="cProfile Service.push on one batch")
    args = parser.parse_args()
    if args.quick:
        args.laptops, args.records = 4, 200
    if args.laptops < 1 or args.records < args.laptops:
        parser.error("need at least one laptop and one record per laptop")

    print(f"Sync push benchmark: {args.laptops} laptops x ~{args.records // args.laptops} records "
          f"({args.attachments:.0%} with a {ATTACHMENT_BYTES[0] // 1000}-{ATTACHMENT_BYTES[1] // 1000} KB attachment), "
          f"{os.cpu_count()} CPU cores, Python {sys.version.split()[0]}, code {code_version()}")
    work = Path(tempfile.mkdtemp(prefix="cunfang-bench-sync-"))
    servers: list[ServerProcess] = []
    pg_name = ""
    outcome: dict[str, dict | str] = {}
    try:
        t0 = time.perf_counter()
        template = build_template(work / "template", max(1, args.template))
        print(f"template: {len(template)} records through save_draft/add_attachment/finalize "
              f"in {time.perf_counter() - t0:.1f} s (not timed)")
        outcome["sqlite"] = run_database("SQLite file, 1 worker", "sqlite", str(work / "server.db"), 1, args,
                                         template, work, servers)
        why = "--no-postgres given" if args.no_postgres else postgres_reachable()
        if why:
            outcome["postgres"] = why
            print(f"\nSKIP  PostgreSQL: not reachable at 127.0.0.1:5432 as user postgres ({why})"
                  if not args.no_postgres else "\nSKIP  PostgreSQL: --no-postgres given")
        else:
            pg_name = f"cunfang_bench_{uuid.uuid4().hex[:12]}"
            pg_admin(f'CREATE DATABASE "{pg_name}"')
            outcome["postgres"] = run_database("PostgreSQL, 2 workers", "postgres",
                                               f"postgresql://postgres@127.0.0.1:5432/{pg_name}", 2, args, template,
                                               work, servers)
    finally:
        for server in servers:
            server.stop()
        if pg_name:
            try:
                pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            except Exception as exc:  # noqa: BLE001 - report, and go on cleaning up
                print(f"warning: could not drop database {pg_name}: {exc}")
        shutil.rmtree(work, ignore_errors=True)

    print("\nSummary (records/s; baseline: bare FastAPI endpoint inserting the same JSON, same clients and workers)")
    failed = False
    for kind, label in (("sqlite", "SQLite, 1 worker"), ("postgres", "PostgreSQL, 2 workers")):
        result = outcome.get(kind)
        if not isinstance(result, dict):
            print(f"SKIP  {label}: {result or 'not run'}")
            continue
        target = TARGETS[kind]
        passed = result["rate"] >= target and result["ok"]
        failed |= not passed
        print(f"{'PASS' if passed else 'FAIL'}  {label}: CunFang {result['rate']:.1f}/s, baseline "
              f"{result['baseline']:.1f}/s, ratio {result['rate'] / result['baseline']:.2f} "
              f"(baseline {result['baseline'] / result['rate']:.1f}x faster); target >= {target:.0f}/s"
              + ("" if result["ok"] else "; record counts did not match"))
    if args.quick:
        print("(--quick: too few records for representative figures)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
