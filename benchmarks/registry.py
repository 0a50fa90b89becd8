"""工作台 benchmark: the overdue list and each village's monthly visit rate over a large registry.

50,000 persons and their visits (demo data); times ``Store.overdue`` (most overdue and highest risk first)
and ``registry.visit_rates`` against one raw SQL query computing the same result on the same
connection, in the same run. Target: each under 100 ms.

Run: .venv/bin/python benchmarks/registry.py [--persons 50000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.demo import load_demo  # noqa: E402
from app.registry import visit_rates  # noqa: E402
from app.store import Store  # noqa: E402
from app.store.keyring import FAST_KDF

RAW_OVERDUE = (
    "SELECT id, name, village_id, risk_tier, last_visit, next_due FROM persons "
    "WHERE status = 'active' AND next_due != '' AND next_due < ? "
    "ORDER BY next_due, CASE risk_tier WHEN '高风险' THEN 0 WHEN '重点' THEN 1 ELSE 2 END LIMIT 500"
)
RAW_RATES = (
    "SELECT village_id, count(*), sum(last_visit >= ?), sum(next_due != '' AND next_due < ?) FROM persons "
    "WHERE status = 'active' AND kind IN ('elder', 'child') GROUP BY village_id"
)


def timed(fn, rounds: int) -> tuple[float, float]:
    runs = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        runs.append((time.perf_counter() - t0) * 1000)
    runs.sort()
    return statistics.median(runs), runs[int(len(runs) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--persons", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    today = date.today()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(Path(tmp) / "data", "bench-pass", kdf=FAST_KDF)
        t0 = time.perf_counter()
        counts = load_demo(store, persons=args.persons, seed=1, today=today)
        print(f"demo: {counts['persons']:,} persons, {counts['records']:,} visit records "
              f"({time.perf_counter() - t0:.1f} s)")
        store.conn.execute("ANALYZE")
        iso, month = today.isoformat(), today.replace(day=1).isoformat()
        cases = [
            ("overdue list (500 most overdue)", lambda: store.overdue(today=iso, limit=500),
             lambda: store.conn.execute(RAW_OVERDUE, (iso,)).fetchall()),
            ("monthly visit rate per village", lambda: visit_rates(store, today),
             lambda: store.conn.execute(RAW_RATES, (month, iso)).fetchall()),
        ]
        for label, ours, raw in cases:
            ours(), raw()
            o_med, o_p95 = timed(ours, args.rounds)
            r_med, r_p95 = timed(raw, args.rounds)
            verdict = "PASS" if o_p95 < 100 else "FAIL"
            print(f"{label:<34} ours {o_med:7.2f} / {o_p95:7.2f} ms (median/p95)   one raw SQL "
                  f"{r_med:7.2f} / {r_p95:7.2f} ms   ratio {o_med / r_med:4.2f}x   target < 100 ms: {verdict}")
        overdue = store.overdue(today=iso, limit=100000)
        rates = visit_rates(store, today)
        print(f"overdue persons: {len(overdue):,}; villages: {len(rates)}, mean monthly visit rate "
              f"{statistics.fmean(r['rate'] for r in rates):.1f} % (target 100 %)")
        store.close()


if __name__ == "__main__":
    main()
