"""Sync with a wrong laptop clock (injected), against a real server on 127.0.0.1: the laptop keeps the server's time
from the Date header, and a laptop running days ahead does not win every later change to the same person."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

import app.clock
import app.store.store
from app.errors import ErrorCode
from sync.client.client import SyncClient


def sync(store):
    with SyncClient(store) as client:
        report = client.run()
    assert not report.error, report.error
    return report


def test_a_sync_remembers_the_servers_time_and_a_clock_days_ahead_is_named(sqlite_server, laptop_factory,
                                                                          monkeypatch):
    laptop = laptop_factory(sqlite_server, "a")
    real = datetime.now(UTC)
    sync(laptop)
    assert app.clock.check_clock(laptop) is None  # the test machine's clock agrees with its server
    ahead = real + timedelta(days=3)
    monkeypatch.setattr(app.clock, "current_time", lambda: ahead)
    sync(laptop)
    warning = app.clock.check_clock(laptop, ahead + timedelta(minutes=5))
    assert warning is not None and warning.code is ErrorCode.CLOCK_OFF_SERVER and "快了 3 天" in str(warning)


@pytest.mark.parametrize("skew_days", [5, 400])
def test_a_laptop_clock_ahead_does_not_win_later_changes(sqlite_server, laptop_factory, monkeypatch, skew_days):
    fast, right = laptop_factory(sqlite_server, "fast"), laptop_factory(sqlite_server, "right")
    person = fast.add_person(name="王秀英", kind="elder", village_id="V1", id_number="110101194001011234",
                             phone="13800000000")
    sync(fast)
    sync(right)
    real_now = app.store.store.utc_now
    future = (datetime.now(UTC) + timedelta(days=skew_days)).isoformat(timespec="milliseconds")
    monkeypatch.setattr(app.store.store, "utc_now", lambda: future)  # the fast laptop's clock
    fast.update_person(person, phone="13800000001")
    sync(fast)
    monkeypatch.setattr(app.store.store, "utc_now", real_now)

    right.update_person(person, phone="13900000002")  # made later, by a laptop whose clock is right
    sync(right)
    sync(fast)
    for laptop in (fast, right):
        assert laptop.get_person(person)["phone"] == "13900000002"
    pulled = right.get_person(person)["updated_at"]
    assert pulled <= datetime.now(UTC).isoformat(timespec="milliseconds")  # no future time passed on
    assert app.clock.check_clock(right) is None
