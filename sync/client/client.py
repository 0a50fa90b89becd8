"""The sync client: enrollment, then each sync run (registry up, records and attachments up, forms and registry
down), resumable at any point and cancellable between requests.

A run never changes a record's status before the server has answered for it, so
a crash, a cut or a cancel anywhere leaves the outbox exactly as it should be: the
next run sends again what was not confirmed, and the server says "duplicate".
"""

from __future__ import annotations

import hashlib
import json
import random
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pydantic import ValidationError

from app.clock import remember_server_time
from app.errors import CunFangError, ErrorCode
from app.practice import refuse_if_practice
from app.store import Store
from app.store.audit import entries_after as audit_entries_after
from app.store.audit import head as audit_head
from app.store.forms import keep_pulled, pulled_hashes
from app.store.store import utc_now
from app.version import version as app_version
from app.version import version_tuple
from sync import protocol
from sync.client import outbox
from sync.client.credentials import SETTING, coverage, enrollment_prefix, settings, state_key
from sync.client.transport import ServerRefusal, Transient, Transport

__all__ = ["SETTING", "SyncClient", "SyncReport", "enroll", "enroll_from_file", "enrolled", "settings"]
UPDATE_SETTING = SETTING + "client_update"  # the app version the server offered at the last sync (JSON, or "")
Progress = Callable[[int, int, str], None]


def backoff_delay(attempt: int, *, base: float = 2.0, cap: float = 600.0, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry ``attempt`` (0-based): exponential with full jitter, at most ``cap``."""
    return (rng or random).uniform(0, min(cap, base * 2 ** attempt))


@dataclass
class SyncReport:
    """What one run did, per record, in words a person can read (``protocol.describe``)."""

    results: list[protocol.RecordResult] = field(default_factory=list)
    registry_sent: int = 0
    registry_received: int = 0
    audit_sent: int = 0
    forms_received: list[str] = field(default_factory=list)
    regions_received: list[str] = field(default_factory=list)  # the county list, when the bureau changed it
    waiting: list[str] = field(default_factory=list)  # why records this account sees stay on the laptop
    error: str = ""
    error_code: str = ""  # the ErrorCode name of ``error`` (SYNC_UNREACHABLE, SYNC_SERVER_ERROR, …)
    cancelled: bool = False
    finished_at: str = ""
    client_update: protocol.ClientUpdate | None = None  # the app version the server offers (newer or not)

    @property
    def update_available(self) -> bool:
        """The server offers an app version newer than this one (to tell the user; nothing is installed)."""
        return self.client_update is not None and newer_version(self.client_update.version)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for result in self.results:
            out[result.outcome.value] = out.get(result.outcome.value, 0) + 1
        return out

    def to_json(self) -> dict:
        return {"results": [r.model_dump(mode="json") for r in self.results], "counts": self.counts(),
                "registry_sent": self.registry_sent, "registry_received": self.registry_received,
                "forms_received": self.forms_received, "regions_received": self.regions_received,
                "waiting": self.waiting, "error": self.error,
                "error_code": self.error_code,
                "cancelled": self.cancelled,
                "finished_at": self.finished_at,
                "client_update": self.client_update.model_dump() if self.client_update else None,
                "update_available": self.update_available}


def newer_version(offered: str, current: str | None = None) -> bool:
    """Whether version ``offered`` is newer than ``current`` (default: this app); "0.2" and "0.2.0" are equal."""
    def key(text: str) -> tuple[int, ...]:
        parts = list(version_tuple(text.strip()))
        while parts and parts[-1] == 0:
            parts.pop()
        return tuple(parts)

    return bool(version_tuple(offered.strip())) and key(offered) > key(current or app_version())


def remember_update(store: Store, offer: protocol.ClientUpdate | None) -> None:
    """Keep what the server offers (or that it offers nothing any more) for the app's notice."""
    text = offer.model_dump_json() if offer else ""
    if (store.get_setting(UPDATE_SETTING) or "") != text:
        store.set_setting(UPDATE_SETTING, text)


def update_offer(store: Store) -> protocol.ClientUpdate | None:
    """The app version the server offered at the last sync, when it is newer than this app; else None.

    Only to tell the user (“服务器提供新版本 …”): the app never downloads or installs anything itself.
    """
    text = store.get_setting(UPDATE_SETTING) or ""
    if not text:
        return None
    try:
        offer = protocol.ClientUpdate.model_validate_json(text)
    except ValidationError:
        return None
    return offer if newer_version(offer.version) else None


def enrolled(store: Store) -> bool:
    return bool(settings(store).get("credential"))


def enroll(store: Store, url: str, token: str, *, device_name: str = "", ca_file: str | None = None,
           timeout: tuple[float, float] | None = None) -> protocol.EnrollResponse:
    """Exchange a one-time enrollment token for this laptop's device credential, and keep it in the store."""
    refuse_if_practice(store)  # 练习模式's fictional data never meet a real server
    token = token.strip()
    if not 8 <= len(token) <= 200:
        raise CunFangError(ErrorCode.SYNC_TOKEN_INVALID)
    try:
        transport = Transport(url, ca_file=ca_file, **({"timeout": timeout} if timeout else {}))
    except (OSError, ssl.SSLError) as exc:
        raise CunFangError(ErrorCode.SYNC_CA_FILE_BAD, path=ca_file, reason=getattr(exc, "strerror", None)
                           or str(exc)) from exc
    try:
        health = transport.call("GET", "/health", protocol.Health, params={"client_version": app_version()})
        if health.protocol != protocol.PROTOCOL_VERSION:
            raise CunFangError(ErrorCode.SYNC_PROTOCOL_MISMATCH, server=health.protocol,
                               client=protocol.PROTOCOL_VERSION)
        answer = transport.call("POST", "/enroll", protocol.EnrollResponse,
                                json=protocol.EnrollRequest(token=token, device_name=device_name[:200]).model_dump())
    finally:
        transport.close()
    _keep_enrollment(store, transport.url, answer, ca_file=ca_file or "")
    remember_update(store, health.client_update)
    return answer


def _keep_enrollment(store: Store, url: str, answer: protocol.EnrollResponse, *, ca_file: str = "",
                     how: str = "") -> None:
    values = {"url": url, "credential": answer.credential, "device_id": answer.device_id,
              "server_id": answer.server_id, "package_key": answer.package_key,
              "user": answer.user.model_dump_json(), "ca_file": ca_file, "registry_cursor": "0"}
    from app.store.audit import append

    prefix = enrollment_prefix(store)  # the signed-in account's own enrollment (a shared laptop), else the laptop's
    with store.transaction():
        for key, value in values.items():
            store.set_setting(prefix + key, value)
        append(store, "enroll", subject=url, user=answer.user.name,
               detail={"device_id": answer.device_id, "role": answer.user.role, **({"how": how} if how else {})})


def enroll_from_file(store: Store, path, token: str) -> protocol.EnrollResponse:
    """Enroll without any network: the bureau enrolled this laptop's user for it (``cunfang-server device
    enroll-file``) and sealed the answer with the user's one-time token. Afterwards USB packages can be written
    (they are sealed to the server's key the file brings), and the first sync with a network goes as usual."""
    from pathlib import Path

    from sync import package

    refuse_if_practice(store)
    try:
        blob = Path(path).read_bytes()
    except OSError as exc:
        raise CunFangError(ErrorCode.SYNC_ENROLL_FILE_BAD, path=str(path), reason=exc.strerror or str(exc)) from exc
    try:
        payload = package.open_enrollment(blob, token)
        answer = protocol.EnrollResponse.model_validate(payload["answer"])
        url = str(payload["url"])
    except (package.PackageError, ValidationError, KeyError, TypeError) as exc:
        raise CunFangError(ErrorCode.SYNC_ENROLL_FILE_BAD, path=Path(path).name,
                           reason="登记码不对，或文件不是县局写的登记文件") from exc
    _keep_enrollment(store, url, answer, how="file")
    return answer


def _within(rows: list[dict], budget: int) -> list[dict]:
    """The first rows whose text fits in ``budget`` characters (at least one), so a push stays under the limit."""
    used = 0
    for i, row in enumerate(rows):
        used += sum(len(str(value)) for value in row.values()) + 200
        if used > budget and i:
            return rows[:i]
    return rows


def integrity_report(store: Store) -> protocol.IntegrityReport | None:
    """What this laptop's own checks find, for the bureau (``IntegrityReport``); None when all is well: the audit
    chain, a cut tail noticed now or before, account rows edited outside the app (``app.store.audit``)."""
    from app.store.audit import integrity_report as laptop_checks

    found = laptop_checks(store)
    return protocol.IntegrityReport(**found) if found["tampered"] else None


class SyncClient:
    """One sync run against the enrolled server. ``cancel`` is checked between requests."""

    def __init__(self, store: Store, *, cancel: threading.Event | None = None, progress: Progress | None = None,
                 batch_size: int = 50, timeout: tuple[float, float] | None = None, retries: int = 3,
                 sleep: Callable[[float], None] = time.sleep):
        refuse_if_practice(store)  # 练习模式: nothing is sent, whatever the settings say
        config = settings(store)
        if not config.get("credential"):
            raise CunFangError(ErrorCode.SYNC_NOT_ENROLLED)
        self.store = store
        self.config = config
        self.scopes = coverage(store, config)  # what this credential carries for the signed-in account
        self.cancel = cancel or threading.Event()
        self.progress = progress or (lambda done, total, text: None)
        self.batch_size = min(batch_size, protocol.MAX_BATCH)
        self.retries = retries
        self.sleep = sleep
        self.transport = Transport(config["url"], credential=config["credential"],
                                   ca_file=config.get("ca_file") or None,
                                   **({"timeout": timeout} if timeout else {}))

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ one run

    def run(self) -> SyncReport:
        """Sync everything once. Network trouble ends the run with ``report.error`` set (nothing is lost)."""
        report = SyncReport()
        try:
            self.progress(0, 0, "正在连接服务器")
            health = self._call("GET", "/health", protocol.Health, params={"client_version": app_version()})
            report.client_update = health.client_update
            remember_update(self.store, health.client_update)
            remember_server_time(self.store, self.transport.server_date)
            self.progress(0, 0, "正在发送人员名册")
            self._push_registry(report)
            self._push_records(report)
            self._push_audit(report)
            self.progress(0, 0, "正在接收表单")
            self._pull_forms(report)
            self._pull_regions(report)
            self.progress(0, 0, "正在接收人员名册")
            self._pull_registry(report)
        except _Cancelled:
            report.cancelled = True
            report.error, report.error_code = ErrorCode.SYNC_CANCELLED.value, ErrorCode.SYNC_CANCELLED.name
        except CunFangError as exc:
            report.error, report.error_code = exc.message, exc.code.name
        report.finished_at = utc_now()
        from app.store.audit import append

        append(self.store, "sync", subject=self.config.get("url", ""),
               detail={"counts": report.counts(), "registry_sent": report.registry_sent,
                       "registry_received": report.registry_received, "error_code": report.error_code})
        self.store.set_setting(state_key(self.store, self.config, "last_run"), json.dumps(
            {"at": report.finished_at, "counts": report.counts(), "error": report.error,
             "error_code": report.error_code}, ensure_ascii=False))
        return report

    def _check_cancel(self) -> None:
        if self.cancel.is_set():
            raise _Cancelled()

    def _call(self, method: str, path: str, model=None, **kwargs):
        """One request, retried a few times with backoff when the network or the server hiccups."""
        for attempt in range(self.retries + 1):
            self._check_cancel()
            try:
                return self.transport.call(method, path, model, **kwargs)
            except Transient:
                if attempt == self.retries:
                    raise
                self.sleep(backoff_delay(attempt, base=0.5, cap=10))
        raise AssertionError("unreachable")

    # ------------------------------------------------------------------ up

    def _push_registry(self, report: SyncReport) -> None:
        previous: set[tuple[str, str, str]] = set()
        for _round in range(10_000):  # bounded: each round clears a page of dirty rows
            items = outbox.dirty_registry(self.store, protocol.REGISTRY_PAGE, self.scopes)
            page = {(item.kind, item.id, item.updated_at) for item in items}
            if not items or page == previous:
                return  # nothing left, or the server's answers cleared none of them: never send a page twice
            previous = page
            answer = self._call("POST", "/registry", protocol.RegistryPushResponse,
                                json=protocol.RegistryPush(items=items).model_dump(mode="json"))
            refetch = outbox.apply_registry_results(self.store, items, answer.results)
            if refetch is not None:  # the server's copy wins for these rows: pull them again from there
                cursor = min(int(settings(self.store).get("registry_cursor") or 0), refetch - 1)
                self.store.set_setting(state_key(self.store, self.config, "registry_cursor"), str(max(cursor, 0)))
                self.config["registry_cursor"] = str(max(cursor, 0))
            report.registry_sent += sum(r.outcome is not protocol.Outcome.REJECTED for r in answer.results)
            if all(r.outcome is protocol.Outcome.REJECTED for r in answer.results):
                return  # nothing moved (rows outside this user's villages): don't loop on them

    def _push_records(self, report: SyncReport) -> None:
        outbox.queue_finalized(self.store, self.scopes)
        total = outbox.outbox_count(self.store, self.scopes)
        report.waiting = outbox.note_not_covered(self.store, self.config, self.scopes)
        after: tuple[str, str] | None = None
        sent = 0
        while True:
            batch = outbox.pending(self.store, self.batch_size, after=after, scopes=self.scopes)
            if not batch:
                return
            self.progress(sent, total, "正在发送记录")
            ready, held = [], []
            for env in batch:
                problem = self._upload_all(env)
                if problem is None:
                    ready.append(env)
                else:  # this record waits for its attachment; the others go on
                    held.append(protocol.RecordResult(uuid=env.uuid, revision=env.revision,
                                                      outcome=protocol.Outcome.RETRY, code=problem.code.name,
                                                      message=problem.message))
            results = self._send_records(ready) + held
            outbox.apply_results(self.store, results)
            report.results += results
            after = (batch[-1].updated_at, batch[-1].uuid)
            sent += len(batch)
            self.progress(min(sent, total), total, "正在发送记录")

    def _push_audit(self, report: SyncReport) -> None:
        """Send this laptop's audit entries after the one the server acknowledges for this credential.

        Every run first sends the log's head and what the laptop's own checks found (no entries): the server
        answers with what it acknowledges, noticing entries cut or replaced since. Nothing is kept locally
        about what was sent, so each credential of a shared laptop continues its own chain on the server.
        """
        head = self._audit_head()
        try:
            acked = self._call("POST", "/audit", protocol.AuditPushResponse, json=protocol.AuditPush(
                entries=[], head=head, integrity=integrity_report(self.store)).model_dump(mode="json",
                                                                                        exclude_none=True)).last_id
        except ServerRefusal as exc:
            if exc.status != 422:
                raise
            acked = None  # a server from before the head: it answers with the newest entry it holds
        for _page in range(100_000):
            start = acked if acked is not None else int(settings(self.store).get("audit_sent") or 0)
            rows = _within(audit_entries_after(self.store, start, protocol.REGISTRY_PAGE),
                           protocol.MAX_JSON_BODY // 4)
            if not rows:
                return
            push = protocol.AuditPush(entries=rows, head=head) if acked is not None else protocol.AuditPush(
                entries=rows)
            answer = self._call("POST", "/audit", protocol.AuditPushResponse,
                                json=push.model_dump(mode="json", exclude_none=True))
            report.audit_sent += len(rows)
            if acked is None:
                self.store.set_setting(state_key(self.store, self.config, "audit_sent"),
                                       str(max(answer.last_id, rows[-1]["id"])))
            elif answer.last_id <= acked:
                return  # the server is not moving on: try again next run
            else:
                acked = answer.last_id

    def _audit_head(self) -> protocol.AuditHead:
        return protocol.AuditHead(**audit_head(self.store))  # id 0 and the genesis hash for an empty log

    def _send_records(self, envelopes: list[protocol.RecordEnvelope]) -> list[protocol.RecordResult]:
        """Push a batch; one the server finds too large (413) goes in halves, and a record too large on its own
        is answered alone, so it never blocks the others."""
        if not envelopes:
            return []
        try:
            return self._call("POST", "/records", protocol.PushResponse,
                              json=protocol.PushRequest(records=envelopes).model_dump(mode="json")).results
        except ServerRefusal as exc:
            if exc.status != 413:
                raise
            if len(envelopes) == 1:
                return [protocol.RecordResult(uuid=envelopes[0].uuid, revision=envelopes[0].revision,
                                              outcome=protocol.Outcome.RETRY, code=exc.code.name,
                                              message=exc.message)]
        half = len(envelopes) // 2
        return self._send_records(envelopes[:half]) + self._send_records(envelopes[half:])

    def _upload_all(self, env: protocol.RecordEnvelope) -> CunFangError | None:
        """Upload a record's attachments; what kept one of them from completing (said for this record), or None.

        Trouble with the network or the credential ends the run as before; only what concerns this one
        attachment (refused, over a limit, garbled on the way every time) stays with its record.
        """
        for ref in env.attachments:
            try:
                self._upload(ref)
            except ServerRefusal as exc:
                if exc.status not in (409, 413, 422):
                    raise
                return CunFangError(ErrorCode.SYNC_ATTACHMENT_UNFINISHED, name=ref.name, reason=exc.message)
            except Transient:
                raise
            except CunFangError as exc:
                if exc.code is not ErrorCode.SYNC_ATTACHMENT_UNFINISHED:
                    raise
                return exc
        return None

    def _upload(self, ref: protocol.AttachmentRef) -> None:
        """Send one attachment in chunks, from wherever the server stopped (a cut upload resumes)."""
        content = self.store.attachment(ref.hash)
        restarts = 0
        for _attempt in range(len(content) // protocol.CHUNK_SIZE + 10):
            status = self._call("GET", f"/attachments/{ref.hash}", protocol.AttachmentStatus)
            if status.complete:
                return
            offset = status.received
            try:
                while offset < len(content):
                    chunk = content[offset: offset + protocol.CHUNK_SIZE]
                    status = self._call("PUT", f"/attachments/{ref.hash}", protocol.AttachmentStatus, data=chunk,
                                        params={"offset": offset, "total": len(content)},
                                        headers={"Content-Type": "application/octet-stream"})
                    offset = status.received
                    if status.complete:
                        return
            except ServerRefusal as exc:
                restarts += exc.status == 422
                if exc.status not in (409, 422) or restarts > 2:
                    raise
                # 409: the server has a different amount than we thought; 422: our upload was discarded, start again
        raise CunFangError(ErrorCode.SYNC_ATTACHMENT_UNFINISHED, name=ref.name,
                           reason="服务器几次要求从另一处续传，都没有传完。")

    # ------------------------------------------------------------------ down

    def _pull_forms(self, report: SyncReport) -> None:
        have = pulled_hashes(self.store)
        listing = self._call("GET", "/forms", protocol.FormList)
        for info in listing.forms:
            if have.get((info.form_id, info.version)) == info.sha256:
                continue
            content = self._call("GET", f"/forms/{info.form_id}/{info.version}")
            if hashlib.sha256(content).hexdigest() != info.sha256:
                raise Transient(ErrorCode.SYNC_SERVER_ERROR, status="表单文件不完整")
            keep_pulled(self.store, form_id=info.form_id, version=info.version, title=info.title, content=content,
                        sha256=info.sha256, now=utc_now())
            report.forms_received.append(f"{info.title}（{info.version}）")

    def _pull_regions(self, report: SyncReport) -> None:
        """The county's list of townships and villages, when the bureau published a new one: the forms offer
        its villages from now on (``Store.set_county_list``). A server without lists (or older) has none."""
        try:
            listing = self._call("GET", "/regions", protocol.RegionLists)
        except ServerRefusal as exc:
            if exc.status == 404:
                return  # a server older than county lists
            raise
        township = self.store.township()
        mine = [i for i in listing.lists if i.county == township[:6]] if township else listing.lists[:1]
        held = self.store.county_list()
        for info in mine:
            if held is not None and held.get("code") == info.county and held.get("sha256") == info.sha256:
                continue
            got = self._call("GET", f"/regions/{info.county}", protocol.RegionList)
            rows = [(code, name) for code, name in got.rows]
            if got.county != info.county or protocol.region_list_hash(rows) != info.sha256:
                raise Transient(ErrorCode.SYNC_SERVER_ERROR, status="村名单不完整")
            self.store.set_county_list(info.county, rows, info.sha256)
            report.regions_received.append(f"县 {info.county} 的乡镇和村名单（{len(rows)} 个）")

    def _pull_registry(self, report: SyncReport) -> None:
        cursor = int(self.config.get("registry_cursor") or 0)
        for _page in range(100_000):
            page = self._call("GET", "/registry", protocol.RegistryPage, params={"cursor": cursor})
            with self.store.transaction():
                report.registry_received += outbox.apply_registry_page(self.store, page.items)
                self.store.set_setting(state_key(self.store, self.config, "registry_cursor"), str(page.cursor))
            cursor = page.cursor
            if not page.more:
                return


class _Cancelled(Exception):
    pass
