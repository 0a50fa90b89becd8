"""The local store: persons, households, villages and form records in one encrypted database.

All writes go through this class, each in one transaction, from one connection
guarded by a lock (one writer). A record's status moves
draft → finalized → queued → sent → accepted/rejected; editing after sending
makes a new revision and records who changed what, when and why.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid as uuid_module
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlcipher3

from app import china
from app.access import EVERYTHING
from app.errors import CunFangError, ErrorCode, disk_full
from app.store import connection, keyring, lockout
from app.store.migrate import migrate
from app.store.search import build_query, name_pinyin, name_sort_key, reversed_tail

__all__ = ["STATUSES", "STATUS_LABELS", "Store", "utc_now"]
from app.store import lifecycle
from app.store.lifecycle import STATUS_LABELS, STATUSES, Event

PERSON_FIELDS = ("name", "id_number", "sex", "birth_date", "phone", "kind", "categories", "risk_tier", "status",
                 "status_reason", "village_id", "household_id", "last_visit", "next_due", "extra")


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


class Store:
    """An open store. Use ``Store.create`` or ``Store.open``; close with ``close()`` or ``with``."""

    def __init__(self, conn, data_dir: Path, *, data_key: bytes = b"", kdf: keyring.Kdf = keyring.DEFAULT_KDF,
                 migrate_upto: int | None = None):
        self.conn = conn
        self.data_dir = data_dir
        self._db = None
        self._lock = threading.RLock()
        self.closed = False
        self._bulk_jobs = 0  # exports and imports running (small_page_cache)
        self._usual_cache = 0
        self.data_key = data_key  # to seal a new account's slot; SQLCipher holds it in memory anyway
        self.kdf = kdf  # the cost the store was opened with, used for slots sealed while it is open
        self.account = None  # the signed-in app.accounts.Account; None on a store without accounts
        self.scope = EVERYTHING
        self.ring: keyring.Keyring | None = None  # the keyring as opened (its slot's signing key, app/accounts.py)
        self.signing_key: bytes | None = None  # the accounts signing key, when an administrator signed in
        self._after_commit: list = []
        migrate(conn, upto=migrate_upto)

    @property
    def db(self):
        """The sqlite-utils view of the connection (made on first write; reading needs only ``query``)."""
        if self._db is None:
            import sqlite_utils

            self._db = sqlite_utils.Database(self.conn)
        return self._db

    # ------------------------------------------------------------------ opening

    @classmethod
    def create(cls, data_dir: Path, passphrase: str, *, kdf: keyring.Kdf = keyring.DEFAULT_KDF,
               migrate_upto: int | None = None) -> Store:
        """A new, empty store without accounts, opened by a passphrase (scripts, tests; the app makes an
        administrator account instead, see app.accounts). ``migrate_upto`` stops at an old schema."""
        if len(passphrase) < 6:
            raise CunFangError(ErrorCode.STORE_PASSPHRASE_SHORT, minimum=6)
        conn, data_key = connection.create_connection(Path(data_dir), {keyring.PASSPHRASE_SLOT: passphrase}, kdf=kdf)
        return cls(conn, Path(data_dir), data_key=data_key, kdf=kdf, migrate_upto=migrate_upto)

    @classmethod
    def open(cls, data_dir: Path, passphrase: str) -> Store:
        """Open a store without accounts by its passphrase; a store with accounts needs app.accounts.sign_in."""
        data_dir = Path(data_dir)
        if cls.has_accounts(data_dir):
            raise CunFangError(ErrorCode.ACCOUNT_LOGIN_NEEDED)
        return cls.unlocked(data_dir, keyring.PASSPHRASE_SLOT, passphrase)

    @classmethod
    def unlocked(cls, data_dir: Path, slot: str, secret: str, *, now: float | None = None) -> Store:
        """Open through one keyring slot; failed logins the keyring remembered go into the audit log."""
        data_key, ring = connection.unlock(Path(data_dir), slot, secret, now=now)
        store = cls(connection.open_connection(Path(data_dir), data_key), Path(data_dir), data_key=data_key,
                    kdf=keyring.Kdf.of_slot(ring.slots[slot]))
        store.ring = ring
        store.record_failed_logins(ring)
        return store

    def record_failed_logins(self, ring: keyring.Keyring | None = None) -> None:
        """Move the failed logins the keyring remembered (the database was shut) into the audit log.

        Several sign-ins may do this at once (the app and the CLI): each event carries an id, is written
        only if the log does not hold it yet (inside the write transaction), and is then removed from the
        keyring by its id, so none is lost or written twice."""
        from app.store.audit import append

        ring = ring or keyring.load(self.data_dir / connection.KEYRING_NAME)
        events, dropped = list(ring.pending), ring.dropped
        if not events and not dropped:
            return
        with self.transaction():
            ids = [e["id"] for e in events if e.get("id")]
            marks = ",".join("?" * len(ids))
            logged = {row[0] for row in self.conn.execute(
                f"SELECT json_extract(detail, '$.event') FROM audit_log WHERE action IN ('login_failed', "
                f"'keyring_restored') AND json_extract(detail, '$.event') IN ({marks})", ids)} if ids else set()
            for event in events:
                if event.get("id") in logged:
                    continue
                tag = {"event": event["id"]} if event.get("id") else {}
                if event.get("event") == "keyring_restored":
                    append(self, "keyring_restored", detail={"at": event["at"], **tag})
                    continue
                # a name with no slot is never written down (people type passwords into the name field);
                # keyrings from before kept it: those are dropped here too
                slot = event.get("slot", "")
                login = slot.removeprefix("user:") if slot in ring.slots else lockout.UNKNOWN_LOGIN
                append(self, "login_failed", subject=login,
                       detail={"at": event["at"], "wait_seconds": event.get("wait", 0), **tag})
            if dropped:
                append(self, "login_failed", detail={"dropped": dropped})

        done_ids = {e["id"] for e in events if e.get("id")}
        older = [e for e in events if not e.get("id")]  # kept by a version before ids: matched whole

        def clear(fresh: keyring.Keyring) -> None:
            fresh.pending = [e for e in fresh.pending
                             if not (e["id"] in done_ids if e.get("id") else e in older)]
            fresh.dropped = max(0, fresh.dropped - dropped)

        connection.update_keyring(self.data_dir, clear)

    @staticmethod
    def has_accounts(data_dir: Path) -> bool:
        """Whether the store at ``data_dir`` is opened by accounts (a keyring with user slots)."""
        path = Path(data_dir) / connection.KEYRING_NAME
        if not path.exists() and not Store.exists(data_dir):
            return False
        return any(name.startswith("user:") for name in keyring.load(path).slots)  # missing: says so in Chinese

    @staticmethod
    def exists(data_dir: Path) -> bool:
        return (Path(data_dir) / connection.DB_NAME).exists()

    def close(self) -> None:
        with self._lock:
            if self.closed:
                return
            self.closed = True
            try:
                self.conn.execute("PRAGMA optimize")  # keeps the query planner's statistics current
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlcipher3.DatabaseError:
                pass  # a damaged page or a full disk: everything committed is in the WAL, read at the next open
            finally:
                self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction (BEGIN IMMEDIATE); nested calls join the outer one."""
        with self._lock:
            if self.conn.in_transaction:
                yield
                return
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield
                self.conn.execute("COMMIT")
            except BaseException as exc:
                self._after_commit.clear()
                if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk does)
                    self.conn.execute("ROLLBACK")
                full = disk_full(exc, action="保存", path=self.data_dir)
                if full is not None and full is not exc:
                    raise full from exc
                raise
            callbacks, self._after_commit = self._after_commit, []
            for callback in callbacks:
                callback()

    def after_commit(self, callback) -> None:
        """Run ``callback()`` once the current write transaction commits (now if there is none); dropped on a
        rollback. For what lives outside the database, such as the audit log's head in the keyring."""
        with self._lock:
            if self.conn.in_transaction:
                self._after_commit.append(callback)
                return
        callback()

    @contextmanager
    def small_page_cache(self, kib: int = 2048) -> Iterator[None]:
        """While a bulk job (export, import) reads or writes the whole store, keep only ``kib`` of pages in memory
        (the usual 64 MiB cache would fill with the job's pages, and a long write transaction would hold every page
        it dirtied until COMMIT): memory stays flat as rows grow. Pages beyond it spill to the WAL, encrypted.
        Jobs running at once are counted: the usual cache comes back when the last one ends."""
        with self._lock:
            if self._bulk_jobs == 0:
                self._usual_cache = self.conn.execute("PRAGMA cache_size").fetchone()[0]
                self.conn.execute(f"PRAGMA cache_size = {-kib}")
            self._bulk_jobs += 1
        try:
            yield
        finally:
            with self._lock:
                self._bulk_jobs -= 1
                if self._bulk_jobs == 0 and not self.closed:
                    self.conn.execute(f"PRAGMA cache_size = {int(self._usual_cache)}")

    def query(self, sql: str, params: Iterable = ()) -> list[dict]:
        with self._lock:
            cur = self.conn.execute(sql, tuple(params))
            names = [d[0] for d in cur.description]
            return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]

    def query_tuples(self, sql: str, params: Iterable = ()) -> list[tuple]:
        """``query`` for bulk reads (exports): each row a tuple in the statement's column order, no dict made."""
        with self._lock:
            return self.conn.execute(sql, tuple(params)).fetchall()

    # ------------------------------------------------------------------ villages and households

    def add_village(self, village_id: str, name: str, *, town: str = "", county: str = "") -> str:
        with self.transaction():
            self.db["villages"].insert({"id": village_id, "name": name, "town": town, "county": county,
                                        "created_at": utc_now()}, replace=True)
        return village_id

    BULK_TABLES = ("villages", "households", "persons", "records")

    def bulk_insert(self, table: str, rows: list[dict]) -> None:
        """Insert rows made whole elsewhere (demo data: 50,000 persons in seconds, their records in whatever state
        the demo gives them), with one column list, in one transaction."""
        if table not in self.BULK_TABLES:
            raise ValueError(table)
        if not rows:
            return
        columns = list(rows[0])
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        with self.transaction():
            self.conn.executemany(sql, [tuple(row[c] for c in columns) for row in rows])

    def cipher_version(self) -> str:
        """SQLCipher's version ('' when the database is not SQLCipher's)."""
        row = self.conn.execute("PRAGMA cipher_version").fetchone()
        return row[0] if row else ""

    def villages(self) -> list[dict]:
        return self.query("SELECT * FROM villages ORDER BY id")

    def add_household(self, *, village_id: str, group_name: str = "", house_number: str = "", address: str = "",
                      household_id: str | None = None) -> str:
        household_id = household_id or str(uuid_module.uuid4())
        now = utc_now()
        with self.transaction():
            self.db["households"].insert({"id": household_id, "village_id": village_id, "group_name": group_name,
                                          "house_number": house_number, "address": address, "created_at": now,
                                          "updated_at": now})
        return household_id

    # ------------------------------------------------------------------ persons

    def _person_row(self, fields: dict) -> dict:
        row = {k: fields[k] for k in PERSON_FIELDS if k in fields}
        for key in ("categories",):
            if key in row and not isinstance(row[key], str):
                row[key] = json.dumps(row[key], ensure_ascii=False)
        if "extra" in row and not isinstance(row["extra"], str):
            row["extra"] = json.dumps(row["extra"], ensure_ascii=False)
        if "id_number" in row:
            row["id_number"] = china.normalize_id(row["id_number"])
            row["id_rev"] = reversed_tail(row["id_number"])
        if "phone" in row:
            row["phone"] = china.normalize_mobile(row["phone"])
            row["phone_rev"] = reversed_tail(row["phone"])
        if "name" in row:
            row["pinyin"], row["initials"] = name_pinyin(row["name"])
            if self._sorts_names():
                row["name_key"] = name_sort_key(row["name"])
        return row

    def _sorts_names(self) -> bool:
        """Whether the schema has persons.name_key (migration 011; tests of migrations stop before it)."""
        if getattr(self, "_name_key", None) is None:
            self._name_key = "name_key" in {row[1] for row in self.conn.execute("PRAGMA table_info(persons)")}
        return self._name_key

    def add_person(self, **fields) -> str:
        return self.insert_persons([fields])[0]

    def insert_persons(self, people: Iterable[dict]) -> list[str]:
        """Insert many persons in one transaction (demo data, imports)."""
        now = utc_now()
        rows, ids = [], []
        for fields in people:
            row = self._person_row(fields)
            row["id"] = fields.get("id") or str(uuid_module.uuid4())
            row.setdefault("kind", "other")
            if not self.scope.allows_person(row):
                self.scope.check_village(row.get("village_id"))
                raise CunFangError(ErrorCode.ACCESS_DENIED, role=self.scope.role.label, action="登记这类人员",
                                   hint="")
            row["created_at"] = row["updated_at"] = now
            rows.append(row)
            ids.append(row["id"])
        with self.transaction():
            self.db["persons"].insert_all(rows, batch_size=500)
        return ids

    def update_person(self, person_id: str, **fields) -> None:
        row = self._person_row(fields)
        row["updated_at"] = utc_now()
        with self.transaction():
            if not self.scope.allows_person(self.get_person(person_id) | row):
                raise CunFangError(ErrorCode.ACCESS_VILLAGE, village=row.get("village_id") or "未指定")
            self.db["persons"].update(person_id, row)

    def get_person(self, person_id: str) -> dict:
        rows = self.query("SELECT * FROM persons WHERE id = ?", [person_id])
        if not rows:
            raise CunFangError(ErrorCode.PERSON_NOT_FOUND, person_id=person_id)
        if not self.scope.allows_person(rows[0]):
            raise CunFangError(ErrorCode.ACCESS_VILLAGE, village=rows[0]["village_id"] or "未指定")
        return rows[0]

    def search_persons(self, text: str, *, village_id: str | None = None, kind: str | None = None,
                       limit: int = 50, offset: int = 0, sort: str | None = None,
                       descending: bool = False) -> list[dict]:
        """Ranked, paged search by name part, pinyin initials, ID/phone suffix; see search.py. ``sort`` (a key of
        ``persons.SORTS``) orders the matches by that column instead of by rank."""
        from app.store import persons

        sql, params = build_query(text, village_id=village_id, kind=kind, limit=limit, offset=offset,
                                  scope=self.scope.persons_sql(),
                                  order=persons.order_by(self, sort, descending) if sort else None)
        return self.query(sql, params)

    def overdue(self, *, village_id: str | None = None, today: str | None = None, limit: int = 500) -> list[dict]:
        """Active persons whose next visit is due before ``today`` (ISO date): highest risk first, then the most
        days overdue (工作台's order)."""
        from app.store import persons

        return persons.overdue(self, today or datetime.now(UTC).date().isoformat(), village_id=village_id,
                               limit=limit)

    def count_persons(self) -> int:
        return self.db["persons"].count

    # ------------------------------------------------------------------ records

    def save_draft(self, *, form_id: str, form_version: str, data: dict, record_uuid: str | None = None,
                   person_id: str | None = None, household_id: str | None = None, village_id: str | None = None,
                   author: str = "", title: str = "") -> str:
        """Save a form being filled (called on every change). Returns the record's UUID."""
        record_uuid = record_uuid or str(uuid_module.uuid4())
        self.scope.check_form(form_id)
        if village_id:
            self.scope.check_village(village_id)
        now = utc_now()
        payload = json.dumps(data, ensure_ascii=False, sort_keys=True)
        with self.transaction():
            existing = self.query("SELECT * FROM records WHERE uuid = ?", [record_uuid])  # any schema
            if existing:
                lifecycle.after(lifecycle.state_of(existing[0]), Event.SAVE)
                self.conn.execute("UPDATE records SET data = ?, title = ?, updated_at = ?, person_id = ?, "
                                  "household_id = ?, village_id = ? WHERE uuid = ?",
                                  (payload, title, now, person_id, household_id, village_id, record_uuid))
            else:
                row = {
                    "uuid": record_uuid, "form_id": form_id, "form_version": form_version, "person_id": person_id,
                    "household_id": household_id, "village_id": village_id, "status": "draft", "revision": 1,
                    "prev_revision": None, "author": author, "title": title, "data": payload, "created_at": now,
                    "updated_at": now,
                }
                if self.account:  # (a store without accounts may be at a schema before 007: tests of migrations)
                    row["created_by"] = self.account.login
                # a plain INSERT (sqlite-utils' insert looks the table up again on every call: most of a save's
                # time outside SQLite, benchmarks/store.py "API overhead")
                self.conn.execute(f"INSERT INTO records ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                  tuple(row.values()))
        return record_uuid

    def add_records(self, form, checked: list[dict], *, person: dict | None = None, author: str = "",
                    title: str = "", finalize: bool = False) -> list[str]:
        """New records of ``form`` whose data the engine has checked (``app.record_batch.check``: filled with
        this store's ``form_instances()``, as ``finalize`` fills), all in one transaction: drafts, or each
        finalized as 定稿 finalizes one (one house number per village, then the registry and the schedule).
        Returns their UUIDs in order. Nothing is written when any of them is refused."""
        from app.registry import check_before_finalize, record_finalized
        from app.settings import load_settings

        self.scope.check_form(form.form_id)
        person = person or {}
        if person.get("village_id"):
            self.scope.check_village(person["village_id"])
        rules = load_settings(self.data_dir).visits
        now = utc_now()
        rows = []
        for data in checked:
            row = {"uuid": str(uuid_module.uuid4()), "form_id": form.form_id, "form_version": form.version,
                   "person_id": person.get("id"), "household_id": person.get("household_id"),
                   "village_id": person.get("village_id"), "status": "draft", "revision": 1,
                   "prev_revision": None, "author": author, "title": title,
                   "data": json.dumps(data, ensure_ascii=False, sort_keys=True), "created_at": now,
                   "updated_at": now}
            if self.account:
                row["created_by"] = self.account.login
            rows.append(row)
        with self.transaction():
            self.bulk_insert("records", rows)
            if finalize:
                for row, data in zip(rows, checked, strict=True):
                    record = {**row, "data": data}
                    check_before_finalize(self, record, data)
                    lifecycle.move(self, record, Event.FINALIZE)
                    record_finalized(self, record, rules)
        return [row["uuid"] for row in rows]

    def get_record(self, record_uuid: str) -> dict:
        rows = self.query("SELECT * FROM records WHERE uuid = ?", [record_uuid])
        if not rows:
            raise CunFangError(ErrorCode.RECORD_NOT_FOUND, uuid=record_uuid)
        record = rows[0]
        if not self.scope.allows_record(record):
            raise CunFangError(ErrorCode.ACCESS_VILLAGE, village=record["village_id"] or "未指定")
        record["data"] = json.loads(record["data"])
        return record

    def drafts(self) -> list[dict]:
        """Unfinished forms, newest first: what the app offers to resume after a crash (the user's own)."""
        scope, params = self.scope.records_sql("")
        mine = " AND created_by IN (?, '')" if self.account else ""  # '': made before accounts
        return self.query("SELECT uuid, form_id, form_version, person_id, title, updated_at FROM records "
                          f"WHERE status = 'draft' AND {scope}{mine} ORDER BY updated_at DESC",
                          [*params, *([self.account.login] if self.account else [])])

    def form_instances(self) -> dict:
        """Secondary instances every record on this laptop is filled with: the county's settings and the
        villages of this laptop's township (``villages``, what ``select_one_from_file villages.csv`` offers)."""
        from app.regions import VILLAGES_INSTANCE, villages_instance
        from app.settings import form_instances, load_settings

        return {**form_instances(load_settings(self.data_dir)),
                VILLAGES_INSTANCE: villages_instance(self.village_choices())}

    # ------------------------------------------------------------------ places (统计用区划代码)

    TOWNSHIP_SETTING = "region.township"  # the 9-digit code of this laptop's township
    COUNTY_LIST_SETTING = "region.county_list"  # the bureau's county list: {"code", "sha256", "rows"}

    def region_table(self):
        """The national table with the county list the bureau published laid over it (kept per list)."""
        from app.regions import RegionTable, national

        info = self.county_list()
        if info is None:
            return national()
        cached = getattr(self, "_region_table", None)
        if cached is None or cached[0] != info["sha256"]:
            cached = (info["sha256"], RegionTable({info["code"]: [tuple(r) for r in info["rows"]]}))
            self._region_table = cached
        return cached[1]

    def county_list(self) -> dict | None:
        """The county list last pulled from the bureau server, or None."""
        text = self.get_setting(self.COUNTY_LIST_SETTING)
        try:
            info = json.loads(text) if text else None
        except ValueError:
            return None
        return info if isinstance(info, dict) and info.get("code") and isinstance(info.get("rows"), list) else None

    def set_county_list(self, code: str, rows: list[tuple[str, str]], sha256: str) -> None:
        """Keep the bureau's list and bring this township's villages up to date from it."""
        self.set_setting(self.COUNTY_LIST_SETTING, json.dumps(
            {"code": code, "sha256": sha256, "rows": [list(r) for r in rows]}, ensure_ascii=False))
        if self.township():
            self._add_township_villages()

    def township(self) -> str:
        """The 9-digit code of this laptop's township ('' when set up before the region table, or practice)."""
        return self.get_setting(self.TOWNSHIP_SETTING) or ""

    def set_township(self, code: str) -> None:
        """This laptop's township (chosen at first run): its name as ``town`` and its villages in the registry."""
        table = self.region_table()
        town = table.get(code)
        if town is None or town.level != "township":
            raise CunFangError(ErrorCode.REGION_UNKNOWN, region=code)
        self.set_setting(self.TOWNSHIP_SETTING, code)
        self.set_setting("town", town.name)
        self._add_township_villages()

    def _add_township_villages(self) -> None:
        from app.regions import village_rows

        rows = village_rows(self.region_table(), self.township())
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO villages (id, name, town, county, created_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT(id) DO UPDATE SET name = excluded.name, town = excluded.town, county = excluded.county "
                # only a real change: an update marks the row for sending to the server again
                "WHERE villages.name IS NOT excluded.name OR villages.town IS NOT excluded.town "
                "OR villages.county IS NOT excluded.county",
                [(r["name"], r["label"], r["town"], r["county"], utc_now()) for r in rows])

    def village_choices(self) -> list[dict[str, str]]:
        """The villages a form offers: the township's from the region table, then villages of this store the
        table does not have (a practice township's, or one added before the table), by code."""
        from app.regions import village_rows

        township = self.township()
        rows = village_rows(self.region_table(), township) if township else []
        known = {r["name"] for r in rows}
        for v in self.villages():
            if v["id"] not in known and (not township or v["id"].startswith(township)):
                rows.append({"name": v["id"], "label": v["name"], "town": v.get("town") or "",
                             "county": v.get("county") or "", "province_city": ""})
        return rows

    def finalize(self, record_uuid: str, form, *, author: str = "") -> dict:
        """Finalize a draft if the form engine finds no problem; returns the record."""
        from app.forms.fill import fill

        with self.transaction():
            record = self.get_record(record_uuid)
            lifecycle.after(lifecycle.state_of(record), Event.FINALIZE)
            result = fill(form, record["data"], saved=True, instances=self.form_instances())
            if not result["valid"]:
                first_key, first = next(iter(result["errors"].items()))
                raise CunFangError(ErrorCode.RECORD_INVALID, count=len(result["errors"]),
                                   first=f"{first_key}：{first}")
            from app.registry import check_before_finalize

            check_before_finalize(self, record, result["data"])
            payload = json.dumps(result["data"], ensure_ascii=False, sort_keys=True)
            lifecycle.move(self, record, Event.FINALIZE, columns={"data": payload})
            from app.registry import record_finalized
            from app.settings import load_settings

            record_finalized(self, self.get_record(record_uuid), load_settings(self.data_dir).visits)
        return self.get_record(record_uuid)

    def edit_record(self, record_uuid: str, form, data: dict, *, author: str, reason: str = "") -> dict:
        """Change a finalized or sent record: a new revision, with who/when/old → new/why kept."""
        from app.forms.fill import fill

        with self.transaction():
            record = self.get_record(record_uuid)
            state = lifecycle.state_of(record)
            lifecycle.after(state, Event.REVISE)
            if state in lifecycle.NEEDS_REASON and not reason.strip():
                raise CunFangError(ErrorCode.RECORD_REASON_NEEDED)
            result = fill(form, data, saved=True, instances=self.form_instances())
            if not result["valid"]:
                first_key, first = next(iter(result["errors"].items()))
                raise CunFangError(ErrorCode.RECORD_INVALID, count=len(result["errors"]),
                                   first=f"{first_key}：{first}")
            changes = diff_data(record["data"], result["data"])
            revision = record["revision"] + 1
            now = utc_now()
            self.db["record_history"].insert({"record_uuid": record_uuid, "revision": revision, "changed_at": now,
                                              "author": author, "reason": reason,
                                              "changes": json.dumps(changes, ensure_ascii=False)})
            from app.store.audit import append, masked

            append(self, "edit", subject=record_uuid, user=author,
                   detail={"revision": revision, "reason": reason, "changes": masked(changes)})
            lifecycle.move(self, record, Event.REVISE, columns={
                "data": json.dumps(result["data"], ensure_ascii=False, sort_keys=True), "revision": revision,
                "prev_revision": record["revision"]})
        return self.get_record(record_uuid)

    def history(self, record_uuid: str) -> list[dict]:
        rows = self.query("SELECT * FROM record_history WHERE record_uuid = ? ORDER BY revision", [record_uuid])
        for row in rows:
            row["changes"] = json.loads(row["changes"])
        return rows

    def set_status(self, record_uuid: str, state: str, *, message: str = "") -> None:
        """Move a record to ``state`` (a ``lifecycle.State``) by the one event of the life cycle that leads
        there from where it is; refused in Chinese when the table has no such move."""
        with self.transaction():
            record = self.get_record(record_uuid)
            event = lifecycle.event_to(lifecycle.state_of(record), lifecycle.State(state))
            lifecycle.move(self, record, event, message=message)

    def record_event(self, record_uuid: str, event: str, *, message: str | None = None) -> str:
        """Apply one life-cycle event to a record the signed-in account may see; returns the new state."""
        with self.transaction():
            return lifecycle.move(self, self.get_record(record_uuid), Event(event), message=message)

    def list_records(self, *, form_id: str | None = None, status: str | None = None, search: str | None = None,
                     village_id: str | None = None, person_id: str | None = None, since: str | None = None,
                     until: str | None = None, limit: int = 100, offset: int = 0) -> list[dict]:
        """Records newest first; ``since``/``until`` are ISO dates (inclusive) on the record's creation."""
        scope, params = self.scope.records_sql("r")
        where = [scope]
        if since:
            where.append("r.created_at >= ?")
            params.append(since)
        if until:
            where.append("r.created_at < ?")
            params.append(until + "T99")  # the whole last day, whatever the time
        for column, value in (("r.form_id", form_id), ("r.status", status), ("r.village_id", village_id),
                              ("r.person_id", person_id)):
            if value:
                where.append(f"{column} = ?")
                params.append(value)
        if search:
            where.append("(r.title LIKE ? OR p.name LIKE ? OR p.initials LIKE ?)")
            like = f"%{search.strip()}%"
            params += [like, like, f"{search.strip().lower()}%"]
        sql = ("SELECT r.uuid, r.form_id, r.form_version, r.status, r.revision, r.title, r.author, r.person_id, "
               "r.village_id, r.created_at, r.updated_at, p.name AS person_name FROM records r "
               "LEFT JOIN persons p ON p.id = r.person_id"
               + (" WHERE " + " AND ".join(where) if where else "")
               + " ORDER BY r.updated_at DESC LIMIT ? OFFSET ?")
        return self.query(sql, params + [limit, offset])

    def counts_by_status(self) -> dict[str, int]:
        scope, params = self.scope.records_sql("")
        rows = self.query(f"SELECT status, count(*) AS n FROM records WHERE {scope} GROUP BY status", params)
        return {s: 0 for s in STATUSES} | {r["status"]: r["n"] for r in rows}

    # ------------------------------------------------------------------ attachments

    def add_attachment(self, record_uuid: str, name: str, content: bytes, mime: str = "") -> str:
        """Keep a photo/signature/file for a record, once per content (sha256)."""
        digest = hashlib.sha256(content).hexdigest()
        with self.transaction():
            self.get_record(record_uuid)
            self.db["attachments"].insert({"hash": digest, "size": len(content), "mime": mime, "content": content,
                                           "created_at": utc_now()}, ignore=True)
            self.db["record_attachments"].insert({"record_uuid": record_uuid, "name": name, "hash": digest},
                                                 replace=True)
        return digest

    def attachment(self, digest: str) -> bytes:
        rows = self.query("SELECT content FROM attachments WHERE hash = ?", [digest])
        if not rows:
            raise CunFangError(ErrorCode.RECORD_NOT_FOUND, uuid=digest)
        return rows[0]["content"]

    # ------------------------------------------------------------------ settings

    def get_setting(self, key: str, default: str | None = None) -> str | None:
        rows = self.query("SELECT value FROM settings WHERE key = ?", [key])
        return rows[0]["value"] if rows else default

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction():
            self.db["settings"].insert({"key": key, "value": value}, replace=True)


def diff_data(old: dict, new: dict, prefix: str = "") -> list[dict]:
    """Field-level changes between two records' data: [{"field", "old", "new"}]."""
    changes = []
    for key in sorted(set(old) | set(new)):
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if isinstance(a, list) or isinstance(b, list):
            a_list, b_list = a or [], b or []
            for i in range(max(len(a_list), len(b_list))):
                item_a = a_list[i] if i < len(a_list) else {}
                item_b = b_list[i] if i < len(b_list) else {}
                changes += diff_data(item_a, item_b, f"{prefix}{key}[{i + 1}]/")
            continue
        changes.append({"field": prefix + key, "old": a, "new": b})
    return changes
