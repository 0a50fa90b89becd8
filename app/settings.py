"""County settings that the research marks as uncertain: visit intervals, kept in ``settings.json``.

Provinces differ (内蒙古 weekly/monthly/quarterly by risk tier, 青海 monthly for everyone), so the
defaults below are a starting point a county changes in 设置 or in the file. The file is written
atomically; a damaged file is logged and the defaults are used, so the app always starts.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

log = logging.getLogger("cunfang.settings")
FILE_NAME = "settings.json"


@dataclass
class VisitRules:
    """Days until the next visit."""

    elder_by_tier: dict[str, int] = field(default_factory=lambda: {"high": 7, "key": 30, "general": 90})
    major_event_days: int = 1  # a 重大变故 or a safety red flag: visit again within 24 hours
    child_by_guardianship: dict[str, int] = field(default_factory=lambda: {"poor": 30, "fair": 90, "good": 180})
    child_default_days: int = 365
    report_follow_up_days: int = 1  # after a 发现报告
    monthly_floor: bool = False  # True: no elder waits longer than a month (the 2025 100 % monthly target)
    # The lowest risk tier each reason calls for (内蒙古's model, domain research §2.1): the registry form warns and
    # asks why when a tier below it is chosen. high / key / general.
    tier_by_reason: dict[str, str] = field(default_factory=lambda: {
        "age80_alone": "high", "life_threat": "high", "disabled_dementia": "key", "tekun_scattered": "key",
        "fp_special": "key"})


@dataclass
class ChildRules:
    """Who counts as a 农村留守儿童 where provinces differ."""

    # One parent away for work and the other dead, missing or in prison (服刑在押、强制隔离戒毒): the national
    # definition names only a parent at home without guardianship capacity (重病、重残; 民发〔2016〕42号), and some
    # provinces count these children as 留守 too. False: not counted (registered as 困境儿童 or other children).
    left_behind_if_other_parent_absent: bool = False


@dataclass
class Settings:
    visits: VisitRules = field(default_factory=VisitRules)
    children: ChildRules = field(default_factory=ChildRules)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> Settings:
        visits = VisitRules(**{k: v for k, v in data.get("visits", {}).items()
                               if k in VisitRules.__dataclass_fields__})
        children = ChildRules(**{k: v for k, v in data.get("children", {}).items()
                                 if k in ChildRules.__dataclass_fields__})
        return cls(visits=visits, children=children)


def load_settings(data_dir: Path) -> Settings:
    path = Path(data_dir) / FILE_NAME
    if not path.exists():
        return Settings()
    try:
        return Settings.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, TypeError, OSError) as exc:
        log.warning("settings file %s unreadable (%s); using the defaults", path, exc)
        return Settings()


def save_settings(data_dir: Path, settings: Settings) -> None:
    path = Path(data_dir) / FILE_NAME
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(settings.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    os.replace(tmp, path)


COUNTY_SETTINGS_INSTANCE = "county_settings"


def county_settings_xml(settings: Settings) -> str:
    """The settings as the XML instance the built-in forms read (``instance('county_settings')``).

    resources/forms/county_settings.xml is this for the defaults (shipped beside the forms so that
    ODK tools open them too); the app passes the county's own settings in its place.
    """
    v, c = settings.visits, settings.children

    def days(values: dict[str, int]) -> str:
        return "".join(f"<{k}>{int(n)}</{k}>" for k, n in values.items())

    def tiers(values: dict[str, str]) -> str:
        return "".join(f"<{k}>{t if t in ('high', 'key', 'general') else 'general'}</{k}>" for k, t in values.items())

    return (f"<county_settings><visits><elder>{days(v.elder_by_tier)}</elder>"
            f"<major_event_days>{int(v.major_event_days)}</major_event_days>"
            f"<child>{days(v.child_by_guardianship)}</child>"
            f"<child_default_days>{int(v.child_default_days)}</child_default_days>"
            f"<report_follow_up_days>{int(v.report_follow_up_days)}</report_follow_up_days>"
            f"<monthly_floor>{int(bool(v.monthly_floor))}</monthly_floor>"
            f"<tier_by_reason>{tiers(v.tier_by_reason)}</tier_by_reason></visits>"
            f"<children><left_behind_if_other_parent_absent>{int(bool(c.left_behind_if_other_parent_absent))}"
            f"</left_behind_if_other_parent_absent></children></county_settings>")


def form_instances(settings: Settings) -> dict:
    """Secondary instances every form session on this laptop gets: the county's settings."""
    from lxml import etree

    from app.forms.xpath.nodes import document, from_xml

    root = etree.fromstring(county_settings_xml(settings).encode("utf-8"))
    return {COUNTY_SETTINGS_INSTANCE: document(from_xml(root))}
