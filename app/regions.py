"""The national statistical division codes (统计用区划代码), province down to village.

Nobody in a village knows the 12-digit code of their 村委会, so the app lets people choose
county → township → village from lists and keeps the code. The table ships in
``resources/regions/`` (国家统计局 2023 data; source and licence in its README.md): one
xz-compressed file per province, read only when a province is first asked for (about 30 ms and a few
MiB for the largest), so a laptop that works in one county never loads the rest.

A county bureau can publish its own list (new villages, merged ones): ``code<TAB>name`` rows under a
county's code, given to :class:`RegionTable` (a ``{code: rows}`` mapping, or a folder of ``CODE.tsv``
files), replace the national rows under that code. The bureau server keeps them (``cunfang-server
regions``), laptops pull them with the forms and keep them in their store (``Store.region_table``).

Forms choose the village with ``select_one_from_file villages.csv``: :func:`villages_instance` makes
that list for one township (the laptop's) or the villages a record names (the server), columns
``name`` (the 12-digit code, the stored value), ``label`` (东山村), ``town``, ``county``,
``province_city`` (for the full address). ``resources/forms/villages.csv`` is an example township's
list beside the workbooks, so ODK tools open the forms too.

Levels follow from the code's length: 2 province (省), 4 city (市), 6 county (县/区), 9 township
(乡/镇/街道), 12 village (村/社区).
"""

from __future__ import annotations

import bisect
import lzma
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

LEVELS = {2: "province", 4: "city", 6: "county", 9: "township", 12: "village"}
LEVEL_NAMES = {"province": "省", "city": "市", "county": "县（区）", "township": "乡镇（街道）",
               "village": "村（社区）"}
CHILD_LENGTH = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}
# city-level names that are no place of their own and are left out of an address
NOT_IN_ADDRESS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
CODE_RE = re.compile(r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$")
SOURCE = "国家统计局 2023年统计用区划代码（截至2023年6月30日）"


@dataclass(frozen=True, slots=True)
class Region:
    """One division: its code, its official name and its level."""

    code: str
    name: str

    @property
    def level(self) -> str:
        return LEVELS[len(self.code)]

    @property
    def short_name(self) -> str:
        """The name as people say it: 东山村村民委员会 → 东山村, 多福巷社区居委会 → 多福巷社区."""
        return short_village_name(self.name) if self.level == "village" else self.name


def short_village_name(name: str) -> str:
    """Drop the committee from a village's official name (村民委员会, 村委会, 居民委员会, 居委会)."""
    for suffix, keep in (("村村民委员会", "村"), ("村民委员会", "村"), ("村村委会", "村"), ("村委会", "村"),
                         ("社区居民委员会", "社区"), ("社区居委会", "社区"), ("居民委员会", "社区"),
                         ("居委会", "社区"), ("委员会", "")):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)] + keep
    return name


def is_code(text: str) -> bool:
    """True for a code of one of the five levels (2, 4, 6, 9 or 12 digits)."""
    return bool(CODE_RE.match(text or ""))


def parent_code(code: str) -> str:
    """The code one level up ('' above a province)."""
    for length in (9, 6, 4, 2, 0):
        if length < len(code):
            return code[:length]
    return ""


class _Province:
    """One province's rows, sorted by code, for lookups and ranges of children."""

    def __init__(self, rows: list[tuple[str, str]]):
        rows.sort()
        self.codes = [c for c, _ in rows]
        self.names = [n for _, n in rows]

    def get(self, code: str) -> str | None:
        i = bisect.bisect_left(self.codes, code)
        return self.names[i] if i < len(self.codes) and self.codes[i] == code else None

    def under(self, prefix: str):
        i = bisect.bisect_left(self.codes, prefix)
        while i < len(self.codes) and self.codes[i].startswith(prefix):
            yield self.codes[i], self.names[i]
            i += 1


def _parse(text: str) -> list[tuple[str, str]]:
    rows = []
    for line in text.splitlines():
        code, _, name = line.partition("\t")
        code, name = code.strip(), name.strip()
        if is_code(code) and name:
            rows.append((code, name))
    return rows


class RegionTable:
    """The national table, with a county's own published lists laid over it.

    ``overrides`` is ``{CODE: [(code, name), …]}`` (the bureau's lists, as a laptop keeps them) or a folder
    of ``CODE.tsv`` files; rows under CODE come from there instead of the national table.
    """

    def __init__(self, overrides: Path | dict[str, list[tuple[str, str]]] | None = None):
        self._provinces: dict[str, _Province] = {}
        self._province_names = dict(_parse(_resource_text("provinces.tsv")))
        self._overrides: dict[str, list[tuple[str, str]]] = {}
        if isinstance(overrides, dict):
            self._overrides = {code: [tuple(r) for r in rows] for code, rows in overrides.items() if is_code(code)}
        elif overrides is not None and Path(overrides).is_dir():
            for path in sorted(Path(overrides).glob("*.tsv")):
                if is_code(path.stem) and len(path.stem) >= 2:
                    self._overrides[path.stem] = _parse(path.read_text(encoding="utf-8-sig"))

    def _province(self, code: str) -> _Province:
        key = code[:2]
        if key not in self._provinces:
            rows = _read_province(key)
            for prefix, replacement in self._overrides.items():
                if prefix[:2] == key:
                    rows = [r for r in rows if not (r[0].startswith(prefix) and r[0] != prefix)]
                    rows += [r for r in replacement if r[0].startswith(prefix) and r[0] != prefix]
            self._provinces[key] = _Province(rows)
        return self._provinces[key]

    def get(self, code: str) -> Region | None:
        """The division with this code, or None when there is none."""
        code = (code or "").strip()
        if not is_code(code):
            return None
        if len(code) == 2:
            name = self._province_names.get(code)
        else:
            name = self._province(code).get(code) if code[:2] in self._province_names else None
        return Region(code, name) if name else None

    def children(self, code: str = "") -> list[Region]:
        """The divisions one level below ``code`` ('' → the provinces), in code order."""
        if not code:
            return [Region(c, n) for c, n in sorted(self._province_names.items())]
        length = CHILD_LENGTH.get(len(code))
        if length is None or code[:2] not in self._province_names:
            return []
        return [Region(c, n) for c, n in self._province(code).under(code) if len(c) == length]

    def path(self, code: str) -> list[Region]:
        """The divisions from the province down to ``code`` (empty when the code is unknown)."""
        found = []
        for length in (2, 4, 6, 9, 12):
            if length > len(code):
                break
            region = self.get(code[:length])
            if region is None:
                return []
            found.append(region)
        return found

    def search(self, text: str, within: str, *, level: str = "village", limit: int = 50) -> list[Region]:
        """Divisions of ``level`` under ``within`` whose name contains ``text``."""
        text = (text or "").strip()
        length = {v: k for k, v in LEVELS.items()}[level]
        if not within or not text:
            return []
        hits = []
        for c, n in self._province(within).under(within):
            if len(c) == length and text in n:
                hits.append(Region(c, n))
                if len(hits) >= limit:
                    break
        return hits

    def full_address(self, code: str, *, group: str = "", road: str = "", number: str = "",
                     annex: str = "") -> str:
        """The address as written on a form: 安徽省合肥市瑶海区…东山村三组幸福路17号之一.

        ``group`` is the 村民小组, ``road`` the 街路巷 when houses are numbered along a named road,
        ``number`` the house number and ``annex`` the 附号 (1 → 之一).
        """
        parts = [r.short_name for r in self.path(code) if r.name not in NOT_IN_ADDRESS]
        text = "".join(parts) + (group or "") + (road or "")
        if number:
            text += number if number.endswith("号") else f"{number}号"
        if annex:
            text += f"之{chinese_numeral(annex)}" if annex.isdigit() else annex
        return text

    def under(self, code: str) -> list[Region]:
        """Every division below ``code`` (all levels), in code order: a county's townships and villages."""
        if not is_code(code) or code[:2] not in self._province_names:
            return []
        return [Region(c, n) for c, n in self._province(code).under(code) if c != code]

    def province_city(self, code: str) -> str:
        """省 and 市 as written before a county in an address: 3401… → 安徽省合肥市, 1101… → 北京市."""
        return "".join(r.short_name for r in self.path(code[:4]) if r.name not in NOT_IN_ADDRESS)


VILLAGES_INSTANCE = "villages"  # the instance id pyxform gives select_one_from_file villages.csv
VILLAGE_COLUMNS = ("name", "label", "town", "county", "province_city")


def village_rows(table: RegionTable, within: str) -> list[dict[str, str]]:
    """The villages under a township (9 digits) or county (6) as the forms' ``villages`` list reads them."""
    rows = []
    above: dict[str, str] = {}
    for region in table.under(within) if len(within) < 9 else table.children(within):
        if region.level != "village":
            continue
        town = region.code[:9]
        if town not in above:
            found = table.get(town)
            above[town] = found.name if found else ""
        county = table.get(region.code[:6])
        rows.append({"name": region.code, "label": region.short_name, "town": above[town],
                     "county": county.name if county else "", "province_city": table.province_city(region.code)})
    return rows


def villages_instance(rows: list[dict[str, str]]):
    """The rows of :func:`village_rows` as the secondary instance ``villages`` (as a CSV file reads)."""
    from app.forms.xpath.nodes import Node, document

    root = Node("root")
    for row in rows:
        item = root.add("item")
        for key in VILLAGE_COLUMNS:
            item.add(key, str(row.get(key, "")))
    return document(root)


def parse_rows(text: str) -> list[tuple[str, str]]:
    """``code<TAB>name`` (or ``code,name``) lines, as a county's list is written; other lines are left out."""
    return _parse(text.replace(",", "\t") if "\t" not in text else text)


def province_city_rows(table: RegionTable | None = None) -> list[tuple[str, str]]:
    """(4-digit city code, 省 and 市 as written in an address) for every city-level division.

    Forms read these from resources/forms/province_city.csv (build_scripts/make_province_city.py writes it) to
    put the province and city in front of a typed county: 3401 → 安徽省合肥市, 1101 (市辖区) → 北京市,
    4290 (省直辖县级行政区划) → 湖北省.
    """
    table = table or national()
    rows = []
    for province in table.children():
        for city in table.children(province.code):
            parts = [r.short_name for r in (province, city) if r.name not in NOT_IN_ADDRESS]
            rows.append((city.code, "".join(parts)))
    return rows


def chinese_numeral(digits: str) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 21 → 二十一 (附号 are small numbers)."""
    n = int(digits)
    ones = "零一二三四五六七八九"
    if n < 10:
        return ones[n]
    if n < 100:
        tens, unit = divmod(n, 10)
        return ("" if tens == 1 else ones[tens]) + "十" + (ones[unit] if unit else "")
    return digits


def _resource_text(name: str) -> str:
    return resources.files("resources").joinpath("regions", name).read_text(encoding="utf-8")


def _read_province(code: str) -> list[tuple[str, str]]:
    try:
        data = resources.files("resources").joinpath("regions", f"{code}.tsv.xz").read_bytes()
    except FileNotFoundError:
        return []
    return _parse(lzma.decompress(data).decode("utf-8"))


_default: RegionTable | None = None


def national() -> RegionTable:
    """The national table without county lists (shared, loaded lazily)."""
    global _default
    if _default is None:
        _default = RegionTable()
    return _default
