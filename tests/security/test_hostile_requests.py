"""Big, malformed and replayed requests from an enrolled user of another village: refused in plain Chinese,
nothing the server holds changes, and a replay of an accepted push is a duplicate, never a second row."""

from __future__ import annotations

import json
import uuid

import pytest

from sync import protocol
from sync.protocol import Outcome

from .attack_world import OTHER, OWN, Attacker, World


@pytest.fixture(scope="module")
def outsider(world: World) -> Attacker:
    """A 村干部 enrolled for village V2 only."""
    return world.enroll(f"outsider-{uuid.uuid4().hex[:6]}", "village_cadre", OTHER)


@pytest.fixture(scope="module")
def insider(world: World) -> Attacker:
    return world.attackers["village_cadre"]


def chinese(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def revisions(world: World, uuid_: str) -> int:
    return len(world.query("SELECT 1 FROM record_revisions WHERE uuid = :u", {"u": uuid_}))


def test_replay_of_an_accepted_push_is_a_duplicate_and_never_a_second_row(world, insider, outsider):
    env = world.envelope("elder_visit", village=OWN, person=world.persons[("elder", OWN)])
    body = {"records": [env.model_dump(mode="json")]}
    first = insider.call("POST", "/records", json=body).json()["results"][0]
    assert first["outcome"] == Outcome.ACCEPTED
    for _ in range(3):
        again = insider.call("POST", "/records", json=body).json()["results"][0]
        assert again["outcome"] == Outcome.DUPLICATE
    assert revisions(world, env.uuid) == 1

    before = world.snapshot()
    stolen = outsider.call("POST", "/records", json=body).json()["results"][0]  # the same bytes, another user
    assert stolen["outcome"] == Outcome.REJECTED and chinese(stolen["message"])
    unlabelled = env.model_copy(update={"village_id": None, "person_id": None})  # "it is mine" by omission
    taken = outsider.push(unlabelled)[0]
    assert taken.outcome is Outcome.REJECTED and chinese(taken.message)
    assert world.snapshot() == before and revisions(world, env.uuid) == 1


def test_replay_of_a_registry_push_by_another_village_is_refused(world, outsider):
    person = world.persons[("elder", OWN)]
    before = world.snapshot()
    item = protocol.RegistryEntity(kind="person", id=person, village_id=OWN, updated_at="2099-01-01T00:00:00",
                                   fields={"name": "冒名", "kind": "elder", "village_id": OWN})
    for candidate in (item, item.model_copy(update={"village_id": OTHER, "fields": {**item.fields,
                                                                                      "village_id": OTHER}})):
        result, = outsider.push_registry(candidate)
        assert result.outcome is Outcome.REJECTED and chinese(result.message), result
    assert world.snapshot() == before


BAD_BODIES = {
    "not json": b"{records: [",
    "wrong type": json.dumps({"records": [{"uuid": "x" * 10, "revision": "two"}]}).encode(),
    "extra field": json.dumps({"records": [], "admin": True}).encode(),
    "nul in text": None,  # built from a valid envelope below
    "too many records": None,
    "huge revision": None,
}


@pytest.mark.parametrize("case", list(BAD_BODIES))
def test_malformed_and_oversized_pushes_are_refused_in_chinese(world, outsider, case):
    env = world.envelope("elder_visit", village=OTHER, person=world.persons[("elder", OTHER)])
    good = env.model_dump(mode="json")
    body = BAD_BODIES[case]
    if case == "nul in text":
        body = json.dumps({"records": [{**good, "uuid": "abc\u0000defgh"}]}).encode()
    elif case == "too many records":
        body = json.dumps({"records": [good] * (protocol.MAX_BATCH + 1)}).encode()
    elif case == "huge revision":
        body = json.dumps({"records": [{**good, "revision": 2**40}]}).encode()
    before = world.snapshot()
    answer = outsider.call("POST", "/records", data=body, headers={"Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.text
    error = protocol.ErrorBody.model_validate(answer.json())
    assert chinese(error.message) and "Traceback" not in answer.text
    assert world.snapshot() == before


def test_a_big_record_is_refused_and_not_stored(world, outsider):
    """Megabytes of answers the form does not ask for: not stored."""
    env = world.envelope("elder_visit", village=OTHER, person=world.persons[("elder", OTHER)])
    data = {**env.data, "padding": "村" * 2_000_000}
    big = env.model_copy(update={"data": data, "content_hash": protocol.content_hash(
        env.form_id, env.form_version, data, [])})
    before = world.snapshot()
    answer = outsider.call("POST", "/records", json={"records": [big.model_dump(mode="json")]})
    if answer.status_code == 200:
        result = protocol.PushResponse.model_validate(answer.json()).results[0]
        assert result.outcome is Outcome.REJECTED and chinese(result.message), result
    else:
        assert 400 <= answer.status_code < 500 and chinese(protocol.ErrorBody.model_validate(answer.json()).message)
    assert world.snapshot() == before


@pytest.mark.parametrize("credential", ["", "cfd-not-a-credential", "cf-" + "x" * 32])
def test_unknown_credentials_are_refused(world, credential):
    before = world.snapshot()
    env = world.envelope("elder_visit", village=OWN, person=world.persons[("elder", OWN)])
    answer = Attacker(world.admin.role, credential, world.server.url).call(
        "POST", "/records", json={"records": [env.model_dump(mode="json")]})
    assert answer.status_code == 401 and chinese(answer.json()["message"])
    assert world.snapshot() == before
