"""Password hashing with argon2id (argon2-cffi's PasswordHasher defaults)."""
from __future__ import annotations

from argon2 import PasswordHasher as _Argon2
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class PasswordHasher:
    def __init__(self, hasher: _Argon2 | None = None):
        self._argon2 = hasher or _Argon2()   # argon2id by default
        self._dummy: str | None = None

    def hash(self, password: str) -> str:
        return self._argon2.hash(password)

    def verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._argon2.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)

    def burn(self, password: str) -> None:
        """Spend the time of one verification, for an account that does not exist, so that the
        answer's timing does not tell whether it does."""
        if self._dummy is None:
            self._dummy = self._argon2.hash("dummy password, never matches")
        self.verify(self._dummy, password)


class OffHubHasher(PasswordHasher):
    """argon2 spends a good fraction of a second of CPU outside the GIL: in the nameko service it runs
    in eventlet's OS thread pool, so one login does not stall every other call meanwhile."""

    def hash(self, password):
        from eventlet import tpool   # only the service runs under eventlet
        return tpool.execute(super().hash, password)

    def verify(self, password_hash, password):
        from eventlet import tpool
        return tpool.execute(super().verify, password_hash, password)
