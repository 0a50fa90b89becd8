"""Real bureau servers on 127.0.0.1 (SQLite file or a fresh PostgreSQL database) and enrolled laptops.

``server`` is parametrized over both databases. PostgreSQL tests skip with a
visible reason when no server is reachable (a user's laptop), but fail under
CI=true, where the machine's own PostgreSQL must be running.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.store import Store
from app.store.keyring import FAST_KDF
from tests.processes import group_kwargs, kill_group

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PASS = "test-pass-123"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_ADMIN.replace("postgresql://", "postgresql://", 1), connect_timeout=3):
            return True
    except Exception:  # noqa: BLE001 - any failure means "not here"
        return False


@pytest.fixture(scope="session")
def pg_available() -> bool:
    ok = postgres_reachable()
    if not ok and os.environ.get("CI") == "true":
        pytest.fail("PostgreSQL at 127.0.0.1:5432 is not reachable, and CI=true requires it")
    return ok


@pytest.fixture
def pg_url(pg_available):
    """A fresh PostgreSQL database for one test, dropped afterwards."""
    if not pg_available:
        pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres)")
    import psycopg

    name = f"cunfang_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Server:
    """A running ``cunfang-server serve`` process and an in-process handle on its database."""

    db: str
    port: int
    workers: int = 1
    process: subprocess.Popen | None = None
    log: Path | None = None
    _service: object = field(default=None, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service(self):
        if self._service is None:
            from sync.server.api import open_service

            self._service = open_service(self.db)
        return self._service

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sync.server.cli", "--db", self.db, *args], capture_output=True,
                              text=True, check=check, timeout=120, cwd=ROOT)

    def start(self) -> Server:
        assert self.log is not None
        handle = open(self.log, "ab")  # noqa: SIM115 - closed with the process
        self.process = subprocess.Popen(
            [sys.executable, "-m", "sync.server.cli", "--db", self.db, "serve", "--port", str(self.port),
             "--workers", str(self.workers)], stdout=handle, stderr=subprocess.STDOUT, cwd=ROOT,
            **group_kwargs())
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text(errors='replace')[-2000:]}")
            try:
                if requests.get(self.url + "/api/v1/health", timeout=1).ok:
                    return self
            except requests.RequestException:
                pass
            time.sleep(0.1)
        raise RuntimeError("server did not start within 60 s")

    def kill(self) -> None:
        """kill -9 the whole server (all workers)."""
        if self.process and self.process.poll() is None:
            kill_group(self.process)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            kill_group(self.process, hard=False)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        if self._service is not None:
            self._service.engine.dispose()

    def user(self, name: str, role: str = "village_cadre", villages: str = "V1") -> str:
        """Create a user; returns their enrollment token."""
        return self.service.add_user(name, role, [v for v in villages.split(",") if v])


@pytest.fixture(params=["sqlite", "postgres"])
def server_db(request, tmp_path):
    if request.param == "sqlite":
        return str(tmp_path / "server.db")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def start_server(tmp_path):
    """Start a server on a database URL: ``start_server(db, workers=1)``; all stopped after the test."""
    started: list[Server] = []

    def start(db: str, *, workers: int = 1, port: int | None = None) -> Server:
        server = Server(db=db, port=port or free_port(), workers=workers, log=tmp_path / f"server{len(started)}.log")
        started.append(server)
        return server.start()

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(server_db, start_server) -> Server:
    return start_server(server_db)


@pytest.fixture
def sqlite_server(tmp_path, start_server) -> Server:
    return start_server(str(tmp_path / "server.db"))


def new_laptop(directory: Path) -> Store:
    return Store.create(directory, PASS, kdf=FAST_KDF)


@pytest.fixture
def laptop_factory(tmp_path):
    """``laptop_factory(server, name, role, villages)`` → an enrolled laptop store (closed after the test)."""
    from sync.client.client import enroll

    stores: list[Store] = []

    def make(server: Server, name: str = "zhang", role: str = "village_cadre", villages: str = "V1") -> Store:
        store = new_laptop(tmp_path / f"laptop-{name}-{len(stores)}")
        stores.append(store)
        for village in villages.split(","):
            if village and village != "*":
                store.add_village(village, f"{village}村", town="示范镇", county="示范县")
        enroll(store, server.url, server.user(name, role, villages), device_name=f"{name}-pc")
        return store

    yield make
    for store in stores:
        if not store.closed:
            store.close()


_VISITS = {}


def add_visit(store: Store, village: str, *, name: str = "王秀英", attachments: dict[str, bytes] | None = None,
              finalize: bool = True, form_id: str = "elder_visit") -> str:
    """A person in ``village`` and a valid visit record about them (finalized unless asked otherwise)."""
    from datetime import date

    from app.demo import _VisitData
    from ui.page_common import FormCatalog

    if "catalog" not in _VISITS:
        _VISITS["catalog"] = FormCatalog()
    if "data" not in _VISITS:
        _VISITS["data"] = _VisitData(date.today())
    form = _VISITS["catalog"].by_id(form_id)
    person = store.add_person(name=name, kind="elder" if form_id == "elder_visit" else "child", village_id=village)
    data = _VISITS["data"].make(form_id, date.today(), 30, 0, {})
    record = store.save_draft(form_id=form_id, form_version=form.version, data=data, person_id=person,
                              village_id=village, author="测试", title=f"{name} 探访")
    for file_name, content in (attachments or {}).items():
        store.add_attachment(record, file_name, content, "image/jpeg")
    if finalize:
        store.finalize(record, form, author="测试")
    return record


def visit_form(form_id: str = "elder_visit"):
    from ui.page_common import FormCatalog

    if "catalog" not in _VISITS:
        _VISITS["catalog"] = FormCatalog()
    return _VISITS["catalog"].by_id(form_id)
