"""argon2id hashing."""
from argon2 import PasswordHasher as Argon2

from services.auth.adapters.passwords import PasswordHasher


def test_hash_is_argon2id_and_verifies():
    hasher = PasswordHasher()
    hashed = hasher.hash("Banque-Interpretes-7")
    assert hashed.startswith("$argon2id$")
    assert hasher.verify(hashed, "Banque-Interpretes-7")
    assert not hasher.verify(hashed, "banque-interpretes-7")
    assert not hasher.verify("not a hash", "Banque-Interpretes-7")
    assert not hasher.needs_rehash(hashed)


def test_weaker_parameters_need_rehash():
    old = Argon2(time_cost=1, memory_cost=8192).hash("Banque-Interpretes-7")
    hasher = PasswordHasher()
    assert hasher.verify(old, "Banque-Interpretes-7")
    assert hasher.needs_rehash(old)


def test_burn_never_matches():
    PasswordHasher().burn("dummy password, never matches")  # just spends the time, no exception
