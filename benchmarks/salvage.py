"""What `cunfang doctor --salvage` costs on a big store: time and peak memory, against SQLCipher's own full copy.

The store: demo villages, persons and a year of visits, plus photos (so attachments span overflow pages).
Each round runs, in fresh processes and in alternating order, the salvage (every page's HMAC checked, b-trees
read in Python, rows streamed into a new store made by the migrations) and the baseline: SQLCipher's
``sqlcipher_export`` of the undamaged database into a new encrypted one (what a healthy store's copy costs).
Prints the median of the per-round time ratios, and each side's peak resident memory (ru_maxrss): the salvage
reads pages on demand (a bounded cache), so its memory should not grow with the store.

Run: .venv/bin/python benchmarks/salvage.py [--persons 3000] [--photos 200] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PASS = "benchmark-pass"


def build(directory: Path, persons: int, photos: int) -> None:
    from app.demo import load_demo
    from app.store import Store
    from app.store.keyring import FAST_KDF

    store = Store.create(directory, PASS, kdf=FAST_KDF)
    load_demo(store, persons=persons, seed=1)
    uuids = [r["uuid"] for r in store.list_records(limit=photos)]
    for i, uuid in enumerate(uuids):
        store.add_attachment(uuid, f"photo{i}.jpg", os.urandom(200_000), "image/jpeg")
    store.close()


def one(kind: str, source: Path, target: Path) -> None:
    """Run one side in this (fresh) process and print its seconds and peak memory as JSON."""
    from app.store import connection, keyring

    key = keyring.load(source / "keyring.json").open(keyring.PASSPHRASE_SLOT, PASS)
    start = time.perf_counter()
    if kind == "salvage":
        from app.store.salvage import salvage

        report = salvage(source, key, target)
        assert not report.lost, report.lost
    else:
        conn = connection.open_connection(source, key)
        target.mkdir(parents=True)
        conn.execute(f"ATTACH DATABASE ? AS copy KEY \"x'{key.hex()}'\"", (str(target / "cunfang.db"),))
        conn.execute("SELECT sqlcipher_export('copy')")
        conn.execute("DETACH DATABASE copy")
        conn.close()
    seconds = time.perf_counter() - start
    print(json.dumps({"seconds": seconds, "max_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(kind: str, source: Path, work: Path) -> dict:
    target = work / f"{kind}-out"
    shutil.rmtree(target, ignore_errors=True)
    result = subprocess.run([sys.executable, __file__, "--one", kind, str(source), str(target)], cwd=ROOT,
                            capture_output=True, text=True, check=True, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    shutil.rmtree(target, ignore_errors=True)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--persons", type=int, default=3000)
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", nargs=3, metavar=("KIND", "SOURCE", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.one[0], Path(args.one[1]), Path(args.one[2]))
        return
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        source = work / "store"
        build(source, args.persons, args.photos)
        size = (source / "cunfang.db").stat().st_size / 2**20
        print(f"store: {args.persons} persons, {args.photos} photos of 200 KB, {size:.1f} MiB")
        ratios, salvage_rss, export_rss, salvage_s, export_s = [], [], [], [], []
        for i in range(args.rounds):
            order = ("salvage", "export") if i % 2 == 0 else ("export", "salvage")
            results = {kind: measure(kind, source, work) for kind in order}
            ratios.append(results["salvage"]["seconds"] / results["export"]["seconds"])
            salvage_s.append(results["salvage"]["seconds"])
            export_s.append(results["export"]["seconds"])
            salvage_rss.append(results["salvage"]["max_rss_mib"])
            export_rss.append(results["export"]["max_rss_mib"])
        print(f"salvage (page by page, rows into a new store): {statistics.median(salvage_s):.2f} s, "
              f"peak memory {statistics.median(salvage_rss):.0f} MiB")
        print(f"baseline sqlcipher_export of the same store:   {statistics.median(export_s):.2f} s, "
              f"peak memory {statistics.median(export_rss):.0f} MiB")
        print(f"salvage / baseline time: median of {args.rounds} rounds = {statistics.median(ratios):.1f}x")


if __name__ == "__main__":
    main()
