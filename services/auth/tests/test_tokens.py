"""Access tokens: only HS256 with a known key, unexpired, ours."""
import base64
import json
import time

import jwt
import pytest

from ims_common.tokens import InvalidToken, issue_token, verify_token

OLD = ("k1", "old-secret-" + "o" * 40)
NEW = ("k2", "new-secret-" + "n" * 60)   # 64+ bytes: HS512 forgery test warns otherwise
OTHER = ("k2", "someone-elses-secret-" + "x" * 40)


def token(keys=(NEW,), ttl=900, now=None, **extra):
    return issue_token(sub="UBIPN0002", role="interpreter", name="Pepe Nomme", est=None, lang="fr",
                       keys=list(keys), ttl_seconds=ttl, now=now, extra_claims=extra or None)


def b64(obj) -> str:
    return base64.urlsafe_b64encode(json.dumps(obj).encode()).rstrip(b"=").decode()


def test_round_trip_has_every_claim():
    claims = verify_token(token(), [NEW])
    assert {k: claims[k] for k in ("sub", "role", "name", "est", "lang", "iss", "aud")} == {
        "sub": "UBIPN0002", "role": "interpreter", "name": "Pepe Nomme", "est": None, "lang": "fr",
        "iss": "ims-auth", "aud": "ims"}
    assert claims["exp"] - claims["iat"] == 900
    assert len(claims["jti"]) == 32
    assert jwt.get_unverified_header(token()) ["kid"] == "k2"


def test_jti_is_unique():
    assert verify_token(token(), [NEW])["jti"] != verify_token(token(), [NEW])["jti"]


def test_alg_none_refused():
    claims = jwt.decode(token(), options={"verify_signature": False})
    forged = b64({"alg": "none", "typ": "JWT", "kid": "k2"}) + "." + b64(claims) + "."
    with pytest.raises(InvalidToken):
        verify_token(forged, [NEW])


def test_other_algorithm_refused_even_with_the_right_secret():
    claims = jwt.decode(token(), options={"verify_signature": False})
    forged = jwt.encode(claims, NEW[1], algorithm="HS512", headers={"kid": "k2"})
    with pytest.raises(InvalidToken):
        verify_token(forged, [NEW])


def test_tampered_payload_refused():
    header, payload, signature = token().split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["role"] = "admin"
    with pytest.raises(InvalidToken):
        verify_token(".".join([header, b64(claims), signature]), [NEW])


def test_tampered_signature_refused():
    header, payload, signature = token().split(".")
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    with pytest.raises(InvalidToken):
        verify_token(".".join([header, payload, flipped]), [NEW])


def test_expired_refused():
    with pytest.raises(InvalidToken):
        verify_token(token(ttl=60, now=time.time() - 120), [NEW])


def test_signed_with_another_key_refused():
    with pytest.raises(InvalidToken):
        verify_token(token(keys=[OTHER]), [NEW])


def test_unknown_kid_refused():
    with pytest.raises(InvalidToken):
        verify_token(token(keys=[("k9", NEW[1])]), [NEW])


def test_rotation_old_key_verifies_while_in_the_keyset():
    old_token = token(keys=[OLD])
    assert verify_token(old_token, [NEW, OLD])["sub"] == "UBIPN0002"
    assert jwt.get_unverified_header(token(keys=[NEW, OLD]))["kid"] == "k2"  # the first signs
    with pytest.raises(InvalidToken):
        verify_token(old_token, [NEW])  # retired


def test_keys_as_dict():
    assert verify_token(token(keys=[OLD]), dict([NEW, OLD]))["sub"] == "UBIPN0002"


@pytest.mark.parametrize("missing", ["exp", "iat", "sub"])
def test_required_claims(missing):
    claims = jwt.decode(token(), options={"verify_signature": False})
    del claims[missing]
    forged = jwt.encode(claims, NEW[1], algorithm="HS256", headers={"kid": "k2"})
    with pytest.raises(InvalidToken):
        verify_token(forged, [NEW])


@pytest.mark.parametrize("claim,value", [("iss", "someone"), ("aud", "other")])
def test_wrong_issuer_or_audience(claim, value):
    claims = jwt.decode(token(), options={"verify_signature": False})
    claims[claim] = value
    forged = jwt.encode(claims, NEW[1], algorithm="HS256", headers={"kid": "k2"})
    with pytest.raises(InvalidToken):
        verify_token(forged, [NEW])


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", None, 12])
def test_garbage_refused(garbage):
    with pytest.raises(InvalidToken):
        verify_token(garbage, [NEW])


def test_extra_claims():
    assert verify_token(token(mcp=True), [NEW])["mcp"] is True
