"""Writing a USB package: the outbox sealed to the bureau server's key, for when no network reaches the village."""

from __future__ import annotations

import base64
import os
from pathlib import Path

from app.errors import CunFangError, ErrorCode
from app.practice import refuse_if_practice
from app.store import Store
from app.store.store import utc_now
from sync import package, protocol
from sync.client import outbox
from sync.client.credentials import coverage, settings


def export_package(store: Store, path: Path) -> int:
    """Seal every unsent record (with its attachments and the registry changes) into ``path``; returns the count.

    The records are marked "sent, awaiting answer": the next online sync asks the
    server about them again and learns "duplicate" for those the package delivered.
    """
    refuse_if_practice(store)  # 练习模式's fictional data never go on a USB stick to the county
    config = settings(store)
    if not config.get("credential") or not config.get("package_key"):
        raise CunFangError(ErrorCode.SYNC_NOT_ENROLLED)
    scopes = coverage(store, config)  # the package carries what this credential may, like a sync run
    outbox.queue_finalized(store, scopes)
    envelopes = outbox.pending(store, 1_000_000, scopes=scopes)
    if not envelopes:
        return 0
    hashes = sorted({ref.hash for env in envelopes for ref in env.attachments})
    payload = {
        "protocol": protocol.PROTOCOL_VERSION, "created_at": utc_now(), "device_id": config["device_id"],
        "credential": config["credential"], "server_id": config.get("server_id", ""),
        "records": [env.model_dump(mode="json") for env in envelopes],
        "registry": [item.model_dump(mode="json") for item in outbox.dirty_registry(store, 1_000_000, scopes)],
        "attachments": {h: base64.b64encode(store.attachment(h)).decode() for h in hashes},
    }
    blob = package.seal(payload, config["package_key"])
    path = Path(path)
    tmp = path.with_name(path.name + ".part")
    with open(tmp, "wb") as handle:
        handle.write(blob)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    outbox.mark_packaged(store, envelopes)
    from app.store.audit import append

    append(store, "package_export", subject=path.name, detail={"records": len(envelopes)})
    return len(envelopes)
