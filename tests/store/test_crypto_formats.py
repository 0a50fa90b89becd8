"""The sealed formats do not depend on which library implements them.

Keyrings and USB packages made by earlier releases (sealed with the ``cryptography`` package) must open
after the switch to PyCryptodome, and what we seal now must open with any standard implementation. The
``cryptography`` package is only a test dependency here (trustme brings it), used as the reference.
"""

from __future__ import annotations

import base64
import json
import os
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app import crypto
from app.store.keyring import FAST_KDF, Keyring, Slot
from sync import package

pytest.importorskip("cryptography", reason="the reference implementation comes with trustme (test extra)")
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey  # noqa: E402
from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # noqa: E402
from cryptography.hazmat.primitives.kdf.hkdf import HKDF  # noqa: E402

RAW = serialization.Encoding.Raw


def _reference_seal_package(payload: dict, public_b64: str) -> bytes:
    """A USB package exactly as release 0.x sealed it with ``cryptography``."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(RAW, serialization.PublicFormat.Raw)
    shared = ephemeral.exchange(X25519PublicKey.from_public_bytes(base64.b64decode(public_b64)))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=b"cunfang usb package v1").derive(shared)
    nonce = os.urandom(12)
    body = zlib.compress(json.dumps(payload, ensure_ascii=False).encode(), 6)
    return package.MAGIC + ephemeral_public + nonce + AESGCM(key).encrypt(nonce, body, package.MAGIC)


def test_a_keyring_slot_sealed_by_the_earlier_library_still_opens():
    data_key, salt, nonce = os.urandom(32), os.urandom(16), os.urandom(12)
    wrapping = FAST_KDF.derive("村干部的密码", salt)
    ring = Keyring()
    ring.slots["user:zhang"] = Slot({"name": "argon2id", "t": FAST_KDF.time_cost, "m": FAST_KDF.memory_kib,
                                     "p": FAST_KDF.parallelism, "salt": salt.hex()}, nonce,
                                    AESGCM(wrapping).encrypt(nonce, data_key, b"user:zhang"))
    assert ring.open("user:zhang", "村干部的密码") == data_key


def test_a_keyring_slot_sealed_now_opens_with_the_reference_library():
    data_key = os.urandom(32)
    ring = Keyring()
    ring.seal("recovery", data_key, "ABCD-EFGH", kdf=FAST_KDF)
    slot = ring.slots["recovery"]
    wrapping = FAST_KDF.derive("ABCD-EFGH", bytes.fromhex(slot.kdf["salt"]))
    assert AESGCM(wrapping).decrypt(slot.nonce, slot.sealed, b"recovery") == data_key


def test_a_package_sealed_by_the_earlier_library_still_opens_at_the_bureau():
    private, public = package.new_keypair()
    payload = {"records": [{"uuid": "r1", "data": {"姓名": "王秀英"}}]}
    assert package.open_sealed(_reference_seal_package(payload, public), private) == payload


def test_a_package_sealed_now_opens_with_the_reference_library():
    private_b64, public_b64 = package.new_keypair()
    blob = package.seal({"记录": 1}, public_b64)
    rest = blob[len(package.MAGIC):]
    ephemeral_public, nonce, sealed = rest[:32], rest[32:44], rest[44:]
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_b64))
    shared = private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public))
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=b"cunfang usb package v1").derive(shared)
    assert json.loads(zlib.decompress(AESGCM(key).decrypt(nonce, sealed, package.MAGIC))) == {"记录": 1}


def test_x25519_public_keys_agree_with_the_reference():
    private, public = crypto.x25519_keypair()
    assert crypto.x25519_public(private) == public
    reference_public = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(
        RAW, serialization.PublicFormat.Raw)
    assert reference_public == public


def test_a_low_order_public_key_is_refused():
    private, _ = crypto.x25519_keypair()
    with pytest.raises(ValueError):
        crypto.x25519_shared(private, bytes(32))


@settings(max_examples=60, deadline=None)
@given(plaintext=st.binary(max_size=300), associated=st.binary(max_size=40), flip=st.integers(min_value=0))
def test_any_changed_byte_of_a_sealed_text_is_refused(plaintext, associated, flip):
    key, nonce = os.urandom(32), os.urandom(12)
    sealed = crypto.aes_gcm_seal(key, nonce, plaintext, associated)
    assert AESGCM(key).decrypt(nonce, sealed, associated) == plaintext
    assert crypto.aes_gcm_open(key, nonce, sealed, associated) == plaintext
    damaged = bytearray(sealed)
    damaged[flip % len(damaged)] ^= 1 + flip % 255
    with pytest.raises(crypto.AuthenticationFailed):
        crypto.aes_gcm_open(key, nonce, bytes(damaged), associated)
    with pytest.raises(crypto.AuthenticationFailed):
        crypto.aes_gcm_open(key, nonce, sealed, associated + b"x")


def test_a_damaged_nonce_in_an_edited_keyring_is_refused_like_a_wrong_password():
    from app.errors import CunFangError, ErrorCode

    ring = Keyring()
    ring.seal("user:zhang", os.urandom(32), "村干部的密码", kdf=FAST_KDF)
    ring.slots["user:zhang"].nonce = b""
    with pytest.raises(CunFangError) as refused:
        ring.open("user:zhang", "村干部的密码")
    assert refused.value.code is ErrorCode.STORE_WRONG_PASSPHRASE
