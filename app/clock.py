"""Is the laptop's clock believable? Checked before a visit is dated by it.

A dead CMOS battery resets a laptop's clock to years ago; a clock set by hand runs days
ahead, or is an 8-hour time-zone mistake. Every visit date, "not later than today" check,
due date and autosave time reads that clock, so the app looks for two signs it is wrong:

- it is earlier than something this laptop already wrote (the newest record or audit entry)
  or than the server's time at the last sync: time cannot run backwards;
- at the last sync it was far from the server's clock (the HTTP ``Date`` header, kept by
  ``remember_server_time``).

``check_clock`` returns the warning (a CunFangError from the catalogue, shown, not raised)
or None. The form filler shows it when a form opens and asks before 定稿; the CLI prints it
when it opens the store; ``doctor`` lists it. Sync itself never orders by the laptop's clock
(the server numbers what it receives and bounds a laptop's timestamps by its own time).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from app.errors import CunFangError, ErrorCode

SERVER_TIME_SETTING = "clock.last_sync"  # {"server": ISO time from the Date header, "laptop": this clock then}
BACKWARDS_TOLERANCE = timedelta(minutes=10)  # ordinary drift and a few minutes of adjustment are not news
SERVER_TOLERANCE = timedelta(minutes=30)


def current_time() -> datetime:
    """The laptop's clock (UTC): the one place this module reads it, so tests can set it."""
    return datetime.now(UTC)


def parse_time(text: str | None) -> datetime | None:
    """An ISO time (ours) or an HTTP date (the server's ``Date`` header), as an aware UTC datetime."""
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        try:
            moment = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def remember_server_time(store, server_date: str | None, laptop_time: datetime | None = None) -> None:
    """Keep the server's time as this laptop saw it at a sync (``Date`` header) beside the laptop's own."""
    server = parse_time(server_date)
    if server is None:
        return
    laptop = laptop_time or current_time()
    store.set_setting(SERVER_TIME_SETTING, json.dumps({"server": server.isoformat(), "laptop": laptop.isoformat()}))


def newest_written(store) -> datetime | None:
    """The latest time this laptop wrote into a record (each status's newest ``updated_at``, read from the
    records_status index: cheap on 200,000 records) or its newest audit entry."""
    from app.store.records import newest_write_time

    return parse_time(newest_write_time(store))


def check_clock(store, now: datetime | None = None) -> CunFangError | None:
    """A plain warning if the laptop's clock looks wrong, else None."""
    now = (now or current_time()).astimezone(UTC)
    newest = newest_written(store)
    if newest is not None and now < newest - BACKWARDS_TOLERANCE:
        return CunFangError(ErrorCode.CLOCK_BEFORE_RECORDS, now=shown(now), newest=shown(newest))
    try:
        last = json.loads(store.get_setting(SERVER_TIME_SETTING) or "{}")
    except ValueError:
        last = {}
    server, laptop = parse_time(last.get("server")), parse_time(last.get("laptop"))
    if server is None or laptop is None:
        return None
    if now < server - BACKWARDS_TOLERANCE:
        return CunFangError(ErrorCode.CLOCK_BEFORE_SYNC, now=shown(now), server=shown(server))
    offset = laptop - server
    if abs(offset) > SERVER_TOLERANCE:
        return CunFangError(ErrorCode.CLOCK_OFF_SERVER, at=shown(server), amount=duration(abs(offset)),
                            direction="快" if offset > timedelta(0) else "慢")
    return None


def shown(moment: datetime) -> str:
    """A time as the person reads it: local, to the minute."""
    return f"{moment.astimezone():%Y-%m-%d %H:%M}"


def duration(span: timedelta) -> str:
    """A length of time in words, to the nearest minute: 2 年, 3 天, 8 小时, 40 分钟."""
    span = timedelta(minutes=round(span.total_seconds() / 60))
    days = span.days
    if days >= 365:
        return f"{days // 365} 年" + (f" {days % 365} 天" if days % 365 else "")
    if days:
        return f"{days} 天" + (f" {span.seconds // 3600} 小时" if span.seconds >= 3600 else "")
    if span.seconds >= 3600:
        return f"{span.seconds // 3600} 小时" + (f" {span.seconds % 3600 // 60} 分钟" if span.seconds % 3600 >= 60
                                                 else "")
    return f"{max(1, span.seconds // 60)} 分钟"
