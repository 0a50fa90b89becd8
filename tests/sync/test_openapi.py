"""Schemathesis against a running bureau server: no 5xx, and every answer is the one its OpenAPI document promises.

The schema is fetched from a real server on 127.0.0.1 (SQLite and PostgreSQL), and the
requests carry a real device credential (a laptop enrolled through ``laptop_factory``), so
the routes behind the bearer check are exercised, not just their 401. For each operation,
valid and invalid requests are generated (schemathesis strategies run by hypothesis) and
every answer must pass ``not_a_server_error``, ``status_code_conformance``,
``content_type_conformance`` and ``response_schema_conformance``.

Schemathesis' own pytest loader (``schemathesis.pytest.from_fixture``) cannot be used here: with
pytest 9.2 it fails with ``'Function' object has no attribute '_nodeid'``. The operations are
therefore driven through ``APIOperation.as_strategy`` and ``@given``, which also lets the test
recompute each pushed record's content hash so generated records get past the hash check.

It found, and the tests at the end keep fixed: integers past the database columns (revision, the
registry cursor, ``base_seq``) answered 500 instead of 422; on PostgreSQL a NUL character in any stored
string, and an ID number longer than its column, answered 500.

This test also found that the catch-all handler answered every 500 in plain text (``_error(500, ...,
status=500)`` raised TypeError); that was fixed in 08bfb46, and ``test_unexpected_error_is_an_error_body``
keeps it fixed.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from conftest import PG_ADMIN, Server, free_port, new_laptop
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync import protocol
from sync.client.client import enroll
from sync.client.client import settings as sync_settings

MAX_EXAMPLES = 20  # per operation and mode (positive, negative): about 400 requests per database
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
INT32_MAX = 2**31 - 1
INT64_MAX = 2**63 - 1
AUTHENTICATED_READS = ("GET /api/v1/me", "GET /api/v1/forms", "GET /api/v1/registry")


@pytest.fixture
def credential(server, laptop_factory) -> str:
    """A real device credential: an admin laptop (every form, every village), enrolled over HTTP."""
    assert server.url.startswith("http://127.0.0.1:")
    store = laptop_factory(server, "schema", "admin", "*")
    return sync_settings(store)["credential"]


def _bearer(credential: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {credential}"}


def _load_schema(server, credential: str):
    config = schemathesis.Config.from_dict({
        "base-url": server.url,
        "headers": _bearer(credential),
        "request-timeout": 30,
    })
    return schemathesis.openapi.from_url(f"{server.url}{protocol.API}/openapi.json", config=config, timeout=10)


def _walk(value: Any) -> Iterator[Any]:
    """Every leaf and key of a JSON-like value."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _walk(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)
    else:
        yield value


def _number(value: Any) -> float:
    """What pydantic's lax mode makes of a value sent for an integer (integral floats and digit strings count)."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, int | float):
        return value if value == value and abs(value) != float("inf") else 0
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
        return int(value)
    return 0


def _aim_at_published_forms(case, form: tuple[str, str] | None) -> None:
    """Valid requests that go deeper: a pushed record carries the content hash of what it holds (and, when
    ``form`` is given, a published form's id and version), so the server's form, village and attachment
    checks and its storage run, not only the hash check; a form download sometimes asks for a real form."""
    if case.operation.label == "GET /api/v1/forms/{form_id}/{version}" and form is not None:
        case.path_parameters = {"form_id": form[0], "version": form[1]}
    if case.operation.label != "POST /api/v1/records" or not isinstance(case.body, dict):
        return
    for record in case.body.get("records") or []:
        if form is not None:
            record["form_id"], record["form_version"] = form
        record["content_hash"] = protocol.content_hash(record["form_id"], record["form_version"], record["data"],
                                                       record.get("attachments") or [])


def _exercise(operation, mode: GenerationMode, forms: list[tuple[str, str]], session: requests.Session,
              statuses: dict[str, Counter]):
    """A hypothesis test sending generated requests for one operation and checking every answer."""

    @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None, phases=[Phase.generate, Phase.shrink],
              suppress_health_check=list(HealthCheck), print_blob=False)
    @given(case=operation.as_strategy(generation_mode=mode), form=st.none() | st.sampled_from(forms))
    def exercise(case, form):
        if mode is GenerationMode.POSITIVE:
            _aim_at_published_forms(case, form)
        response = case.call(session=session, timeout=30)
        statuses.setdefault(operation.label, Counter())[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)

    return exercise


def test_every_answer_is_documented(server, credential):
    schema = _load_schema(server, credential)
    postgres = server.db.startswith("postgresql")
    forms = [(f["form_id"], f["version"]) for f in requests.get(
        f"{server.url}{protocol.API}/forms", headers=_bearer(credential), timeout=10).json()["forms"]]
    assert forms, "the server publishes its built-in forms"
    statuses: dict[str, Counter] = {}
    problems: list[str] = []
    session = requests.Session()
    session.headers.update(_bearer(credential))

    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == 13, [op.label for op in operations]
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            exercise = _exercise(operation, mode, forms, session, statuses)
            try:
                exercise()
            except Unsatisfiable:
                # nothing here can be made invalid (no parameters, or only free-form path strings)
                assert mode is GenerationMode.NEGATIVE, operation.label
            except (Exception, FailureGroup) as exc:  # noqa: BLE001 - all operations' failures are reported together
                notes = "\n".join(getattr(exc, "__notes__", ()))  # hypothesis: the falsifying example
                problems.append(f"{operation.label} ({mode.value}): {type(exc).__name__}: {exc}\n{notes}")
    session.close()

    assert not problems, "\n\n".join(problems)
    for label in AUTHENTICATED_READS:  # the credential really let the requests in
        assert statuses[label][200] > 0, (label, statuses[label])
    assert statuses["POST /api/v1/records"][200] > 0, statuses["POST /api/v1/records"]
    database = "postgresql" if postgres else "sqlite"
    print(f"\n{database}: status codes per operation {dict(statuses)}")


# ---------------------------------------------------------------------- bugs it found, one request each


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def probe(request, tmp_path_factory, pg_available) -> Iterator[tuple[Server, str]]:
    """One server per database for the whole module (starting one per request would double the runtime), with an
    admin laptop enrolled over HTTP exactly as ``laptop_factory`` does: ``(server, credential)``."""
    directory = tmp_path_factory.mktemp(f"openapi-{request.param}")
    database = None
    if request.param == "sqlite":
        db = str(directory / "server.db")
    else:
        if not pg_available:
            pytest.skip("PostgreSQL is not reachable at 127.0.0.1:5432 (user postgres)")
        import psycopg

        database = f"cunfang_test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{database}"')
        db = f"postgresql://postgres@127.0.0.1:5432/{database}"
    server = Server(db=db, port=free_port(), log=directory / "server.log")
    try:
        server.start()
        store = new_laptop(directory / "laptop")
        try:
            enroll(store, server.url, server.user("probe", "admin", "*"), device_name="probe-pc")
            credential = sync_settings(store)["credential"]
        finally:
            store.close()
        yield server, credential
    finally:
        server.stop()
        if database:
            import psycopg

            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


def _envelope(**changes: Any) -> dict:
    env = {"uuid": f"openapi-{uuid.uuid4().hex[:12]}", "revision": 1, "form_id": "no_such_form", "form_version": "1",
           "created_at": "2024-01-01T00:00:00Z", "updated_at": "2024-01-01T00:00:00Z", "data": {"note": "x"}}
    env.update(changes)
    env["content_hash"] = protocol.content_hash(env["form_id"], env["form_version"], env["data"], [])
    return env


def _assert_no_server_error(response: requests.Response) -> None:
    """Not a 5xx; a refusal is the documented ErrorBody."""
    assert response.status_code < 500, (response.status_code, response.headers.get("content-type"), response.text)
    if response.status_code >= 400:
        assert set(response.json()) == {"code", "message"}, response.text


def _asgi_get(app, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
    """One GET through the ASGI app in-process (there is no httpx here for TestClient). Starlette re-raises an
    exception after its handler answered (for the server's log): ignored, as uvicorn does; when the app sent
    nothing at all, uvicorn's own answer is returned."""
    sent: list[dict] = []

    async def receive() -> dict:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80)}
    try:
        asyncio.run(app(scope, receive, send))
    except Exception:  # noqa: BLE001 - see the docstring
        pass
    starts = [m for m in sent if m["type"] == "http.response.start"]
    if not starts:
        return 500, {"content-type": "text/plain; charset=utf-8"}, b"Internal Server Error"
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return starts[0]["status"], {k.decode(): v.decode() for k, v in starts[0]["headers"]}, body


def test_unexpected_error_is_an_error_body(tmp_path):
    """An unexpected exception is answered with the documented ErrorBody (it was plain text before 08bfb46)."""
    from sync.server.api import create_app, open_service

    service = open_service(f"sqlite:///{tmp_path / 'server.db'}")

    def database_gone(_credential: str):
        raise RuntimeError("the database went away")

    service.authenticate = database_gone
    try:
        status, headers, body = _asgi_get(create_app(service), f"{protocol.API}/me", _bearer("cfd-anything"))
    finally:
        service.engine.dispose()
    assert status == 500
    assert headers["content-type"] == "application/json", (headers, body)
    assert json.loads(body)["code"] == "SYNC_SERVER_ERROR"


# Integers past the database columns are refused with 422 (they were 500)
@pytest.mark.parametrize("revision", [INT32_MAX + 1, INT64_MAX + 1])
def test_revision_past_the_column_is_refused(probe, revision):
    server, credential = probe
    response = requests.post(f"{server.url}{protocol.API}/records", headers=_bearer(credential), timeout=30,
                             json={"records": [_envelope(revision=revision)]})
    _assert_no_server_error(response)
    assert response.status_code == 422, response.text  # the same answer on both databases


def test_registry_cursor_past_bigint_is_refused(probe):
    server, credential = probe
    _assert_no_server_error(requests.get(f"{server.url}{protocol.API}/registry", headers=_bearer(credential),
                                         timeout=30, params={"cursor": INT64_MAX + 1}))


def test_registry_base_seq_past_bigint_is_refused(probe):
    server, credential = probe
    url, headers = f"{server.url}{protocol.API}/registry", _bearer(credential)
    item = {"kind": "village", "id": f"VX{uuid.uuid4().hex[:6]}", "fields": {"name": "X村"},
            "updated_at": "2024-01-01T00:00:00Z"}
    first = requests.post(url, headers=headers, timeout=30, json={"items": [item]})
    assert first.status_code == 200 and first.json()["results"][0]["outcome"] == "accepted", first.text
    _assert_no_server_error(requests.post(url, headers=headers, timeout=30, json={"items": [
        item | {"base_seq": INT64_MAX + 1, "updated_at": "2024-01-02T00:00:00Z"}]}))


# NUL characters are refused, never a 500 (PostgreSQL text cannot hold them)
def test_nul_characters_are_never_a_server_error(request, probe):
    server, credential = probe
    headers = _bearer(credential)
    for env in (_envelope(uuid="openapi-nul-\x00"), _envelope(title="a\x00b"), _envelope(form_id="elder\x00visit")):
        _assert_no_server_error(requests.post(f"{server.url}{protocol.API}/records", headers=headers, timeout=30,
                                              json={"records": [env]}))
    _assert_no_server_error(requests.post(f"{server.url}{protocol.API}/registry", headers=headers, timeout=30, json={
        "items": [{"kind": "village", "id": "V\x00", "fields": {}, "updated_at": "2024-01-01T00:00:00Z"}]}))
    _assert_no_server_error(requests.get(f"{server.url}{protocol.API}/forms/elder%00visit/1", headers=headers,
                                         timeout=30))


# An over-long ID number is a rejected registry row, never a 500
def test_long_id_number_is_never_a_server_error(request, probe):
    server, credential = probe
    _assert_no_server_error(requests.post(
        f"{server.url}{protocol.API}/registry", headers=_bearer(credential), timeout=30,
        json={"items": [{"kind": "person", "id": f"openapi-{uuid.uuid4().hex[:8]}", "village_id": "V1",
                         "updated_at": "2024-01-01T00:00:00Z",
                         "fields": {"name": "王秀英", "kind": "elder", "id_number": "1" * 41}}]}))
