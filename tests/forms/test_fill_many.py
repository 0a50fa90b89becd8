"""Many records filled at once (`cunfang records add`) are checked exactly as one record is: ``fill_many`` opens
the form once and starts every record from a copy of that state, each with its own instance ID."""

from __future__ import annotations

import textwrap
from datetime import date, timedelta

from app.demo import ELDER_VISIT
from app.forms.fill import fill, fill_many
from app.forms.library import BUILTIN_DIR
from app.forms.session import FormSession
from app.forms.xlsform import load_form
from app.settings import Settings, VisitRules, form_instances

TIMES = ("start", "end", "today")


def without_times(result: dict) -> dict:
    return {**result, "data": {k: v for k, v in result["data"].items() if k not in TIMES}}


def test_a_batch_gives_what_one_record_at_a_time_gives_valid_or_not():
    form = load_form(BUILTIN_DIR / "elder_visit.xlsx")
    day = date(2026, 12, 1)
    base = {**ELDER_VISIT, "elder_name": "王秀英", "visitor": "李干部", "visit_date": day.isoformat(),
            "next_visit": (day + timedelta(days=20)).isoformat()}
    batch = [base, {**base, "visit_method": "bicycle"},  # not a choice
             {**base, "red_flags": "no_heating", "issues": "冬季取暖炉损坏", "action": "contact_family refer_village",
              "next_visit": (day + timedelta(days=1)).isoformat()},  # a red flag: again within a day
             {**base, "next_visit": (day + timedelta(days=60)).isoformat()},  # too late for a county of 30 days
             {**base, "contacts": [{"contact_name": "儿子", "relation": "2", "phone": "13700002222", "away": "1"},
                                   {"contact_name": "女儿", "relation": "3", "phone": "13700003333", "away": "0"}]},
             {**base, "no_such_question": "1"}]
    strict = form_instances(Settings(visits=VisitRules(elder_by_tier={"high": 7, "key": 30, "general": 30})))
    one_by_one = [without_times(fill(form, answers, instances=strict)) for answers in batch]
    together = [without_times(r) for r in fill_many(form, batch, instances=strict)]
    assert together == one_by_one
    assert [r["valid"] for r in together] == [True, False, True, False, True, False]
    assert len(together[4]["data"]["contacts"]) == 2


def test_each_record_of_a_batch_has_its_own_instance_id_and_fresh_values():
    form = load_form(textwrap.dedent(
        """
        | survey |
        |        | type      | name  | label::中文 (zh) | calculation |
        |        | text      | who   | 姓名              |             |
        |        | calculate | token | 编号              | uuid()      |
        | settings |
        |          | form_id | version | default_language |
        |          | many    | 1       | 中文 (zh)         |
        """))
    opened = FormSession(form)
    twins = [opened.fork() for _ in range(3)]
    ids = [t.node("/data/meta/instanceID").value for t in [opened, *twins]]
    assert len(set(ids)) == 4 and all(i.startswith("uuid:") for i in ids)
    results = fill_many(form, [{"who": "甲"}, {"who": "乙"}, {"who": "丙"}])
    assert [r["data"]["who"] for r in results] == ["甲", "乙", "丙"]
    assert len({r["data"]["token"] for r in results}) == 3, "uuid() is worked out for every record"
