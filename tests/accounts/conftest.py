"""A township store with two villages, their elders and children, and four accounts (one per role)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app import accounts
from app.store.keyring import FAST_KDF

ADMIN_PW = "East-hill-2026-a"
USER_PW = "user-password-1"
ACCOUNTS = {  # login: (role, villages)
    "cadre1": ("village_cadre", ["v1"]),
    "director1": ("child_director", ["v1"]),
    "cadre2": ("village_cadre", ["v2"]),
    "staff": ("township_staff", []),
}
PEOPLE = {  # name: (kind, village, ID number)
    "王秀英": ("elder", "v1", "110101194001010012"),
    "李桂兰": ("elder", "v2", "110101194202020026"),
    "张小明": ("child", "v1", "110101201503030038"),
    "赵小红": ("child", "v2", "110101201604040041"),
}
VISIT_FORM = {"elder": "elder_visit", "child": "child_visit"}


def build_township(directory: Path) -> dict[str, str]:
    """Make the store; returns {person name: record uuid of a visit to them}."""
    store, _ = accounts.create_with_admin(directory, "admin", "管理员", ADMIN_PW, kdf=FAST_KDF)
    store.add_village("v1", "东山村", town="示范镇")
    store.add_village("v2", "西河村", town="示范镇")
    visits = {}
    for name, (kind, village, id_number) in PEOPLE.items():
        person = store.add_person(name=name, kind=kind, village_id=village, id_number=id_number,
                                  phone="13812345678")
        visits[name] = store.save_draft(form_id=VISIT_FORM[kind], form_version="2026.1", data={"note": name},
                                        person_id=person, village_id=village, title=f"探访 {name}")
    for login, (role, villages) in ACCOUNTS.items():
        accounts.add_account(store, login, login, role, villages, USER_PW)
    # as if each had signed in once and chosen USER_PW (the CLI asks for a new password while must_change is set)
    store.conn.execute("UPDATE accounts SET must_change = 0")
    store.close()
    return visits


@pytest.fixture(scope="session")
def _township_template(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    directory = tmp_path_factory.mktemp("township") / "data"
    return directory, build_township(directory)


@pytest.fixture
def township(_township_template, tmp_path) -> Path:
    """A fresh copy of the township store for one test."""
    import shutil

    directory = tmp_path / "data"
    shutil.copytree(_township_template[0], directory)
    return directory


@pytest.fixture
def visits(_township_template) -> dict[str, str]:
    return _township_template[1]
