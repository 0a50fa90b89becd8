"""What a finalized record changes in the registry: visits move the schedule, registry and assessment
forms update the person, and safety red flags travel with the record."""

from __future__ import annotations

import json
from datetime import date

from app.errors import CunFangError, ErrorCode
from app.schedule import next_due, red_flags, tier_code
from app.settings import VisitRules
from app.store import households, persons, records

VISIT_FORMS = {"elder_visit", "child_visit"}
# The forms that fit a kind of person, the usual one (the visit) first: 为此人填表 offers these.
FORMS_FOR_KIND = {
    "elder": ("elder_visit", "elder_finding_report", "capability_assessment", "elder_registry", "home_adaptation"),
    "child": ("child_visit", "child_finding_report", "left_behind_child", "vulnerable_child"),
}
# The kind of person a visit form is about (填表 → a visit form asks who is visited).
VISIT_KIND = {"elder_visit": "elder", "child_visit": "child"}


def person_facts(person: dict | None, author: str = "") -> dict[str, str]:
    """What the registry knows about a person, by the question names the built-in forms use for it; a form
    started for the person (in the app or by `cunfang records add --person`) is filled with these."""
    person = person or {}
    name, id_number = person.get("name", ""), person.get("id_number", "")
    facts = {"person_name": name, "name": name, "elder_name": name, "child_name": name, "subject_name": name,
             "id_number": id_number, "elder_id": id_number, "child_id": id_number, "subject_id": id_number,
             "phone": person.get("phone", ""), "visitor": author,
             "risk_tier": tier_code(person["risk_tier"]) if person.get("risk_tier") else ""}
    return {key: value for key, value in facts.items() if value}


# Where a record names who looks after the person: form → (what the form calls them, the repeat holding them or
# None, the name, relation and phone questions, the relation's choice list). Children first, as the forms ask.
GUARDIAN_FIELDS = {
    "left_behind_child": ("受委托监护人", None, "g_name", "g_relation", "g_phone", "guardian_relation"),
    "vulnerable_child": ("实际监护人", None, "g_name", "g_relation", "g_phone", "guardian_relation"),
    "elder_registry": ("赡(扶)养人/家属", "carers", "carer_name", "relation", "phone", "relation"),
    "elder_visit": ("家属", "contacts", "contact_name", "relation", "phone", "relation"),
}
# In turn: the newest record of the first group that names someone wins.
GUARDIAN_FORMS = {"child": (("left_behind_child", "vulnerable_child"),),
                  "elder": (("elder_registry",), ("elder_visit",))}


def guardian_of(store, person: dict) -> dict | None:
    """Who looks after the person, for the 台账 panel: {"role", "name", "relation", "phone"} (relation a label).

    From the newest finished registry record about them (a child's 受委托监护人 or 实际监护人, an elder's first
    赡养人/家属; for an elder without one, the first 家属 of the newest visit), else the registered guardian
    (linked, or a 监护人 of the same household), else the 监护人 a roster import brought (``extra``)."""
    from app.forms.library import shared_choices

    for forms in GUARDIAN_FORMS.get(person.get("kind"), ()):
        record = records.newest_finished_about(store, person["id"], forms)
        if record is None:
            continue
        role, repeat, name, relation, phone, choices = GUARDIAN_FIELDS[record["form_id"]]
        data = record["data"]
        if repeat is not None:
            entries = [e for e in data.get(repeat) or [] if isinstance(e, dict) and e.get(name)]
            data = entries[0] if entries else {}
        if data.get(name):
            code = str(data.get(relation) or "")
            label = shared_choices().get(choices, {}).get(code, code)
            return {"role": role, "name": str(data[name]), "relation": label, "phone": str(data.get(phone) or "")}
    linked = persons.linked_guardian(store, person)
    if linked is not None:
        return {"role": "监护人", "name": linked["name"], "relation": "", "phone": linked["phone"]}
    extra = json.loads(person.get("extra") or "{}")
    if extra.get("guardian_name"):
        return {"role": "监护人", "name": str(extra["guardian_name"]), "relation": "",
                "phone": str(extra.get("guardian_phone") or "")}
    return None


def forms_for(kind: str, available: list[str]) -> list[str]:
    """Of the ``available`` form ids, the ones that fit a person of ``kind``, in the order a cadre uses them
    (all of them, as they come, when the kind has no list)."""
    fitting = FORMS_FOR_KIND.get(kind)
    if not fitting:
        return list(available)
    return [f for f in fitting if f in available]
CHILD_REGISTRY_FORMS = {"left_behind_child": "留守儿童", "vulnerable_child": "困境儿童"}
# Registry forms that create the person they describe when it is not in the registry yet.
PERSON_FIELDS = {
    "elder_registry": {"kind": "elder", "name": "elder_name", "id_number": "id_no", "sex": "sex",
                       "birth_date": "birth_date", "phone": "elder_phone"},
    "left_behind_child": {"kind": "child", "name": "child_name", "id_number": "child_id", "sex": "child_sex",
                          "birth_date": "child_birth"},
    "vulnerable_child": {"kind": "child", "name": "child_name", "id_number": "child_id", "sex": "child_sex",
                         "birth_date": "child_birth"},
}


def register_household(store, record: dict) -> str:
    """Create or update the household a house-number record describes (its village is made if new)."""
    data = record["data"]
    village_id = str(data.get("region_code") or record.get("village_id") or f"local-{data.get('village', '')}")
    if not households.village_exists(store, village_id):
        store.add_village(village_id, str(data.get("village") or village_id), town=str(data.get("town") or ""),
                          county=str(data.get("county") or ""))
    number = f"{data.get('house_no', '')}{data.get('house_no_suffix') or ''}"
    address = data.get("full_addr") or build_address(data)
    household_id = households.id_by_number(store, village_id, number)
    if household_id:
        households.update(store, household_id, group_name=str(data.get("group_name") or ""), address=address,
                          updated_at=record["updated_at"])
    else:
        household_id = store.add_household(village_id=village_id, group_name=str(data.get("group_name") or ""),
                                           house_number=number, address=address)
    records.link(store, record["uuid"], household_id=household_id, village_id=village_id)
    return household_id


def register_person(store, record: dict) -> str | None:
    """Create (or find by ID number) the person a registry record describes, and link the record."""
    fields = PERSON_FIELDS.get(record["form_id"])
    data = record["data"]
    if fields is None or not data.get(fields["name"]):
        return None
    id_number = str(data.get(fields["id_number"]) or "")
    person_id = persons.unscoped_id_by_id_number(store, id_number, job="registry.register_person")
    if person_id is None:
        categories = [CHILD_REGISTRY_FORMS[record["form_id"]]] if record["form_id"] in CHILD_REGISTRY_FORMS else []
        phone = str(data.get(fields.get("phone", ""), "") or "")
        person_id = store.add_person(
            kind=fields["kind"], name=str(data[fields["name"]]), id_number=id_number,
            sex=str(data.get(fields["sex"]) or ""), birth_date=str(data.get(fields["birth_date"]) or ""),
            phone="" if phone == "无" else phone, categories=categories, village_id=record.get("village_id"))
    records.link(store, record["uuid"], person_id=person_id)
    return person_id


def record_finalized(store, record: dict, rules: VisitRules) -> dict:
    """Apply a finalized record to its person; returns what changed (for the UI to show)."""
    data = record["data"]
    changes: dict = {}
    flags = red_flags(data)
    if flags:
        records.link(store, record["uuid"], flags=json.dumps(flags))
        changes["flags"] = flags
    if record["form_id"] == "house_number":
        changes["household"] = register_household(store, record)
    person_id = record.get("person_id")
    if not person_id:
        person_id = register_person(store, record)
        if not person_id:
            return changes
        changes["created_person"] = person_id
    person = store.get_person(person_id)
    if record["form_id"] in VISIT_FORMS and data.get("visit_date"):
        visited = date.fromisoformat(str(data["visit_date"])[:10])
        if data.get("guard_eval"):
            person["guardianship"] = data["guard_eval"]
            extra = json.loads(person.get("extra") or "{}")
            extra["guardianship"] = data["guard_eval"]
            changes["extra"] = extra
        if not person.get("last_visit") or person["last_visit"] <= visited.isoformat():
            changes["last_visit"] = visited.isoformat()
            changes["next_due"] = next_due(person, visited, data, rules).isoformat()
    elif record["form_id"] == "elder_registry":
        if data.get("risk_tier"):
            changes["risk_tier"] = data["risk_tier"]
        if data.get("status"):  # 在册/迁出/入住养老机构/死亡: the person and all history stay
            changes["status"] = data["status"]
            reason = " ".join(str(data.get(k) or "") for k in ("status_date", "status_reason")).strip()
            changes["status_reason"] = reason
        if data.get("ability_level") not in (None, ""):
            extra = json.loads(person.get("extra") or "{}")
            extra["capability_level"] = data["ability_level"]
            changes["extra"] = extra
    elif record["form_id"] in CHILD_REGISTRY_FORMS and data.get("guard_eval"):
        person["guardianship"] = data["guard_eval"]
        extra = json.loads(person.get("extra") or "{}")
        extra["guardianship"] = data["guard_eval"]
        changes["extra"] = extra
    elif record["form_id"] == "capability_assessment":
        level = data.get("final_level") or data.get("level")
        if level:
            extra = json.loads(person.get("extra") or "{}")
            extra["capability_level"] = level
            changes["extra"] = extra
    fields = {k: v for k, v in changes.items() if k != "flags"}
    if fields:
        store.update_person(person_id, **fields)
    return changes


def visit_rates(store, today: date) -> list[dict]:
    """Per village, this month: persons to visit, visited since the 1st, rate, overdue (for 工作台)."""
    rows = persons.visit_rates(store, today.replace(day=1).isoformat(), today.isoformat())
    for row in rows:
        row["rate"] = round(100 * row["visited"] / row["total"], 1) if row["total"] else 0.0
    return rows


def check_before_finalize(store, record: dict, data: dict) -> None:
    """Rules that need other records, which a form alone cannot check: one house number per village."""
    if record["form_id"] != "house_number" or data.get("house_no") in (None, ""):
        return
    village = str(data.get("region_code") or data.get("village") or "")
    number = f"{data['house_no']}{data.get('house_no_suffix') or ''}"
    for other in records.unscoped_finished_of_form(store, "house_number", job="registry.one_house_number",
                                                   except_uuid=record["uuid"]):
        theirs = other["data"]
        if (str(theirs.get("region_code") or theirs.get("village") or "") == village
                and f"{theirs.get('house_no')}{theirs.get('house_no_suffix') or ''}" == number
                and theirs.get("plate_status") != "removed"):
            raise CunFangError(ErrorCode.HOUSE_NUMBER_TAKEN, village=data.get("village") or village, number=number,
                               other=other["title"] or other["uuid"][:8])


PLATES_TO_MAKE = {"new": "新装", "damaged": "破损待换", "missing": "缺失"}


def plates_to_make(store) -> list[dict]:
    """House-number plates to order: newly registered, damaged or missing, in address order."""
    out = []
    for row in records.finished_of_form(store, "house_number"):
        data = row["data"]
        if data.get("plate_status") in PLATES_TO_MAKE:
            number = f"{data.get('house_no', '')}{data.get('house_no_suffix') or ''}"
            out.append({"address": data.get("full_addr") or build_address(data), "number": number,
                        "plate_type": data.get("plate_type", ""), "reason": PLATES_TO_MAKE[data["plate_status"]],
                        "head": data.get("head_name", ""), "village": data.get("village", ""),
                        "group": data.get("group_name", "")})
    return sorted(out, key=lambda p: (p["village"], p["group"], int(p["number"]) if p["number"].isdigit() else 0))


def build_address(data: dict) -> str:
    """The standard rural address: 县 乡镇 村 组 (路) 号 附号 (e.g. 示范县示范镇东山村三组18号, …幸福路17号之一)."""
    number = data.get("house_no")
    suffix = str(data.get("house_no_suffix") or "")
    # a 附号 of the 2026.2 form is 之一 and follows 号; an earlier form's free text (-1, 甲) came before it
    house = ""
    if number not in (None, ""):
        house = f"{number}号{suffix}" if suffix.startswith("之") else f"{number}{suffix}号"
    parts = [data.get("county"), data.get("town"), data.get("village"), data.get("group_name"),
             data.get("road_name"), house]
    return "".join(str(p) for p in parts if p)
