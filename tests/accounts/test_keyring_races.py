"""Several processes at the keyring at once: parallel wrong passwords, and a GUI and a CLI changing slots together.

Each party is a real process (the app and the CLI are separate processes on one laptop), started at the same
instant so their reads and writes of keyring.json overlap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from app import accounts
from app.errors import CunFangError
from app.store import connection, keyring
from app.store.audit import entries

from .conftest import ADMIN_PW, USER_PW

ROOT = Path(__file__).resolve().parents[2]
# A slot that takes ~0.1 s to try: long enough that ten tries overlap, as real (64 MiB) slots do
SLOW = keyring.Kdf(time_cost=2, memory_kib=16384, parallelism=1)

CHILD = """
import json, sys, time
from pathlib import Path
from app import accounts
from app.errors import CunFangError

data_dir, job, start = Path(sys.argv[1]), sys.argv[2], float(sys.argv[3])
args = json.loads(sys.argv[4])
time.sleep(max(0.0, start - time.time()))
outcomes = []
try:
    if job == "wrong":
        try:
            accounts.sign_in(data_dir, args["login"], args["password"])
            outcomes.append("SIGNED_IN")
        except CunFangError as exc:
            outcomes.append(exc.code.name)
    elif job == "signin":
        accounts.sign_in(data_dir, args["login"], args["password"]).close()
        outcomes.append("signed in")
    elif job == "add":
        store = accounts.sign_in(data_dir, "admin", args["admin_pw"])
        for login in args["logins"]:
            accounts.add_account(store, login, login, "township_staff", [], args["password"])
            outcomes.append("added " + login)
        store.close()
    elif job == "churn":
        for _ in range(args["rounds"]):
            try:
                accounts.sign_in(data_dir, "cadre1", "not-the-password").close()
            except CunFangError as exc:
                outcomes.append(exc.code.name)
            accounts.sign_in(data_dir, "staff", args["password"]).close()
            outcomes.append("signed in")
except BaseException as exc:  # what the test looks for: nothing may end this way
    outcomes.append("CRASH " + type(exc).__name__ + ": " + str(exc))
print(json.dumps(outcomes))
"""


def run_together(data_dir: Path, jobs: list[tuple[str, dict]], *, delay: float = 2.5) -> list[list[str]]:
    """Start one process per job; they all begin their work at the same moment. Returns each one's outcomes."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time() + delay  # after every process has imported the app
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(data_dir), job, str(start), json.dumps(args)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
             for job, args in jobs]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    return results


def slow_slot(data_dir: Path, login: str, password: str) -> None:
    store = accounts.sign_in(data_dir, "admin", ADMIN_PW)
    connection.update_keyring(data_dir, lambda ring: ring.seal(keyring.user_slot(login), store.data_key, password,
                                                               SLOW))
    store.close()


def test_ten_parallel_wrong_passwords_are_all_counted_and_all_logged(township):
    slow_slot(township, "cadre1", USER_PW)
    results = run_together(township, [("wrong", {"login": "cadre1", "password": f"wrong-{i}"}) for i in range(10)])
    outcomes = [r[0] for r in results]
    assert all(o in ("ACCOUNT_BAD_LOGIN", "ACCOUNT_WAIT") for o in outcomes), outcomes  # no crash
    ring = keyring.load(township / connection.KEYRING_NAME)
    assert ring.attempts[keyring.user_slot("cadre1")]["failures"] == 10
    assert ring.attempts[keyring.user_slot("cadre1")]["locked_until"] > time.time()  # the wait holds
    assert list(township.glob("*.tmp")) == [] and list(township.glob(".*.tmp")) == []  # no temporary file left
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    failed = entries(store, action="login_failed")
    store.close()
    assert [e["subject"] for e in failed] == ["cadre1"] * 10


def test_a_new_slot_is_never_lost_while_another_process_signs_in(township):
    slow_slot(township, "cadre1", USER_PW)
    new = [f"new{i}" for i in range(6)]
    results = run_together(township, [("add", {"admin_pw": ADMIN_PW, "logins": new, "password": "Field-work-2026"}),
                                      ("churn", {"rounds": 4, "password": USER_PW}),
                                      ("churn", {"rounds": 4, "password": USER_PW})])
    assert not [o for r in results for o in r if o.startswith("CRASH")], results
    ring = keyring.load(township / connection.KEYRING_NAME)
    assert {keyring.user_slot(login) for login in new} <= set(ring.slots)
    for login in new:  # every new account can really sign in
        accounts.sign_in(township, login, "Field-work-2026").close()


def test_failures_waiting_in_the_keyring_are_logged_once_when_three_people_sign_in_at_once(township):
    for i in range(6):  # a day apart: no waits
        try:
            accounts.sign_in(township, "cadre1", f"wrong-{i}", now=1e9 + i * 86400)
        except CunFangError:
            pass
    results = run_together(township, [("signin", {"login": "admin", "password": ADMIN_PW}),
                                      ("signin", {"login": "staff", "password": USER_PW}),
                                      ("signin", {"login": "cadre2", "password": USER_PW})])
    assert results == [["signed in"]] * 3
    store = accounts.sign_in(township, "admin", ADMIN_PW)
    failed = entries(store, action="login_failed")
    store.close()
    assert [e["subject"] for e in failed] == ["cadre1"] * 6  # each once: none lost, none twice
    assert keyring.load(township / connection.KEYRING_NAME).pending == []
