"""Password hashes (Argon2id) and a short-lived cache of verified HTTP Basic logins.

Argon2id is deliberately slow (tens of milliseconds), which is right for a login and wrong for
every request of a script that sends Basic credentials each time.  A verified (user, password)
pair is therefore remembered for a minute, keyed by a keyed digest of both (the password itself
is never kept) and bound to the stored hash, so a changed password takes effect at once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
# verified against when the user does not exist, so that an unknown user costs the same time
_DUMMY = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _DUMMY, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def generate() -> str:
    """A password for the first administrator when none was given: 24 url-safe characters."""
    return secrets.token_urlsafe(18)


class VerifiedCache:
    """(user, password) pairs verified recently, each bound to the hash it was checked against."""

    def __init__(self, ttl_seconds: float = 60.0, size: int = 1024) -> None:
        self._ttl = ttl_seconds
        self._size = size
        self._key = secrets.token_bytes(32)
        self._entries: dict[bytes, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def _digest(self, user_id: str, password: str) -> bytes:
        message = user_id.encode() + b"\x00" + password.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()

    def hit(self, user_id: str, password: str, stored_hash: str | None) -> bool:
        digest = self._digest(user_id, password)
        with self._lock:
            entry = self._entries.get(digest)
        return (entry is not None and entry[0] > time.monotonic()
                and stored_hash is not None and hmac.compare_digest(entry[1], stored_hash))

    def remember(self, user_id: str, password: str, stored_hash: str) -> None:
        digest = self._digest(user_id, password)
        with self._lock:
            if len(self._entries) >= self._size:
                self._entries.clear()
            self._entries[digest] = (time.monotonic() + self._ttl, stored_hash)
