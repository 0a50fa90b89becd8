"""`cunfang records add`: records/s for a batch of elder_visit answers, drafts and finalized.

Against a baseline in the same run (interleaved rounds, the order swapped each round; median of the per-round
ratios):
- baseline: the path before this benchmark, record by record: the engine fills the answers (without the county's
  settings), ``Store.save_draft``, then for --finalize ``Store.finalize``, which fills the stored data a second
  time, re-reads the record three times and loads the settings twice;
- batch: ``app.record_batch`` as the command runs it: one fill per record with the county's settings, every
  record written and finalized by ``Store.add_records`` in one transaction.
Both write into the same store (a demo township) for the same elder, whose schedule moves on as in the app.

Run: .venv/bin/python benchmarks/records_add.py [--records 500] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    from app import record_batch
    from app.demo import ELDER_VISIT, load_demo
    from app.forms.fill import fill
    from app.forms.library import FormLibrary
    from app.registry import person_facts
    from app.store import Store
    from app.store.keyring import FAST_KDF

    store = Store.create(Path(tempfile.mkdtemp()) / "d", "benchmark", kdf=FAST_KDF)
    load_demo(store, persons=200, seed=3)
    form = FormLibrary(store).get("elder_visit")
    person = store.query("SELECT * FROM persons WHERE kind = 'elder' AND status = 'active' LIMIT 1")[0]
    today = date.today()
    batch = [{**ELDER_VISIT, "visit_date": today.isoformat(), "visitor": "李干部",
              "next_visit": (today + timedelta(days=20)).isoformat()} for _ in range(args.records)]

    def baseline(finalize: bool) -> None:
        known = record_batch.prefilled(form, person, "李干部")
        results = [fill(form, {**known, **one}) for one in batch]
        assert all(r["valid"] for r in results)
        with store.transaction():
            for result in results:
                uuid = store.save_draft(form_id=form.form_id, form_version=form.version, data=result["data"],
                                        person_id=person["id"], household_id=person["household_id"],
                                        village_id=person["village_id"], author="李干部", title="t")
                if finalize:
                    store.finalize(uuid, form, author="李干部")

    def batched(finalize: bool) -> None:
        results = record_batch.check(store, form, batch, person=person, author="李干部")
        assert all(r["valid"] for r in results)
        record_batch.add(store, form, results, person=person, author="李干部", finalize=finalize)

    assert person_facts(person)  # the elder is named in every record
    batched(False)  # warm: the form's graph, the settings file, the page cache
    print(f"records add, {args.records} elder_visit records per run, {args.rounds} interleaved rounds; "
          f"load average {os.getloadavg()[0]:.2f} at start")
    for finalize in (False, True):
        rates: dict[str, list[float]] = {"baseline": [], "batch": []}
        ratios = []
        for round_number in range(args.rounds):
            order = [("baseline", baseline), ("batch", batched)]
            if round_number % 2:
                order.reverse()
            took = {}
            for name, run in order:
                started = time.perf_counter()
                run(finalize)
                took[name] = time.perf_counter() - started
                rates[name].append(args.records / took[name])
            ratios.append(took["baseline"] / took["batch"])
        label = "finalized" if finalize else "drafts   "
        print(f"{label}: baseline {statistics.median(rates['baseline']):6.0f} records/s, "
              f"batch {statistics.median(rates['batch']):6.0f} records/s, "
              f"speed-up {statistics.median(ratios):.2f}x (median of {args.rounds}; "
              f"load average {os.getloadavg()[0]:.2f})")
    store.close()


if __name__ == "__main__":
    main()
