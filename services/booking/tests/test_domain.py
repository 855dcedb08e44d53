"""Booking lifecycle rules: given events, when a command, then events or an error (no I/O)."""
from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.booking.domain.access import can_see, view

from .scenario import (ADMIN, AFTER_END, AFTER_START, ALICE, BRUNO, CLARA, COORD, NOW, OTHER_REQUESTER, REQUESTER,
                       START, Booking, accepted, not_provided_report, offered, provided_report)

JPEG = base64.b64encode(b"\xff\xd8\xff\xe0" + b"0" * 100).decode()


def refused(kind, code, booking, actor, command, payload=None, now=NOW):
    with pytest.raises(kind) as info:
        booking.when(actor, command, payload, now=now)
    assert info.value.code == code, info.value
    return info.value


def booked_by_alice():
    return Booking().given(offered(ALICE, BRUNO), accepted(ALICE))


def provided():
    booking = booked_by_alice()
    booking.when(ALICE, "report", provided_report(), now=AFTER_END)
    return booking


def closed():
    booking = provided()
    booking.when(COORD, "close", {"comment": "Conforme"})
    return booking


# --- offer, decline, accept, assign -------------------------------------------------------------

def test_offer_by_coordinator_or_admin_keeps_pending():
    booking = Booking()
    assert booking.when(COORD, "offer", {"interpreter_ids": ["UBIPN0001", "UBIPN0001"]}) == [
        ("BookingOffered", {"interpreter_ids": ["UBIPN0001"]})]
    booking.when(ADMIN, "offer", {"interpreter_ids": ["UBIPN0002"]})
    assert booking.status == "pending" and booking.state["offered_to"] == ["UBIPN0001", "UBIPN0002"]


def test_offer_needs_staff_and_interpreters():
    refused(Forbidden, "booking.forbidden_role", Booking(), REQUESTER, "offer", {"interpreter_ids": ["X"]})
    error = refused(ValidationFailed, "request.invalid", Booking(), COORD, "offer", {"interpreter_ids": []})
    assert error.fields == {"interpreter_ids": ["field.required"]}


def test_declined_offer_disappears_for_that_interpreter_until_offered_again():
    booking = Booking().given(offered(ALICE, BRUNO))
    assert booking.when(BRUNO, "decline", {"reason": "Non disponible"}) == [
        ("BookingDeclined", {"interpreter_id": BRUNO["user_id"], "reason": "Non disponible"})]
    assert not can_see(BRUNO, booking.state) and can_see(ALICE, booking.state)
    refused(NotFound, "booking.not_found", booking, BRUNO, "accept")
    refused(NotFound, "booking.not_found", booking, BRUNO, "decline")
    booking.given(offered(BRUNO))
    assert can_see(BRUNO, booking.state) and booking.state["declined_by"] == []
    assert booking.when(BRUNO, "accept") == [  # ALICE's open offer is withdrawn: she is told
        ("BookingAccepted", {"interpreter_id": BRUNO["user_id"]}),
        ("OffersWithdrawn", {"interpreter_ids": [ALICE["user_id"]], "reason": "taken"})]


def test_first_accept_wins():
    booking = Booking().given(offered(ALICE, BRUNO))
    booking.when(ALICE, "accept")
    assert booking.status == "booked" and booking.state["assigned_interpreter_id"] == ALICE["user_id"]
    refused(Conflict, "booking.already_taken", booking, BRUNO, "accept")
    error = refused(Conflict, "booking.wrong_status", booking, ALICE, "accept")
    assert error.params == {"status": "booked", "command": "accept"}
    refused(Conflict, "booking.wrong_status", booking, ALICE, "decline")


def test_only_interpreters_accept_and_only_offered_ones_see_it():
    booking = Booking().given(offered(ALICE))
    refused(Forbidden, "booking.forbidden_role", booking, COORD, "accept")
    refused(NotFound, "booking.not_found", booking, CLARA, "accept")


def test_coordinator_assigns_any_interpreter_who_then_sees_it():
    booking = Booking().given(offered(ALICE))
    assert booking.when(COORD, "assign", {"interpreter_id": CLARA["user_id"]}) == [
        ("BookingAssigned", {"interpreter_id": CLARA["user_id"], "override": None}),
        ("OffersWithdrawn", {"interpreter_ids": [ALICE["user_id"]], "reason": "taken"})]
    assert booking.status == "booked" and can_see(CLARA, booking.state)
    refused(Conflict, "booking.wrong_status", booking, COORD, "assign", {"interpreter_id": "X"})
    refused(Forbidden, "booking.forbidden_role", Booking(), REQUESTER, "assign", {"interpreter_id": "X"})


# --- modify ---------------------------------------------------------------------------------------

def test_modify_pending_stays_pending_and_moves_the_slot():
    booking = Booking()
    [(kind, data)] = booking.when(REQUESTER, "modify", {"start_time": "10:00", "comments": "Salle 3"})
    assert kind == "BookingModified" and data["status"] == "pending"
    assert data["changes"] == {"start_time": "10:00", "comments": "Salle 3",
                               "start_at": "2024-09-03T14:00:00Z", "end_at": "2024-09-03T16:00:00Z"}
    assert booking.state["start_at"] == "2024-09-03T14:00:00Z"


def test_modify_booked_becomes_modified_and_the_assigned_interpreter_reconfirms():
    booking = booked_by_alice()
    booking.when(COORD, "modify", {"duration_minutes": 180})
    assert booking.status == "modified"
    booking.when(REQUESTER, "modify", {"note_to_interpreter": "Apporter un badge"})
    assert booking.status == "modified"
    refused(Conflict, "booking.already_taken", booking, BRUNO, "accept")
    booking.when(ALICE, "accept")
    assert booking.status == "booked" and booking.state["duration_minutes"] == 180


def test_modify_without_change_decides_nothing():
    booking = Booking()
    assert booking.when(REQUESTER, "modify", {"start_time": "09:30", "mode": "in_person"}) == []
    assert booking.status == "pending" and len(booking.events) == 1


def test_modify_rules():
    refused(Forbidden, "booking.forbidden_role", booked_by_alice(), ALICE, "modify", {"comments": "x"})
    error = refused(ValidationFailed, "request.invalid", Booking(), COORD, "modify", {"establishment": "CHUM"})
    assert error.fields == {"establishment": ["field.readonly"]}
    for booking in (provided(), closed()):
        refused(Conflict, "booking.wrong_status", booking, COORD, "modify", {"comments": "x"})


def test_changing_to_a_translation_needs_a_due_date_and_drops_the_time_slot():
    booking = Booking()
    error = refused(ValidationFailed, "request.invalid", booking, COORD, "modify", {"mode": "document_translation"})
    assert error.fields == {"due_date": ["field.required"]}
    [(_, data)] = booking.when(COORD, "modify", {"mode": "document_translation", "due_date": "2024-09-10"})
    assert data["changes"]["date"] is None and data["changes"]["start_time"] is None
    assert data["changes"]["start_at"] == "2024-09-10T04:00:00Z"


# --- withdraw, cancel -----------------------------------------------------------------------------

def test_assigned_interpreter_withdraws_more_than_48_hours_before():
    booking = booked_by_alice()
    comm = [{"at": "2024-08-26T14:10:00-04:00", "purpose": "Confirmation du rendez-vous"}]
    [(kind, data)] = booking.when(ALICE, "withdraw", {"reason": "Malade", "communications": comm},
                                  now=START - timedelta(hours=48, minutes=1))
    assert kind == "BookingWithdrawn" and data["interpreter_id"] == ALICE["user_id"]
    assert data["communications"] == [{"at": "2024-08-26T18:10:00Z", "purpose": "Confirmation du rendez-vous",
                                       "requested_by": None}]
    assert booking.status == "pending" and booking.state["assigned_interpreter_id"] is None
    assert not can_see(ALICE, booking.state)   # "la demande va alors disparaître de votre liste"


def test_withdraw_within_48_hours_must_go_through_the_bank():
    booking = booked_by_alice()
    refused(Conflict, "booking.withdraw_too_late", booking, ALICE, "withdraw", now=START - timedelta(hours=48))
    refused(NotFound, "booking.not_found", booking, BRUNO, "withdraw", now=NOW)   # his offer went to Alice
    booking.when(COORD, "withdraw", {"reason": "Appel de l'interprète"}, now=START - timedelta(hours=1))
    assert booking.status == "pending"
    refused(Conflict, "booking.wrong_status", booking, COORD, "withdraw")


def test_requester_cancels_and_the_time_is_recorded():
    booking = booked_by_alice()
    assert booking.when(REQUESTER, "cancel", {"reason": "Usager hospitalisé"}) == [
        ("BookingCancelled", {"cancelled_at": "2024-08-27T14:00:00Z", "reason": "Usager hospitalisé",
                              "previous_status": "booked"})]
    assert booking.status == "cancelled" and booking.state["assigned_interpreter_id"] == ALICE["user_id"]
    refused(Conflict, "booking.wrong_status", booking, COORD, "cancel", {"reason": "encore"})


def test_cancel_rules():
    refused(Forbidden, "booking.forbidden_role", booked_by_alice(), ALICE, "cancel", {"reason": "x"})
    assert refused(ValidationFailed, "request.invalid", Booking(), REQUESTER, "cancel").fields == {
        "reason": ["field.required"]}
    error = refused(ValidationFailed, "request.invalid", Booking(), REQUESTER, "cancel",
                    {"reason": "x", "cancelled_at": "2024-08-26T10:00:00-04:00"})
    assert error.fields == {"cancelled_at": ["field.staff_only"]}
    error = refused(ValidationFailed, "request.invalid", Booking(), COORD, "cancel",
                    {"reason": "x", "cancelled_at": "2024-08-28T10:00:00-04:00"})
    assert error.fields == {"cancelled_at": ["field.future"]}
    [(_, data)] = Booking().when(COORD, "cancel", {"reason": "Appel", "cancelled_at": "2024-08-26T10:00:00-04:00"})
    assert data["cancelled_at"] == "2024-08-26T14:00:00Z" and data["previous_status"] == "pending"


# --- report, correct, attachments, close ----------------------------------------------------------

def test_report_opens_at_the_start_time():
    booking = booked_by_alice()
    error = refused(Conflict, "booking.report_too_early", booking, ALICE, "report", provided_report(),
                    now=START - timedelta(seconds=1))
    assert error.params == {"start_at": "2024-09-03T13:30:00Z"}
    # At the start a service cannot be over yet: a report of a service not provided (no show).
    refused(ValidationFailed, "request.invalid", booking, ALICE, "report", provided_report(), now=START)
    [(kind, data)] = booking.when(ALICE, "report", not_provided_report(cancelled_at="2024-09-03T09:30:00-04:00",
                                                                       distance_km="12.5"), now=START)
    assert kind == "ServiceProvided" and data["interpreter_id"] == ALICE["user_id"]
    assert data["report"]["provided"] is False and data["report"]["distance_km"] == "12.50"
    assert booking.status == "service_provided"
    refused(Conflict, "booking.wrong_status", booking, ALICE, "report", provided_report(), now=AFTER_START)


def test_only_the_assigned_interpreter_reports():
    booking = booked_by_alice()
    refused(NotFound, "booking.not_found", booking, BRUNO, "report", provided_report(), now=AFTER_START)
    refused(Forbidden, "booking.forbidden_role", booking, COORD, "report", provided_report(), now=AFTER_START)


def test_translation_reports_any_time():
    booking = Booking({"mode": "document_translation", "due_date": "2024-09-10"}).given(
        (COORD, "assign", {"interpreter_id": ALICE["user_id"]}))
    report = provided_report(actual_start="2024-08-27T08:00:00-04:00", actual_end="2024-08-27T09:00:00-04:00",
                             words=350)
    booking.when(ALICE, "report", report, now=NOW)
    assert booking.status == "service_provided" and booking.state["report"]["words"] == 350


def test_cancelled_booking_takes_a_report_of_communications_any_time():
    booking = booked_by_alice()
    booking.when(REQUESTER, "cancel", {"reason": "Rendez-vous annulé"})
    error = refused(ValidationFailed, "request.invalid", booking, ALICE, "report", provided_report())
    assert error.fields == {"provided": ["report.cancelled_not_provided"]}
    booking.when(ALICE, "report", not_provided_report(), now=NOW)     # before the start time
    assert booking.status == "cancelled" and len(booking.state["report"]["communications"]) == 1
    refused(Conflict, "booking.already_reported", booking, ALICE, "report", not_provided_report())
    booking.when(ALICE, "correct-report", not_provided_report(words=10))
    assert booking.state["report"]["words"] == 10


def test_correction_by_interpreter_until_close_then_coordinator_only():
    booking = provided()
    assert booking.when(ALICE, "correct-report", provided_report(comments="Corrigé"), now=AFTER_END)[0][1]["by_role"] == "interpreter"
    booking.when(COORD, "close", {})
    assert booking.status == "closed" and booking.state["closed_at"]
    refused(Conflict, "booking.validated", booking, ALICE, "correct-report", provided_report(), now=AFTER_END)
    [(kind, data)] = booking.when(COORD, "correct-report", provided_report(wait_minutes=15), now=AFTER_END)
    assert kind == "ServiceReportCorrected" and data["by_role"] == "coordinator"
    assert booking.when(ADMIN, "correct-report", provided_report(), now=AFTER_END)[0][1]["by_role"] == "admin"
    assert booking.status == "closed"


def test_correction_needs_a_report():
    refused(Conflict, "booking.wrong_status", booked_by_alice(), ALICE, "correct-report", provided_report())
    booking = Booking().given((COORD, "cancel", {"reason": "x"}))
    refused(Conflict, "booking.no_report", booking, COORD, "correct-report", not_provided_report())


def test_after_close_nothing_but_a_coordinator_correction():
    booking = closed()
    for actor, command, payload in [
            (COORD, "modify", {"comments": "x"}), (COORD, "cancel", {"reason": "x"}),
            (COORD, "withdraw", {}), (ALICE, "report", provided_report()), (COORD, "close", {}),
            (ALICE, "attachments", {"filename": "r.jpg", "content_type": "image/jpeg", "content_base64": JPEG}),
            (COORD, "offer", {"interpreter_ids": ["X"]}), (COORD, "assign", {"interpreter_id": "X"})]:
        refused(Conflict, "booking.wrong_status", booking, actor, command, payload, now=AFTER_START)


def test_attachment_event_carries_metadata_and_the_bytes_go_to_the_blob():
    booking = provided()
    [(kind, data)] = booking.when(ALICE, "attachments", {
        "filename": "C:\\photos\\recu.jpg", "content_type": "image/jpeg", "content_base64": JPEG,
        "description": "Stationnement"})
    meta = data["attachment"]
    assert kind == "AttachmentAdded" and meta["filename"] == "recu.jpg" and meta["size"] == 104
    assert "content_base64" not in meta
    key, content, content_type = booking.last_decision.blob
    assert key == meta["id"] and content.startswith(b"\xff\xd8") and content_type == "image/jpeg"
    assert booking.state["attachments"][0]["added_by"] == ALICE["user_id"]


def test_attachment_rules():
    payload = {"filename": "r.jpg", "content_type": "image/jpeg", "content_base64": JPEG}
    refused(Forbidden, "booking.forbidden_role", booked_by_alice(), REQUESTER, "attachments", payload)
    refused(NotFound, "booking.not_found", booked_by_alice(), BRUNO, "attachments", payload)
    refused(Conflict, "booking.already_taken", booked_by_alice(), BRUNO, "accept")   # says only that
    booking = booked_by_alice()
    for _ in range(30):
        booking.when(COORD, "attachments", payload)
    refused(Conflict, "booking.too_many_attachments", booking, ALICE, "attachments", payload)


def test_close_only_validates_a_provided_service_or_a_cancellation_that_pays():
    refused(Conflict, "booking.wrong_status", booked_by_alice(), COORD, "close")
    refused(Forbidden, "booking.forbidden_role", provided(), ALICE, "close")
    nobody = Booking().given((COORD, "cancel", {"reason": "x"}))
    refused(Conflict, "booking.nothing_to_validate", nobody, COORD, "close")


def test_a_cancelled_booking_with_a_report_is_validated_and_then_only_the_bank_corrects_it():
    booking = booked_by_alice()
    booking.when(REQUESTER, "cancel", {"reason": "Rendez-vous annulé"})
    booking.when(ALICE, "report", not_provided_report())
    assert booking.when(COORD, "close", {"comment": "Communications vérifiées"}) == [
        ("BookingClosed", {"comment": "Communications vérifiées"})]
    assert booking.status == "cancelled" and booking.state["closed_at"]   # still cancelled, now validated
    refused(Conflict, "booking.validated", booking, COORD, "close")
    refused(Conflict, "booking.validated", booking, ALICE, "correct-report", not_provided_report(words=3))
    refused(Conflict, "booking.validated", booking, ALICE, "attachments",
            {"filename": "r.jpg", "content_type": "image/jpeg", "content_base64": JPEG})
    [(kind, data)] = booking.when(COORD, "correct-report", not_provided_report(words=3))
    assert kind == "ServiceReportCorrected" and data["by_role"] == "coordinator"


def test_a_late_cancellation_without_report_and_a_withdrawal_with_communications_are_validated_too():
    late = booked_by_alice()
    late.when(REQUESTER, "cancel", {"reason": "x"})      # paid as planned when late: the bank validates it
    late.when(COORD, "close", {})
    refused(Conflict, "booking.validated", late, ALICE, "report", not_provided_report())
    withdrawn = booked_by_alice()
    withdrawn.when(ALICE, "withdraw", {"communications": [{"at": "2024-08-27T08:00:00-04:00", "purpose": "Appel"}]})
    withdrawn.when(REQUESTER, "cancel", {"reason": "x"})
    assert withdrawn.when(COORD, "close", {})[0][0] == "BookingClosed"


# --- object-level authorization and views ------------------------------------------------------------

@pytest.mark.parametrize("command", ["offer", "decline", "accept", "assign", "modify", "withdraw", "cancel",
                                     "report", "correct-report", "attachments", "close"])
def test_outsiders_get_not_found_on_every_command(command):
    booking = booked_by_alice()
    for outsider in (CLARA, OTHER_REQUESTER, {"user_id": "UREQ9", "role": "requester"}):
        refused(NotFound, "booking.not_found", booking, outsider, command, {})


def test_unknown_command_and_unknown_role():
    assert refused(ValidationFailed, "request.invalid", Booking(), COORD, "delete").fields == {
        "command": ["command.unknown"]}
    refused(Forbidden, "booking.forbidden_role", Booking(), {"user_id": "X", "role": "root"}, "close")
    refused(Forbidden, "booking.forbidden_role", Booking(), {"role": "coordinator"}, "close")


def test_views_hide_what_a_role_must_not_see():
    booking = Booking().given(offered(ALICE, BRUNO, CLARA), (CLARA, "decline", {}), accepted(ALICE))
    assert view(COORD, booking.state)["declined_by"] == [CLARA["user_id"]]
    for actor in (ALICE, BRUNO, REQUESTER):
        assert "declined_by" not in view(actor, booking.state)
    assert view(ALICE, booking.state)["video_secret"] == "1234"
    assert view(REQUESTER, booking.state)["video_secret"] == "1234"
    bruno_view = view(BRUNO, booking.state)
    assert "video_secret" not in bruno_view and "report" not in bruno_view
    assert bruno_view["offered_to"] == []   # his offer was withdrawn when ALICE accepted
    assert "offer_rounds" not in bruno_view and "offers_withdrawn" not in bruno_view
    assert view(REQUESTER, booking.state)["assigned_interpreter_id"] == ALICE["user_id"]
