"""The server's scope judgement (sync/server/scope.py) on any combination of caller, envelope, stored record and
person: whatever it accepts is inside the caller's scope, of one village with its person, and a move only by a
township-level role. (The attack suite tries the same against a running server.)"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.roles import ANY, ROLES
from sync import protocol
from sync.server import scope

VILLAGES = st.sampled_from(["V1", "V2", "V3"])
MAYBE_VILLAGE = st.one_of(st.none(), VILLAGES)
FORMS = st.sampled_from(["elder_visit", "child_visit"])


@st.composite
def callers(draw) -> scope.Caller:
    role = ROLES[draw(st.sampled_from(list(ROLES)))]
    villages = [ANY] if role.all_villages else draw(st.lists(VILLAGES, min_size=1, max_size=2, unique=True))
    return scope.Caller("u", role, villages, "d")


@st.composite
def envelopes(draw) -> protocol.RecordEnvelope:
    form = draw(FORMS)
    return protocol.RecordEnvelope(
        uuid="r-00000001", revision=2, form_id=form, form_version="1", village_id=draw(MAYBE_VILLAGE),
        person_id=draw(st.one_of(st.none(), st.just("p-1"))), created_at="2026", updated_at="2026", data={},
        content_hash="0" * 64)


HELD = st.one_of(st.none(), st.builds(scope.HeldRecord, FORMS, MAYBE_VILLAGE, st.one_of(st.none(), st.just("p-1"))))
PERSON = st.one_of(st.none(), st.builds(scope.HeldPerson, MAYBE_VILLAGE, st.sampled_from(["elder", "child"])))


@given(callers(), envelopes(), HELD, PERSON)
def test_what_is_accepted_is_within_scope(caller, env, held, person):
    verdict = scope.judge_record(caller, env, held, person)
    if verdict.refusal is not None:
        assert verdict.refusal.message  # a plain reason
        return
    assert caller.role.may_use_form(env.form_id)
    assert verdict.village_id is not None or caller.role.all_villages
    assert caller.sees_village(verdict.village_id)
    if held is not None:
        assert caller.sees_village(held.village_id) and held.form_id == env.form_id
        if (held.village_id or None) != verdict.village_id:
            assert verdict.moved and caller.role.all_villages
    if person is not None:
        assert caller.sees_village(person.village_id) and caller.role.may_see_kind(person.kind)
        if person.village_id:
            assert verdict.village_id == person.village_id  # a record and its person: one village
        if env.village_id is None and person.village_id:
            assert verdict.village_id == person.village_id  # no village: its person's
