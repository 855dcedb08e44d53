"""Checks of booking fields, service reports, attachments, numbers and local time (no I/O)."""
from __future__ import annotations

import base64
from datetime import datetime, timezone

import pytest

from ims_common.errors import Conflict, Forbidden, ValidationFailed
from services.booking.domain import numbering
from services.booking.domain.attachments import check_attachment
from services.booking.domain.booking import prepare_create
from services.booking.domain.report import check_report

from .scenario import ALICE, COORD, FIELDS, NOW, REQUESTER, not_provided_report, provided_report


def fields_error(actor, fields) -> dict:
    with pytest.raises(ValidationFailed) as info:
        prepare_create(actor, fields, NOW)
    return info.value.fields


def test_requester_creates_for_their_own_establishment():
    prefix, data = prepare_create(REQUESTER, dict(FIELDS, establishment="CHUM"), NOW)
    assert prefix == "HC" and data["establishment"] == "HC" and data["status"] == "pending"
    assert data["start_at"] == "2024-09-03T13:30:00Z" and data["end_at"] == "2024-09-03T15:30:00Z"
    assert data["requester_name"] == "Rita Demandeuse" and data["due_date"] is None


def test_coordinator_names_the_establishment():
    assert fields_error(COORD, FIELDS) == {"establishment": ["field.required"]}
    prefix, data = prepare_create(COORD, dict(FIELDS, establishment=" chum "), NOW)
    assert prefix == "CHUM" and data["establishment"] == "CHUM"
    assert fields_error(COORD, dict(FIELDS, establishment="H-C")) == {"establishment": ["field.invalid_format"]}


def test_who_may_create():
    with pytest.raises(Forbidden):
        prepare_create(ALICE, FIELDS, NOW)
    with pytest.raises(Forbidden) as info:
        prepare_create({"user_id": "U1", "role": "requester"}, FIELDS, NOW)
    assert info.value.code == "booking.no_establishment"


@pytest.mark.parametrize("change, expected", [
    ({"source_language": {"$ne": ""}}, {"source_language": ["field.not_a_string"]}),
    ({"source_language": "  "}, {"source_language": ["field.required"]}),
    ({"duration_minutes": "deux heures"}, {"duration_minutes": ["field.not_an_integer"]}),
    ({"duration_minutes": 10}, {"duration_minutes": ["field.out_of_range"]}),
    ({"duration_minutes": 721}, {"duration_minutes": ["field.out_of_range"]}),
    ({"duration_minutes": True}, {"duration_minutes": ["field.not_an_integer"]}),
    ({"comments": "x" * 2001}, {"comments": ["field.too_long"]}),
    ({"facility": "x" * 201}, {"facility": ["field.too_long"]}),
    ({"unexpected": 1}, {"unexpected": ["field.unknown"]}),
    ({"mode": "telepathy"}, {"mode": ["field.not_one_of"]}),
    ({"date": "2024-02-30"}, {"date": ["field.invalid_date"]}),
    ({"date": "03/09/2024"}, {"date": ["field.invalid_date"]}),
    ({"start_time": "25:00"}, {"start_time": ["field.invalid_time"]}),
    ({"start_time": None}, {"start_time": ["field.required"]}),
    ({"video_link": "javascript:alert(1)"}, {"video_link": ["field.invalid_url"]}),
    ({"requester_email": "nobody"}, {"requester_email": ["field.invalid_email"]}),
    ({"comments": "a\x00b"}, {"comments": ["field.invalid_characters"]}),
])
def test_invalid_fields_are_named(change, expected):
    assert fields_error(REQUESTER, dict(FIELDS, **change)) == expected


def test_fields_must_be_an_object():
    assert fields_error(REQUESTER, ["x"]) == {"_schema": ["field.not_an_object"]}


def test_required_fields_all_at_once():
    assert set(fields_error(COORD, {})) == {"source_language", "target_language", "mode", "establishment"}


def test_local_time_across_seasons_and_the_skipped_hour():
    _, winter = prepare_create(REQUESTER, dict(FIELDS, date="2024-12-03"), NOW)
    assert winter["start_at"] == "2024-12-03T14:30:00Z"
    assert fields_error(REQUESTER, dict(FIELDS, date="2025-03-09", start_time="02:30")) == {
        "start_time": ["time.nonexistent"]}


def test_due_date_modes():
    fields = dict(FIELDS, mode="message_transmission", due_date="2024-09-10")
    _, data = prepare_create(REQUESTER, fields, NOW)
    assert data["start_at"] == "2024-09-10T04:00:00Z" and data["end_at"] == "2024-09-11T04:00:00Z"
    assert data["date"] is None and data["start_time"] is None and data["duration_minutes"] is None
    assert fields_error(REQUESTER, dict(FIELDS, mode="document_translation")) == {"due_date": ["field.required"]}


# --- service report -----------------------------------------------------------------------------

def report_error(report, planned=120) -> dict:
    with pytest.raises(ValidationFailed) as info:
        check_report(report, planned)
    return info.value.fields


def test_report_defaults_and_normalizes():
    report = check_report({"provided": True, "actual_start": "2024-09-03T09:30:00-04:00",
                           "actual_end": "2024-09-03T11:00:00-04:00", "distance_km": "16,5"}, 120)
    assert report == {"provided": True, "wait_minutes": 0, "distance_km": "16.50", "travel_minutes": 0,
                      "communications": [], "words": 0, "other_fees_cents": 0, "comments": None,
                      "actual_start": "2024-09-03T13:30:00Z", "actual_end": "2024-09-03T15:00:00Z",
                      "actual_minutes": 90, "overtime_reason": None, "additional_service": False}
    assert check_report(dict(report), 120) == report     # what was read can be sent back


@pytest.mark.parametrize("change, expected", [
    ({"actual_end": "2024-09-03T09:00:00-04:00"}, {"actual_end": ["field.date_order"]}),
    ({"actual_end": "2024-09-03T11:45:00-04:00"}, {"overtime_reason": ["report.overtime_reason_required"]}),
    ({"actual_start": "2024-09-03T09:30:00"}, {"actual_start": ["field.invalid_datetime"]}),
    ({"distance_km": 12.5}, {"distance_km": ["field.invalid_decimal"]}),
    ({"distance_km": "12.505"}, {"distance_km": ["field.invalid_decimal"]}),
    ({"distance_km": "-3"}, {"distance_km": ["field.invalid_decimal"]}),
    ({"wait_minutes": -1}, {"wait_minutes": ["field.out_of_range"]}),
    ({"other_fees_cents": 12.5}, {"other_fees_cents": ["field.not_an_integer"]}),
    ({"communications": [{"at": "hier", "purpose": ""}]},
     {"communications.0.at": ["field.invalid_datetime"], "communications.0.purpose": ["field.required"]}),
    ({"communications": [{"at": "2024-09-01T10:00:00Z", "purpose": "x"}] * 51}, {"communications": ["field.too_many"]}),
    ({"reason": "x"}, {"reason": ["field.unknown"]}),
    ({"provided": "oui"}, {"provided": ["field.not_a_boolean"]}),
])
def test_invalid_reports_are_named(change, expected):
    assert report_error(provided_report(**change)) == expected


def test_overtime_with_a_reason_is_accepted():
    report = check_report(provided_report(actual_end="2024-09-03T11:45:00-04:00", overtime_reason="Urgence"), 120)
    assert report["actual_minutes"] == 135


def test_not_provided_form():
    report = check_report(not_provided_report(), 120)
    assert report["reason"] == "Annulation tardive" and report["cancelled_at"] == "2024-08-27T13:00:00Z"
    assert report_error(not_provided_report(reason=None, actual_start="x")) == {
        "actual_start": ["field.unknown"], "reason": ["field.required"]}


# --- attachments --------------------------------------------------------------------------------

def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


@pytest.mark.parametrize("content_type, content", [
    ("image/png", b"\x89PNG\r\n\x1a\n" + b"0" * 10), ("application/pdf", b"%PDF-1.7 ..."),
    ("image/heic", b"\x00\x00\x00\x18ftypheic" + b"0" * 10), ("IMAGE/JPEG", b"\xff\xd8\xff\xe1..")])
def test_allowed_attachment_types(content_type, content):
    meta, data = check_attachment({"filename": "f", "content_type": content_type, "content_base64": b64(content)})
    assert data == content and meta["size"] == len(content) and meta["content_type"] == content_type.lower()


@pytest.mark.parametrize("payload, expected", [
    ({"content_type": "text/html", "content_base64": b64(b"<script>")}, {"content_type": ["file.type_not_allowed"]}),
    ({"content_type": "image/png", "content_base64": b64(b"MZ\x90\x00")}, {"content_base64": ["file.type_mismatch"]}),
    ({"content_type": "image/png", "content_base64": "***"}, {"content_base64": ["field.invalid_base64"]}),
    ({"content_type": "application/pdf", "content_base64": b64(b"%PDF-" + b"0" * (10 * 1024 * 1024))},
     {"content_base64": ["file.too_large"]}),
    ({"content_type": "image/png", "content_base64": ""}, {"content_base64": ["field.required"]}),
])
def test_refused_attachments(payload, expected):
    with pytest.raises(ValidationFailed) as info:
        check_attachment(dict(payload, filename="f"))
    assert info.value.fields == expected


# --- numbers ------------------------------------------------------------------------------------

def test_booking_number_uses_the_montreal_creation_day():
    assert numbering.number("HC", NOW, 2) == "HC-24240002"
    just_before_midnight = datetime(2025, 1, 1, 4, 30, tzinfo=timezone.utc)   # 23:30 on Dec 31 in Montreal
    assert numbering.number("CHUM", just_before_midnight, 17) == "CHUM-24366017"
    with pytest.raises(Conflict):
        numbering.number("HC", NOW, 1000)
    assert numbering.is_number("HC-24240002") and not numbering.is_number("HC-2424000")
    assert not numbering.is_number({"$ne": 1})


def test_a_report_cannot_be_dated_in_the_future_of_its_recording():
    at = datetime(2024, 9, 3, 16, 0, tzinfo=timezone.utc)            # 12:00 EDT, after the 09:30 service
    with pytest.raises(ValidationFailed) as info:
        check_report(provided_report(actual_start="2099-09-03T09:30:00-04:00",
                                     actual_end="2099-09-03T11:30:00-04:00"), 120, now=at)
    assert info.value.fields == {"actual_start": ["field.future"], "actual_end": ["field.future"]}
    late = provided_report(communications=[{"at": "2024-09-03T12:30:00-04:00", "purpose": "Rappel"}])
    with pytest.raises(ValidationFailed) as info:
        check_report(late, 120, now=at)
    assert info.value.fields == {"communications.0.at": ["field.future"]}
    with pytest.raises(ValidationFailed) as info:
        check_report(not_provided_report(cancelled_at="2024-09-04T09:00:00-04:00"), 120, now=at)
    assert info.value.fields == {"cancelled_at": ["field.future"]}
    # A few minutes of clock skew are tolerated.
    assert check_report(provided_report(actual_end="2024-09-03T12:04:00-04:00", overtime_reason="Retard"),
                        120, now=at)["actual_minutes"] == 154


def test_a_timed_service_starts_within_a_day_of_its_slot():
    slot = datetime(2024, 9, 3, 13, 30, tzinfo=timezone.utc)
    at = datetime(2024, 9, 10, tzinfo=timezone.utc)
    with pytest.raises(ValidationFailed) as info:
        check_report(provided_report(actual_start="2020-09-03T09:30:00-04:00",
                                     actual_end="2020-09-03T11:30:00-04:00"), 120, now=at, slot_start=slot)
    assert info.value.fields == {"actual_start": ["report.far_from_slot"]}
    ok = check_report(provided_report(actual_start="2024-09-04T08:00:00-04:00",
                                      actual_end="2024-09-04T10:00:00-04:00"), 120, now=at, slot_start=slot)
    assert ok["actual_minutes"] == 120        # the next morning: unusual (payroll flags it), not refused


def test_a_withdrawal_records_only_communications_already_made():
    from .scenario import Booking, accepted, offered
    booking = Booking().given(offered(ALICE), accepted(ALICE))
    with pytest.raises(ValidationFailed) as info:
        booking.when(ALICE, "withdraw", {"communications": [{"at": "2024-08-28T10:00:00-04:00", "purpose": "Appel"}]})
    assert info.value.fields == {"communications.0.at": ["field.future"]}
