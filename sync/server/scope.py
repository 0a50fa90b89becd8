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

    @property
    def every_village(self) -> bool:
        return self.role.all_villages or ANY in self.villages

    def sees_village(self, village_id: str | None) -> bool:
        return self.role.may_see_village(village_id, self.villages)


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
        parts.append(table.c.village_id.in_(caller.villages))
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
    if caller.role.all_villages or ANY in caller.villages:
        return sa.true()
    return table.c.village_id.in_(caller.villages)


def sees_registry_row(caller: Caller, kind: str, fields: dict) -> bool:
    """Whether a registry row the village condition let through is of a kind the caller's role sees."""
    return kind != "person" or caller.role.may_see_kind(str(fields.get("kind", "other")))
