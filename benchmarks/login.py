"""How much password guessing costs, measured (issue 9): at the login, and offline with a stolen keyring.

Prints, each against a baseline in the same run:
- one wrong password at the login (argon2id at the default cost + keyring bookkeeping), vs one SHA-256 of a
  password (what a store with a plain hash would cost a guesser);
- how many guesses the login lets through in a day (wait after the 5th wrong password: 30 s doubling to 15
  min, app/store/lockout.py), measured by driving ``accounts.sign_in`` with a simulated clock;
- the offline rate with the keyring file copied off a stolen laptop (no lockout; only argon2id slows it).
Nothing here is asserted: the figures are for people deciding on the cost settings.

Run: .venv/bin/python benchmarks/login.py [--tries 20]
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app import accounts  # noqa: E402
from app.errors import CunFangError  # noqa: E402
from app.store import keyring, lockout  # noqa: E402

DAY = 24 * 3600.0


def time_wrong_logins(directory: Path, tries: int) -> list[float]:
    """Seconds per wrong password at the login (each from a fresh lockout state)."""
    times = []
    for i in range(tries):
        start = time.perf_counter()
        try:
            accounts.sign_in(directory, "admin", f"wrong-{i}", now=1e9 + i * DAY)  # a day apart: no waiting
        except CunFangError:
            pass
        times.append(time.perf_counter() - start)
    return times


def guesses_per_day(directory: Path, seconds_per_try: float) -> int:
    """Wrong passwords the login checks in one day, the guesser waiting exactly as long as it demands."""
    now, guesses = 2e9, 0
    end = now + DAY
    while now < end:
        attempts = keyring.load(directory / "keyring.json").attempts
        wait = lockout.wait_seconds(attempts, "user:admin", now)
        if wait:
            now += wait
            continue
        try:
            accounts.sign_in(directory, "admin", f"guess-{guesses}", now=now)
        except CunFangError:
            pass
        guesses += 1
        now += seconds_per_try
    return guesses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "data"
        store, _ = accounts.create_with_admin(directory, "admin", "管理员", "the-right-password")
        store.close()
        login = statistics.median(time_wrong_logins(directory, args.tries))
        start = time.perf_counter()
        for i in range(100_000):
            hashlib.sha256(f"guess-{i}".encode()).digest()
        plain = (time.perf_counter() - start) / 100_000
        print(f"one wrong password at the login: {login * 1000:.0f} ms (argon2id t=3, 64 MiB, p=4); "
              f"baseline SHA-256 of a password: {plain * 1e6:.2f} µs → {login / plain:,.0f}× slower per guess")
        fast = Path(tmp) / "fast"
        store, _ = accounts.create_with_admin(fast, "admin", "管理员", "the-right-password", kdf=keyring.FAST_KDF)
        store.close()  # the same policy with a cheap KDF, so a simulated day runs in seconds
        per_day = guesses_per_day(fast, login)
        print(f"guesses the login lets through in 24 h: {per_day} (5 free, then a wait of 30 s doubling to "
              f"15 min); without the waits, at {login * 1000:.0f} ms each: {DAY / login:,.0f}")
        ring = keyring.load(directory / "keyring.json")
        start = time.perf_counter()
        offline_tries = max(3, args.tries // 4)
        for i in range(offline_tries):
            try:
                ring.open("user:admin", f"offline-{i}")
            except CunFangError:
                pass
        offline = (time.perf_counter() - start) / offline_tries
        print(f"offline with a stolen keyring, one core: {1 / offline:.1f} guesses/s "
              f"({DAY / offline:,.0f} a day); a plain SHA-256 would allow {1 / plain:,.0f}/s. "
              "A password of 8 random letters and digits (≈41 bits) then takes "
              f"{(62 ** 8 / 2) * offline / (365 * DAY):,.0f} core-years on average.")


if __name__ == "__main__":
    main()
