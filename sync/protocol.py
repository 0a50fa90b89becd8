"""The sync wire protocol, version 1: one module that the client and the bureau server both import.

JSON over HTTPS under ``/api/v1``; see docs/sync-protocol.md for the whole exchange.
Every message is a pydantic model here, so the server validates what it receives
and publishes it in its OpenAPI document, and the client parses answers with the
same definitions. Errors travel as ``{"code": ErrorCode name, "message": Chinese}``.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_serializer

PROTOCOL_VERSION = 1
API = "/api/v1"
CHUNK_SIZE = 256 * 1024            # attachment upload chunk
MAX_CHUNK = 4 * 1024 * 1024         # the largest chunk a server accepts
MAX_ATTACHMENT = 64 * 1024 * 1024   # one photo/signature/file
MAX_JSON_BODY = 16 * 1024 * 1024    # one push of records, registry rows or audit entries (refused while read)
MAX_BATCH = 200                     # records per push
REGISTRY_PAGE = 500                 # persons/households per pull page
SHA256 = r"^[0-9a-f]{64}$"
MAX_REVISION = 2**31 - 1            # revisions are INTEGER columns on the server (32 bits on PostgreSQL)
MAX_SEQ = 2**63 - 1                 # registry versions and pull cursors are BIGINT
NO_NUL = r"^[^\x00]*$"              # PostgreSQL cannot store a NUL character in text
Text = Annotated[str, StringConstraints(pattern=NO_NUL)]


class Outcome(StrEnum):
    """What the server did with one pushed record."""

    ACCEPTED = "accepted"    # stored; the laptop's copy is now on the server
    DUPLICATE = "duplicate"  # the same revision with the same content was already there: success, nothing changed
    CONFLICT = "conflict"    # another revision won the race: both kept, flagged for a person to resolve
    REJECTED = "rejected"    # not stored, with a reason; the record stays on the laptop, editable
    RETRY = "retry"          # not stored yet (attachments missing): send again later, nothing lost

    @property
    def final(self) -> bool:
        return self is not Outcome.RETRY


class Strict(BaseModel):
    """A wire message: unknown fields refused and no coercion (``"revision": "1"`` is not a number: 422).

    Strict mode still reads enums from their JSON values (``model_validate_json``), as every answer is read.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class ErrorBody(Strict):
    code: str
    message: str


class ClientUpdate(BaseModel):
    """The newest app version the bureau offers (``cunfang-server serve --client-version``): shown, never installed.

    Unknown fields are ignored, so a later server may add some without breaking this client.
    """

    model_config = ConfigDict(extra="ignore")

    version: str = Field(min_length=1, max_length=40)
    url: str = Field(default="", max_length=500)    # where the bureau describes or offers it (for a person to read)
    notes: str = Field(default="", max_length=2000)  # what changed, in the operator's words


class Health(Strict):
    ok: bool
    protocol: int
    server: str
    # Only when the request asks with ``?client_version=``: clients before it parse Health strictly (extra fields
    # forbidden), so a server never sends this field to a client that did not ask for it.
    client_update: ClientUpdate | None = None


class UserInfo(Strict):
    name: str
    role: str
    role_label: str
    villages: list[str]


class EnrollRequest(Strict):
    token: Text = Field(min_length=8, max_length=200)
    device_name: Text = Field(default="", max_length=200)


class EnrollResponse(Strict):
    device_id: str
    credential: str
    server_id: str
    package_key: str  # the server's public key (X25519, base64) for encrypted USB packages
    user: UserInfo


class AttachmentRef(Strict):
    name: Text = Field(min_length=1, max_length=255)
    hash: str = Field(pattern=SHA256)
    size: int = Field(ge=0, le=MAX_ATTACHMENT)
    mime: Text = Field(default="", max_length=100)


class RecordEnvelope(Strict):
    """One revision of one record, as the laptop holds it."""

    uuid: Text = Field(min_length=8, max_length=64)
    revision: int = Field(ge=1, le=MAX_REVISION)
    prev_revision: int | None = Field(default=None, ge=1, le=MAX_REVISION)
    base_revision: int | None = Field(default=None, ge=1, le=MAX_REVISION)  # the server revision it was edited from
    form_id: Text = Field(min_length=1, max_length=100)
    form_version: Text = Field(max_length=100)
    village_id: Text | None = Field(default=None, max_length=64)
    person_id: Text | None = Field(default=None, max_length=64)
    household_id: Text | None = Field(default=None, max_length=64)
    author: Text = Field(default="", max_length=100)
    title: Text = Field(default="", max_length=500)
    created_at: Text = Field(max_length=40)
    updated_at: Text = Field(max_length=40)
    data: dict[str, Any]
    attachments: list[AttachmentRef] = Field(default_factory=list, max_length=200)
    content_hash: str = Field(pattern=SHA256)
    # made in a practice store (练习模式, app/practice.py): the server refuses the whole push
    # (SYNC_PRACTICE_REFUSED). Left out of the JSON when false, so servers from before it still read envelopes.
    practice: bool = False

    @model_serializer(mode="wrap")
    def _practice_only_when_true(self, handler):
        data = handler(self)
        if not self.practice and isinstance(data, dict):
            data.pop("practice", None)
        return data


class PushRequest(Strict):
    records: list[RecordEnvelope] = Field(max_length=MAX_BATCH)


class RecordResult(Strict):
    uuid: str
    revision: int
    outcome: Outcome = Field(strict=False)  # an enum read from its value in a parsed dict too
    code: str = ""
    message: str = ""
    server_revision: int | None = None
    missing: list[str] = Field(default_factory=list)  # attachment hashes the server still needs


class PushResponse(Strict):
    results: list[RecordResult]


class AttachmentStatus(Strict):
    hash: str
    received: int
    complete: bool


class FormInfo(Strict):
    form_id: str
    version: str
    title: str
    sha256: str
    size: int


class FormList(Strict):
    forms: list[FormInfo]


class RegionListInfo(Strict):
    """A county's list of townships and villages the bureau publishes (pulled like forms, by hash)."""

    county: str = Field(pattern=r"^\d{6}$")
    sha256: str = Field(pattern=SHA256)
    count: int


class RegionLists(Strict):
    lists: list[RegionListInfo]


class RegionList(Strict):
    """The list itself: [code, name] pairs under the county (9-digit townships, 12-digit villages)."""

    county: str = Field(pattern=r"^\d{6}$")
    sha256: str = Field(pattern=SHA256)
    rows: list[tuple[Annotated[str, StringConstraints(pattern=r"^\d{9}(\d{3})?$")],
                     Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NO_NUL)]]]


class RegistryEntity(Strict):
    """A village, household or person of the registry, as the server holds it."""

    kind: str = Field(pattern=r"^(village|household|person)$")
    id: Text = Field(min_length=1, max_length=64)
    village_id: Text | None = Field(default=None, max_length=64)
    fields: dict[str, Any]
    updated_at: Text = Field(max_length=40)
    # push: the server version the laptop last saw (None: new on the laptop; -1: refetch); pull: the server's
    base_seq: int | None = Field(default=None, ge=-MAX_SEQ - 1, le=MAX_SEQ)
    seq: int | None = Field(default=None, ge=-MAX_SEQ - 1, le=MAX_SEQ)


class RegistryPage(Strict):
    items: list[RegistryEntity]
    cursor: int
    more: bool


class RegistryPush(Strict):
    items: list[RegistryEntity] = Field(max_length=REGISTRY_PAGE)


class RegistryResult(Strict):
    kind: str
    id: str
    outcome: Outcome = Field(strict=False)  # an enum read from its value in a parsed dict too
    seq: int | None = None
    same_as: str | None = None  # the server already has this person (same ID number) under this id
    merged: bool = False        # the server combined this change with another one: pull the result
    code: str = ""
    message: str = ""


class RegistryPushResponse(Strict):
    results: list[RegistryResult]


def canonical_json(value: Any) -> str:
    """The one text form of a value used for hashing: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(form_id: str, form_version: str, data: dict, attachments: list[dict] | list[AttachmentRef]) -> str:
    """SHA-256 of what makes a revision's content: same hash means the same record sent again."""
    plain = [a if isinstance(a, dict) else a.model_dump() for a in attachments]
    refs = sorted(({"name": a["name"], "hash": a["hash"]} for a in plain), key=lambda a: (a["name"], a["hash"]))
    body = canonical_json({"form_id": form_id, "form_version": form_version, "data": data, "attachments": refs})
    return hashlib.sha256(body.encode()).hexdigest()


def region_list_text(rows: list[tuple[str, str]] | list[list[str]]) -> str:
    """A county list as text (``code<TAB>name`` lines, by code): what is stored, hashed and compared."""
    return "".join(f"{code}\t{name}\n" for code, name in sorted((str(c), str(n)) for c, n in rows))


def region_list_hash(rows: list[tuple[str, str]] | list[list[str]]) -> str:
    return hashlib.sha256(region_list_text(rows).encode("utf-8")).hexdigest()


class AuditEntry(Strict):
    """One entry of a laptop's hash-chained audit log (``app/store/audit.py``)."""

    id: int = Field(ge=1, le=MAX_SEQ)
    at: Text = Field(max_length=40)
    user: Text = Field(default="", max_length=100)
    action: Text = Field(max_length=40)
    subject: Text = Field(default="", max_length=2000)
    detail: Text = Field(default="{}", max_length=100_000)
    prev_hash: str = Field(pattern=SHA256)
    hash: str = Field(pattern=SHA256)


class AuditHead(Strict):
    """The newest entry of a laptop's audit log as the laptop holds it now (id 0: an empty log)."""

    id: int = Field(ge=0, le=MAX_SEQ)
    hash: str = Field(pattern=SHA256)


class IntegrityProblem(Strict):
    """One thing a laptop's own checks found wrong (e.g. its accounts or roles edited outside the app)."""

    code: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,59}$")  # the ErrorCode name the laptop used
    message: Text = Field(max_length=1000)                # in Chinese, as the laptop said it
    at: Text = Field(default="", max_length=40)           # when the laptop found it
    subject: Text = Field(default="", max_length=200)     # what it is about (a login name, a table), never a secret


class IntegrityReport(Strict):
    """What the laptop's own checks say at this sync: ``tampered`` when any check failed."""

    tampered: bool
    problems: list[IntegrityProblem] = Field(default_factory=list, max_length=50)


class AuditPush(Strict):
    entries: list[AuditEntry] = Field(max_length=REGISTRY_PAGE)
    # Optional, so older laptops still sync: the laptop's newest entry now (sent at every sync, even with no
    # new entries), which lets the server notice entries it acknowledged being cut or replaced.
    head: AuditHead | None = None
    integrity: IntegrityReport | None = None


class AuditPushResponse(Strict):
    stored: int        # entries new to the server
    last_id: int       # the entry the server acknowledges as this laptop's head: send from the next one
    chain_ok: bool     # the entries and the head continue what the server acknowledged, unaltered


# ---------------------------------------------------------------- per-record results in plain Chinese
# for the laptop's terminal and 同步 page and the server's package import alike

OUTCOME_LABELS = {
    Outcome.ACCEPTED: "已接收",
    Outcome.DUPLICATE: "已接收（之前已发送过）",
    Outcome.CONFLICT: "有冲突，两份都已保留",
    Outcome.REJECTED: "被退回",
    Outcome.RETRY: "暂未入库，下次继续",
}


def describe(result: RecordResult | dict, title: str = "") -> str:
    """One line: which record, what happened, and why when it was not simply accepted."""
    if isinstance(result, dict):
        result = RecordResult.model_validate(result, strict=False)  # our own JSON report, not the wire
    name = title or result.uuid[:8]
    line = f"{name}（第 {result.revision} 版）：{OUTCOME_LABELS[result.outcome]}"
    return f"{line}。{result.message}" if result.message else line


def describe_results(results: list, titles: dict[str, str] | None = None) -> list[str]:
    titles = titles or {}
    lines = [describe(r, titles.get(r["uuid"] if isinstance(r, dict) else r.uuid, "")) for r in results]
    return lines or ["没有需要发送的记录。"]


def summary(counts: dict[str, int]) -> str:
    """E.g. “已接收 12 条，被退回 1 条”."""
    parts = []
    for outcome in Outcome:
        n = counts.get(outcome.value, 0)
        if n:
            parts.append(f"{OUTCOME_LABELS[outcome].split('（')[0]} {n} 条")
    return "，".join(parts) or "没有需要发送的记录"
