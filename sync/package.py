"""Encrypted USB packages: unsent records carried to the bureau when no network reaches the village.

A package is sealed to the bureau server's public key (X25519 + HKDF-SHA256 +
AES-256-GCM), so a lost USB stick reveals nothing; inside is the device's
credential, which the server checks as it checks a sync request. Layout:
``MAGIC | ephemeral public key (32) | nonce (12) | AES-GCM(zlib(JSON))``.
"""

from __future__ import annotations

import base64
import json
import os
import zlib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

MAGIC = b"CUNFANG-PACKAGE-1\n"
_INFO = b"cunfang usb package v1"


class PackageError(ValueError):
    """The bytes are not a package for this key (wrong server, damaged, or not a package at all)."""


def new_keypair() -> tuple[str, str]:
    """A fresh (private, public) key pair, each base64 text, for a server's ``meta`` table."""
    private = X25519PrivateKey.generate()
    raw_private = private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                        serialization.NoEncryption())
    raw_public = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def _key(shared: bytes, ephemeral_public: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=ephemeral_public, info=_INFO).derive(shared)


def seal(payload: dict, public_key_b64: str) -> bytes:
    """Encrypt ``payload`` (JSON-able) so that only the holder of the server's private key can read it."""
    server_public = X25519PublicKey.from_public_bytes(base64.b64decode(public_key_b64))
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(serialization.Encoding.Raw,
                                                           serialization.PublicFormat.Raw)
    key = _key(ephemeral.exchange(server_public), ephemeral_public)
    nonce = os.urandom(12)
    body = zlib.compress(json.dumps(payload, ensure_ascii=False).encode(), 6)
    return MAGIC + ephemeral_public + nonce + AESGCM(key).encrypt(nonce, body, MAGIC)


def open_sealed(blob: bytes, private_key_b64: str) -> dict:
    """Decrypt a package made by ``seal``; raises ``PackageError`` for anything else."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 44 + 16:
        raise PackageError("not a CunFang package")
    rest = blob[len(MAGIC):]
    ephemeral_public, nonce, sealed = rest[:32], rest[32:44], rest[44:]
    private = X25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    try:
        key = _key(private.exchange(X25519PublicKey.from_public_bytes(ephemeral_public)), ephemeral_public)
        body = AESGCM(key).decrypt(nonce, sealed, MAGIC)
        return json.loads(zlib.decompress(body))
    except (InvalidTag, ValueError, zlib.error) as exc:
        raise PackageError("cannot decrypt") from exc
