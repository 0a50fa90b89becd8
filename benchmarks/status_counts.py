"""The counts the status bar, 工作台 and the 同步 page refresh every half minute (待同步, 被退回), on the GUI thread.

Prints, against a baseline in the same run (interleaved rounds, median of the per-round ratios):
- baseline: what the status bar counted before counts were scoped (every account's records: the outbox count and
  an unscoped rejected count);
- scoped: the same two counts for a 村干部 of one village (app/store/records.py: waiting_count, rejected_count),
  which read the index records_state (migration 010) alone.

Run: .venv/bin/python benchmarks/status_counts.py [--persons 50000] [--rounds 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()

    from app.access import EVERYTHING, Scope
    from app.demo import load_demo
    from app.roles import ROLES
    from app.store import Store, lifecycle, records
    from app.store.keyring import FAST_KDF

    store = Store.create(Path(tempfile.mkdtemp()) / "d", "benchmark", kdf=FAST_KDF)
    made = load_demo(store, persons=args.persons)
    cadre = Scope(ROLES["village_cadre"], villages=(store.villages()[0]["id"],), login="cadre")

    def baseline() -> None:
        store.scope = EVERYTHING
        store.query(f"SELECT count(*) AS n FROM records WHERE {lifecycle.waiting_sql()}")
        store.query("SELECT count(*) AS n FROM records WHERE status = 'rejected'")

    def scoped() -> None:
        store.scope = cadre
        records.waiting_count(store)
        records.rejected_count(store)

    base, new, ratios = [], [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        baseline()
        a = time.perf_counter() - start
        start = time.perf_counter()
        scoped()
        b = time.perf_counter() - start
        base.append(a)
        new.append(b)
        ratios.append(b / a)
    print(f"store: {made['persons']} persons, {made['records']} records")
    print(f"baseline (every account's records): {statistics.median(base) * 1000:.1f} ms")
    print(f"scoped (村干部, one village):        {statistics.median(new) * 1000:.1f} ms "
          f"(median ratio {statistics.median(ratios):.2f})")
    plan = store.conn.execute("EXPLAIN QUERY PLAN SELECT count(*) FROM records WHERE "
                              f"{lifecycle.waiting_sql()} AND {cadre.records_sql('')[0]}",
                              cadre.records_sql("")[1]).fetchall()
    print("plan:", "; ".join(row[-1] for row in plan))
    store.close()


if __name__ == "__main__":
    main()
