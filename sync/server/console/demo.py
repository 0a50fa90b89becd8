"""Demo data on the server, arrived the way real data does: a laptop's demo store (``app.demo``) read row by
row into the protocol's own messages and pushed through the server's registry and record services, so the
console has a township to show. (The server does not import the sync client: the rows are read here.)"""

from __future__ import annotations

import json
import secrets
import tempfile
from datetime import date
from pathlib import Path

from app.demo import load_demo
from app.store.keyring import FAST_KDF
from app.store.store import PERSON_FIELDS, Store
from sync import protocol
from sync.protocol import RecordEnvelope, RegistryEntity, content_hash
from sync.server import scope

TABLES = (("village", "villages", ("name", "town", "county", "created_at")),
          ("household", "households", ("village_id", "group_name", "house_number", "address", "created_at")),
          ("person", "persons", (*PERSON_FIELDS, "guardian_id", "created_at")))


def _registry(store: Store) -> list[RegistryEntity]:
    items = []
    for kind, table, fields in TABLES:
        for row in store.query(f"SELECT * FROM {table} ORDER BY rowid"):
            values = {k: row[k] for k in fields if k in row}
            for key in ("categories", "extra"):
                if isinstance(values.get(key), str):
                    values[key] = json.loads(values[key] or ("[]" if key == "categories" else "{}"))
            items.append(RegistryEntity(kind=kind, id=row["id"], village_id=row["id"] if kind == "village"
                                        else row["village_id"], fields=values,
                                        updated_at=row.get("updated_at") or row["created_at"]))
    return items


def _envelope(row: dict) -> RecordEnvelope:
    data = json.loads(row["data"])
    version = row["form_version"] or ""
    return RecordEnvelope(uuid=row["uuid"], revision=row["revision"], prev_revision=row["prev_revision"],
                          form_id=row["form_id"], form_version=version, village_id=row["village_id"],
                          person_id=row["person_id"], household_id=row["household_id"], author=row["author"] or "",
                          title=(row["title"] or "")[:500], created_at=row["created_at"],
                          updated_at=row["updated_at"], data=data,
                          content_hash=content_hash(row["form_id"], version, data, []))


def push_store(service, store: Store, caller: scope.Caller | None = None) -> dict[str, int]:
    """Push a laptop store's villages, households, persons and finished records (as the sync client sends them:
    the same messages, through the same services); returns how many of each the server accepted."""
    caller = caller or scope.operator("示范数据")
    counts = {"registry": 0, "records": 0, "records_sent": 0}
    items = _registry(store)
    rows = store.query("SELECT * FROM records WHERE status != 'draft' ORDER BY updated_at")
    for start in range(0, len(items), protocol.REGISTRY_PAGE):
        results = service.registry_push(caller, items[start:start + protocol.REGISTRY_PAGE])
        counts["registry"] += sum(r.outcome == protocol.Outcome.ACCEPTED for r in results)
    counts["records_sent"] = len(rows)
    for start in range(0, len(rows), protocol.MAX_BATCH):
        envelopes = [_envelope(row) for row in rows[start:start + protocol.MAX_BATCH]]
        counts["records"] += sum(r.outcome == protocol.Outcome.ACCEPTED for r in service.push(caller, envelopes))
    return counts


def load_server_demo(service, *, persons: int = 600, seed: int = 1, today: date | None = None) -> dict[str, int]:
    """Fill the server with one demo township: its villages, households, ``persons`` people and their finished
    records. The laptop store is a throw-away (a cheap key: it never leaves the temporary directory)."""
    with tempfile.TemporaryDirectory() as directory:
        store = Store.create(Path(directory), secrets.token_urlsafe(16), kdf=FAST_KDF)
        try:
            load_demo(store, persons=persons, seed=seed, today=today)
            return push_store(service, store)
        finally:
            store.close()
