"""Sending a report back (issue 15, item 4): the bank returns a report to its interpreter with a
comment instead of validating it; the interpreter sees the comment and corrects the report, which
puts it back in the validation queue. A cancelled booking carrying a report goes the same way."""
from __future__ import annotations

from ims_common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.booking.contract.fold import awaiting_validation
from services.booking.domain.access import view

from .scenario import AFTER_END, ALICE, BRUNO, COORD, REQUESTER, not_provided_report, provided_report
from .test_domain import booked_by_alice, closed, provided, refused


def test_the_bank_sends_a_report_back_and_the_interpreter_reports_again():
    booking = provided()
    assert awaiting_validation(booking.state)
    [(kind, data)] = booking.when(COORD, "return-report", {"comment": "Précisez l'heure de fin réelle."})
    assert (kind, data) == ("ServiceReportReturned", {"comment": "Précisez l'heure de fin réelle."})
    returned = booking.state["report_returned"]
    assert returned["comment"] == "Précisez l'heure de fin réelle." and returned["by"] == COORD["user_id"]
    assert booking.status == "service_provided" and not awaiting_validation(booking.state)
    booking.when(ALICE, "correct-report", provided_report(words=4), now=AFTER_END)
    assert booking.state["report_returned"] is None and awaiting_validation(booking.state)


def test_a_cancelled_booking_with_a_report_is_sent_back_the_same_way():
    booking = booked_by_alice()
    booking.when(REQUESTER, "cancel", {"reason": "Rendez-vous annulé"})
    booking.when(ALICE, "report", not_provided_report())
    booking.when(COORD, "return-report", {"comment": "Joignez la preuve de l'appel."})
    assert booking.status == "cancelled" and not awaiting_validation(booking.state)
    booking.when(ALICE, "correct-report", not_provided_report(words=2))
    assert awaiting_validation(booking.state)


def test_sending_back_needs_a_comment_a_report_not_validated_and_the_bank():
    refused(ValidationFailed, "request.invalid", provided(), COORD, "return-report", {})
    refused(Forbidden, "booking.forbidden_role", provided(), ALICE, "return-report", {"comment": "x"})
    refused(NotFound, "booking.not_found", provided(), BRUNO, "return-report", {"comment": "x"})   # not his
    refused(Conflict, "booking.wrong_status", booked_by_alice(), COORD, "return-report", {"comment": "x"})
    refused(Conflict, "booking.wrong_status", closed(), COORD, "return-report", {"comment": "x"})
    nobody = booked_by_alice()
    nobody.when(REQUESTER, "cancel", {"reason": "x"})
    refused(Conflict, "booking.no_report", nobody, COORD, "return-report", {"comment": "x"})


def test_the_bank_may_still_validate_a_report_it_sent_back():
    booking = provided()
    booking.when(COORD, "return-report", {"comment": "x"})
    booking.when(COORD, "close", {})
    assert booking.status == "closed" and booking.state["report_returned"] is None


def test_the_comment_is_for_the_interpreter_and_the_bank_only():
    booking = provided()
    booking.when(COORD, "return-report", {"comment": "Précisez."})
    assert view(ALICE, booking.state)["report_returned"]["comment"] == "Précisez."
    assert view(COORD, booking.state)["report_returned"]["comment"] == "Précisez."
    assert "report_returned" not in view(REQUESTER, booking.state)
