"""PayPolicy as data, and the PolicyBook that picks the version in force."""
import json
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from services.payroll.domain.policy import (
    CURRENT_POLICY, LEGACY_POLICY, MILEAGE_BEYOND, ModeRule, PayPolicy, PolicyBook, TIMED,
    default_policy_book)


def test_current_defaults_are_the_known_facts():
    p = CURRENT_POLICY
    assert p.effective_from == date(2024, 11, 4)
    assert p.hourly_rate == Decimal("41.00")
    assert p.block_minutes == 15 and p.communication_minutes == 15
    assert p.travel_time_paid is False
    assert p.mileage_threshold_km == 16
    assert p.late_cancellation_business_hours == 48
    assert (p.gst_rate, p.qst_rate) == (Decimal("0.05"), Decimal("0.09975"))
    for mode in ("phone", "video", "in_person", "professional_service"):
        assert p.rule_for(mode) == ModeRule(TIMED, 120)
    assert p.rule_for("message_transmission").kind == "per_communication"
    assert p.rule_for("document_translation").kind == "per_word"


def test_round_trips_through_a_plain_json_dict():
    data = CURRENT_POLICY.to_dict()
    assert json.loads(json.dumps(data)) == data            # strings, ints, bools only
    assert data["hourly_rate"] == "41.00" and data["effective_from"] == "2024-11-04"
    assert data["modes"]["phone"] == {"kind": "timed", "minimum_minutes": 120}
    assert PayPolicy.from_dict(data) == CURRENT_POLICY


def test_from_dict_requires_every_field_and_no_other():
    data = CURRENT_POLICY.to_dict()
    with pytest.raises(ValueError):
        PayPolicy.from_dict({k: v for k, v in data.items() if k != "hourly_rate"})
    with pytest.raises(ValueError):
        PayPolicy.from_dict({**data, "bonus": "1"})


def test_floats_are_refused():
    with pytest.raises(TypeError):
        PayPolicy.from_dict({**CURRENT_POLICY.to_dict(), "hourly_rate": 41.0})
    with pytest.raises(TypeError):
        CURRENT_POLICY.derive(word_rate=0.2)


def test_invalid_figures_are_refused():
    with pytest.raises(ValueError):
        CURRENT_POLICY.derive(hourly_rate=Decimal("-1"))
    with pytest.raises(ValueError):
        CURRENT_POLICY.derive(mileage_paid_km="some")
    with pytest.raises(ValueError):
        CURRENT_POLICY.derive(modes={"phone": ModeRule(TIMED, 50)})   # off the 15-minute grid
    with pytest.raises(ValueError):
        ModeRule("per_hour")
    with pytest.raises(ValueError):
        CURRENT_POLICY.rule_for("telepathy")


def test_book_picks_the_version_in_force_on_the_local_date():
    book = default_policy_book()
    assert book.policy_for(date(2024, 11, 3)) is LEGACY_POLICY
    assert book.policy_for(date(2024, 11, 4)) is CURRENT_POLICY
    assert book.policy_for(date(2030, 1, 1)) is CURRENT_POLICY
    # 2024-11-04 02:00 UTC is still Sunday the 3rd in Montreal.
    assert book.policy_for(datetime(2024, 11, 4, 2, 0, tzinfo=timezone.utc)) is LEGACY_POLICY
    assert book.policy_for(datetime(2024, 11, 4, 5, 0, tzinfo=timezone.utc)) is CURRENT_POLICY


def test_legacy_version_paid_travel_time():
    assert LEGACY_POLICY.travel_time_paid and LEGACY_POLICY.travel_hourly_rate == Decimal("41.00")


def test_adding_a_version():
    newer = CURRENT_POLICY.derive(version="BI-2026-04-01", effective_from=date(2026, 4, 1),
                                  hourly_rate=Decimal("42.50"), mileage_paid_km=MILEAGE_BEYOND)
    book = default_policy_book().with_version(newer)
    assert book.policy_for(date(2026, 3, 31)) is CURRENT_POLICY
    assert book.policy_for(date(2026, 4, 1)).hourly_rate == Decimal("42.50")
    assert book.version("BI-2026-04-01") is newer
    assert PolicyBook.from_dict(book.to_dict()).versions == book.versions


def test_book_refuses_ambiguity_and_gaps():
    with pytest.raises(ValueError):
        default_policy_book().with_version(CURRENT_POLICY.derive(version="other"))  # same date
    with pytest.raises(ValueError):
        default_policy_book().with_version(CURRENT_POLICY.derive(effective_from=date(2026, 1, 1)))
    with pytest.raises(LookupError):
        PolicyBook([CURRENT_POLICY]).policy_for(date(2024, 1, 1))
    with pytest.raises(ValueError):
        PolicyBook([])
