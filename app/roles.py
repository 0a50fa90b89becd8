"""Roles and what each may do: one table used by the app, the CLI and the bureau server alike.

A role names the forms its holder fills and the kinds of person whose records
they see; ``all_villages`` roles see every village of their township, the others
only the villages given to their account.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from app.errors import CunFangError, ErrorCode

ELDER_FORMS = ("elder_registry", "elder_visit", "capability_assessment", "elder_finding_report")
CHILD_FORMS = ("left_behind_child", "vulnerable_child", "child_visit", "child_finding_report")
TOWNSHIP_FORMS = ("home_adaptation", "house_number")
ANY = "*"


@dataclass(frozen=True)
class Role:
    name: str
    label: str
    forms: tuple[str, ...] | str
    person_kinds: tuple[str, ...] | str
    all_villages: bool = False
    administers: bool = False
    sees_full_ids: bool = False  # whole ID and phone numbers in exports; others get them masked
    actions: frozenset[str] = frozenset(("sync", "print"))  # see app.access.ACTION_LABELS

    def may(self, action: str) -> bool:
        return action in self.actions or (action == "full_ids" and self.sees_full_ids)

    def may_use_form(self, form_id: str) -> bool:
        return self.forms == ANY or form_id in self.forms

    def may_see_kind(self, kind: str) -> bool:
        return self.person_kinds == ANY or kind in self.person_kinds

    def may_see_village(self, village_id: str | None, villages: list[str]) -> bool:
        return self.all_villages or ANY in villages or (village_id or "") in villages


FIELD_ACTIONS = frozenset(("sync", "print"))
TOWNSHIP_ACTIONS = FIELD_ACTIONS | {"export", "import", "review"}
ADMIN_ACTIONS = TOWNSHIP_ACTIONS | {"accounts", "settings", "forms"}

ROLES: dict[str, Role] = {
    "village_cadre": Role("village_cadre", "村干部", ELDER_FORMS + ("house_number",), ("elder", "guardian", "other")),
    "child_director": Role("child_director", "儿童主任", CHILD_FORMS, ("child", "guardian")),
    "township_staff": Role("township_staff", "乡镇工作人员", ANY, ANY, all_villages=True, sees_full_ids=True,
                           actions=TOWNSHIP_ACTIONS),
    "admin": Role("admin", "管理员", ANY, ANY, all_villages=True, administers=True, sees_full_ids=True,
                  actions=ADMIN_ACTIONS),
}
INSTALLER_ROLE = "township_staff"
UNSURE_ROLE = "village_cadre"  # an enrolment record this program cannot read: the narrower rights


def role(name: str) -> Role:
    """The role called ``name`` (its key or its Chinese label), or a plain error listing the roles."""
    for candidate in ROLES.values():
        if name in (candidate.name, candidate.label):
            return candidate
    raise CunFangError(ErrorCode.SYNC_ROLE_UNKNOWN, role=name,
                       roles="、".join(f"{r.name}（{r.label}）" for r in ROLES.values()))


def laptop_role(store) -> Role:
    """The role of whoever uses this laptop: the signed-in account's; on a store without accounts, the
    enrolled server user's (setting ``sync.user``), else township staff, who install the program."""
    if getattr(store, "account", None) is not None:
        return ROLES[store.account.role]
    raw = store.get_setting("sync.user")
    if not raw:
        return ROLES[INSTALLER_ROLE]
    try:
        name = json.loads(raw).get("role")
    except (ValueError, AttributeError):
        name = None
    return ROLES.get(name) or ROLES[UNSURE_ROLE]
