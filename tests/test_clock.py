"""A wrong laptop clock (injected): earlier than what the laptop already wrote, or far from the server's clock
at the last sync, is noticed and explained in plain words before a visit is dated by it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app import clock
from app.errors import ErrorCode
from app.store import Store
from app.store.keyring import FAST_KDF

PASS = "村访通-secret"
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def store(tmp_path):
    store = Store.create(tmp_path / "data", PASS, kdf=FAST_KDF)
    store.save_draft(form_id="elder_visit", form_version="1", data={"note": "探访"})
    yield store
    store.close()


def test_a_right_clock_and_ordinary_drift_say_nothing(store):
    now = datetime.now(UTC)
    assert clock.check_clock(store, now) is None
    assert clock.check_clock(store, now - timedelta(minutes=5)) is None  # a few minutes back: drift, not news
    clock.remember_server_time(store, _http(now - timedelta(minutes=3)), now)
    assert clock.check_clock(store, now + timedelta(hours=2)) is None


def test_a_clock_reset_to_years_ago_is_earlier_than_the_newest_record(store):
    reset = datetime(2019, 1, 1, 8, 0, tzinfo=UTC)  # a dead CMOS battery
    warning = clock.check_clock(store, reset)
    assert warning is not None and warning.code is ErrorCode.CLOCK_BEFORE_RECORDS
    text = str(warning)
    assert "2019-01-01" in text and datetime.now().strftime("%Y-%m-%d") in text and "主板电池" in text
    assert "改对" in text


@pytest.fixture
def empty(tmp_path):
    """A laptop that has written nothing yet: only the server's time can tell."""
    store = Store.create(tmp_path / "empty", PASS, kdf=FAST_KDF)
    yield store
    store.close()


def test_a_clock_far_from_the_server_at_the_last_sync(empty):
    server = datetime.now(UTC)
    ahead = server + timedelta(days=3, hours=2)  # set by hand, days ahead
    clock.remember_server_time(empty, _http(server), ahead)
    warning = clock.check_clock(empty, ahead + timedelta(hours=1))
    assert warning is not None and warning.code is ErrorCode.CLOCK_OFF_SERVER
    assert "快了 3 天 2 小时" in str(warning)

    wrong_zone = server - timedelta(hours=8)  # the time zone set to UTC on a laptop in China
    clock.remember_server_time(empty, _http(server), wrong_zone)
    warning = clock.check_clock(empty, server - timedelta(hours=8) + timedelta(minutes=1))
    assert warning is not None and warning.code is ErrorCode.CLOCK_BEFORE_SYNC  # earlier than the server then
    warning = clock.check_clock(empty, server + timedelta(minutes=1))
    assert warning is not None and "慢了 8 小时" in str(warning)


def test_a_clock_reset_after_the_last_sync(empty):
    server = datetime.now(UTC)
    clock.remember_server_time(empty, _http(server), server)
    warning = clock.check_clock(empty, server - timedelta(days=400))
    assert warning is not None and warning.code is ErrorCode.CLOCK_BEFORE_SYNC
    assert "主板电池" in str(warning)


def test_the_server_date_header_and_iso_times_are_read():
    assert clock.parse_time("Sun, 06 Dec 2026 06:00:00 GMT") == datetime(2026, 12, 6, 6, tzinfo=UTC)
    assert clock.parse_time("2026-12-06T14:00:00+08:00") == datetime(2026, 12, 6, 6, tzinfo=UTC)
    assert clock.parse_time("not a time") is None and clock.parse_time(None) is None


def test_cli_warns_before_anything_is_dated(store):
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat(timespec="milliseconds")
    store.conn.execute("UPDATE records SET updated_at = ?", (future,))  # written while the clock ran 2 days ahead
    directory = store.data_dir
    store.close()
    env = dict(os.environ, CUNFANG_PASSPHRASE=PASS, PYTHONPATH=str(ROOT))
    for args in (["records", "list"], ["doctor"]):
        result = subprocess.run([sys.executable, "-m", "ui.entry", "--data-dir", str(directory), *args], cwd=ROOT,
                                env=env, capture_output=True, text=True, timeout=120)
        assert "电脑的日期时间" in result.stderr and "改对" in result.stderr, (args, result.stderr)


def _http(moment: datetime) -> str:
    from email.utils import format_datetime

    return format_datetime(moment.astimezone(UTC), usegmt=True)
