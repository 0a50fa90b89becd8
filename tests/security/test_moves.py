"""Moving a record to another village: its own township-level action at the server's console, audited."""

from __future__ import annotations

from .attack_world import OTHER, OWN, World, target


def moves(world: World, uuid_: str) -> list:
    return world.query("SELECT user_name, message FROM audit WHERE action = 'record_move' AND subject = :u",
                       {"u": uuid_})


def test_the_operator_moves_a_record_and_the_move_is_audited(world):
    uuid_ = target(world, "elder_visit", OTHER, person=False)
    done = world.server.cli("records", "move", uuid_, "--to", OWN, "--by", "李科长")
    assert f"改到村 {OWN}" in done.stdout
    record = world.record(uuid_)
    assert (record["village_id"], record["revision"]) == (OWN, 2)
    assert [(row[0], row[1]) for row in moves(world, uuid_)] == [("李科长", f"{OTHER} → {OWN}")]


def test_a_record_is_not_moved_away_from_its_persons_village(world):
    uuid_ = target(world, "elder_visit", OTHER)  # about a person of V2
    before = world.snapshot()
    refused = world.server.cli("records", "move", uuid_, "--to", OWN, check=False)
    assert refused.returncode == 1 and "不一致" in refused.stderr and "Traceback" not in refused.stderr
    assert world.snapshot() == before and moves(world, uuid_) == []


def test_a_village_user_cannot_move_a_record_even_between_their_own_villages_or_within_one_batch(world):
    """A 村干部 of V1 and V2: revision 2 filed under the other village is a move, township-level only, whether
    revision 1 is stored already or travels in the same batch."""
    from uuid import uuid4

    from sync.protocol import Outcome

    both = world.enroll(f"both-{uuid4().hex[:6]}", "village_cadre", f"{OWN},{OTHER}")
    first = world.envelope("elder_visit", village=OWN, person=None)
    second = world.envelope("elder_visit", village=OTHER, person=None, uuid_=first.uuid, revision=2, base=1)
    results = both.push(first, second)
    assert [r.outcome for r in results] == [Outcome.ACCEPTED, Outcome.REJECTED] and "乡镇" in results[1].message
    before = world.snapshot()
    again, = both.push(second)
    assert again.outcome is Outcome.REJECTED and world.snapshot() == before
    assert world.record(first.uuid)["village_id"] == OWN
