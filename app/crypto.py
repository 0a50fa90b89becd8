"""The cryptographic primitives CunFang uses, in one place: AES-256-GCM, X25519, Ed25519 and HKDF-SHA256.

The keyring (``app/store/keyring.py``) seals the database key with AES-256-GCM; USB packages
(``sync/package.py``) are sealed to the bureau server's X25519 key; account rows are signed with
Ed25519 (``app/accounts.py``: RFC 8032, raw 32-byte keys, 64-byte signatures). Both go through these functions,
which wrap PyCryptodome: its AES, GHASH and Curve25519 modules are a few hundred KiB in the installer,
where the ``cryptography`` wheel carries a whole OpenSSL. The byte formats are the standard ones
(GCM ciphertext followed by its 16-byte tag; raw 32-byte X25519 keys; RFC 5869 HKDF), so data sealed
by other implementations of the same algorithms opens here and the other way round.

PyCryptodome is imported on first use (a tenth of a second): the first window opens before any key is needed.
"""

from __future__ import annotations

TAG_BYTES = 16
X25519_KEY_BYTES = 32


class AuthenticationFailed(ValueError):
    """The ciphertext, its tag, the nonce, the associated data or the key is not the one sealed."""


def aes_gcm_seal(key: bytes, nonce: bytes, plaintext: bytes, associated: bytes = b"") -> bytes:
    """AES-256-GCM: the ciphertext followed by the 16-byte tag."""
    from Crypto.Cipher import AES

    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_BYTES)
    cipher.update(associated)
    ciphertext, tag = cipher.encrypt_and_digest(plaintext)
    return ciphertext + tag


def aes_gcm_open(key: bytes, nonce: bytes, sealed: bytes, associated: bytes = b"") -> bytes:
    """The plaintext of ``aes_gcm_seal``'s output, or ``AuthenticationFailed``."""
    from Crypto.Cipher import AES

    if len(sealed) < TAG_BYTES:
        raise AuthenticationFailed("too short to hold a tag")
    try:  # a damaged nonce or key (say, in an edited keyring.json) is refused like a wrong tag
        cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=TAG_BYTES)
        cipher.update(associated)
        return cipher.decrypt_and_verify(sealed[:-TAG_BYTES], sealed[-TAG_BYTES:])
    except (ValueError, TypeError) as exc:
        raise AuthenticationFailed("tag does not match") from exc


def x25519_keypair() -> tuple[bytes, bytes]:
    """A fresh (private, public) X25519 key pair, 32 raw bytes each."""
    from Crypto.PublicKey import ECC

    private = ECC.generate(curve="Curve25519")
    return private.seed, private.public_key().export_key(format="raw")


def x25519_public(private: bytes) -> bytes:
    """The public key belonging to a raw private key."""
    from Crypto.Protocol import DH

    return DH.import_x25519_private_key(private).public_key().export_key(format="raw")


def x25519_shared(private: bytes, peer_public: bytes) -> bytes:
    """The raw X25519 shared secret; ``ValueError`` for a malformed or low-order peer key."""
    from Crypto.Protocol import DH

    if len(private) != X25519_KEY_BYTES or len(peer_public) != X25519_KEY_BYTES:
        raise ValueError("X25519 keys are 32 bytes")
    shared = DH.key_agreement(static_priv=DH.import_x25519_private_key(private),
                              eph_pub=DH.import_x25519_public_key(peer_public), kdf=lambda z: z)
    if not any(shared):
        raise ValueError("low-order public key")
    return shared


def hkdf_sha256(secret: bytes, *, salt: bytes, info: bytes, length: int = 32) -> bytes:
    """RFC 5869 HKDF with SHA-256."""
    from Crypto.Hash import SHA256
    from Crypto.Protocol.KDF import HKDF

    return HKDF(secret, length, salt, SHA256, context=info)


def ed25519_keypair() -> tuple[bytes, bytes]:
    """A fresh (private seed, public key) Ed25519 pair, 32 raw bytes each."""
    from Crypto.PublicKey import ECC

    private = ECC.generate(curve="Ed25519")
    return private.seed, private.public_key().export_key(format="raw")


def ed25519_public(seed: bytes) -> bytes:
    """The public key of a raw private seed."""
    from Crypto.Signature import eddsa

    return eddsa.import_private_key(seed).public_key().export_key(format="raw")


def ed25519_sign(seed: bytes, message: bytes) -> bytes:
    """RFC 8032 Ed25519 signature (64 bytes)."""
    from Crypto.Signature import eddsa

    return eddsa.new(eddsa.import_private_key(seed), "rfc8032").sign(message)


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is ``public``'s over ``message`` (a malformed key or signature is simply False)."""
    from Crypto.Signature import eddsa

    try:
        eddsa.new(eddsa.import_public_key(public), "rfc8032").verify(message, signature)
    except (ValueError, TypeError):
        return False
    return True
