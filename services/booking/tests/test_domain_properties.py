"""Property tests: random commands by random actors never break the lifecycle of DESIGN.md section 2."""
from __future__ import annotations

import base64
from datetime import timedelta

from hypothesis import given, settings, strategies as st

from ims_common.errors import IMSError, NotFound
from services.booking.domain.access import can_see

from .scenario import (ADMIN, AFTER_END, AFTER_START, ALICE, BRUNO, CLARA, COORD, NOW, OTHER_REQUESTER, REQUESTER,
                       START, Booking, not_provided_report, offered, provided_report)

STATUSES = ("pending", "booked", "modified", "service_provided", "closed", "cancelled")
# The lifecycle table, written out independently of the code under test: event -> {from: to}.
TRANSITIONS = {
    "BookingOffered": {"pending": "pending"},
    "BookingDeclined": {"pending": "pending"},
    "BookingAccepted": {"pending": "booked", "modified": "booked"},
    "BookingAssigned": {"pending": "booked"},
    "BookingModified": {"pending": "pending", "booked": "modified", "modified": "modified"},
    "BookingWithdrawn": {"booked": "pending", "modified": "pending"},
    "BookingCancelled": {"pending": "cancelled", "booked": "cancelled", "modified": "cancelled"},
    "ServiceProvided": {"booked": "service_provided", "modified": "service_provided", "cancelled": "cancelled"},
    "ServiceReportCorrected": {"service_provided": "service_provided", "closed": "closed",
                               "cancelled": "cancelled"},
    "AttachmentAdded": {s: s for s in STATUSES if s != "closed"},
    "BookingClosed": {"service_provided": "closed", "cancelled": "cancelled"},   # validated
    "OffersWithdrawn": {"booked": "booked"},       # right after an accept or assign, same decision
}
ROLES = {
    "BookingOffered": {"coordinator", "admin"}, "BookingDeclined": {"interpreter"},
    "BookingAccepted": {"interpreter"}, "BookingAssigned": {"coordinator", "admin"},
    "BookingModified": {"requester", "coordinator", "admin"},
    "BookingWithdrawn": {"interpreter", "coordinator", "admin"},
    "BookingCancelled": {"requester", "coordinator", "admin"}, "ServiceProvided": {"interpreter"},
    "ServiceReportCorrected": {"interpreter", "coordinator", "admin"},
    "AttachmentAdded": {"interpreter", "coordinator", "admin"}, "BookingClosed": {"coordinator", "admin"},
    "OffersWithdrawn": {"interpreter", "coordinator", "admin"},
}
ACTORS = [REQUESTER, OTHER_REQUESTER, COORD, ADMIN, ALICE, BRUNO, CLARA]
INTERPRETERS = [ALICE, BRUNO, CLARA]
JPEG = base64.b64encode(b"\xff\xd8\xff" + b"1" * 20).decode()
TIMES = [NOW, START - timedelta(hours=47), AFTER_START, AFTER_END, AFTER_END]

payloads = {
    "offer": st.lists(st.sampled_from(INTERPRETERS), min_size=1, max_size=3).map(
        lambda ids: {"interpreter_ids": [i["user_id"] for i in ids]}),
    "decline": st.just({}), "accept": st.just({}), "close": st.just({}),
    "assign": st.sampled_from(INTERPRETERS).map(lambda i: {"interpreter_id": i["user_id"]}),
    "modify": st.sampled_from([{"comments": "a"}, {"comments": "b"}, {"duration_minutes": 90},
                               {"start_time": "11:00"}]),
    "withdraw": st.just({"reason": "x"}), "cancel": st.just({"reason": "x"}),
    "report": st.sampled_from([provided_report(), not_provided_report()]),
    "correct-report": st.sampled_from([provided_report(words=1), not_provided_report(words=2)]),
    "attachments": st.just({"filename": "r.jpg", "content_type": "image/jpeg", "content_base64": JPEG}),
}
# Weights and "likely" actors steer walks to service_provided and closed, not only to refusals.
WEIGHTS = {"offer": 2, "accept": 3, "assign": 2, "decline": 1, "modify": 2, "withdraw": 1, "cancel": 1,
           "report": 3, "correct-report": 2, "attachments": 1, "close": 2}
COMMANDS = [c for c, n in WEIGHTS.items() for _ in range(n)]
ASSIGNED, OFFERED, LIKELY = "the assigned interpreter", "an interpreter holding an offer", "likely"
LIKELY_ACTOR = {"offer": COORD, "assign": COORD, "close": COORD, "decline": OFFERED, "accept": OFFERED,
                "modify": REQUESTER, "cancel": REQUESTER, "withdraw": ASSIGNED, "report": ASSIGNED,
                "correct-report": ASSIGNED, "attachments": ASSIGNED}
steps = st.lists(st.tuples(st.sampled_from(ACTORS + [LIKELY] * 5), st.sampled_from(COMMANDS).flatmap(
    lambda c: st.tuples(st.just(c), payloads[c])), st.sampled_from(TIMES)), min_size=5, max_size=60)


def resolve(actor, command: str, state: dict) -> dict:
    actor = LIKELY_ACTOR[command] if actor == LIKELY else actor
    if actor == ASSIGNED:
        return {"user_id": state["assigned_interpreter_id"] or ALICE["user_id"], "role": "interpreter"}
    if actor == OFFERED:
        holders = [uid for uid in state["offered_to"] if uid not in state["declined_by"]] or [ALICE["user_id"]]
        return {"user_id": holders[len(state["offered_to"]) % len(holders)], "role": "interpreter"}
    return actor


def check_invariants(state):
    assert state["status"] in STATUSES
    if state["status"] in ("booked", "modified", "service_provided"):
        assert state["assigned_interpreter_id"] is not None
    if state["status"] == "pending":
        assert state["assigned_interpreter_id"] is None
    assert state["assigned_interpreter_id"] not in state["declined_by"]


@settings(max_examples=300, deadline=None)
@given(steps)
def test_random_commands_only_make_legal_transitions(script):
    booking = Booking()
    for actor, (command, payload), now in script:
        before = booking.state
        actor = resolve(actor, command, before)
        visible = can_see(actor, before)
        try:
            events = booking.when(actor, command, payload, now=now)
        except NotFound:
            assert not visible
            continue
        except IMSError:
            assert booking.state is before     # a refused command changes nothing
            continue
        assert visible
        status = before["status"]
        for kind, _data in events:
            assert status in TRANSITIONS[kind], (kind, status)
            assert actor["role"] in ROLES[kind], (kind, actor)
            if kind == "BookingAccepted":
                # first accept wins: never over someone else's booking
                assert before["assigned_interpreter_id"] in (None, actor["user_id"])
            status = TRANSITIONS[kind][status]
        assert booking.status == status
        if before.get("closed_at"):      # validated (closed, or a cancellation the bank validated)
            assert [k for k, _ in events] == ["ServiceReportCorrected"] and actor["role"] != "interpreter"
        check_invariants(booking.state)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(INTERPRETERS), st.sampled_from(["accept", "decline"])),
                min_size=1, max_size=12))
def test_exactly_one_accept_succeeds_while_anyone_offered_is_left(attempts):
    booking = Booking().given(offered(*INTERPRETERS))
    winners = []
    for interpreter, command in attempts:
        try:
            events = booking.when(interpreter, command)
        except IMSError:
            continue
        winners += [data["interpreter_id"] for kind, data in events if kind == "BookingAccepted"]
    # A decline removes that interpreter's offer for good: the winner is the first accept by an
    # interpreter whose first answer was an accept.
    first_answer = {}
    for interpreter, command in attempts:
        first_answer.setdefault(interpreter["user_id"], command)
    expected = [i["user_id"] for i, c in attempts if c == "accept" and first_answer[i["user_id"]] == "accept"]
    assert winners == expected[:1]
    if winners:
        assert booking.state["assigned_interpreter_id"] == winners[0]
