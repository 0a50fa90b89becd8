"""SQL lives in the store: app/'s domain modules and the sync client (sync/client/) hold no SQL and never touch
the connection (app/store/ does; app/accounts.py and app/accounts_cli.py are the accounts' own, moved with their
owner). ui/ is checked by tests/ui/test_structure.py with the same scan."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("ui_structure", ROOT / "tests" / "ui" / "test_structure.py")
_structure = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_structure)
database_uses = _structure.database_uses

NOT_YET = {"app/accounts.py", "app/accounts_cli.py"}  # h17keys' files this session (issue 16)
DOMAIN = sorted(p for p in (ROOT / "app").rglob("*.py")
                if "store" not in p.relative_to(ROOT / "app").parts[:1]
                and p.relative_to(ROOT).as_posix() not in NOT_YET)


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_domain_module_holds_no_sql(path):
    assert database_uses(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)}: put the statement in app/store/ (a function per entity, scoped by default)")

SYNC_CLIENT = sorted((ROOT / "sync" / "client").rglob("*.py"))


@pytest.mark.parametrize("path", SYNC_CLIENT, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_sync_client_holds_no_sql(path):
    """The laptop's sync client asks app/store/outbox.py (and audit, forms, records) for what it needs."""
    assert database_uses(path.read_text(encoding="utf-8")) == [], (
        f"{path.relative_to(ROOT)}: put the statement in app/store/ (outbox.py for what sync needs)")


def test_the_sync_client_list_is_not_empty():
    names = {p.relative_to(ROOT).as_posix() for p in SYNC_CLIENT}
    assert {"sync/client/outbox.py", "sync/client/client.py", "sync/client/cli.py",
            "sync/client/credentials.py"} <= names


def test_the_domain_list_is_not_empty():
    names = {p.relative_to(ROOT).as_posix() for p in DOMAIN}
    assert {"app/dashboard.py", "app/registry.py", "app/spreadsheets/importer.py", "app/demo.py"} <= names
    assert not any(n.startswith("app/store/") for n in names)
