"""argon2id password hashing with a cap on concurrent verifications.

A verification costs ~0.2 s of CPU on two cores: unbounded, a burst of logins
would starve every other request.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


@dataclass(frozen=True)
class HashingParams:
    time_cost: int
    memory_cost: int
    parallelism: int
    max_concurrent: int


class Passwords:
    def __init__(self, params: HashingParams) -> None:
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
        )
        self._slots = threading.BoundedSemaphore(params.max_concurrent)

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        with self._slots:
            try:
                return self._hasher.verify(stored_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False

    def dummy_verify(self) -> None:
        """Spend the same time as a real check, so unknown usernames do not answer faster."""
        self.verify(self._dummy, "not-the-password")

    @property
    def _dummy(self) -> str:
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self._hasher.hash("dummy-password")
        return self._dummy_hash
