"""Write resources/forms/province_city.csv: the 省 and 市 of each 4-digit city code, for the built-in forms.

The house-number form looks the province and city up from the village's 12-digit code
(``pulldata('province_city', 'name', 'code', substring(${region_code}, 1, 4))``), so the full address
starts with them although the form only asks for county, township and village. Run after the region
table changes: ``python build_scripts/make_province_city.py``.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "forms" / "province_city.csv"


def main() -> int:
    sys.path.insert(0, str(ROOT))
    from app.regions import province_city_rows

    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["code", "name"])
        writer.writerows(province_city_rows())
    print(f"wrote {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
