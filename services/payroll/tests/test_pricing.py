"""Pricing: issue 5's worked examples, the rules around them, and properties (amounts exact)."""
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from services.payroll.domain.business_hours import MONTREAL
from ims_common.money import Money
from services.payroll.domain.policy import (
    CURRENT_POLICY, MILEAGE_BEYOND, PolicyBook, default_policy_book)
from services.payroll.domain.pricing import billed_minutes, price
from services.payroll.contract.vocabulary import LINES, label

BOOK = default_policy_book()
BOTH_TAXES = {"gst_registered": True, "qst_registered": True}
RECEIPT = ({"id": "a1", "filename": "stationnement.jpg", "content_type": "image/jpeg"},)


def at(y, mo, d, h=0, mi=0) -> str:
    """A Montreal wall-clock time as the UTC 'Z' string bookings carry."""
    moment = datetime(y, mo, d, h, mi, tzinfo=MONTREAL).astimezone(timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def booking(mode="video", start=(2025, 3, 4, 11, 0), minutes=120, status="service_provided", **more):
    start_at = datetime(*start, tzinfo=MONTREAL)
    return {"mode": mode, "start_at": at(*start), "duration_minutes": minutes, "status": status,
            "end_at": (start_at + timedelta(minutes=minutes or 0)).astimezone(timezone.utc).isoformat(),
            **more}


def provided(start=(2025, 3, 4, 11, 0), minutes=120, **more):
    begin = datetime(*start, tzinfo=MONTREAL)
    return {"provided": True, "actual_start": begin.isoformat(),
            "actual_end": (begin + timedelta(minutes=minutes)).isoformat(), "overtime_reason": None,
            "wait_minutes": 0, "distance_km": "0.00", "travel_minutes": 0, "communications": [],
            "words": 0, "other_fees_cents": 0, "additional_service": False, **more}


def calls(*moments):
    return [{"at": m, "purpose": "Confirmation du rendez-vous"} for m in moments]


def amounts(rem) -> dict:
    d = rem.to_dict()
    return {k: d[k] for k in LINES + ("subtotal", "gst", "qst", "total")}


# ---- Money ---------------------------------------------------------------------------------------

def test_money_is_exact_and_rounds_half_up():
    assert Money.of("8.1795") == Money(818)
    assert Money.of(Decimal("0.005")) == Money(1)
    assert Money.of("82") + Money.of("4.10") == Money(8610)
    assert str(Money(8200)) == "82.00" and str(Money(0)) == "0.00"
    assert Money(8200).times(Decimal("0.09975")) == Money(818)


def test_money_formats_in_french_and_english():
    assert Money(8200).format("fr") == "82,00\u00a0$"
    assert Money(8200).format("en") == "$82.00"
    assert Money(123456).format("fr") == "1\u00a0234,56\u00a0$"
    assert Money(123456).format("en") == "$1,234.56"
    assert Money(-1025).format("fr") == "-10,25\u00a0$"


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        Money.of(82.0)
    with pytest.raises(TypeError):
        Money(82.0)
    with pytest.raises(TypeError):
        Money(100).times(0.05)


# ---- Issue 5: worked examples (default policy) ---------------------------------------------------

def test_example_video_planned_2h_actual_11_to_13():
    rem = price(booking("video"), provided(minutes=120), None, BOOK)
    assert rem.lines["demande"] == Money.of("82.00")
    assert rem.total == Money.of("82.00")
    assert rem.rate_name == "Standard" and rem.rate_description == "Heures de bureau"
    assert rem.policy_version == "BI-2024-11-04"


def test_example_phone_30_minutes_pays_the_2_hour_minimum():
    rem = price(booking("phone", minutes=30), provided(minutes=30), None, BOOK)
    assert str(rem.total) == "82.00"
    assert rem.inputs["actual_minutes"] == 30 and rem.inputs["billed_minutes"] == 120


def test_example_in_person_planned_2h30_actual_2h20_pays_2h30():
    rem = price(booking("in_person", minutes=150), provided(minutes=140), None, BOOK)
    assert rem.inputs["billed_minutes"] == 150
    assert str(rem.lines["demande"]) == "102.50" and str(rem.total) == "102.50"


def test_example_one_way_15_km_pays_no_distance():
    rem = price(booking("in_person"), provided(distance_km="15"), None, BOOK)
    assert str(rem.lines["distance"]) == "0.00"


def test_example_travel_time_not_paid_on_2024_11_05():
    rem = price(booking("in_person", start=(2024, 11, 5, 10, 0)),
                provided(start=(2024, 11, 5, 10, 0), travel_minutes=60), None, BOOK)
    assert str(rem.lines["travel_time"]) == "0.00" and str(rem.total) == "82.00"
    assert rem.inputs["travel_minutes"] == 60


def test_example_cancelled_tuesday_10_for_wednesday_14_is_paid_as_planned():
    b = booking("in_person", start=(2025, 3, 5, 14, 0), status="cancelled",
                cancelled_at=at(2025, 3, 4, 10, 0))
    rem = price(b, None, None, BOOK)
    assert rem.inputs["late_cancellation"] is True
    assert rem.inputs["business_hours_before_start"] == "28.00"
    assert str(rem.lines["demande"]) == "82.00" and str(rem.total) == "82.00"


def test_example_cancelled_monday_9_for_thursday_9_pays_communications_made_before():
    b = booking("in_person", start=(2025, 3, 6, 9, 0), status="cancelled",
                cancelled_at=at(2025, 3, 3, 9, 0))
    report = {"provided": False, "reason": "Annulé par le demandeur",
              "cancelled_at": at(2025, 3, 3, 9, 0),
              "communications": calls(at(2025, 2, 28, 14, 10), at(2025, 3, 1, 10, 0))}
    rem = price(b, report, None, BOOK)
    assert rem.inputs["late_cancellation"] is False
    assert rem.inputs["business_hours_before_start"] == "72.00"
    assert str(rem.lines["demande"]) == "0.00"
    assert str(rem.lines["phone_communications"]) == "20.50" and str(rem.total) == "20.50"


def test_example_taxes_for_an_interpreter_registered_for_gst_and_qst():
    rem = price(booking("video"), provided(), BOTH_TAXES, BOOK)
    assert amounts(rem) == {"demande": "82.00", "distance": "0.00", "travel_time": "0.00",
                            "phone_communications": "0.00", "words": "0.00", "other_fees": "0.00",
                            "extra_fees": "0.00", "subtotal": "82.00", "gst": "4.10", "qst": "8.18",
                            "total": "94.28"}


# ---- Service fee -------------------------------------------------------------------------------

def test_billed_minutes_are_the_minimum_then_15_minute_blocks_rounded_up():
    assert billed_minutes(30, 120, 15) == 120
    assert billed_minutes(120, 120, 15) == 120
    assert billed_minutes(121, 120, 15) == 135
    assert billed_minutes(135, 120, 15) == 135
    assert billed_minutes(136, 120, 15) == 150


def test_overtime_with_a_reason_is_paid():
    rem = price(booking("in_person"), provided(minutes=150, overtime_reason="Usager arrivé en retard"),
                None, BOOK)
    assert rem.inputs["billed_minutes"] == 150 and str(rem.total) == "102.50"
    assert rem.flags == ()


def test_overtime_rounds_up_to_the_next_block():
    rem = price(booking("in_person"), provided(minutes=121, overtime_reason="Prolongation"), None, BOOK)
    assert rem.inputs["billed_minutes"] == 135 and str(rem.total) == "92.25"


def test_overtime_without_a_reason_is_capped_at_the_plan_and_flagged():
    rem = price(booking("in_person"), provided(minutes=150), None, BOOK)
    assert rem.inputs["billed_minutes"] == 120 and str(rem.total) == "82.00"
    assert rem.inputs["overtime_minutes"] == 30
    assert "overtime_unjustified" in rem.flags


def test_after_hours_service_has_its_description_and_the_same_rate():
    saturday = (2025, 3, 8, 10, 0)
    rem = price(booking("video", start=saturday), provided(start=saturday), None, BOOK)
    assert rem.rate_description == "Hors heures de bureau" and str(rem.total) == "82.00"
    evening = (2025, 3, 4, 16, 30)
    assert price(booking(start=evening), provided(start=evening), None,
                 BOOK).rate_description == "Hors heures de bureau"


def test_after_hours_rate_when_the_policy_sets_one():
    book = PolicyBook([CURRENT_POLICY.derive(after_hours_hourly_rate=Decimal("50.00"))])
    sunday = (2025, 3, 9, 10, 0)
    assert str(price(booking(start=sunday), provided(start=sunday), None, book).total) == "100.00"
    assert str(price(booking(), provided(), None, book).total) == "82.00"


def test_without_a_report_it_is_an_estimate_as_planned():
    rem = price(booking("video", minutes=180, status="booked"), None, None, BOOK)
    assert str(rem.total) == "123.00" and "no_report" in rem.flags


# ---- Other modes -------------------------------------------------------------------------------

def test_message_transmission_is_paid_per_communication():
    b = booking("message_transmission", minutes=None)
    two = provided(communications=calls(at(2025, 3, 4, 9), at(2025, 3, 4, 15)))
    rem = price(b, two, None, BOOK)
    assert str(rem.lines["demande"]) == "20.50" and str(rem.lines["phone_communications"]) == "0.00"
    assert str(price(b, provided(), None, BOOK).lines["demande"]) == "10.25"


def test_document_translation_is_paid_per_word():
    rem = price(booking("document_translation", minutes=None), provided(words=500), None, BOOK)
    assert str(rem.lines["demande"]) == "0.00"
    assert str(rem.lines["words"]) == "100.00" and str(rem.total) == "100.00"


def test_phone_communications_are_one_15_minute_block_each():
    rem = price(booking("in_person"), provided(communications=calls(*[at(2025, 3, 1, h) for h in
                                                                   (9, 10, 11)])), None, BOOK)
    assert str(rem.lines["phone_communications"]) == "30.75" and str(rem.total) == "112.75"


# ---- Travel and fees -----------------------------------------------------------------------------

def test_mileage_over_16_km_pays_every_km_both_ways():
    assert str(price(booking("in_person"), provided(distance_km="16"), None,
                     BOOK).lines["distance"]) == "0.00"
    rem = price(booking("in_person"), provided(distance_km="17.5"), None, BOOK)
    assert rem.inputs["paid_km"] == "35.0" and str(rem.lines["distance"]) == "16.80"


def test_mileage_beyond_the_threshold_only_when_the_policy_says_so():
    book = PolicyBook([CURRENT_POLICY.derive(mileage_paid_km=MILEAGE_BEYOND)])
    rem = price(booking("in_person"), provided(distance_km="17.5"), None, book)
    assert str(rem.lines["distance"]) == "1.44"   # 1.5 km x 2 x 0.48


def test_travel_time_paid_under_the_earlier_policy():
    day = (2024, 10, 15, 10, 0)
    rem = price(booking("in_person", start=day), provided(start=day, travel_minutes=50), None, BOOK)
    assert rem.policy_version == "BI-legacy"
    assert rem.inputs["travel_billed_minutes"] == 60
    assert str(rem.lines["travel_time"]) == "41.00" and str(rem.total) == "123.00"


def test_other_fees_paid_with_a_receipt():
    rem = price(booking("in_person"), provided(other_fees_cents=1250), None, BOOK, attachments=RECEIPT)
    assert str(rem.lines["other_fees"]) == "12.50" and rem.flags == ()


def test_other_fees_without_a_receipt_are_not_paid_and_flagged():
    rem = price(booking("in_person"), provided(other_fees_cents=1250), None, BOOK)
    assert str(rem.lines["other_fees"]) == "0.00" and "receipt_missing" in rem.flags
    assert rem.inputs["other_fees_cents"] == 1250


def test_additional_service_is_flagged_for_review():
    rem = price(booking(), provided(additional_service=True), None, BOOK)
    assert "additional_service_to_review" in rem.flags and str(rem.total) == "82.00"


# ---- Cancellations -------------------------------------------------------------------------------

def test_late_cancellation_over_a_holiday_weekend_is_late():
    # Thursday before Good Friday 2025, 10:00, for Monday 2025-04-21 10:00: 14 h + 10 h.
    b = booking(start=(2025, 4, 21, 10, 0), status="cancelled", cancelled_at=at(2025, 4, 17, 10))
    rem = price(b, None, None, BOOK)
    assert rem.inputs["late_cancellation"] is True and str(rem.total) == "82.00"


def test_late_cancellation_pays_the_planned_time_and_communications_before_it():
    b = booking("in_person", start=(2025, 3, 5, 14, 0), minutes=150, status="cancelled",
                cancelled_at=at(2025, 3, 4, 10, 0))
    report = {"provided": False, "reason": "Annulé", "cancelled_at": at(2025, 3, 4, 10, 0),
              "communications": calls(at(2025, 3, 3, 9, 0), at(2025, 3, 4, 11, 0))}
    rem = price(b, report, None, BOOK)
    assert str(rem.lines["demande"]) == "102.50"
    assert str(rem.lines["phone_communications"]) == "10.25"
    assert "communication_after_cancellation" in rem.flags


def test_no_show_report_is_a_late_cancellation_with_mileage():
    start = (2025, 3, 4, 11, 0)
    report = {"provided": False, "reason": "Usager absent", "cancelled_at": at(*start),
              "distance_km": "20", "communications": []}
    rem = price(booking("in_person", start=start), report, None, BOOK)
    assert rem.inputs["late_cancellation"] is True
    assert str(rem.lines["demande"]) == "82.00" and str(rem.lines["distance"]) == "19.20"


def test_early_cancellation_pays_no_mileage_or_fees():
    b = booking("in_person", start=(2025, 3, 10, 9, 0), status="cancelled",
                cancelled_at=at(2025, 3, 3, 9, 0))
    report = {"provided": False, "reason": "Annulé", "cancelled_at": at(2025, 3, 3, 9, 0),
              "distance_km": "40", "other_fees_cents": 900}
    assert str(price(b, report, None, BOOK, attachments=RECEIPT).total) == "0.00"


def test_explicit_cancelled_at_wins():
    b = booking(start=(2025, 3, 6, 9, 0), status="cancelled", cancelled_at=at(2025, 3, 3, 9, 0))
    assert str(price(b, None, None, BOOK, cancelled_at=at(2025, 3, 5, 9)).total) == "82.00"


def test_cancelled_booking_without_a_time_is_an_error():
    with pytest.raises(ValueError):
        price(booking(status="cancelled"), None, None, BOOK)


# ---- Taxes and output ----------------------------------------------------------------------------

def test_taxes_follow_the_registration_dates():
    tax = {"gst_registered": True, "qst_registered": True,
           "gst_from": date(2025, 1, 1), "gst_to": None, "qst_from": "2025-03-05", "qst_to": None}
    rem = price(booking(), provided(), tax, BOOK)
    assert (str(rem.gst), str(rem.qst), str(rem.total)) == ("4.10", "0.00", "86.10")
    ended = {**tax, "gst_to": "2025-03-03"}
    assert str(price(booking(), provided(), ended, BOOK).gst) == "0.00"


def test_to_dict_holds_strings_and_json_types_only():
    rem = price(booking("in_person"), provided(distance_km="30", other_fees_cents=500),
                BOTH_TAXES, BOOK, attachments=RECEIPT)
    d = rem.to_dict()
    assert d["total"] == str(rem.total) and d["policy_version"] == "BI-2024-11-04"
    assert all(isinstance(d[k], str) for k in LINES)
    assert not any(isinstance(v, float) for v in list(d.values()) + list(d["inputs"].values()))
    assert label("travel_time") == "Rémunération du temps de déplacement"
    assert label("phone_communications", "en") == "Phone communications"
    # 82.00 + 28.80 (30 km x 2 x 0.48) + 5.00 = 115.80; GST 5.79; QST 11.55105 -> 11.55
    assert (d["subtotal"], d["gst"], d["qst"]) == ("115.80", "5.79", "11.55")
    assert rem.total.format("fr") == "133,14\u00a0$"


def test_float_inputs_are_refused():
    with pytest.raises(TypeError):
        price(booking(), provided(distance_km=15.0), None, BOOK)
    with pytest.raises(TypeError):
        price(booking(), provided(other_fees_cents=12.5), None, BOOK)


# ---- Properties ----------------------------------------------------------------------------------

TIMED = ("in_person", "phone", "video", "professional_service")
ALL_MODES = TIMED + ("message_transmission", "document_translation")


@st.composite
def cases(draw):
    mode = draw(st.sampled_from(ALL_MODES))
    day = draw(st.dates(min_value=date(2024, 6, 1), max_value=date(2026, 12, 31)))
    start = (day.year, day.month, day.day, draw(st.integers(0, 23)), draw(st.sampled_from((0, 15, 30, 45))))
    planned = draw(st.integers(15, 720)) if mode in TIMED else None
    start_at = datetime(*start, tzinfo=MONTREAL)
    moments = st.integers(-20 * 24 * 60, 0).map(
        lambda m: (start_at + timedelta(minutes=m)).astimezone(timezone.utc).isoformat())
    report = provided(start=start, minutes=draw(st.integers(1, 1440)),
                      overtime_reason=draw(st.sampled_from((None, "", "Prolongation"))),
                      distance_km=str(draw(st.decimals(0, 300, places=2))),
                      travel_minutes=draw(st.integers(0, 300)), wait_minutes=draw(st.integers(0, 120)),
                      communications=calls(*draw(st.lists(moments, max_size=4))),
                      words=draw(st.integers(0, 3000)), other_fees_cents=draw(st.integers(0, 50000)),
                      additional_service=draw(st.booleans()))
    b = booking(mode, start=start, minutes=planned)
    cancelled = draw(st.none() | moments)
    if cancelled is not None:
        b.update(status="cancelled", cancelled_at=cancelled)
        report.update(provided=False, cancelled_at=cancelled, reason="Annulé")
    tax = {"gst_registered": draw(st.booleans()), "qst_registered": draw(st.booleans())}
    return b, draw(st.none() | st.just(report)), tax, draw(st.sampled_from(((), RECEIPT)))


@settings(max_examples=300, deadline=None)
@given(cases())
def test_properties_of_every_remuneration(case):
    b, report, tax, attachments = case
    rem = price(b, report, tax, BOOK, attachments=attachments)
    money = [rem.lines[k] for k in LINES] + [rem.gst, rem.qst]
    assert all(m >= Money(0) for m in money)
    assert rem.subtotal == sum((rem.lines[k] for k in LINES), Money(0))
    assert rem.total == rem.subtotal + rem.gst + rem.qst
    d = rem.to_dict()
    assert Decimal(d["total"]) == sum(Decimal(d[k]) for k in LINES + ("gst", "qst"))
    if b["mode"] in TIMED and "billed_minutes" in rem.inputs:
        assert rem.inputs["billed_minutes"] % 15 == 0 and rem.inputs["billed_minutes"] >= 120
        assert rem.inputs["billed_minutes"] >= b["duration_minutes"]
    # Pure: the same inputs always give the same result.
    assert price(b, report, tax, BOOK, attachments=attachments).to_dict() == d


def test_actual_times_outside_the_policys_window_are_flagged_and_explained():
    """Booking refuses the absurd (future, another day); payroll flags the unusual: actual times
    beyond the policy's window around the slot (2 h before the start, 4 h after the planned end)."""
    on_time = price(booking(), provided(), None, BOOK)
    assert "actual_times_outside_window" not in on_time.flags
    next_morning = price(booking(), provided(start=(2025, 3, 5, 8, 0)), None, BOOK)
    assert "actual_times_outside_window" in next_morning.flags and next_morning.total == Money.of("82.00")
    assert "heures réelles hors de la plage permise" in next_morning.rules["demande"]["fr"]
    assert "actual times outside the window" in next_morning.rules["demande"]["en"]
    early = price(booking(), provided(start=(2025, 3, 4, 8, 30)), None, BOOK)   # 2 h 30 before 11:00
    assert "actual_times_outside_window" in early.flags
    narrow = PolicyBook([CURRENT_POLICY.derive(report_window_before_minutes=0, report_window_after_minutes=0)])
    assert "actual_times_outside_window" in price(booking(), provided(start=(2025, 3, 4, 10, 55)), None,
                                                  narrow).flags


def test_every_line_names_its_rule_and_policy_in_both_languages():
    rem = price(booking(), provided(), None, BOOK)
    assert rem.rules["demande"] == {"fr": "2 h minimum à 41,00\u00a0$/h, politique BI-2024-11-04",
                                    "en": "2 h minimum at $41.00/h, policy BI-2024-11-04"}
    assert set(rem.rules) == set(LINES)
    for texts in rem.rules.values():
        assert texts["fr"].endswith("politique BI-2024-11-04") and texts["en"].endswith("policy BI-2024-11-04")
    assert rem.to_dict()["rules"] == {k: dict(v) for k, v in rem.rules.items()}

