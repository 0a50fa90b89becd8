"""A stolen laptop: with the data directory but no password, nothing personal can be read."""

from __future__ import annotations

import sqlite3

import pytest
import sqlcipher3

from app import accounts
from app.errors import CunFangError
from app.store import keyring
from app.store.connection import DB_NAME, KEYRING_NAME

from .conftest import ACCOUNTS, PEOPLE

GUESSES = ["", "123456", "12345678", "password", "admin", "admin123", "cunfang", "88888888", *ACCOUNTS]


@pytest.fixture
def stolen(township):
    """What a thief copies: the data directory after a day's work (a sign-in and a failed one, logs and all)."""
    with pytest.raises(CunFangError):
        accounts.sign_in(township, "cadre1", "wrong-password")
    store = accounts.sign_in(township, "staff", "user-password-1")
    store.close()
    return township


def test_no_file_holds_a_name_id_or_phone_number_in_the_clear(stolen):
    secrets_seen = []
    for path in stolen.rglob("*"):
        if not path.is_file():
            continue
        content = path.read_bytes()
        for name, (_, _, id_number) in PEOPLE.items():
            for needle in (name.encode(), id_number.encode(), id_number[-6:].encode(), b"13812345678",
                           "东山村".encode()):
                if needle in content:
                    secrets_seen.append((path.name, needle.decode()))
    assert secrets_seen == []


def test_plain_sqlite_cannot_open_the_database(stolen):
    conn = sqlite3.connect(stolen / DB_NAME)
    with pytest.raises(sqlite3.DatabaseError):
        conn.execute("SELECT * FROM sqlite_master").fetchall()
    conn.close()


@pytest.mark.parametrize("guess", GUESSES)
def test_sqlcipher_with_an_empty_or_guessed_key_reads_nothing(stolen, guess):
    conn = sqlcipher3.connect(str(stolen / DB_NAME))
    if guess:  # an empty key is no PRAGMA key at all
        conn.execute(f"PRAGMA key = '{guess}'")
    with pytest.raises(sqlcipher3.DatabaseError):
        conn.execute("SELECT * FROM persons").fetchall()
    conn.close()


def test_guessed_passwords_open_no_keyring_slot(stolen):
    ring = keyring.load(stolen / KEYRING_NAME)
    assert set(ring.slots) == {"recovery", *(f"user:{login}" for login in [*ACCOUNTS, "admin"])}
    for slot in ring.slots:
        for guess in GUESSES:
            with pytest.raises(CunFangError):
                ring.open(slot, guess)
