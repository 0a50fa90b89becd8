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

from app.crypto import AuthenticationFailed, aes_gcm_open, aes_gcm_seal, hkdf_sha256, x25519_keypair, x25519_shared

MAGIC = b"CUNFANG-PACKAGE-1\n"
_INFO = b"cunfang usb package v1"


class PackageError(ValueError):
    """The bytes are not a package for this key (wrong server, damaged, or not a package at all)."""


def new_keypair() -> tuple[str, str]:
    """A fresh (private, public) key pair, each base64 text, for a server's ``meta`` table."""
    private, public = x25519_keypair()
    return base64.b64encode(private).decode(), base64.b64encode(public).decode()


def _key(shared: bytes, ephemeral_public: bytes) -> bytes:
    return hkdf_sha256(shared, salt=ephemeral_public, info=_INFO)


def seal(payload: dict, public_key_b64: str) -> bytes:
    """Encrypt ``payload`` (JSON-able) so that only the holder of the server's private key can read it."""
    ephemeral, ephemeral_public = x25519_keypair()
    key = _key(x25519_shared(ephemeral, base64.b64decode(public_key_b64)), ephemeral_public)
    nonce = os.urandom(12)
    body = zlib.compress(json.dumps(payload, ensure_ascii=False).encode(), 6)
    return MAGIC + ephemeral_public + nonce + aes_gcm_seal(key, nonce, body, MAGIC)


def open_sealed(blob: bytes, private_key_b64: str) -> dict:
    """Decrypt a package made by ``seal``; raises ``PackageError`` for anything else."""
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 44 + 16:
        raise PackageError("not a CunFang package")
    rest = blob[len(MAGIC):]
    ephemeral_public, nonce, sealed = rest[:32], rest[32:44], rest[44:]
    try:
        key = _key(x25519_shared(base64.b64decode(private_key_b64), ephemeral_public), ephemeral_public)
        body = aes_gcm_open(key, nonce, sealed, MAGIC)
        return json.loads(zlib.decompress(body))
    except (AuthenticationFailed, ValueError, zlib.error) as exc:
        raise PackageError("cannot decrypt") from exc


# ---------------------------------------------------------------------- enrollment files (no network at all)

ENROLL_MAGIC = b"CUNFANG-ENROLL-1\n"
_ENROLL_INFO = b"cunfang enrollment file v1"


def _token_key(token: str, salt: bytes) -> bytes:
    # the one-time token carries 192 random bits (``cf-`` + token_urlsafe(24)): no slow KDF is needed
    return hkdf_sha256(token.strip().encode(), salt=salt, info=_ENROLL_INFO)


def seal_enrollment(payload: dict, token: str) -> bytes:
    """An enrollment answer the bureau writes for a laptop that cannot reach it, sealed with the user's one-time
    token (which the user carries apart from the file): a lost file alone reveals nothing."""
    salt, nonce = os.urandom(16), os.urandom(12)
    body = json.dumps(payload, ensure_ascii=False).encode()
    return ENROLL_MAGIC + salt + nonce + aes_gcm_seal(_token_key(token, salt), nonce, body, ENROLL_MAGIC)


def open_enrollment(blob: bytes, token: str) -> dict:
    """Open a file made by ``seal_enrollment``; ``PackageError`` for a wrong token or anything else."""
    if not blob.startswith(ENROLL_MAGIC) or len(blob) < len(ENROLL_MAGIC) + 28 + 16:
        raise PackageError("not a CunFang enrollment file")
    rest = blob[len(ENROLL_MAGIC):]
    salt, nonce, sealed = rest[:16], rest[16:28], rest[28:]
    try:
        return json.loads(aes_gcm_open(_token_key(token, salt), nonce, sealed, ENROLL_MAGIC))
    except (AuthenticationFailed, ValueError) as exc:
        raise PackageError("cannot open") from exc
