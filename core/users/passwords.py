"""argon2id password hashing with a cap on concurrent verifications and a bounded queue.

A verification costs ~0.2 s of CPU on two cores: unbounded, a burst of logins would take
every server thread and starve every other request. At most ``max_concurrent`` hash at
once per process, at most ``max_waiting`` more wait, each for ``wait_timeout_s`` at most;
past that :class:`core.errors.Busy` answers at once (503 with Retry-After), leaving the
threads to money and sync requests. The per-address login limit (``throttle.py``) refuses
a single address's flood before it gets here.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from core.errors import Busy


@dataclass(frozen=True)
class HashingParams:
    time_cost: int
    memory_cost: int
    parallelism: int
    max_concurrent: int
    max_waiting: int = 2
    wait_timeout_s: float = 2.0


class Passwords:
    def __init__(self, params: HashingParams) -> None:
        self._hasher = PasswordHasher(
            time_cost=params.time_cost,
            memory_cost=params.memory_cost,
            parallelism=params.parallelism,
        )
        self._slots = threading.BoundedSemaphore(params.max_concurrent)
        self._admitted = threading.BoundedSemaphore(params.max_concurrent + params.max_waiting)
        self._timeout = params.wait_timeout_s

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, stored_hash: str, password: str) -> bool:
        """Whether ``password`` matches; :class:`Busy` when the queue is full or the wait
        for a slot times out."""
        if not self._admitted.acquire(blocking=False):
            raise Busy("Too many logins at once; retry in a moment.", retry_after=1)
        try:
            if not self._slots.acquire(timeout=self._timeout):
                raise Busy("Too many logins at once; retry in a moment.", retry_after=1)
            try:
                return self._hasher.verify(stored_hash, password)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                return False
            finally:
                self._slots.release()
        finally:
            self._admitted.release()

    def dummy_verify(self) -> None:
        """Spend the same time as a real check, so unknown usernames do not answer faster."""
        self.verify(self._dummy, "not-the-password")

    @property
    def _dummy(self) -> str:
        if not hasattr(self, "_dummy_hash"):
            self._dummy_hash = self._hasher.hash("dummy-password")
        return self._dummy_hash
