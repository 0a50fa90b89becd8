"""Attacks on the bureau server by enrolled users of each role, judged against the role table in app/roles.py.

Each role (limited roles hold village V1 only) tries: a record of its own village, of another village, with no
village, relabelled as its own village, a revision of another village's record (as it is and relabelled), a record
re-pointed to a person of another village, and registry reads and writes. What the table allows is accepted;
everything else is refused with a plain Chinese reason, and then the server's stored records, revisions, conflicts
and registry are exactly as before the attempt. Runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import uuid

import pytest

from app.roles import ROLES
from sync.protocol import Outcome, RegistryEntity

from .attack_world import OTHER, OWN, World, now, target

ROLE_NAMES = list(ROLES)
WRITTEN = (Outcome.ACCEPTED, Outcome.CONFLICT)  # a registry change merged with the server's copy is written too


def covers(role_name: str, village: str) -> bool:
    """The role table's answer: may a user of this role (limited roles: village V1) write in ``village``?"""
    return ROLES[role_name].may_see_village(village, ["*"] if ROLES[role_name].all_villages else [OWN])


def judge(world: World, attempt, allowed: bool, ok: tuple[Outcome, ...] = (Outcome.ACCEPTED,)):
    """Run ``attempt``; when refused, it carries a Chinese reason and nothing the server holds has changed."""
    before = world.snapshot()
    result = attempt()
    if allowed:
        assert result.outcome in ok, result
    else:
        assert result.outcome is Outcome.REJECTED, result
        assert result.message and any("\u4e00" <= ch <= "\u9fff" for ch in result.message)
        assert world.snapshot() == before, "a refused attempt changed what the server holds"
    return result


# ---------------------------------------------------------------- new records


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_own_village(world, role):
    who = world.attackers[role]
    env = world.envelope(who.form_id, village=OWN, person=world.persons[(who.kind, OWN)])
    judge(world, lambda: who.push(env)[0], True)
    assert world.record(env.uuid)["village_id"] == OWN


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_another_village(world, role):
    who = world.attackers[role]
    env = world.envelope(who.form_id, village=OTHER, person=world.persons[(who.kind, OTHER)])
    judge(world, lambda: who.push(env)[0], covers(role, OTHER))


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_null_village_takes_the_persons_village(world, role):
    who = world.attackers[role]
    for village in (OWN, OTHER):
        env = world.envelope(who.form_id, village=None, person=world.persons[(who.kind, village)])
        judge(world, lambda env=env: who.push(env)[0], covers(role, village))
        if covers(role, village):
            assert world.record(env.uuid)["village_id"] == village  # filed under its person's village


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_relabelled_as_own_village_about_a_person_of_another_village(world, role):
    who = world.attackers[role]
    env = world.envelope(who.form_id, village=OWN, person=world.persons[(who.kind, OTHER)])
    judge(world, lambda: who.push(env)[0], False)  # the record and its person disagree: nobody may file it so


# ---------------------------------------------------------------- revisions of stored records


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_revision_of_another_villages_record(world, role):
    who = world.attackers[role]
    uuid_ = target(world, who.form_id, OTHER)
    env = world.envelope(who.form_id, village=OTHER, person=world.persons[(who.kind, OTHER)], uuid_=uuid_,
                         revision=2, base=1)
    judge(world, lambda: who.push(env)[0], covers(role, OTHER))


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_revision_of_another_villages_record_relabelled_as_own(world, role):
    """The issue's attack: revision 2 of a V2 record labelled V1. Only a township-level role may move a record,
    and the move is audited."""
    who = world.attackers[role]
    uuid_ = target(world, who.form_id, OTHER, person=False)
    env = world.envelope(who.form_id, village=OWN, person=None, uuid_=uuid_, revision=2, base=1)
    judge(world, lambda: who.push(env)[0], ROLES[role].all_villages)
    if ROLES[role].all_villages:
        assert world.record(uuid_)["village_id"] == OWN
        moves = world.query("SELECT message FROM audit WHERE action = 'record_move' AND subject = :u", {"u": uuid_})
        assert len(moves) == 1 and OTHER in moves[0][0] and OWN in moves[0][0]


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_revision_repointed_to_a_person_of_another_village(world, role):
    who = world.attackers[role]
    uuid_ = target(world, who.form_id, OWN)
    env = world.envelope(who.form_id, village=OWN, person=world.persons[(who.kind, OTHER)], uuid_=uuid_,
                         revision=2, base=1)
    judge(world, lambda: who.push(env)[0], False)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_stale_revision_of_another_villages_record_leaves_no_conflict_behind(world, role):
    """A competing edit from outside the record's village is refused, not set aside as a conflict to resolve."""
    who = world.attackers[role]
    uuid_ = target(world, who.form_id, OTHER)
    second = world.envelope(who.form_id, village=OTHER, person=world.persons[(who.kind, OTHER)], uuid_=uuid_,
                            revision=2, base=1)
    assert world.admin.push(second)[0].outcome is Outcome.ACCEPTED
    stale = second.model_copy(update={"revision": 3, "base_revision": 1, "author": "别人"})
    # within scope a stale edit is a conflict, kept whole for a reviewer; outside it, refused and not kept
    judge(world, lambda: who.push(stale)[0], covers(role, OTHER), (Outcome.CONFLICT,))


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_registry_read_brings_only_the_roles_villages_and_kinds(world, role):
    who = world.attackers[role]
    got = {(item.fields.get("kind"), item.village_id) for item in who.pull_registry() if item.kind == "person"}
    wanted = {(kind, v) for (kind, v) in world.persons if ROLES[role].may_see_kind(kind) and covers(role, v)}
    assert got == wanted
    villages = {item.id for item in who.pull_registry() if item.kind == "village"}
    assert villages == {v for v in (OWN, OTHER) if covers(role, v)}


@pytest.mark.parametrize("role", ROLE_NAMES)
@pytest.mark.parametrize("village", [OWN, OTHER, None])
def test_registry_write_new_person(world, role, village):
    who = world.attackers[role]
    item = RegistryEntity(kind="person", id="p-" + uuid.uuid4().hex, village_id=village, updated_at=now(),
                          fields={"name": "新人", "kind": who.kind, "village_id": village})
    allowed = covers(role, village) if village else ROLES[role].all_villages
    judge(world, lambda: who.push_registry(item)[0], allowed, WRITTEN)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_registry_relabel_another_villages_person_as_own(world, role):
    """Writing a V2 person as if it were V1 (a move, or a change of its fields): township-level only."""
    who = world.attackers[role]
    person = world.add_person(who.kind, OTHER)
    item = RegistryEntity(kind="person", id=person, village_id=OWN, updated_at=now(),
                          fields={"name": "改名", "kind": who.kind, "village_id": OWN})
    judge(world, lambda: who.push_registry(item)[0], ROLES[role].all_villages, WRITTEN)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_registry_change_of_a_person_of_a_kind_the_role_does_not_see(world, role):
    """A village cadre relabels a child of their own village as an elder (or a child director an elder)."""
    who = world.attackers[role]
    other_kind = "child" if who.kind == "elder" else "elder"
    person = world.add_person(other_kind, OWN)
    item = RegistryEntity(kind="person", id=person, village_id=OWN, updated_at=now(),
                          fields={"name": "改名", "kind": who.kind, "village_id": OWN})
    judge(world, lambda: who.push_registry(item)[0], ROLES[role].may_see_kind(other_kind), WRITTEN)


@pytest.mark.parametrize("role", ROLE_NAMES)
def test_registry_id_number_probe_tells_nothing_of_another_village(world, role):
    """A new person with the ID number of someone in V2: within scope the server says "same person"; outside
    it the push is refused and the other person's id is not told."""
    who = world.attackers[role]
    id_number = f"11010519491231{uuid.uuid4().int % 10**4:04d}"
    world.add_person(who.kind, OTHER, id_number=id_number)
    item = RegistryEntity(kind="person", id="p-" + uuid.uuid4().hex, village_id=OWN, updated_at=now(),
                          fields={"name": "试探", "kind": who.kind, "village_id": OWN, "id_number": id_number})
    before = world.snapshot()
    result, = who.push_registry(item)
    if covers(role, OTHER):
        assert result.outcome is Outcome.DUPLICATE and result.same_as
    else:
        assert result.outcome is Outcome.REJECTED and not result.same_as and result.message
        assert world.snapshot() == before
