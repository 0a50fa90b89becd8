"""Moving a record to another village: its own township-level action at the server's console, audited."""

from __future__ import annotations

from attack_world import OTHER, OWN, World, target


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
