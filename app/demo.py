"""Realistic, clearly fictitious demo data: one township's villages, households, people and visits.

ID numbers pass the GB 11643 checksum but use a prefecture summary code as their
region (341100, never printed on a resident's card), and phone numbers use the
199 0000 block, so no demo record can be mistaken for a real person's.
Deterministic for a given seed.
"""

from __future__ import annotations

import json
import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from app import china
from app.schedule import next_due, red_flags, tier_code
from app.settings import VisitRules
from app.store.search import name_pinyin, name_sort_key, reversed_tail
from app.store.store import Store

DEMO_REGION = "341100"
TOWN = "示范镇"
COUNTY = "示范县"
VILLAGE_NAMES = ["东山村", "西河村", "南岗村", "北湾村", "柳林村", "石桥村", "杏花村", "枣园村", "青石村", "白沙村",
                 "桃源村", "新庄村"]
SURNAMES = list("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程")
GIVEN = list("秀英桂兰玉珍凤芳华明国强建军志刚德福海平春梅淑贞文秀丽红永红金生树林长发喜桂香小明雨欣子涵浩然思琪"
             "梓轩一诺欣怡宇轩佳琪")
ELDER_CATEGORIES = ["留守老人", "空巢老人", "高龄老人", "失能老人", "独居老人"]
CHILD_CATEGORIES = ["留守儿童", "困境儿童"]
RISK_TIERS = [("高风险", 0.12), ("重点", 0.33), ("一般", 0.55)]
RISK_INTERVAL = {"高风险": 7, "重点": 30, "一般": 90}
VISITORS = ["李秀兰", "张春梅", "王建华", "刘志强"]
# Answers a cadre gives on a routine visit, per built-in form; each demo record is one of these,
# run through the form engine (so calculations are right and the record opens without errors).
ELDER_VISIT = {
    "visit_method": "home", "visitor_role": "village_cadre", "risk_tier": "general", "met_in_person": "1",
    "h_mobility": "slow",
    "h_express": "normal", "h_illness": "none", "h_mental": "good", "h_meds": "yes", "e_difficulty": "none",
    "e_benefits": "done", "f_contact": "monthly", "f_duty": "good", "s_house": "ok", "s_utilities": "none",
    "s_fall_risk": "handrail", "s_hygiene": "fair", "needs": "meals emotional", "red_flags": "none",
    "major_event": "0", "photo": "visit.jpg", "location": "31.7204 117.2271 35 8", "signature": "signature.png",
    "contacts": [{"contact_name": "家属", "relation": "2", "phone": "199 0000 1234", "away": "1"}],
}
ELDER_VARIANTS = [{}, {"visit_method": "phone"}, {"h_mobility": "normal", "needs": "emotional"},
                  {"f_contact": "weekly", "s_fall_risk": "none"},
                  {"red_flags": "no_heating", "issues": "冬季取暖炉损坏，室内寒冷",
                   "action": "contact_family refer_village"}]
CHILD_VISIT = {
    "visit_method": "home", "child_seen": "1", "with_whom": "grandparents", "guard_eval": "fair",
    "life_care": "good", "school": "normal", "health": "none", "parent_contact": "weekly", "safety": "drowning",
    "needs": "study family_contact", "service": "policy guardian_guidance", "found_risk": "0",
}
CHILD_VARIANTS = [{}, {"guard_eval": "good", "parent_contact": "monthly"}, {"needs": "study"},
                  {"with_whom": "alone", "guard_eval": "poor", "reported_to": "police town_supervisor village",
                   "report_receiver": "城关派出所", "report_content": "儿童独自居住，祖母住院，已联系其父母返乡"}]
RED_FLAG_SHARE = 0.02  # about one visit in fifty finds a safety red flag


def _name(rng: random.Random) -> str:
    given = "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return rng.choice(SURNAMES) + given


def _weighted(rng: random.Random, options: list[tuple[str, float]]) -> str:
    roll, total = rng.random(), 0.0
    for value, weight in options:
        total += weight
        if roll < total:
            return value
    return options[-1][0]


class _VisitData:
    """Visit data made by the form engine from the templates above, cached per form, day and variant."""

    def __init__(self, today: date):
        self.today = today
        self.forms: dict[str, object] = {}
        self.cache: dict[tuple, dict] = {}
        self.longest: dict[tuple, int] = {}

    def version(self, form_id: str) -> str:
        """The version of the built-in form the demo records are made with."""
        form = self.form(form_id)
        return (form.version or "") if form is not None else "2026.1"

    def form(self, form_id: str):
        if form_id not in self.forms:
            from app.forms.xlsform import load_form

            path = Path(__file__).resolve().parents[1] / "resources" / "forms" / f"{form_id}.xlsx"
            self.forms[form_id] = load_form(path) if path.exists() else None
        return self.forms[form_id]

    def make(self, form_id: str, day: date, interval: int, variant: int, facts: dict) -> dict:
        """One visit's data: a template checked by the engine once, with this visit's dates and person.

        Calculated values are left out (the engine computes them whenever the record is opened or
        exported), so changing the dates cannot leave a stale calculation behind.
        """
        key = (form_id, variant)
        if key not in self.cache:
            elder = form_id == "elder_visit"
            base, variants = (ELDER_VISIT, ELDER_VARIANTS) if elder else (CHILD_VISIT, CHILD_VARIANTS)
            answers = {**base, **variants[variant % len(variants)], "visit_date": self.today.isoformat(),
                       "visitor": VISITORS[variant % len(VISITORS)], "elder_name": "某某", "child_name": "某某",
                       "age_input": 10, "next_visit": (self.today + timedelta(days=30)).isoformat(),
                       "found_time": f"{self.today.isoformat()}T09:30:00+08:00",
                       "report_time": f"{self.today.isoformat()}T10:00:00+08:00"}
            form = self.form(form_id)
            if form is None:
                self.cache[key] = {k: v for k, v in answers.items() if not isinstance(v, list)}
            else:
                from app.forms.fill import fill

                noon = datetime.combine(self.today, datetime.min.time()).replace(hour=12).astimezone()
                data = fill(form, answers, now=lambda: noon)["data"]
                calculated = {path.rsplit("/", 1)[-1] for path, bind in form.binds.items() if bind.calculate}
                self.cache[key] = {k: v for k, v in data.items() if k not in calculated}
                if data.get("interval_days") not in (None, ""):  # the longest wait the form allows
                    self.longest[key] = int(data["interval_days"])
        data = dict(self.cache[key])
        data["visit_date"] = day.isoformat()
        if "report_time" in data:
            data["report_time"] = f"{day.isoformat()}T10:00:00.000+08:00"
        if "found_time" in data:
            data["found_time"] = f"{day.isoformat()}T09:30:00.000+08:00"
        days = min(max(interval, 1), self.longest.get(key, 90))
        data["next_visit"] = (day + timedelta(days=days)).isoformat()
        data.update({k: v for k, v in facts.items() if k in data})
        return data


def load_demo(store: Store, *, persons: int = 2000, seed: int = 1, today: date | None = None,
              progress: Callable[[int, int], None] | None = None, working: bool = False) -> dict[str, int]:
    """Fill ``store`` with demo villages, households, ``persons`` people and a year of visit records.

    ``working``: visits kept to the monthly target as a working township does (练习模式, see ``_working_days``);
    otherwise at each risk tier's interval with some missed."""
    rng = random.Random(seed)
    today = today or date.today()
    visits = _VisitData(today)
    now = datetime.now(UTC).isoformat(timespec="milliseconds")
    villages = VILLAGE_NAMES[: max(3, min(len(VILLAGE_NAMES), persons // 250 + 3))]
    village_ids = []
    for i, name in enumerate(villages):
        vid = f"{DEMO_REGION}101{200 + i + 1:03d}"
        store.add_village(vid, name, town=TOWN, county=COUNTY)
        village_ids.append(vid)

    households, person_rows, record_rows = [], [], []
    sequence = 0
    made = 0
    while made < persons:
        village = rng.choice(village_ids)
        group = f"{rng.randint(1, 9)}组"
        number = len([h for h in households[-400:] if h["village_id"] == village]) + 1
        hid = str(uuid.UUID(int=rng.getrandbits(128)))
        vname = villages[village_ids.index(village)]
        households.append({"id": hid, "village_id": village, "group_name": group, "house_number": f"{number}号",
                           "address": f"{COUNTY}{TOWN}{vname}{group}{number}号", "created_at": now,
                           "updated_at": now})
        members = []
        if rng.random() < 0.7:
            members.append("elder")
            if rng.random() < 0.4:
                members.append("elder")
        if rng.random() < 0.45:
            members.append("guardian")
            members += ["child"] * rng.randint(1, 2)
        if not members:
            members.append("elder")
        for kind in members:
            if made >= persons:
                break
            made += 1
            sequence += 1
            if kind == "elder":
                age = int(min(100, 60 + rng.expovariate(1 / 12)))
            elif kind == "child":
                age = rng.randint(1, 15)
            else:
                age = rng.randint(35, 70)
            born = today - timedelta(days=age * 365 + rng.randint(0, 364))
            seq = rng.randint(0, 999)
            id_number = china.make_id(DEMO_REGION, born, seq)
            pid = str(uuid.UUID(int=rng.getrandbits(128)))
            name = _name(rng)
            pinyin, initials = name_pinyin(name)
            tier, categories = "", []
            if kind == "elder":
                tier = _weighted(rng, RISK_TIERS)
                categories = rng.sample(ELDER_CATEGORIES, rng.randint(1, 2))
                if age >= 80 and "高龄老人" not in categories:
                    categories.append("高龄老人")
            elif kind == "child":
                categories = [rng.choice(CHILD_CATEGORIES)]
                tier = _weighted(rng, [("重点", 0.3), ("一般", 0.7)])
            phone = f"1990000{rng.randint(0, 9999):04d}" if kind != "child" and rng.random() < 0.7 else ""
            row = {"id": pid, "name": name, "id_number": id_number, "sex": china.id_sex(id_number),
                   "birth_date": born.isoformat(), "phone": phone, "kind": kind,
                   "categories": json.dumps(categories, ensure_ascii=False), "risk_tier": tier, "status": "active",
                   "status_reason": "", "village_id": village, "household_id": hid, "pinyin": pinyin,
                   "initials": initials, "name_key": name_sort_key(name), "id_rev": reversed_tail(id_number),
                   "phone_rev": reversed_tail(phone),
                   "last_visit": "", "next_due": "", "extra": "{}", "created_at": now, "updated_at": now}
            if kind in ("elder", "child"):
                _visits(rng, row, today, record_rows, visits, working)
            person_rows.append(row)
        if progress and len(person_rows) % 1000 < len(members):
            progress(made, persons)
    with store.transaction():
        for table, rows in (("households", households), ("persons", person_rows), ("records", record_rows)):
            store.bulk_insert(table, rows)
    if progress:
        progress(persons, persons)
    return {"villages": len(village_ids), "households": len(households), "persons": len(person_rows),
            "records": len(record_rows)}



# How far back demo visits go: frequent visitors get a shorter history, so each person has a handful.
HISTORY_DAYS = {7: 56, 30: 180, 90: 365}


def _routine_days(rng: random.Random, interval: int, today: date):
    """Visit days at the tier's interval; about one in seven is missed (they make the overdue list)."""
    day = today - timedelta(days=HISTORY_DAYS.get(interval, 365) - rng.randint(0, interval))
    while day <= today:
        if rng.random() < 0.85:
            yield day
        day += timedelta(days=max(1, interval + rng.randint(-interval // 5, interval // 5)))


def _working_days(rng: random.Random, cycle: int, today: date):
    """A township keeping the monthly target (练习模式): each visit falls due ``cycle`` days after the last one;
    four in five are made within two days of it, about one in six some days late and one in twenty slips to the
    next cycle. Past months' rates come out at 85–95 %, this month's in step with the day of the month, and about
    a fifth of those due today are overdue."""
    short = cycle < 14
    due = today - timedelta(days=365 - rng.randint(0, cycle))
    while True:
        roll = rng.random()
        if roll < 0.04:  # missed this round: due again a cycle later
            due += timedelta(days=cycle)
            continue
        late = rng.randint(-1, 1) if roll < 0.86 else rng.randint(2, 4) if short else rng.randint(3, 10)
        day = due + timedelta(days=late)
        if day > today:
            return
        yield day
        due = day + timedelta(days=cycle)


def _visits(rng: random.Random, person: dict, today: date, out: list[dict], visits: _VisitData,
            working: bool = False) -> None:
    interval = RISK_INTERVAL.get(person["risk_tier"], 90)
    if working:
        interval = min(interval, 30)
    form_id = "elder_visit" if person["kind"] == "elder" else "child_visit"
    days = _working_days(rng, interval, today) if working else _routine_days(rng, interval, today)
    last = None
    last_data: dict = {}
    for day in days:
        last = day
        age_days = (today - day).days
        if age_days > 30:
            status = rng.choice(["accepted"] * 9 + ["rejected"])
        elif age_days > 7:
            status = rng.choice(["accepted", "sent", "sent", "queued"])
        else:
            status = rng.choice(["queued"] * 4 + ["finalized"] * 3 + ["draft"])
        stamp = datetime.combine(day, datetime.min.time(), UTC).replace(hour=rng.randint(0, 9))
        stamp = min(stamp, datetime.now(UTC))
        iso = stamp.isoformat(timespec="milliseconds")
        age = day.year - int(person["birth_date"][:4])
        facts = {"elder_name": person["name"], "child_name": person["name"], "age_input": max(0, min(age, 17)),
                 "risk_tier": tier_code(person["risk_tier"])}
        variant = 4 if form_id == "elder_visit" else 3
        variant = variant if rng.random() < RED_FLAG_SHARE else rng.randrange(3)
        data = visits.make(form_id, day, interval, variant, facts)
        last_data = data
        out.append({"uuid": str(uuid.UUID(int=rng.getrandbits(128))), "form_id": form_id,
                    "form_version": visits.version(form_id), "person_id": person["id"],
                    "household_id": person["household_id"],
                    "village_id": person["village_id"], "status": status, "revision": 1, "prev_revision": None,
                    "author": "演示村干部", "title": f"{person['name']} {day.isoformat()} 探访",
                    "data": json.dumps(data, ensure_ascii=False, sort_keys=True), "server_message": "",
                    "flags": json.dumps(red_flags(data) if status != "draft" else []),
                    "created_at": iso, "updated_at": iso})
    if last is not None:
        person["last_visit"] = last.isoformat()
        facts = dict(person, guardianship=last_data.get("guard_eval", ""))
        rules = VisitRules(monthly_floor=True) if working else VisitRules()
        person["next_due"] = next_due(facts, last, last_data, rules).isoformat()
