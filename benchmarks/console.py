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
import os
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
from sync.server.console.accounts import CONSOLE_ROLES  # noqa: E402
from sync.server.console.views import Views, today  # noqa: E402
from sync.server.scope import Caller  # noqa: E402
from sync.server.services import counts  # noqa: E402

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "秀英桂兰玉珍凤芳华明国强建军志刚德福海平春梅淑贞文丽红永金生树林长发喜香"


def _copy(url: str, table: sa.Table, columns: list[str], rows) -> None:
    """COPY rows into a table (the generator's bulk path: executemany of 2,000,000 rows takes far longer)."""
    with psycopg.connect(url) as conn, conn.cursor() as cursor:
        with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def build(url: str, townships: int, persons: int, records: int, seed: int = 1) -> dict[str, float]:
    """The county, with the typed columns and counts filled by the functions the services use
    (``services/counts.py``); returns seconds per step."""
    service = open_service(url)
    service.engine.dispose()
    rng = random.Random(seed)
    day = today()
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    villages = [f"3411001{tw:02d}{200 + v:03d}" for tw in range(1, townships + 1) for v in range(1, 16)]
    registry_columns = ["kind", "id", "village_id", "id_number", "seq", "updated_at", "fields",
                        *counts.person_columns("person", {})]
    registry_rows = [("village", vid, vid, None, i, day.isoformat(),
                      json.dumps({"name": f"{vid[-3:]}村", "town": f"{vid[7:9]}镇"}, ensure_ascii=False),
                      *counts.person_columns("village", {}).values()) for i, vid in enumerate(villages)]
    people: list[tuple[str, str]] = []
    terms = []
    for i in range(persons):
        vid = rng.choice(villages)
        kind = rng.choices(["elder", "child", "guardian"], [0.55, 0.3, 0.15])[0]
        last = day - timedelta(days=rng.randint(0, 120))
        due = last + timedelta(days=rng.choice([7, 30, 90])) if kind != "guardian" else None
        pid = f"P{i:07d}"
        people.append((pid, vid))
        id_number = f"341100{1940 + i % 80}0101{i % 10000:04d}"
        fields = {"name": rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN), "kind": kind,
                  "status": "active" if rng.random() < 0.95 else "deceased", "id_number": id_number,
                  "last_visit": last.isoformat(), "next_due": due.isoformat() if due else ""}
        registry_rows.append(("person", pid, vid, id_number, len(villages) + i, day.isoformat(),
                              json.dumps(fields, ensure_ascii=False),
                              *counts.person_columns("person", fields).values()))
        terms += [(term, pid) for term in counts.name_terms(fields["name"])]
    _copy(url, t.registry, registry_columns, registry_rows)
    _copy(url, t.registry_name_terms, ["term", "person_id"], terms)
    timings["registry"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    record_columns = ["uuid", "revision", "form_id", "form_version", "village_id", "person_id", "title", "author",
                      "data", "updated_at", "received_at", "conflicts", "case_open", "found_on"]

    def record_rows():
        for _ in range(records):
            pid, vid = rng.choice(people)
            form = rng.choices([*counts.VISIT_FORMS, *counts.FINDING_FORMS], [0.6, 0.38, 0.01, 0.01])[0]
            when = (day - timedelta(days=rng.randint(0, 365))).isoformat() + "T09:00:00.000+08:00"
            visit = form in counts.VISIT_FORMS
            data = {"red_flags": rng.choice(["none"] * 30 + ["no_heating", "fall_alone"])} if visit \
                else {"case_status": rng.choice(["open", "following", "closed"]), "found_time": when[:10]}
            typed = counts.record_columns(form, data, when)
            yield (str(uuid.UUID(int=rng.getrandbits(128))), 1, form, "2026.1", vid, pid, "", "基准",
                   json.dumps(data), when, when, 0, typed["case_open"], typed["found_on"])

    _copy(url, t.records, record_columns, record_rows())
    timings["records"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    service = open_service(url)
    with service.engine.begin() as conn:
        counts.refresh_all(conn)
    timings["counts"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    with service.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE")
    timings["vacuum"] = time.perf_counter() - t0
    service.engine.dispose()
    return timings


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
    parser.add_argument("--db", default="", help="keep the county in this database (built only when empty) "
                        "to measure again without building it again")
    args = parser.parse_args()
    name = args.db or f"cunfang_bench_console_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    url = f"postgresql://postgres@127.0.0.1:5432/{name}"
    try:
        built = False
        if exists:
            with psycopg.connect(url) as conn:
                built = conn.execute("SELECT to_regclass('records') IS NOT NULL").fetchone()[0] and \
                    conn.execute("SELECT count(*) FROM records").fetchone()[0] > 0
        if not built:
            t0 = time.perf_counter()
            timings = build(url, args.townships, args.persons, args.records)
            print(f"county: {args.townships} townships × 15 villages, {args.persons:,} persons, "
                  f"{args.records:,} records ({time.perf_counter() - t0:.0f} s to build: "
                  + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) + f"; load {os.getloadavg()[0]:.1f})")
        service = open_service(url)
        views = Views(service.db)
        caller = scope.operator()
        township = Caller("乡镇", CONSOLE_ROLES["township"].scope_role, [], "console", township="341100101")
        overview_raw = raw_sql(views, caller)
        queries = {"总览": (lambda: (views.overview(caller), views.trend(caller)), overview_raw),
                   "总览（乡镇）": (lambda: (views.overview(township), views.trend(township)),
                                  raw_sql(views, township))}
        for q in ("王秀", "王", "wxy", "0101123"):
            queries[f"搜索“{q}”"] = (lambda q=q: views.persons(caller, q=q), search_sql(views, caller, q))
        raw = psycopg.connect(url)
        for label, (page, statements) in queries.items():
            page()  # one warm-up round, not counted (a running server has its statements compiled)
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
                  f"p95 {rp:.0f} ms | ratio (median of rounds) {statistics.median(ratios):.2f} "
                  f"| load {os.getloadavg()[0]:.1f}")
        village = "341100101201"
        with service.engine.connect() as conn:  # what a write adds: recounting one village (rolled back)
            persons = [row[0] for row in conn.execute(sa.select(t.registry.c.id).where(
                t.registry.c.kind == "person", t.registry.c.village_id == village).limit(200))]
            for label, recount in (("a 200-record push", lambda: counts.refresh(conn, {village}, persons)),
                                   ("a registry write", lambda: counts.refresh_persons(conn, {village}))):
                runs = []
                for _ in range(args.rounds):
                    a = time.perf_counter()
                    recount()
                    runs.append((time.perf_counter() - a) * 1000)
                    conn.rollback()
                m, p = stats(runs)
                print(f"recount for {label} (one village of ~{args.persons // (args.townships * 15):,} persons): "
                      f"median {m:.0f} ms, p95 {p:.0f} ms | load {os.getloadavg()[0]:.1f}")
        with raw.cursor() as cursor:  # where 总览's time goes
            for statement, parameters in overview_raw:
                a = time.perf_counter()
                cursor.execute(statement, parameters)
                n = len(cursor.fetchall())
                print(f"  {(time.perf_counter() - a) * 1000:6.0f} ms  {n:6d} rows  {' '.join(statement.split())[:90]}")
        raw.close()
        service.engine.dispose()
    finally:
        if not args.db:
            with psycopg.connect(ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
