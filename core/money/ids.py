"""Money record ids: who may mint which.

* **Client ids** (payments, reversals, counts, handovers, deposits, group payments) are
  random UUIDs minted by the phone or the counter: version 4 or 7 only, so nobody can
  compute in advance an id the server will need.
* **Derived ids** (channel transactions, prepaid draws, group payment parts) come from
  an HMAC of what they stand for under a server secret, stamped version 8 (RFC 9562's
  custom version): they live in a space no accepted client id can reach, and without
  the secret nobody can predict them.

The app sets the key at start (:func:`set_derivation_key`, from its configuration);
the built-in default only serves scripts and tests that run without an app.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid

__all__ = ["CLIENT_VERSIONS", "derived_id", "is_client_id", "is_derived_id", "set_derivation_key"]

#: UUID versions a client may mint: random (4) and time-ordered random (7).
CLIENT_VERSIONS = frozenset({4, 7})
DERIVED_VERSION = 8
_key: list[bytes] = [b"arrears-derived-ids-without-an-app"]


def set_derivation_key(key: bytes) -> None:
    """The server secret derived ids are keyed with (at least 32 bytes)."""
    if len(key) < 32:
        raise ValueError("the derivation key is at least 32 bytes")
    _key[0] = key


def derived_id(kind: str, *parts: object) -> uuid.UUID:
    """The version-8 id of ``kind`` for ``parts``: the same inputs, the same id."""
    message = "\x1f".join([kind, *(str(p) for p in parts)]).encode("utf-8")
    digest = bytearray(hmac.new(_key[0], message, hashlib.sha256).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | (DERIVED_VERSION << 4)
    digest[8] = (digest[8] & 0x3F) | 0x80  # the RFC 4122/9562 variant
    return uuid.UUID(bytes=bytes(digest))


def is_client_id(value: uuid.UUID) -> bool:
    """A random UUID a client may mint (version 4 or 7, RFC 9562 variant)."""
    return value.variant == uuid.RFC_4122 and value.version in CLIENT_VERSIONS


def is_derived_id(value: uuid.UUID) -> bool:
    return value.variant == uuid.RFC_4122 and value.version == DERIVED_VERSION
