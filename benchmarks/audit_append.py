"""What anchoring the audit log's head outside the database costs each audit entry (issue 17).

Each ``audit.append`` now checks the head kept in keyring.json before writing and, after the commit, writes the
new head there (under the keyring's lock, temporary file + fsync, and the same to keyring.backup.json). The
baseline, measured in the same run and interleaved round by round, is the same entry written the way it was
before: into the hash chain inside the database only (``audit._insert`` in one transaction). Prints the median
of the per-round ratios and both medians in milliseconds. Nothing is asserted.

Run: .venv/bin/python benchmarks/audit_append.py [--rounds 15] [--entries 20]
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

from app.store import Store  # noqa: E402
from app.store.audit import _insert, append, verify  # noqa: E402
from app.store.keyring import FAST_KDF  # noqa: E402


def per_entry(store: Store, entries: int, anchored: bool) -> float:
    start = time.perf_counter()
    for i in range(entries):
        if anchored:
            append(store, "export", subject=f"台账{i}.xlsx", detail={"rows": i})
        else:
            with store.transaction():
                _insert(store, "export", "", f"台账{i}.xlsx", {"rows": i})
    return (time.perf_counter() - start) / entries


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--entries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.create(Path(tmp) / "data", "bench-pass-123", kdf=FAST_KDF)
        append(store, "start")
        ratios, ours, base = [], [], []
        for _ in range(args.rounds):
            b = per_entry(store, args.entries, anchored=False)
            o = per_entry(store, args.entries, anchored=True)
            base.append(b)
            ours.append(o)
            ratios.append(o / b)
        # the baseline's entries leave the anchor behind: one more anchored append catches it up
        append(store, "end")
        assert verify(store).ok
        store.close()
    print(f"audit entry, chain only (before):        {statistics.median(base) * 1000:.2f} ms")
    print(f"audit entry, head anchored in keyring:   {statistics.median(ours) * 1000:.2f} ms")
    print(f"ratio (median of {args.rounds} per-round ratios):  {statistics.median(ratios):.2f}×")


if __name__ == "__main__":
    main()
