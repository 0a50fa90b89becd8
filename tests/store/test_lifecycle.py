"""The record life cycle (app/store/lifecycle.py): every allowed move works on a real store, every other one is
refused in Chinese and changes nothing; "待同步" is one number wherever it is shown."""

from __future__ import annotations

import re
import textwrap

import pytest

from app.errors import CunFangError, ErrorCode
from app.forms.xlsform import load_form
from app.store import Store, lifecycle, records
from app.store.keyring import FAST_KDF
from app.store.lifecycle import TRANSITIONS, Event, State

VISIT_FORM = load_form(textwrap.dedent(
    """
    | survey |
    |        | type    | name       | label    | required | constraint         |
    |        | date    | visit_date | 探访日期  | yes      | . <= today()       |
    |        | text    | findings   | 发现问题  | yes      |                    |
    |        | integer | score      | 评分      |          | . >= 0 and . <= 10 |
    | settings |
    |          | form_id     | version |
    |          | elder_visit | 2026.1  |
    """
))

VISIT = {"visit_date": "2026-01-05", "findings": "正常", "score": 5}
# How a test reaches each state through the table itself (never by writing the column).
PATH = {
    State.DRAFT: [], State.FINALIZED: [Event.FINALIZE], State.QUEUED: [Event.FINALIZE, Event.QUEUE],
    State.SENT: [Event.FINALIZE, Event.QUEUE, Event.SEND],
    State.PACKAGED: [Event.FINALIZE, Event.QUEUE, Event.PACKAGE],
    State.ACCEPTED: [Event.FINALIZE, Event.QUEUE, Event.SEND, Event.ACCEPT],
    State.REJECTED: [Event.FINALIZE, Event.QUEUE, Event.SEND, Event.REJECT],
    State.CONFLICT: [Event.FINALIZE, Event.QUEUE, Event.SEND, Event.CONFLICT],
}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    s = Store.create(tmp_path_factory.mktemp("lifecycle"), "secret-pass", kdf=FAST_KDF)
    yield s
    s.close()


def record_in(store: Store, state: State) -> str:
    uuid = store.save_draft(form_id="elder_visit", form_version="2026.1", data=dict(VISIT))
    for event in PATH[state]:
        if event == Event.FINALIZE:
            store.finalize(uuid, VISIT_FORM)
        else:
            store.record_event(uuid, event)
    assert lifecycle.state_of(store.get_record(uuid)) == state
    return uuid


def apply(store: Store, uuid: str, event: Event) -> State:
    if event == Event.FINALIZE:
        store.finalize(uuid, VISIT_FORM)
    elif event == Event.REVISE:
        store.edit_record(uuid, VISIT_FORM, dict(VISIT, score=6), author="李主任", reason="评分抄错")
    elif event == Event.SAVE:
        store.save_draft(form_id="elder_visit", form_version="2026.1", record_uuid=uuid, data=dict(VISIT, score=7))
    else:
        store.record_event(uuid, event)
    return lifecycle.state_of(store.get_record(uuid))


def test_every_state_is_reachable_and_stored_apart():
    assert set(PATH) == set(State)
    assert len(set(lifecycle.STORED.values())) == len(State)
    for state, stored in lifecycle.STORED.items():
        assert lifecycle.state_of({"status": stored[0], "sync_outcome": stored[1] or ""}) == state


@pytest.mark.parametrize(("state", "event"), sorted(TRANSITIONS), ids=lambda v: str(v))
def test_allowed_move(store, state, event):
    uuid = record_in(store, state)
    assert apply(store, uuid, event) == TRANSITIONS[(state, event)]


REFUSED = sorted((s, e) for s in State for e in Event if (s, e) not in TRANSITIONS)


@pytest.mark.parametrize(("state", "event"), REFUSED, ids=lambda v: str(v))
def test_refused_move(store, state, event):
    uuid = record_in(store, state)
    before = store.get_record(uuid)
    with pytest.raises(CunFangError) as refused:
        apply(store, uuid, event)
    assert refused.value.code == ErrorCode.RECORD_BAD_STATUS
    message = str(refused.value)
    assert lifecycle.STATE_LABELS[state] in message and re.search(r"[\u4e00-\u9fff]", message)
    assert not re.search(r"[A-Za-z_]{4,}", message), message  # no code names or states in English
    assert store.get_record(uuid) == before


def test_a_revision_after_sending_needs_a_reason(store):
    uuid = record_in(store, State.PACKAGED)
    with pytest.raises(CunFangError) as refused:
        store.edit_record(uuid, VISIT_FORM, dict(VISIT, score=6), author="李主任")
    assert refused.value.code == ErrorCode.RECORD_REASON_NEEDED


def test_set_status_goes_through_the_table(store):
    uuid = record_in(store, State.FINALIZED)
    with pytest.raises(CunFangError):
        store.set_status(uuid, "accepted")  # the server never answered: no such move
    store.set_status(uuid, "queued")
    assert store.get_record(uuid)["status"] == "queued"


STATUS_WRITE = re.compile(r"UPDATE\s+records\s+SET(?:(?!\bWHERE\b)[^\"';]|[\"']\s+[\"'])*?\bstatus\s*="
                          r"|\bstatus\s*=\s*CASE\b", re.I | re.S)  # a statement setting it, split over lines too


def test_nothing_else_writes_the_status_column():
    """Outside lifecycle.py no code in app/, ui/ or the sync client sets records.status (the server's answers and
    USB packages move records through ``lifecycle.move`` too: app/store/outbox.py)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = [p for package in ("app", "ui", "sync/client") for p in (root / package).rglob("*.py")]
    assert any(p.as_posix().endswith("sync/client/outbox.py") for p in files)
    offenders = [p.relative_to(root).as_posix() for p in files
                 if p.name != "lifecycle.py" and STATUS_WRITE.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_the_status_scan_finds_writes():
    for sample in ('conn.execute("UPDATE records SET status = CASE WHEN status IN (1) THEN ? END WHERE uuid = ?")',
                   'conn.execute("UPDATE records SET sync_outcome = ?, status = ? WHERE uuid = ?")',
                   'conn.execute(\n    "UPDATE records SET synced_at = ?, "\n    "status = \'sent\' WHERE uuid = ?")'):
        assert STATUS_WRITE.search(sample), sample
    assert not STATUS_WRITE.search('store.query("SELECT count(*) FROM records WHERE status = \'rejected\'")')


def test_waiting_to_sync_counts_usb_carried_records_once(store):
    """After a USB package the records still wait for the server's answer: 工作台 and the status bar agree."""
    from app.dashboard import build

    before = records.waiting_count(store)
    uuid = record_in(store, State.QUEUED)
    assert records.waiting_count(store) == before + 1
    store.record_event(uuid, Event.PACKAGE)
    assert records.waiting_count(store) == before + 1
    assert build(store).waiting_to_sync == records.waiting_count(store)
    store.record_event(uuid, Event.ACCEPT)
    assert records.waiting_count(store) == before


def test_the_half_minute_counts_read_the_index_alone(store):
    """The status bar counts 待同步 and 被退回 every 30 s on the GUI thread: within a 村干部's scope they read the
    index of migration 010 only (benchmarks/status_counts.py: 2.3 s → about 25 ms with 170,000 records)."""
    from app.access import Scope
    from app.roles import ROLES

    scope, params = Scope(ROLES["village_cadre"], villages=("v1",), login="cadre").records_sql("")
    for condition in (lifecycle.waiting_sql(), "status = 'rejected'"):
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN SELECT count(*) FROM records WHERE {condition} AND {scope}",
                                  params).fetchall()
        steps = [row[-1] for row in plan if "records" in row[-1]]
        assert steps and all("COVERING INDEX records_state" in step for step in steps), steps


def test_the_servers_answers_and_usb_packages_move_records_by_the_table(store):
    """The sync client's status changes (app/store/outbox.py) are the table's: an answer moves a record awaiting
    one (queued or carried on a USB package) and nothing else; a record edited since keeps its state."""
    from app.store import outbox

    now = "2026-01-01T00:00:00Z"
    answers = {"accepted": State.ACCEPTED, "duplicate": State.ACCEPTED, "rejected": State.REJECTED,
               "conflict": State.CONFLICT, "retry": State.QUEUED}
    for start in (State.QUEUED, State.PACKAGED):
        for outcome, expected in answers.items():
            uuid = record_in(store, start)
            outbox.apply_answers(store, [{"uuid": uuid, "revision": 1, "outcome": outcome, "message": "原因"}], now)
            record = store.get_record(uuid)
            assert lifecycle.state_of(record) == expected == TRANSITIONS[(start, outbox.ANSWER_EVENTS[outcome])]
            assert record["server_message"] == "原因" and record["synced_at"] == now
            assert record["sync_outcome"] == ("conflict" if outcome == "conflict" else outcome)

    queued = record_in(store, State.QUEUED)
    outbox.mark_packaged(store, [(queued, 1)], now)
    assert lifecycle.state_of(store.get_record(queued)) == State.PACKAGED
    outbox.mark_packaged(store, [(queued, 1)], now)  # on a second package before any answer
    assert lifecycle.state_of(store.get_record(queued)) == State.PACKAGED

    accepted = record_in(store, State.ACCEPTED)
    before = store.get_record(accepted)
    outbox.apply_answers(store, [{"uuid": accepted, "revision": 1, "outcome": "rejected", "message": "迟到"}], now)
    outbox.mark_packaged(store, [(accepted, 1)], now)
    assert store.get_record(accepted) == before  # no answer or package moves a record the table does not allow

    revised = record_in(store, State.PACKAGED)
    store.edit_record(revised, VISIT_FORM, dict(VISIT, score=6), author="李主任", reason="评分抄错")
    before = store.get_record(revised)
    outbox.apply_answers(store, [{"uuid": revised, "revision": 1, "outcome": "accepted", "message": ""}], now)
    assert store.get_record(revised) == before  # the answer was for revision 1; revision 2 goes next time
