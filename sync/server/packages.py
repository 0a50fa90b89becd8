"""Applying a USB package on the server: the same checks and per-record results as a sync, idempotent."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from app.errors import CunFangError, ErrorCode
from sync import package
from sync.protocol import RecordEnvelope, RegistryEntity
from sync.server.service import Service
from sync.server.services.records import refuse_practice


def import_package(service: Service, path: Path) -> dict:
    """Decrypt and apply a package; returns {"device_id", "user", "results", "registry"} (results as in a push)."""
    try:
        blob = Path(path).read_bytes()
    except OSError as exc:
        raise CunFangError(ErrorCode.SYNC_PACKAGE_UNREADABLE, path=str(path), reason=exc.strerror or str(exc)) from exc
    try:
        payload = package.open_sealed(blob, service.meta("package_private"))
    except package.PackageError as exc:
        raise CunFangError(ErrorCode.SYNC_PACKAGE_WRONG_SERVER) from exc
    caller = service.authenticate(str(payload.get("credential", "")))
    envelopes = [RecordEnvelope.model_validate(r) for r in payload.get("records", [])]
    refuse_practice(envelopes)  # before anything of the package is kept
    for digest, encoded in payload.get("attachments", {}).items():
        content = base64.b64decode(encoded)
        if hashlib.sha256(content).hexdigest() == digest:  # a damaged one stays missing: its record says retry
            service.add_attachment(content)
    registry = service.registry_push(caller, [RegistryEntity.model_validate(i) for i in payload.get("registry", [])])
    results = service.push(caller, envelopes)
    return {"device_id": caller.device_id, "user": caller.user_name,
            "results": [r.model_dump(mode="json") for r in results],
            "registry": [r.model_dump(mode="json") for r in registry]}
