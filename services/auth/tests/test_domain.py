"""Domain rules of accounts, with no I/O."""
from types import SimpleNamespace

import pytest
from hypothesis import given, strategies as st

from ims_common.errors import ValidationFailed
from services.auth.domain import roles
from services.auth.contract.events import ACCOUNT_CREATED, PASSWORD_CHANGED
from services.auth.domain.account import account_created, fold, validate_new_account
from services.auth.domain.identifiers import initial, looks_like_user_id, make_user_id
from services.auth.domain.passwords import generate_temporary_password, reasons


def codes(password, words=(), estimator=None):
    return [r["code"] for r in reasons(password, words, estimator)]

GOOD = "Banque-Interpretes-7"


def fields(**overrides):
    base = {"email": " Pepe.Nomme@Example.ORG ", "first_name": "Pépé", "last_name": "Nommé",
            "role": "interpreter"}
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def problems(**overrides):
    with pytest.raises(ValidationFailed) as err:
        validate_new_account(fields(**overrides))
    assert err.value.code == "request.invalid"
    return err.value.fields


# ---- identifiers ----

def test_identifier_from_initials_and_sequence():
    assert make_user_id("Pepe2", "Nomme2", 2) == "UBIPN0002"


def test_identifier_folds_accents_and_case():
    assert make_user_id("émilie", "Ødegård", 17) == "UBIEO0017"


def test_identifier_without_latin_letter_uses_x():
    assert initial("李") == "X"
    assert make_user_id("李", "Chen", 3) == "UBIXC0003"


def test_identifier_sequence_grows_past_four_digits():
    assert make_user_id("A", "B", 12345) == "UBIAB12345"


def test_looks_like_user_id():
    assert looks_like_user_id("ubipn0002")
    assert not looks_like_user_id("pepe@example.org")


# ---- fields ----

def test_valid_interpreter_is_normalized():
    clean = validate_new_account(fields())
    assert clean["email"] == "pepe.nomme@example.org"
    assert clean["first_name"] == "Pépé"
    assert clean["default_role"] == "interpreter"
    assert clean["display_language"] == "fr"
    assert clean["establishment"] is None
    assert clean["password"] is None


def test_requester_needs_establishment():
    assert problems(role="requester") == {"establishment": ["field.required"]}


@pytest.mark.parametrize("code", ["hc", "H", "HCABCDE", "H1", "HÉ"])
def test_establishment_code_format(code):
    assert "establishment" in problems(role="requester", establishment=code)


def test_requester_with_establishment():
    clean = validate_new_account(fields(role="requester", establishment="HC"))
    assert clean["establishment"] == "HC"


def test_establishment_refused_for_non_requester():
    assert problems(establishment="HC") == {"establishment": ["field.invalid"]}


def test_secondary_requester_role_needs_establishment():
    assert "establishment" in problems(secondary_role="requester")


def test_every_problem_is_reported_at_once():
    found = problems(email="nope", first_name="", role="boss", display_language="de", extra=1)
    assert found == {"email": ["field.invalid_email"], "first_name": ["field.required"],
                     "role": ["field.not_one_of"], "display_language": ["field.not_one_of"],
                     "extra": ["field.unknown"]}


def test_default_role_must_be_one_of_the_roles():
    assert problems(default_role="coordinator") == {"default_role": ["field.not_one_of"]}
    clean = validate_new_account(fields(secondary_role="coordinator", default_role="coordinator"))
    assert (clean["role"], clean["secondary_role"], clean["default_role"]) == (
        "interpreter", "coordinator", "coordinator")


def test_secondary_role_differs_from_primary():
    assert problems(secondary_role="interpreter") == {"secondary_role": ["field.invalid"]}


def test_names_refuse_control_characters_and_length():
    assert problems(first_name="A\x00B") == {"first_name": ["field.invalid_characters"]}
    assert problems(last_name="x" * 101) == {"last_name": ["field.too_long"]}


def test_not_an_object():
    with pytest.raises(ValidationFailed) as err:
        validate_new_account(["email"])
    assert err.value.fields == {"_schema": ["field.not_an_object"]}


def test_bad_password_is_reported_with_the_other_fields():
    assert problems(password="short", role="requester") == {
        "establishment": ["field.required"],
        "password": ["password.too_short", "password.needs_uppercase", "password.needs_digit", "password.needs_special"]}


def test_account_creation_applies_the_one_password_rule_with_its_estimator():
    def weak(password, words):
        return {"score": 2 if any(w in password for w in words) else 4}
    with pytest.raises(ValidationFailed) as err:
        validate_new_account(fields(first_name="Pepe", password="Pepe-Nomme-2024-x"), weak)
    assert err.value.fields == {"password": ["password.too_guessable"]}
    assert err.value.params["reasons"][0]["params"]["score"] == 2
    assert validate_new_account(fields(password=GOOD), weak)["password"] == GOOD


# ---- password rule ----

@pytest.mark.parametrize("password,code", [
    ("Short-1a", "password.too_short"),
    ("banque-interpretes-7", "password.needs_uppercase"),
    ("Banque-Interpretes", "password.needs_digit"),
    ("BanqueInterpretes7", "password.needs_special"),
    (" Banque-Interpretes-7", "password.surrounding_spaces"),
])
def test_weak_passwords(password, code):
    assert codes(password) == [code]


def test_password_length_bounds():
    assert codes("Aa1!" + "x" * 8) == []
    assert codes("Aa1!" + "x" * 124) == []
    assert codes("Aa1!" + "x" * 125) == ["password.too_long"]
    assert codes("") == ["field.required"]
    assert codes(None) == ["field.required"]


def test_the_estimator_can_refuse_a_password_the_rule_accepts():
    seen = []

    def estimator(password, words):
        seen.append(words)
        return {"score": 1 if "Pepe" in password else 4}

    assert codes("Pepe-Nomme-2024", ("Pepe", None), estimator) == ["password.too_guessable"]
    assert seen == [["Pepe"]]
    assert codes(GOOD, (), estimator) == []


@given(st.integers(min_value=12, max_value=64))
def test_temporary_passwords_meet_the_rule(length):
    assert codes(generate_temporary_password(length)) == []


def test_temporary_passwords_differ():
    assert generate_temporary_password() != generate_temporary_password()


# ---- roles ----

def test_who_may_grant_roles():
    assert roles.may_grant("coordinator", {"interpreter"})
    assert roles.may_grant("coordinator", {"coordinator"})
    assert not roles.may_grant("coordinator", {"admin"})
    assert roles.may_grant("admin", {"admin", "coordinator"})
    assert not roles.may_grant("interpreter", {"interpreter"})
    assert not roles.may_grant(None, {"requester"})


# ---- aggregate ----

def stored(type_, data, version):
    return SimpleNamespace(type=type_, data=data, stream_version=version)


def test_fold_created_then_password_changed():
    clean = validate_new_account(fields())
    type_, data = account_created(clean, "UBIPN0001", "2024-08-27T12:00:00Z", must_change_password=True)
    assert type_ == ACCOUNT_CREATED and "password" not in data and "password_hash" not in data
    account = fold([stored(type_, data, 1)])
    assert account.must_change_password and account.version == 1 and account.active
    assert account.to_dict()["user_id"] == "UBIPN0001" and "version" not in account.to_dict()
    account = fold([stored(type_, data, 1), stored(PASSWORD_CHANGED, {"user_id": "UBIPN0001"}, 2)])
    assert not account.must_change_password and account.version == 2


def test_fold_empty_stream_is_none():
    assert fold([]) is None


def test_unknown_event_type_is_ignored():
    clean = validate_new_account(fields())
    created = account_created(clean, "UBIPN0001", "2024-08-27T12:00:00Z", False)
    account = fold([stored(*created, 1), stored("SomethingNew", {}, 2)])
    assert account.version == 2 and account.email == "pepe.nomme@example.org"
