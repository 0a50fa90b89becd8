"""Does a laptop's audit log continue from what the server acknowledged? Pure logic, no database.

At each sync the laptop sends its new audit entries and its head (its newest entry now). The server
holds the head it acknowledged last time. Whatever the laptop did, these must hold:

- every entry's hash is the hash of its content (else: ``altered``);
- each new entry links to the one before it, the first to the acknowledged head (else: ``broken``, or
  ``fork`` when it is the acknowledged head itself that the laptop no longer has);
- no acknowledged position holds a different entry now (else: ``fork``);
- the laptop's log is not shorter than what was acknowledged, and has no gap (else: ``cut``).

After a finding the server acknowledges the laptop's log as it is now, so one cut is reported once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from app.errors import CunFangError, ErrorCode
from sync import protocol

KIND_LABELS = {"cut": "审计记录被截断", "fork": "审计记录被改写", "broken": "审计记录断链", "altered": "审计记录被修改",
               "tampered": "电脑自查发现篡改"}


@dataclass(frozen=True)
class Finding:
    kind: str            # cut, fork, broken, altered
    entry_id: int
    code: ErrorCode
    context: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        return CunFangError(self.code, **self.context).message


@dataclass
class Outcome:
    findings: list[Finding]
    head: tuple[int, str]  # what the server acknowledges now


def check(acknowledged: tuple[int, str], held: dict[int, str], entries: list[protocol.AuditEntry],
          head: protocol.AuditHead | None) -> Outcome:
    """``acknowledged``: (id, hash) of the head acknowledged before ((0, GENESIS) for none); ``held``: the hashes
    the server keeps for the ids of ``entries`` and ``head`` at or below it."""
    from app.store.audit import entry_hash

    ack_id, ack_hash = acknowledged
    findings: list[Finding] = []
    entries = sorted(entries, key=lambda e: e.id)
    for entry in entries:
        if entry_hash(entry.prev_hash, entry.id, entry.at, entry.user, entry.action, entry.subject,
                      entry.detail) != entry.hash:
            findings.append(Finding("altered", entry.id, ErrorCode.AUDIT_ENTRY_ALTERED, {"id": entry.id}))
    for entry in entries:
        if entry.id <= ack_id and held.get(entry.id, entry.hash) != entry.hash:
            findings.append(Finding("fork", entry.id, ErrorCode.AUDIT_SERVER_FORK, {"id": entry.id}))
            break
    prev_id, prev_hash = ack_id, ack_hash
    for entry in (e for e in entries if e.id > ack_id):
        if entry.id != prev_id + 1:
            findings.append(Finding("cut", prev_id + 1, ErrorCode.AUDIT_SERVER_CUT,
                                    {"first": prev_id + 1, "last": entry.id - 1}))
        elif entry.prev_hash != prev_hash:
            if prev_id == ack_id and ack_id > 0:
                findings.append(Finding("fork", ack_id, ErrorCode.AUDIT_SERVER_FORK, {"id": ack_id}))
            else:
                findings.append(Finding("broken", entry.id, ErrorCode.AUDIT_CHAIN_BROKEN, {"id": entry.id}))
        prev_id, prev_hash = entry.id, entry.hash
    now = (prev_id, prev_hash)
    if head is not None:
        if head.id < ack_id:
            findings.append(Finding("cut", head.id + 1, ErrorCode.AUDIT_SERVER_CUT,
                                    {"first": head.id + 1, "last": ack_id}))
            if head.id > 0 and held.get(head.id, head.hash) != head.hash:
                findings.append(Finding("fork", head.id, ErrorCode.AUDIT_SERVER_FORK, {"id": head.id}))
            now = (head.id, head.hash)
        elif head.id == prev_id and head.hash != prev_hash:
            findings.append(Finding("fork", head.id, ErrorCode.AUDIT_SERVER_FORK, {"id": head.id}))
            now = (head.id, head.hash)
    return Outcome(_once(findings), now)


def _once(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, int]] = set()
    kept = []
    for finding in findings:
        if (finding.kind, finding.entry_id) not in seen:
            seen.add((finding.kind, finding.entry_id))
            kept.append(finding)
    return kept
