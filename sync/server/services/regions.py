"""The county's list of townships and villages: the 统计用区划代码 rows under the county, with the bureau's
corrections (renamed villages) and new ones (新增 since the 2023 table), published to the laptops.

Laptops pull it with the forms (``GET /regions``, then ``GET /regions/{county}`` when its hash changed) and lay it
over the national table (``Store.set_county_list``): a village added here is offered by every form on the next
sync. The server judges records by the same list (``record_instances``).
"""

from __future__ import annotations

import threading

import sqlalchemy as sa

from app.errors import CunFangError, ErrorCode
from app.regions import VILLAGES_INSTANCE, RegionTable, is_code, national, village_rows, villages_instance
from sync import protocol
from sync.server import tables as t
from sync.server.services.common import Database, utc_now

MAX_NAME = 100


def check_rows(county: str, rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The rows of a county list, checked: townships (9 digits) and villages (12) under ``county``, each
    village under a township of the list, names present; one row per code (the last one wins)."""
    if not (is_code(county) and len(county) == 6):
        raise CunFangError(ErrorCode.REGION_UNKNOWN, region=county)
    by_code: dict[str, str] = {}
    for line, (code, name) in enumerate(rows, start=1):
        code, name = str(code).strip(), str(name).strip()
        if not (is_code(code) and len(code) in (9, 12) and code.startswith(county)):
            raise CunFangError(ErrorCode.REGION_LIST_INVALID, line=line,
                               reason=f"“{code}”不是县 {county} 下的乡镇或村代码")
        if not name or len(name) > MAX_NAME or "\t" in name or "\n" in name:
            raise CunFangError(ErrorCode.REGION_LIST_INVALID, line=line, reason=f"“{code}”的名称为空或太长")
        by_code[code] = name
    for line, code in enumerate(by_code, start=1):
        if len(code) == 12 and code[:9] not in by_code:
            raise CunFangError(ErrorCode.REGION_LIST_INVALID, line=line,
                               reason=f"村“{code}”所在的乡镇 {code[:9]} 不在名单里")
    return sorted(by_code.items())


def parse_content(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        code, _, name = line.partition("\t")
        if code:
            rows.append((code, name))
    return rows


class Regions:
    def __init__(self, db: Database):
        self.db = db
        self._lock = threading.Lock()
        self._table: tuple[tuple[str, ...], RegionTable] | None = None

    def put(self, county: str, rows: list[tuple[str, str]]) -> protocol.RegionListInfo:
        """Publish ``rows`` as the county's list (replacing the one before)."""
        rows = check_rows(county, rows)
        content = protocol.region_list_text(rows)
        digest = protocol.region_list_hash(rows)
        with self.db.engine.begin() as conn:
            conn.execute(t.region_lists.delete().where(t.region_lists.c.county == county))
            conn.execute(t.region_lists.insert().values(county=county, content=content, sha256=digest,
                                                        updated_at=utc_now()))
            self.db.audit(conn, action="regions", subject=county, outcome="published", message=f"{len(rows)} 行")
        return protocol.RegionListInfo(county=county, sha256=digest, count=len(rows))

    def load_national(self, county: str) -> protocol.RegionListInfo:
        """The county's rows of the national table (2023), as a starting list."""
        rows = [(r.code, r.name) for r in national().under(county)]
        if not rows:
            raise CunFangError(ErrorCode.REGION_UNKNOWN, region=county)
        return self.put(county, rows)

    def rows(self, county: str) -> list[tuple[str, str]] | None:
        with self.db.read() as conn:
            content = conn.execute(sa.select(t.region_lists.c.content)
                                   .where(t.region_lists.c.county == county)).scalar_one_or_none()
        return None if content is None else parse_content(content)

    def set_place(self, code: str, name: str) -> protocol.RegionListInfo:
        """Add a township or village to its county's list, or rename it."""
        county = code[:6]
        rows = self._existing(county)
        return self.put(county, [*[(c, n) for c, n in rows if c != code], (code, name)])

    def remove_place(self, code: str) -> protocol.RegionListInfo:
        """Take a village (or a township with its villages) off its county's list."""
        county = code[:6]
        rows = self._existing(county)
        kept = [(c, n) for c, n in rows if not c.startswith(code)]
        if len(kept) == len(rows):
            raise CunFangError(ErrorCode.REGION_UNKNOWN, region=code)
        return self.put(county, kept)

    def _existing(self, county: str) -> list[tuple[str, str]]:
        rows = self.rows(county) if is_code(county) and len(county) == 6 else None
        if rows is None:
            raise CunFangError(ErrorCode.REGION_LIST_NONE, county=county)
        return rows

    def listing(self) -> protocol.RegionLists:
        """Every county list (village names are public: any enrolled device may read them)."""
        with self.db.read() as conn:
            rows = conn.execute(sa.select(t.region_lists.c.county, t.region_lists.c.sha256,
                                          t.region_lists.c.content).order_by(t.region_lists.c.county)).all()
        return protocol.RegionLists(lists=[protocol.RegionListInfo(county=r.county, sha256=r.sha256,
                                                                   count=r.content.count("\n")) for r in rows])

    def content(self, county: str) -> protocol.RegionList | None:
        rows = self.rows(county)
        if rows is None:
            return None
        return protocol.RegionList(county=county, sha256=protocol.region_list_hash(rows), rows=rows)

    def table(self) -> RegionTable:
        """The national table with every county list of this server laid over it (rebuilt when a list changes)."""
        with self.db.read() as conn:
            key = tuple(f"{r.county}:{r.sha256}" for r in conn.execute(
                sa.select(t.region_lists.c.county, t.region_lists.c.sha256).order_by(t.region_lists.c.county)))
            with self._lock:
                if self._table is not None and self._table[0] == key:
                    return self._table[1]
            found = conn.execute(sa.select(t.region_lists.c.county, t.region_lists.c.content)).all()
        table = RegionTable({r.county: parse_content(r.content) for r in found})
        with self._lock:
            self._table = (key, table)
        return table

    def record_instances(self, data: dict) -> dict:
        """The ``villages`` list a record is judged with: the villages of its village's township, as a laptop
        of that township offers them."""
        code = str(data.get("region_code") or "")
        township = code[:9] if is_code(code) and len(code) == 12 else ""
        rows = village_rows(self.table(), township) if township else []
        return {VILLAGES_INSTANCE: villages_instance(rows)}
