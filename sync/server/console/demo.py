"""Demo data on the server, arrived the way real data does: a laptop's demo store (``app.demo``) pushed
through the server's own registry and record services, so the console has a township to show."""

from __future__ import annotations

import secrets
import tempfile
from datetime import date
from pathlib import Path

from app.demo import load_demo
from app.store.keyring import FAST_KDF
from app.store.store import Store
from sync import protocol
from sync.client import outbox
from sync.server import scope


def load_server_demo(service, *, persons: int = 600, seed: int = 1, today: date | None = None) -> dict[str, int]:
    """Fill the server with one demo township: its villages, households, ``persons`` people and their finished
    records. The laptop store is a throw-away (a cheap key: it never leaves the temporary directory)."""
    caller = scope.operator("示范数据")
    counts = {"registry": 0, "records": 0}
    with tempfile.TemporaryDirectory() as directory:
        store = Store.create(Path(directory), secrets.token_urlsafe(16), kdf=FAST_KDF)
        try:
            load_demo(store, persons=persons, seed=seed, today=today)
            with store.transaction():
                for _, table in outbox.REGISTRY_TABLES:
                    store.conn.execute(f"UPDATE {table} SET dirty = 1")
            while items := outbox.dirty_registry(store, protocol.REGISTRY_PAGE):
                results = service.registry_push(caller, items)
                outbox.apply_registry_results(store, items, results)
                counts["registry"] += len(items)
            rows = store.query("SELECT * FROM records WHERE status != 'draft' ORDER BY updated_at")
            for start in range(0, len(rows), protocol.MAX_BATCH):
                envelopes = [outbox.envelope(store, row) for row in rows[start:start + protocol.MAX_BATCH]]
                counts["records"] += sum(r.outcome == protocol.Outcome.ACCEPTED
                                         for r in service.push(caller, envelopes))
        finally:
            store.close()
    return counts
