"""Login: by email or identifier, one answer for every failure, argon2id hashes, the token's claims."""
import json

import jwt
import pytest
from argon2 import PasswordHasher as Argon2

from ims_common.errors import Unauthorized
from ims_common.tokens import verify_token
from services.auth import bootstrap
from services.auth.adapters.passwords import PasswordHasher
from services.auth.app.accounts_view import ACCOUNTS
from services.auth.app.credentials import CREDENTIALS
from services.auth.tests.conftest import KEYS, PASSWORD, settings


class CountingHasher(PasswordHasher):
    """The default argon2id parameters, counting verifications."""

    def __init__(self):
        super().__init__()
        self.verifications = 0

    def verify(self, password_hash, password):
        self.verifications += 1
        return super().verify(password_hash, password)


def refusal(app, identifier, password):
    with pytest.raises(Unauthorized) as err:
        app.login.login(identifier, password, "203.0.113.5")
    return (type(err.value), str(err.value))


def test_login_by_email_any_case(app, coordinator):
    result = app.login.login("  COORD@example.ORG ", PASSWORD, "203.0.113.5")
    assert result["token_type"] == "Bearer"
    assert result["expires_in"] == 900
    assert result["user"]["user_id"] == coordinator["user_id"]
    assert "password_hash" not in result["user"]


def test_login_by_identifier_any_case(app, coordinator):
    result = app.login.login(coordinator["user_id"].lower(), PASSWORD, "203.0.113.5")
    claims = verify_token(result["access_token"], KEYS)
    assert claims["sub"] == coordinator["user_id"] == "UBICO0001"
    assert (claims["role"], claims["name"], claims["est"], claims["lang"]) == (
        "coordinator", "Claire Ouellet", None, "fr")
    assert claims["mcp"] is False
    assert claims["iat"] == int(app.ctx.clock().timestamp())
    assert len(claims["sid"]) == 32 and claims["sid"] != claims["jti"]     # the session, for revocation


def test_token_ttl_from_config(app, coordinator, monkeypatch):
    monkeypatch.setenv("IMS_ACCESS_TOKEN_TTL", "300")
    result = app.login.login("coord@example.org", PASSWORD, None)
    claims = verify_token(result["access_token"], KEYS)
    assert result["expires_in"] == 300 and claims["exp"] - claims["iat"] == 300


def test_same_error_for_unknown_account_and_wrong_password(stores, clock):
    hasher = CountingHasher()
    app = bootstrap.build(*stores, clock=clock, hasher=hasher, settings=settings())
    app.accounts.bootstrap_coordinator("coord@example.org", "Claire", "Ouellet", PASSWORD)
    hasher.verifications = 0
    wrong = refusal(app, "coord@example.org", "Wrong-Password-99")
    unknown_email = refusal(app, "nobody@example.org", PASSWORD)
    unknown_id = refusal(app, "UBIXX0042", PASSWORD)
    assert wrong == unknown_email == unknown_id
    assert json.loads(wrong[1]) == {"code": "auth.invalid_credentials", "params": {}, "fields": {}}
    # A hash is verified whether or not the account exists: similar timing.
    assert hasher.verifications == 3


@pytest.mark.parametrize("identifier,password", [("", PASSWORD), (None, PASSWORD), (["x"], PASSWORD),
                                                 ("coord@example.org", None), ("coord@example.org", "")])
def test_malformed_input_is_just_invalid_credentials(app, coordinator, identifier, password):
    assert json.loads(refusal(app, identifier, password)[1])["code"] == "auth.invalid_credentials"


def test_inactive_account_same_error(app, coordinator, stores):
    _, docs, _ = stores
    doc = docs.get(ACCOUNTS, coordinator["user_id"])
    docs.put(ACCOUNTS, coordinator["user_id"], dict(doc, active=False))
    assert json.loads(refusal(app, "coord@example.org", PASSWORD)[1])["code"] == "auth.invalid_credentials"


def test_argon2id_hash_stored_never_in_events(app, coordinator, stores):
    events, docs, _ = stores
    stored = docs.get(CREDENTIALS, coordinator["user_id"])["password_hash"]
    assert stored.startswith("$argon2id$")
    everything = json.dumps([e.to_dict() for e in events.read_all(0)])
    assert "argon2" not in everything and PASSWORD not in everything


def test_old_parameters_are_rehashed_at_login(app, coordinator, stores):
    _, docs, _ = stores
    weak = Argon2(time_cost=1, memory_cost=512, parallelism=1).hash(PASSWORD)
    docs.put(CREDENTIALS, coordinator["user_id"], {"user_id": coordinator["user_id"], "password_hash": weak})
    app.login.login("coord@example.org", PASSWORD, None)
    renewed = docs.get(CREDENTIALS, coordinator["user_id"])["password_hash"]
    assert renewed != weak and not app.ctx.hasher.needs_rehash(renewed)
    app.login.login("coord@example.org", PASSWORD, None)


def test_keys_are_read_at_each_login(stores, clock):
    keys = [KEYS]
    app = bootstrap.build(*stores, clock=clock, settings=settings(keys=lambda: keys[0]))
    app.accounts.bootstrap_coordinator("coord@example.org", "Claire", "Ouellet", PASSWORD)
    keys[0] = [("test2", "rotated-secret-" + "r" * 50)] + KEYS
    token = app.login.login("coord@example.org", PASSWORD, None)["access_token"]
    assert jwt.get_unverified_header(token)["kid"] == "test2"
