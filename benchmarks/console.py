"""Web console benchmark on PostgreSQL: 总览 and person search over a county's registry and records.

Builds a fresh PostgreSQL database (a county of ``--townships`` townships, 15 villages each, ``--persons``
persons and ``--records`` records, written straight into the tables: generating them through the sync
API would take hours), then times, interleaved in the same run:

- 总览: ``Views.overview`` + ``Views.trend`` (what the page computes) beside the same SQL statements run raw
  (fetched, not interpreted);
- person search (a name part, pinyin initials, an ID tail) through ``Views.persons`` beside the same SQL raw.

Prints median and p95 in ms and the median of per-round ratios. Targets (issue 21): 总览 p95 < 300 ms,
search p95 < 100 ms at 200,000 persons and 2,000,000 records.

Run: .venv/bin/python benchmarks/console.py [--persons 200000 --records 2000000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import psycopg  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from sync.server import scope  # noqa: E402
from sync.server import tables as t  # noqa: E402
from sync.server.api import open_service  # noqa: E402
from sync.server.console.views import FINDING_FORMS, VISIT_FORMS, Views, today  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉珍凤芳华明国强建军志刚德福海平春梅淑贞文丽红永金生树林长发喜香"


def build(url: str, townships: int, persons: int, records: int, seed: int = 1) -> None:
    service = open_service(url)
    rng = random.Random(seed)
    day = today()
    villages = [f"3411001{tw:02d}{200 + v:03d}" for tw in range(1, townships + 1) for v in range(1, 16)]
    with service.engine.begin() as conn:
        conn.execute(t.registry.insert(), [
            {"kind": "village", "id": vid, "village_id": vid, "id_number": None, "seq": i,
             "fields": json.dumps({"name": f"{vid[-3:]}村", "town": f"{vid[7:9]}镇"}, ensure_ascii=False),
             "updated_at": day.isoformat()} for i, vid in enumerate(villages)])
    people: list[tuple[str, str]] = []
    batch = []
    for i in range(persons):
        vid = rng.choice(villages)
        kind = rng.choices(["elder", "child", "guardian"], [0.55, 0.3, 0.15])[0]
        last = day - timedelta(days=rng.randint(0, 120))
        due = last + timedelta(days=rng.choice([7, 30, 90])) if kind != "guardian" else None
        pid = f"P{i:07d}"
        people.append((pid, vid))
        id_number = f"341100{1940 + i % 80}0101{i % 10000:04d}"
        batch.append({"kind": "person", "id": pid, "village_id": vid, "id_number": id_number, "seq": len(villages) + i,
                      "updated_at": day.isoformat(), "fields": json.dumps({
                          "name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "kind": kind,
                          "status": "active" if rng.random() < 0.95 else "deceased", "id_number": id_number,
                          "last_visit": last.isoformat(), "next_due": due.isoformat() if due else ""},
                          ensure_ascii=False)})
        if len(batch) == 10_000:
            with service.engine.begin() as conn:
                conn.execute(t.registry.insert(), batch)
            batch = []
    if batch:
        with service.engine.begin() as conn:
            conn.execute(t.registry.insert(), batch)
    batch = []
    for _ in range(records):
        pid, vid = rng.choice(people)
        form = rng.choices([*VISIT_FORMS, *FINDING_FORMS], [0.6, 0.38, 0.01, 0.01])[0]
        when = (day - timedelta(days=rng.randint(0, 365))).isoformat() + "T09:00:00.000+08:00"
        data = {"red_flags": rng.choice(["none"] * 30 + ["no_heating", "fall_alone"])} if form in VISIT_FORMS \
            else {"case_status": rng.choice(["open", "following", "closed"]), "found_time": when[:10]}
        batch.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "revision": 1, "form_id": form,
                      "form_version": "2026.1", "village_id": vid, "person_id": pid, "title": "", "author": "基准",
                      "data": json.dumps(data), "updated_at": when, "received_at": when, "conflicts": 0})
        if len(batch) == 20_000:
            with service.engine.begin() as conn:
                conn.execute(t.records.insert(), batch)
            batch = []
    if batch:
        with service.engine.begin() as conn:
            conn.execute(t.records.insert(), batch)
    with service.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("ANALYZE")
    service.engine.dispose()


def raw_sql(views: Views, caller) -> list[tuple]:
    """The statements 总览 runs, compiled to text once, for the raw baseline."""
    captured: list[tuple] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    sa.event.listen(views.db.engine, "before_cursor_execute", capture)
    views.overview(caller)
    views.trend(caller)
    sa.event.remove(views.db.engine, "before_cursor_execute", capture)
    return captured


def search_sql(views: Views, caller, q: str) -> list[tuple]:
    captured: list[tuple] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        captured.append((statement, parameters))

    sa.event.listen(views.db.engine, "before_cursor_execute", capture)
    views.persons(caller, q=q)
    sa.event.remove(views.db.engine, "before_cursor_execute", capture)
    return captured


def stats(runs: list[float]) -> tuple[float, float]:
    runs = sorted(runs)
    return statistics.median(runs), runs[max(0, int(len(runs) * 0.95 + 0.5) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--townships", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    name = f"cunfang_bench_console_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        t0 = time.perf_counter()
        build(url, args.townships, args.persons, args.records)
        print(f"county: {args.townships} townships × 15 villages, {args.persons:,} persons, {args.records:,} records "
              f"({time.perf_counter() - t0:.0f} s to build)")
        service = open_service(url)
        views = Views(service.db)
        caller = scope.operator()
        overview_raw = raw_sql(views, caller)
        queries = {"总览": (lambda: (views.overview(caller), views.trend(caller)), overview_raw)}
        for q in ("王秀", "wxy", "0101123"):
            queries[f"搜索“{q}”"] = (lambda q=q: views.persons(caller, q=q), search_sql(views, caller, q))
        raw = psycopg.connect(url)
        for label, (page, statements) in queries.items():
            mine, base, ratios = [], [], []
            for _ in range(args.rounds):
                a = time.perf_counter()
                page()
                b = time.perf_counter()
                with raw.cursor() as cursor:
                    for statement, parameters in statements:
                        cursor.execute(statement, parameters)
                        cursor.fetchall()
                c = time.perf_counter()
                mine.append((b - a) * 1000)
                base.append((c - b) * 1000)
                ratios.append((b - a) / max(c - b, 1e-9))
            (m, p), (rm, rp) = stats(mine), stats(base)
            print(f"{label}: console median {m:.0f} ms, p95 {p:.0f} ms | same SQL raw median {rm:.0f} ms, "
                  f"p95 {rp:.0f} ms | ratio (median of rounds) {statistics.median(ratios):.2f}")
        with raw.cursor() as cursor:  # where 总览's time goes
            for statement, parameters in overview_raw:
                a = time.perf_counter()
                cursor.execute(statement, parameters)
                n = len(cursor.fetchall())
                print(f"  {(time.perf_counter() - a) * 1000:6.0f} ms  {n:6d} rows  {' '.join(statement.split())[:90]}")
        raw.close()
        service.engine.dispose()
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
