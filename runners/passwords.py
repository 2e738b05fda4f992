"""Password hashes: Argon2id through pwdlib (a maintained library, on argon2-cffi).

The engine's ``PasswordHasher`` port (``engine.accounts``) says what is needed;
this is the one the runners wire in. The cost is OWASP's recommended minimum
for Argon2id (19 MiB of memory, 2 passes, 1 lane): a login takes a few tens of
milliseconds on an office server, and a handful of logins at the same moment
stay well inside the web process's memory budget (argon2-cffi's own default,
64 MiB a hash, would not). A hash records its parameters, so hashes made with
other ones still verify.
"""

from __future__ import annotations

from functools import cache

from pwdlib import PasswordHash
from pwdlib.exceptions import UnknownHashError
from pwdlib.hashers.argon2 import Argon2Hasher

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1


class Argon2Passwords:
    """Makes and checks Argon2id password hashes (PHC strings: ``$argon2id$v=19$m=...``)."""

    def __init__(self, memory_kib: int = MEMORY_KIB, time_cost: int = TIME_COST,
                 parallelism: int = PARALLELISM) -> None:
        self._hash = PasswordHash((Argon2Hasher(time_cost=time_cost, memory_cost=memory_kib,
                                                parallelism=parallelism),))

    def hash(self, password: str) -> str:
        """A new salted hash of ``password``."""
        return self._hash.hash(password)

    def verify(self, password: str, hashed: str) -> bool:
        """Whether ``password`` matches ``hashed`` (False for a hash this cannot read)."""
        try:
            return self._hash.verify(password, hashed)
        except (UnknownHashError, ValueError, TypeError):
            return False


@cache
def password_hasher() -> Argon2Passwords:
    """The hasher the runners use (one per process)."""
    return Argon2Passwords()
