"""Slowing down password guessing: after a few wrong passwords in a row, a wait that doubles.

Five tries are free (a typo, caps lock); from the fifth wrong password on, the
account waits 30 s, then 60 s, 120 s … up to 15 minutes, and never locks for good.
Each try also costs one argon2id derivation (about half a second), so even inside
the app a guesser gets a few hundred tries a day. The counters live in the keyring
file, beside the slots, because a failed login cannot open the database.
"""

from __future__ import annotations

import math

FREE_ATTEMPTS = 5
FIRST_DELAY = 30.0
MAX_DELAY = 15 * 60.0
UNKNOWN = "?"  # every unknown login name shares one counter (so guessing names is slowed too)
UNKNOWN_LOGIN = "未知登录名"  # how the audit log names it: the name typed is never kept (often a password)


def wait_seconds(attempts: dict[str, dict], name: str, now: float) -> int:
    """Seconds before ``name`` may try again (0: now)."""
    locked_until = float(attempts.get(name, {}).get("locked_until", 0.0))
    return max(0, math.ceil(locked_until - now))


def delay_after(failures: int) -> float:
    """The wait imposed after ``failures`` wrong passwords in a row."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (failures - FREE_ATTEMPTS))


def record_failure(attempts: dict[str, dict], name: str, now: float) -> float:
    """Count one wrong password; returns the wait it imposes."""
    entry = attempts.setdefault(name, {"failures": 0, "locked_until": 0.0})
    entry["failures"] = int(entry["failures"]) + 1
    delay = delay_after(entry["failures"])
    entry["locked_until"] = now + delay if delay else 0.0
    return delay


def record_success(attempts: dict[str, dict], name: str) -> None:
    attempts.pop(name, None)
