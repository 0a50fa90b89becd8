"""Who may read and write what on the bureau server: the one place the server applies ``app/roles.py``.

The HTTP API, USB package import and the ``cunfang-server`` commands all call these checks
(through the services in ``sync/server/services/``); none of them decides on villages, forms or
person kinds by itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from app.errors import CunFangError, ErrorCode
from app.roles import ANY, ROLES, Role
from sync.protocol import RecordEnvelope, RegistryEntity


@dataclass(frozen=True)
class Caller:
    """Who is calling: an enrolled device of an active user (or the server's operator at its console)."""

    user_name: str
    role: Role
    villages: list[str]
    device_id: str
    township: str = ""  # a console 乡镇 account: every village whose code starts with this township's code

    @property
    def every_village(self) -> bool:
        return (self.role.all_villages or ANY in self.villages) and not self.township

    def sees_village(self, village_id: str | None) -> bool:
        if self.township:
            return bool(village_id) and str(village_id).startswith(self.township)
        return self.role.may_see_village(village_id, self.villages)

    def village_where(self, column: sa.ColumnElement) -> sa.ColumnElement[bool]:
        """A condition on a village-code column for the villages this caller sees."""
        if self.township:
            return column.startswith(self.township, autoescape=True)
        if self.every_village:
            return sa.true()
        return column.in_(self.villages)


def operator(name: str = "管理员", device_id: str = "") -> Caller:
    """The person at the server's console (``cunfang-server`` commands): an administrator of every village."""
    return Caller(name, ROLES["admin"], [ANY], device_id)


# ---------------------------------------------------------------- forms

def may_use_form(caller: Caller, form_id: str) -> bool:
    return caller.role.may_use_form(form_id)


# ---------------------------------------------------------------- records

def record_village(caller: Caller, env: RecordEnvelope) -> str | None:
    """The village a pushed record is filed under: its own, else the caller's only village."""
    if env.village_id:
        return env.village_id
    if len(caller.villages) == 1:
        return caller.villages[0]
    return None


def record_refusal(caller: Caller, env: RecordEnvelope, form_title: str | None = None) -> CunFangError | None:
    """Why this caller may not submit this record (role's forms, villages), or None."""
    if not may_use_form(caller, env.form_id):
        return CunFangError(ErrorCode.SYNC_FORM_NOT_ALLOWED, role=caller.role.label,
                            form_id=form_title or env.form_id)
    village_id = record_village(caller, env)
    if village_id is None and not caller.role.all_villages:
        return CunFangError(ErrorCode.SYNC_NO_VILLAGE)
    if village_id is not None and not caller.sees_village(village_id):
        return CunFangError(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village_id)
    return None


def records_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on a table of records (``form_id``, ``village_id``) for what the caller may read."""
    parts: list[sa.ColumnElement[bool]] = []
    if caller.role.forms != ANY:
        parts.append(table.c.form_id.in_(list(caller.role.forms)))
    if not caller.every_village:
        parts.append(caller.village_where(table.c.village_id))
    return sa.and_(sa.true(), *parts)


# ---------------------------------------------------------------- registry

def registry_village(item: RegistryEntity) -> str | None:
    return item.id if item.kind == "village" else item.village_id


def registry_refusal(caller: Caller, item: RegistryEntity) -> CunFangError | None:
    """Why this caller may not write this village, household or person, or None."""
    village_id = registry_village(item)
    kind_ok = item.kind != "person" or caller.role.may_see_kind(str(item.fields.get("kind", "other")))
    if not kind_ok or (village_id and not caller.sees_village(village_id)) or (
            not village_id and not caller.role.all_villages):
        return CunFangError(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village_id or "（无）")
    return None


def registry_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on the registry table for the rows of the caller's villages (kinds: ``sees_registry_row``)."""
    return caller.village_where(table.c.village_id)


def persons_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on the registry table for the persons the caller may read: their villages, and none at all
    for a role that sees no kind of person (the console's 信息化). A role limited to some kinds still needs
    ``sees_registry_row`` on each row."""
    if not caller.role.person_kinds:
        return sa.false()
    return sa.and_(table.c.kind == "person", caller.village_where(table.c.village_id))


def sees_registry_row(caller: Caller, kind: str, fields: dict) -> bool:
    """Whether a registry row the village condition let through is of a kind the caller's role sees."""
    return kind != "person" or caller.role.may_see_kind(str(fields.get("kind", "other")))
