"""A small county for console tests: two townships, three villages, persons with known visits, and accounts.

Everything arrives through the server's own services (registry push as the laptops do it, console accounts
as ``cunfang-server console-user add`` makes them); the expected numbers are counted here from the seed, not by
the console's code.
"""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from sync.protocol import RegistryEntity
from sync.server import scope
from sync.server.console.accounts import ConsoleAccounts
from sync.server.console.views import today

PASSWORD = "Qx7!kLm9#pR"
TOWN_A, TOWN_B = "341100101", "341100102"
VILLAGES = {f"{TOWN_A}201": ("东山村", "示范镇"), f"{TOWN_A}202": ("西河村", "示范镇"),
            f"{TOWN_B}201": ("河口村", "临河乡")}
ACCOUNTS = {"kezhang": ("county_admin", ""), "chakan": ("county_viewer", ""), "xiangzhen": ("township", TOWN_A),
            "xinxi": ("it", "")}


def persons() -> list[dict]:
    """(village, name, kind, status, last_visit, next_due) for each person, relative to today."""
    day = today()
    month = day.replace(day=1)
    rows = []
    plan = [  # per village: (kind, visited this month, overdue days or None, status)
        ("elder", True, None, "active"), ("elder", False, 12, "active"), ("elder", False, 3, "active"),
        ("child", True, None, "active"), ("child", False, 40, "active"), ("guardian", False, None, "active"),
        ("elder", False, 30, "deceased"),
    ]
    names = iter("王秀英 李桂兰 张玉珍 刘凤芳 陈国强 杨建军 黄志刚 赵德福 吴海平 周春梅 徐淑贞 孙文秀 马丽红 朱永红 "
                 "胡金生 郭树林 何长发 高喜桂 林香 罗小明 郑雨欣 梁子涵 谢浩然 宋思琪".split())
    for i, village in enumerate(VILLAGES):
        for j, (kind, visited, overdue, status) in enumerate(plan[: 7 - i]):
            last = month if visited else month - timedelta(days=20 + j)
            due = (day - timedelta(days=overdue)) if overdue else (day + timedelta(days=10))
            rows.append({"id": f"p{i}{j}", "village_id": village, "name": next(names), "kind": kind,
                         "status": status, "last_visit": last.isoformat(),
                         "next_due": due.isoformat() if kind in ("elder", "child") else "",
                         "id_number": f"34110019500101{i}{j}1X"[-18:], "categories": []})
    return rows


def seed(service) -> list[dict]:
    """Push the villages and persons, and make the console accounts; returns the persons."""
    caller = scope.operator("测试")
    now = today().isoformat()
    items = [RegistryEntity(kind="village", id=vid, village_id=vid, fields={"name": name, "town": town},
                            updated_at=now) for vid, (name, town) in VILLAGES.items()]
    people = persons()
    items += [RegistryEntity(kind="person", id=p["id"], village_id=p["village_id"],
                             fields={k: v for k, v in p.items() if k != "id"}, updated_at=now) for p in people]
    results = service.registry_push(caller, items)
    assert all(r.outcome.value == "accepted" for r in results), results
    accounts = ConsoleAccounts(service.db)
    for name, (role, township) in ACCOUNTS.items():
        accounts.add(name, role, PASSWORD, township=township)
    return people


def expected(people: list[dict], village_prefix: str) -> dict[str, int]:
    """What 总览 must show for a village or township, counted from the seed."""
    day, month = today().isoformat(), today().replace(day=1).isoformat()
    mine = [p for p in people if p["village_id"].startswith(village_prefix)]
    visit = [p for p in mine if p["status"] == "active" and p["kind"] in ("elder", "child")]
    return {"elder": sum(p["kind"] == "elder" for p in mine), "child": sum(p["kind"] == "child" for p in mine),
            "guardian": sum(p["kind"] == "guardian" for p in mine), "to_visit": len(visit),
            "visited": sum(p["last_visit"] >= month for p in visit),
            "overdue": sum(p["status"] == "active" and p["next_due"] != "" and p["next_due"] < day for p in mine)}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def sign_in(base: str, name: str, password: str = PASSWORD) -> tuple[requests.Session, requests.Response]:
    session = requests.Session()
    page = session.get(base + "/console/login", timeout=30)
    answer = session.post(base + "/console/login", data={"name": name, "password": password,
                                                          "csrf": csrf_of(page.text), "next": "/console/"},
                          timeout=30)
    return session, answer
