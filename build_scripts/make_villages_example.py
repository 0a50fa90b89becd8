"""Write resources/forms/villages.csv: an example township's villages, beside the built-in workbooks.

Built-in forms choose the village with ``select_one_from_file villages.csv`` (value: the 12-digit
统计用区划代码, label: the village's name; columns town, county, province_city for the address). The app
gives each form the villages of the laptop's own township in its place (``Store.form_instances``), the
server those of the record's township; this file is what ODK tools (and the form tests) read. Run after
the region table changes: ``python build_scripts/make_villages_example.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "forms" / "villages.csv"
EXAMPLE_TOWNSHIP = "340123101"  # 安徽省合肥市肥西县三河镇


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from app.regions import VILLAGE_COLUMNS, national, village_rows

    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, VILLAGE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(village_rows(national(), EXAMPLE_TOWNSHIP))
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
