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


@dataclass(frozen=True)
class HeldRecord:
    """What the server already holds about a record: its newest revision's form, village and person."""

    form_id: str
    village_id: str | None
    person_id: str | None


@dataclass(frozen=True)
class HeldPerson:
    """A person of the server's registry: their village and kind."""

    village_id: str | None
    kind: str


@dataclass(frozen=True)
class Verdict:
    """The judgement on one pushed revision: the village it is filed under, or why it is refused.

    ``moved_from`` is set when an accepted revision moves a stored record to another village
    (a township-level action, audited).
    """

    village_id: str | None = None
    refusal: CunFangError | None = None
    moved: bool = False
    moved_from: str | None = None


def _default_village(caller: Caller) -> str | None:
    """A limited user's only village (a record with neither village nor person goes there); else None."""
    if len(caller.villages) == 1 and caller.villages[0] != ANY:
        return caller.villages[0]
    return None


def judge_record(caller: Caller, env: RecordEnvelope, held: HeldRecord | None, person: HeldPerson | None,
                 form_title: str | None = None) -> Verdict:
    """May ``caller`` store this revision, given what the server holds (the record, its person)?

    The record's village is the envelope's, else its person's, else the stored record's, else the caller's
    only village. The caller's scope must cover the stored record's village, the person (village and kind)
    and the village filed under; a record and its person must be of one village; moving a stored record to
    another village is for township-level roles only.
    """
    def refuse(code: ErrorCode, **context: object) -> Verdict:
        return Verdict(refusal=CunFangError(code, **context))

    if not may_use_form(caller, env.form_id):
        return refuse(ErrorCode.SYNC_FORM_NOT_ALLOWED, role=caller.role.label, form_id=form_title or env.form_id)
    if held is not None:
        if held.form_id != env.form_id:
            return refuse(ErrorCode.SYNC_FORM_CHANGED, old=held.form_id, new=env.form_id)
        if not caller.sees_village(held.village_id):
            return refuse(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=held.village_id or "（无）")
    if person is not None:
        if not caller.role.may_see_kind(person.kind):
            return refuse(ErrorCode.SYNC_PERSON_NOT_ALLOWED, role=caller.role.label, kind=person.kind)
        if not caller.sees_village(person.village_id):
            return refuse(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=person.village_id or "（无）")
    village = (env.village_id or (person.village_id if person else None)
               or (held.village_id if held else None) or _default_village(caller))
    if village is None and not caller.role.all_villages:
        return refuse(ErrorCode.SYNC_NO_VILLAGE)
    if village is not None and not caller.sees_village(village):
        return refuse(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village)
    if person is not None and person.village_id and village != person.village_id:
        return refuse(ErrorCode.SYNC_PERSON_OTHER_VILLAGE, village=village or "（无）",
                      person_village=person.village_id)
    moved = held is not None and (held.village_id or None) != village
    if moved and not caller.role.all_villages:
        return refuse(ErrorCode.SYNC_MOVE_NOT_ALLOWED, old=held.village_id or "（无）", new=village or "（无）")
    return Verdict(village_id=village, moved=moved, moved_from=held.village_id if moved else None)


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


@dataclass(frozen=True)
class HeldRow:
    """A registry row the server already holds: its village and (persons) kind."""

    village_id: str | None
    kind: str | None


def judge_registry(caller: Caller, item: RegistryEntity, held: HeldRow | None) -> Verdict:
    """May ``caller`` write this village, household or person, given the row the server holds?

    The caller's scope must cover the stored row (village, and a person's kind) as well as what the item
    claims; a row cannot say two villages at once; moving a row to another village is township-level.
    """
    def refuse(code: ErrorCode, **context: object) -> Verdict:
        return Verdict(refusal=CunFangError(code, **context))

    village = registry_village(item)
    claimed = item.fields.get("village_id")
    if item.kind != "village" and claimed is not None and claimed != item.village_id:
        return refuse(ErrorCode.SYNC_BAD_REQUEST, reason="人员或户的村与其字段中的村不一致")
    if held is not None:
        if not caller.sees_village(held.village_id) or (held.village_id is None and not caller.role.all_villages):
            return refuse(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=held.village_id or "（无）")
        if item.kind == "person" and not caller.role.may_see_kind(held.kind or "other"):
            return refuse(ErrorCode.SYNC_PERSON_NOT_ALLOWED, role=caller.role.label, kind=held.kind or "other")
    if item.kind == "person" and not caller.role.may_see_kind(str(item.fields.get("kind", "other"))):
        return refuse(ErrorCode.SYNC_PERSON_NOT_ALLOWED, role=caller.role.label,
                      kind=str(item.fields.get("kind", "other")))
    if (village and not caller.sees_village(village)) or (not village and not caller.role.all_villages):
        return refuse(ErrorCode.SYNC_VILLAGE_NOT_ALLOWED, village=village or "（无）")
    moved = held is not None and (held.village_id or None) != (village or None)
    if moved and not caller.role.all_villages:
        return refuse(ErrorCode.SYNC_MOVE_NOT_ALLOWED, old=held.village_id or "（无）", new=village or "（无）")
    return Verdict(village_id=village, moved=moved, moved_from=held.village_id if moved else None)


def sees_person(caller: Caller, person: HeldPerson) -> bool:
    """Whether the caller's scope covers a registry person (their village and kind)."""
    return caller.sees_village(person.village_id) and caller.role.may_see_kind(person.kind) and (
        person.village_id is not None or caller.role.all_villages)


def registry_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on the registry table for the rows of the caller's villages (kinds: ``sees_registry_row``)."""
    return caller.village_where(table.c.village_id)


def persons_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on the registry table for the persons the caller may read: their villages, and none at all
    for a role that sees no kind of person (the console's 信息化). A role limited to some kinds still needs
    ``sees_registry_row`` on each row."""
    return sa.and_(table.c.kind == "person", person_villages_where(caller, table))


def person_villages_where(caller: Caller, table: sa.Table) -> sa.ColumnElement[bool]:
    """A condition on a table about persons by village (the registry, the console's ``person_counts``): the
    caller's villages, and nothing for a role that sees no kind of person."""
    if not caller.role.person_kinds:
        return sa.false()
    return caller.village_where(table.c.village_id)


def sees_registry_row(caller: Caller, kind: str, fields: dict) -> bool:
    """Whether a registry row the village condition let through is of a kind the caller's role sees."""
    return kind != "person" or caller.role.may_see_kind(str(fields.get("kind", "other")))
