"""The message catalogue (ims_common/messages.py) as the gateway relies on it."""
from __future__ import annotations

import string

import pytest

from ims_common.messages import BANK_PHONE, MESSAGES, PLAIN, translate

REQUIRED = ["auth.invalid_credentials", "auth.token_missing", "auth.token_invalid", "auth.forbidden",
            "booking.not_found", "booking.wrong_status", "booking.already_taken", "booking.withdraw_too_late",
            "booking.report_too_early", "booking.forbidden_role", "booking.concurrency_conflict",
            "concurrency.conflict", "field.required", "field.unknown", "field.invalid", "field.too_long",
            "field.not_a_string", "field.not_an_integer", "field.not_a_boolean", "service.unavailable",
            "service.timeout", "request.too_large", "not_found", "method_not_allowed", "server.error",
            "error.unknown"]


@pytest.mark.parametrize("code", REQUIRED)
def test_required_codes_exist_in_both_languages(code):
    assert MESSAGES[code]["fr"] and MESSAGES[code]["en"]
    assert MESSAGES[code]["fr"] != MESSAGES[code]["en"]


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_both_languages_take_the_same_params(code):
    def names(template):
        return {name for _, name, _, _ in string.Formatter().parse(template) if name}

    assert names(MESSAGES[code]["fr"]) == names(MESSAGES[code]["en"])
    if names(MESSAGES[code]["fr"]) and code not in PLAIN:
        # A service may raise it without params: the message must still read well.
        assert "?" not in translate(code, "fr", {}) or code in ("service.busy",), code


def test_withdraw_too_late_says_to_call_the_bank():
    assert BANK_PHONE == "514 597-3284"
    assert "514 597-3284" in translate("booking.withdraw_too_late", "fr")
    assert "514 597-3284" in translate("booking.withdraw_too_late", "en")


def test_params_fill_the_template_and_missing_ones_fall_back_to_a_plain_message():
    assert translate("field.too_long", "fr", {"max": 200}) == "Trop long : 200 caractères au maximum."
    assert translate("field.too_long", "en") == "Too long."
    assert translate("service.unavailable", "en", {"service": "payroll"}).startswith("The payroll service")


@pytest.mark.parametrize("lang, expected", [("fr", "fr"), ("en", "en"), ("en-CA", "en"), ("fr_CA", "fr"),
                                            ("de", "fr"), (None, "fr"), ("", "fr")])
def test_language_defaults_to_french(lang, expected):
    assert translate("booking.not_found", lang) == MESSAGES["booking.not_found"][expected]


def test_unknown_code_names_the_code():
    assert translate("payroll.rate_missing", "fr") == "Une erreur est survenue (code : payroll.rate_missing)."
    assert translate("payroll.rate_missing", "en") == "An error occurred (code: payroll.rate_missing)."
