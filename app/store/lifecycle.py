"""A record's life cycle, in one place: its states, the events that move it, and what "waiting to sync" means.

States a person sees (``State``) are stored as two columns: ``records.status`` and, for the states the
server's answer or a USB package decide, ``records.sync_outcome`` (see ``STORED``). ``TRANSITIONS`` is the
whole table: an event not listed for a state is refused with a plain Chinese message, and nothing in
app/, ui/ or sync/client writes ``records.status`` except ``move`` and ``queue_finalized_where`` here
(tests/store/test_lifecycle.py walks the table; demo data is inserted whole, each record in the state the demo
gives it, by ``Store.bulk_insert``). The server's answers and USB packages move records through ``move`` in
app/store/outbox.py (``apply_answers``, ``mark_packaged``).

    draft ──finalize──▶ finalized ──queue──▶ queued ──send──▶ sent ─┬─accept──▶ accepted
                            ▲                  │ ▲                  ├─reject──▶ rejected
                            │                  │ └──────retry───────┤
                            │                  └──package──▶ packaged (carried on a USB package)
                            │                                       └─conflict─▶ conflict
                            └──revise (a new revision; with a reason once it has left the laptop)
"""

from __future__ import annotations

from enum import StrEnum

from app.errors import CunFangError, ErrorCode


class State(StrEnum):
    DRAFT = "draft"
    FINALIZED = "finalized"
    QUEUED = "queued"
    SENT = "sent"  # sent, the server's answer not yet here
    PACKAGED = "packaged"  # carried on a USB package, the server's answer not yet here
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    CONFLICT = "conflict"  # the server holds a competing edit; kept whole there, to be resolved


class Event(StrEnum):
    SAVE = "save"
    FINALIZE = "finalize"
    QUEUE = "queue"
    SEND = "send"
    PACKAGE = "package"
    ACCEPT = "accept"
    REJECT = "reject"
    CONFLICT = "conflict"
    RETRY = "retry"
    REVISE = "revise"


STATE_LABELS: dict[State, str] = {
    State.DRAFT: "草稿", State.FINALIZED: "已定稿", State.QUEUED: "待同步", State.SENT: "已发送",
    State.PACKAGED: "已装入U盘数据包", State.ACCEPTED: "已接收", State.REJECTED: "被退回", State.CONFLICT: "有冲突",
}
EVENT_LABELS: dict[Event, str] = {
    Event.SAVE: "再作为草稿保存", Event.FINALIZE: "定稿", Event.QUEUE: "排入待同步", Event.SEND: "发送",
    Event.PACKAGE: "装入U盘数据包", Event.ACCEPT: "标为已接收", Event.REJECT: "标为被退回",
    Event.CONFLICT: "标为有冲突", Event.RETRY: "重新排入待同步", Event.REVISE: "作为修订保存",
}

AWAITING_ANSWER = (State.QUEUED, State.SENT, State.PACKAGED)
LEFT_THE_LAPTOP = (State.SENT, State.PACKAGED, State.ACCEPTED, State.REJECTED, State.CONFLICT)

# (state, event) → the state after it. Everything else is refused.
TRANSITIONS: dict[tuple[State, Event], State] = {
    (State.DRAFT, Event.SAVE): State.DRAFT,
    (State.DRAFT, Event.FINALIZE): State.FINALIZED,
    (State.FINALIZED, Event.QUEUE): State.QUEUED,
    (State.QUEUED, Event.SEND): State.SENT,
    (State.QUEUED, Event.PACKAGE): State.PACKAGED,
    (State.PACKAGED, Event.PACKAGE): State.PACKAGED,  # written on a second package before any answer came
    **{(state, event): after for state in AWAITING_ANSWER
       for event, after in ((Event.ACCEPT, State.ACCEPTED), (Event.REJECT, State.REJECTED),
                            (Event.CONFLICT, State.CONFLICT), (Event.RETRY, State.QUEUED))},
    (State.FINALIZED, Event.REVISE): State.FINALIZED,
    (State.QUEUED, Event.REVISE): State.QUEUED,  # not sent yet: the newer revision goes instead
    **{(state, Event.REVISE): State.FINALIZED for state in LEFT_THE_LAPTOP},  # to be sent again
}
NEEDS_REASON = frozenset(LEFT_THE_LAPTOP)  # revising a record that has left the laptop needs a reason

# How a state is stored: (records.status, records.sync_outcome or None to leave it as it is).
STORED: dict[State, tuple[str, str | None]] = {
    State.DRAFT: ("draft", None), State.FINALIZED: ("finalized", None), State.QUEUED: ("queued", None),
    State.SENT: ("sent", ""), State.PACKAGED: ("sent", "packaged"), State.ACCEPTED: ("accepted", None),
    State.REJECTED: ("rejected", None), State.CONFLICT: ("sent", "conflict"),
}
STATUSES = ("draft", "finalized", "queued", "sent", "accepted", "rejected")  # the values of records.status
STATUS_LABELS = {status: STATE_LABELS[State(status)] for status in STATUSES}

# "待同步": finalized records not yet answered by the server, also those carried on a USB package. The one
# definition used by 工作台, the status bar, the 同步 page and the outbox counts.
WAITING_STATES = (State.FINALIZED, State.QUEUED, State.PACKAGED)


def waiting_sql(alias: str = "") -> str:
    """The SQL condition for "待同步" (WAITING_STATES) on records (``alias.``-prefixed columns)."""
    col = f"{alias}." if alias else ""
    return (f"({col}status IN ('finalized', 'queued') OR ({col}status = 'sent' AND {col}sync_outcome = 'packaged'))")


def state_of(record: dict) -> State:
    """A stored record's state, from its status and sync outcome."""
    status, outcome = record["status"], record.get("sync_outcome") or ""
    if status == "sent" and outcome == "packaged":
        return State.PACKAGED
    if status == "sent" and outcome == "conflict":
        return State.CONFLICT
    return State(status)


def after(state: State, event: Event) -> State:
    """The state ``event`` leads to from ``state``; a plain Chinese refusal if the table has no such move."""
    try:
        return TRANSITIONS[(State(state), Event(event))]
    except KeyError:
        raise CunFangError(ErrorCode.RECORD_BAD_STATUS, status=STATE_LABELS[State(state)],
                           action=EVENT_LABELS[Event(event)]) from None


def event_to(state: State, target: State) -> Event:
    """The event that moves ``state`` to ``target`` (for callers that know where a record should be)."""
    for (source, event), result in TRANSITIONS.items():
        if source == state and result == target and event != Event.REVISE:
            return event
    raise CunFangError(ErrorCode.RECORD_BAD_STATUS, status=STATE_LABELS[State(state)],
                       action=f"改为“{STATE_LABELS[State(target)]}”")


def move(store, record: dict, event: Event, *, message: str | None = None, columns: dict | None = None,
         touch: bool = True) -> State:
    """Apply ``event`` to ``record`` (a row with uuid, status, sync_outcome) inside the caller's transaction:
    the one place that writes records.status. ``columns`` are other columns the same change sets; ``touch``
    sets updated_at (a server's answer does not: the outbox orders what to send by it)."""
    from app.store.store import utc_now

    new = after(state_of(record), event)
    status, outcome = STORED[new]
    sets = {"status": status, **({"updated_at": utc_now()} if touch else {}), **(columns or {})}
    if outcome is not None:
        sets["sync_outcome"] = outcome
    if message is not None:
        sets["server_message"] = message
    assignments = ", ".join(f"{name} = ?" for name in sets)
    store.conn.execute(f"UPDATE records SET {assignments} WHERE uuid = ?", (*sets.values(), record["uuid"]))
    return new


def queue_finalized_where(store, where: str, params: list) -> int:
    """finalized → queued (``Event.QUEUE``) for every record matching ``where`` at once (the outbox's scopes);
    returns how many moved. Run inside the caller's transaction."""
    target = after(State.FINALIZED, Event.QUEUE)
    return store.conn.execute(f"UPDATE records SET status = ? WHERE status = ? AND {where}",
                              [target.value, State.FINALIZED.value, *params]).rowcount
