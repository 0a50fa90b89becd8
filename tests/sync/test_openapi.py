"""Schemathesis against the running bureau server: every answer is in its own OpenAPI document.

The schema is fetched from a real server on 127.0.0.1 (SQLite and PostgreSQL), and
requests carry a real device credential (a laptop enrolled through ``laptop_factory``),
so the authenticated routes are exercised past the bearer check. For every operation,
generated requests (valid and invalid) must never get a 5xx, and each answer's status
code, content type and body must be documented in the schema.
"""

from __future__ import annotations

import pytest
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.client.client import settings

MAX_EXAMPLES = 15  # per operation and generation mode: keeps both databases well under a minute
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def api_schema(server, laptop_factory):
    store = laptop_factory(server, "schema", "village_cadre", "V1")
    credential = settings(store)["credential"]
    assert server.url.startswith("http://127.0.0.1:")
    config = schemathesis.Config.from_dict({
        "base-url": server.url,
        "headers": {"Authorization": f"Bearer {credential}"},
        "request-timeout": 30,
        "generation": {"max-examples": MAX_EXAMPLES, "database": "none", "mode": "all"},
    })
    return schemathesis.openapi.from_url(f"{server.url}/api/v1/openapi.json", config=config, timeout=10)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
def test_every_answer_is_documented(case):
    case.call_and_validate(checks=CHECKS)
