"""When a booking got its interpreter (accept or assign) is kept in its state and its list summary,
so the coordinators' indicators can show the time to assign (creation -> acceptance); a withdrawal
clears it, the next acceptance sets it again."""
from __future__ import annotations

from datetime import timedelta

from services.booking.domain.access import summary

from .scenario import ALICE, BRUNO, COORD, NOW, Booking, accepted, offered


def test_acceptance_time_is_kept_and_listed_with_the_creation_time():
    booking = Booking(now=NOW - timedelta(hours=5)).given(offered(ALICE, BRUNO), accepted(ALICE))
    assert booking.state["created_at"] < booking.state["assigned_at"]
    listed = summary(booking.state)
    assert listed["created_at"] == booking.state["created_at"] and listed["assigned_at"] == booking.state["assigned_at"]


def test_withdrawal_clears_it_and_an_assignment_sets_it_again():
    booking = Booking(now=NOW - timedelta(hours=5)).given(offered(ALICE, BRUNO), accepted(ALICE))
    booking.when(COORD, "withdraw", {"reason": "Conflit d'horaire"})
    assert booking.state["assigned_at"] is None and summary(booking.state)["assigned_at"] is None
    later = NOW + timedelta(minutes=30)
    booking.when(COORD, "assign", {"interpreter_id": BRUNO["user_id"]}, now=later)
    assert booking.state["assigned_at"] == later.isoformat().replace("+00:00", "Z")


def test_a_new_booking_has_none():
    assert Booking().state["assigned_at"] is None
