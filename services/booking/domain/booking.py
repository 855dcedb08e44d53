"""The booking aggregate: decides which events a command produces, or refuses it.

Checks run in one order everywhere: visibility (NotFound, so nothing leaks), role (Forbidden),
status (Conflict "booking.wrong_status"), who among the role (e.g. the assigned interpreter),
time rules, then the payload (ValidationFailed)."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Callable, Optional

from ims_common.errors import Conflict, Forbidden

from ims_common import validation as v

from . import attachments, events as ev
from .access import STAFF, holds_offer, lost_offer, require_visible, role_of
from .fields import TIMED_MODES, check_booking, check_changes, establishment_code
from ims_common.times import iso_z, parse_iso
from services.booking.contract.fold import payable_when_cancelled, validated
from services.booking.contract.vocabulary import COMMAND_ROLES
from .inputs import check
from .report import check_communications, check_report
from services.booking.contract.inputs import COMMANDS, ID_MAX, MAX_OFFER

WITHDRAW_NOTICE = timedelta(hours=48)
CLOCK_SKEW = timedelta(minutes=5)


@dataclass
class Decision:
    events: list = field(default_factory=list)
    # (key, content, content_type): bytes the application stores before appending the events
    blob: Optional[tuple] = None


def prepare_create(actor: dict, fields, now: datetime) -> tuple[str, dict]:
    """(establishment prefix, BookingCreated data without its number). A requester's booking is
    always for their own establishment, whatever the form says."""
    role = role_of(actor)
    if role not in ("requester",) + STAFF:
        raise Forbidden("booking.forbidden_role", {"role": role, "command": "create"})
    fields = dict(v.require_object(fields))
    if role == "requester":
        own = establishment_code(actor.get("establishment"))
        if own is None:
            raise Forbidden("booking.no_establishment", {})
        fields["establishment"] = own
        if not fields.get("requester_name") and isinstance(actor.get("name"), str):
            fields["requester_name"] = actor["name"]
    booking, slot = check_booking(fields)
    return booking["establishment"], {**booking, **slot, "status": "pending"}


def created_event(number: str, data: dict) -> ev.Event:
    return ev.Event(ev.CREATED, {**data, "number": number})


def _status(state: dict, command: str, *allowed: str) -> None:
    if state["status"] not in allowed:
        raise Conflict("booking.wrong_status", {"status": state["status"], "command": command})


def _assigned(actor: dict, state: dict) -> None:
    """Among interpreters, only the assigned one; staff pass."""
    if actor["role"] == "interpreter" and state["assigned_interpreter_id"] != actor["user_id"]:
        raise Forbidden("booking.not_assigned", {})


def _payload(payload: dict, allowed: tuple) -> v.Errors:
    errors = v.Errors()
    v.reject_unknown(payload, allowed, errors)
    return errors


def _offer(state, actor, p, now, new_id):
    _status(state, "offer", "pending")
    errors = _payload(p, ("interpreter_ids", "broadcast", "tier"))
    ids = p.get("interpreter_ids")
    broadcast, tier = p.get("broadcast", False), p.get("tier")
    if not isinstance(broadcast, bool):
        errors.add("broadcast", "field.invalid")
    if tier is not None and (isinstance(tier, bool) or not isinstance(tier, int) or not 1 <= tier <= 1000):
        errors.add("tier", "field.invalid")
    if not isinstance(ids, list) or not ids or len(ids) > MAX_OFFER:
        errors.add("interpreter_ids", "field.required" if not ids else "field.not_a_list")
    elif not all(isinstance(i, str) and 0 < len(i.strip()) <= ID_MAX for i in ids):
        errors.add("interpreter_ids", "field.invalid")
    errors.raise_if_any()
    unique = list(dict.fromkeys(i.strip() for i in ids))
    data: dict = {"interpreter_ids": unique}
    if broadcast:
        data["broadcast"] = True      # to all qualified at once: first accept wins
    if tier is not None:
        data["tier"] = tier           # automatic escalation widened the offer to this tier
    return Decision([ev.Event(ev.OFFERED, data)])


def _others_withdrawn(state: dict, winner: str | None) -> list:
    """Once one interpreter has the booking, every other open offer is withdrawn (they are told)."""
    others = [uid for uid in state["offered_to"] if uid != winner and holds_offer(uid, state)]
    return [ev.Event(ev.OFFERS_WITHDRAWN, {"interpreter_ids": others, "reason": "taken"})] if others else []


def _decline(state, actor, p, now, new_id):
    _status(state, "decline", "pending")
    if not holds_offer(actor["user_id"], state):
        raise Forbidden("booking.not_offered", {})
    errors = _payload(p, tuple(COMMANDS["decline"]))
    reason = check(COMMANDS["decline"]["reason"], p.get("reason"), "reason", errors)
    errors.raise_if_any()
    return Decision([ev.Event(ev.DECLINED, {"interpreter_id": actor["user_id"], "reason": reason})])


def _accept(state, actor, p, now, new_id):
    uid, status = actor["user_id"], state["status"]
    if status == "pending":
        if not holds_offer(uid, state):
            raise Forbidden("booking.not_offered", {})
    elif status in ("booked", "modified") and state["assigned_interpreter_id"] != uid:
        raise Conflict("booking.already_taken", {})      # first accept won
    elif status != "modified":                             # the assigned one re-confirms a change
        _status(state, "accept", "pending", "modified")
    _payload(p, tuple(COMMANDS["accept"])).raise_if_any()
    return Decision([ev.Event(ev.ACCEPTED, {"interpreter_id": uid})] + _others_withdrawn(state, uid))


def _assign(state, actor, p, now, new_id):
    """`exclusions` (matching's reasons against this interpreter) is the application's, from the
    profiles; with any, the coordinator's `override_reason` is required and recorded."""
    _status(state, "assign", "pending")
    errors = _payload(p, tuple(COMMANDS["assign"]) + ("exclusions",))
    uid = check(COMMANDS["assign"]["interpreter_id"], p.get("interpreter_id"), "interpreter_id", errors)
    why = check(COMMANDS["assign"]["override_reason"], p.get("override_reason"), "override_reason", errors)
    exclusions = p.get("exclusions") or []
    if not isinstance(exclusions, list) or not all(isinstance(r, dict) and isinstance(r.get("code"), str)
                                                   for r in exclusions):
        errors.add("exclusions", "field.invalid")
    errors.raise_if_any()
    if exclusions and not why:
        raise Conflict("booking.assign_excluded", {"interpreter_id": uid, "reasons": exclusions})
    override = {"reason": why, "exclusions": exclusions} if exclusions else None
    return Decision([ev.Event(ev.ASSIGNED, {"interpreter_id": uid, "override": override})]
                    + _others_withdrawn(state, uid))


def _modify(state, actor, p, now, new_id):
    _status(state, "modify", "pending", "booked", "modified")
    changes = check_changes(state, p)
    if not changes:
        return Decision()            # nothing changed: no event, no "modified" status
    status = "pending" if state["status"] == "pending" else "modified"
    return Decision([ev.Event(ev.MODIFIED, {"changes": changes, "status": status})])


def _withdraw(state, actor, p, now, new_id):
    _status(state, "withdraw", "booked", "modified")
    _assigned(actor, state)
    if actor["role"] == "interpreter" and parse_iso(state["start_at"]) - now <= WITHDRAW_NOTICE:
        raise Conflict("booking.withdraw_too_late", {"hours": 48})   # must call the bank
    errors = _payload(p, tuple(COMMANDS["withdraw"]))
    reason = check(COMMANDS["withdraw"]["reason"], p.get("reason"), "reason", errors)
    # Billable communications made before withdrawing are recorded here and paid (DESIGN 2).
    communications = check_communications(p.get("communications"), errors, now=now)
    errors.raise_if_any()
    return Decision([ev.Event(ev.WITHDRAWN, {"interpreter_id": state["assigned_interpreter_id"],
                                             "reason": reason, "communications": communications})])


def _cancel(state, actor, p, now, new_id):
    _status(state, "cancel", "pending", "booked", "modified")
    errors = _payload(p, tuple(COMMANDS["cancel"]))
    reason = check(COMMANDS["cancel"]["reason"], p.get("reason"), "reason", errors)
    at = now
    if p.get("cancelled_at") is not None:
        if actor["role"] not in STAFF:   # the time decides pay: only the bank records a past call
            errors.add("cancelled_at", "field.staff_only")
        else:
            at = check(COMMANDS["cancel"]["cancelled_at"], p["cancelled_at"], "cancelled_at", errors) or now
            if at > now + CLOCK_SKEW:
                errors.add("cancelled_at", "field.future")
    errors.raise_if_any()
    return Decision([ev.Event(ev.CANCELLED, {"cancelled_at": iso_z(at), "reason": reason,
                                             "previous_status": state["status"]})])


def _not_validated(actor, state) -> None:
    """Once the bank validated a booking (closed, or a cancellation it validated), only a
    coordinator changes its report or attachments (FAQ: "Lorsqu'elle a déjà le statut Achevé vous
    ne pouvez plus faire de modifications par vous-même")."""
    if validated(state) and actor["role"] not in STAFF:
        raise Conflict("booking.validated", {})


def _checked_report(state, p, now):
    if state["status"] == "cancelled" and p.get("provided") is True:
        raise v.invalid({"provided": ["report.cancelled_not_provided"]})
    slot = parse_iso(state["start_at"]) if state["mode"] in TIMED_MODES else None
    return check_report(p, state.get("duration_minutes"), now=now, slot_start=slot)


def _report(state, actor, p, now, new_id):
    _status(state, "report", "booked", "modified", "cancelled")
    _not_validated(actor, state)
    _assigned(actor, state)
    if state["status"] == "cancelled":
        if state["report"] is not None:
            raise Conflict("booking.already_reported", {})
    elif state["mode"] in TIMED_MODES and now < parse_iso(state["start_at"]):
        raise Conflict("booking.report_too_early", {"start_at": state["start_at"]})
    report = _checked_report(state, p, now)
    return Decision([ev.Event(ev.SERVICE_PROVIDED, {"report": report, "interpreter_id": actor["user_id"]})])


def _correct_report(state, actor, p, now, new_id):
    _status(state, "correct-report", "service_provided", "cancelled", "closed")
    _not_validated(actor, state)
    _assigned(actor, state)
    if state["report"] is None:
        raise Conflict("booking.no_report", {})
    report = _checked_report(state, p, now)
    return Decision([ev.Event(ev.REPORT_CORRECTED, {"report": report, "by_role": actor["role"]})])


def _attach(state, actor, p, now, new_id):
    _status(state, "attachments", "pending", "booked", "modified", "service_provided", "cancelled")
    _not_validated(actor, state)
    if validated(state):          # a validated cancellation takes no attachment, as a closed booking
        raise Conflict("booking.wrong_status", {"status": state["status"], "command": "attachments"})
    _assigned(actor, state)
    if len(state["attachments"]) >= attachments.MAX_PER_BOOKING:
        raise Conflict("booking.too_many_attachments", {"max": attachments.MAX_PER_BOOKING})
    meta, content = attachments.check_attachment(p)
    meta = {"id": new_id(), **meta}
    return Decision([ev.Event(ev.ATTACHMENT_ADDED, {"attachment": meta})],
                    blob=(meta["id"], content, meta["content_type"]))


def _close(state, actor, p, now, new_id):
    _status(state, "close", "service_provided", "cancelled")
    if state["status"] == "cancelled":
        if validated(state):
            raise Conflict("booking.validated", {})
        if not payable_when_cancelled(state):
            raise Conflict("booking.nothing_to_validate", {})
    errors = _payload(p, tuple(COMMANDS["close"]))
    comment = check(COMMANDS["close"]["comment"], p.get("comment"), "comment", errors)
    errors.raise_if_any()
    return Decision([ev.Event(ev.CLOSED, {"comment": comment})])


def _return_report(state, actor, p, now, new_id):
    """Instead of validating, the bank sends the report back to its interpreter with a comment; the
    interpreter corrects it (correct-report), which puts it back in the validation queue."""
    _status(state, "return-report", "service_provided", "cancelled")
    if validated(state):
        raise Conflict("booking.validated", {})
    if state["report"] is None:
        raise Conflict("booking.no_report", {})
    errors = _payload(p, tuple(COMMANDS["return-report"]))
    comment = check(COMMANDS["return-report"]["comment"], p.get("comment"), "comment", errors)
    errors.raise_if_any()
    return Decision([ev.Event(ev.REPORT_RETURNED, {"comment": comment})])


def _flag_unfilled(state, actor, p, now, new_id):
    _status(state, "flag-unfilled", "pending")
    errors = _payload(p, ("hours_before",))
    hours = v.integer(p.get("hours_before"), "hours_before", errors, 0, 10_000)
    errors.raise_if_any()
    if state.get("flagged_unfilled_at"):
        return Decision()             # flagged once until it is filled (a withdrawal clears it)
    return Decision([ev.Event(ev.FLAGGED_UNFILLED, {"start_at": state["start_at"], "hours_before": hours})])


# command -> its rule; who may try it is booking's contract vocabulary (COMMAND_ROLES)
HANDLERS: dict[str, Callable] = {
    "offer": _offer, "decline": _decline, "accept": _accept, "assign": _assign, "modify": _modify,
    "withdraw": _withdraw, "cancel": _cancel, "report": _report, "correct-report": _correct_report,
    "attachments": _attach, "close": _close, "flag-unfilled": _flag_unfilled, "return-report": _return_report,
}
assert set(HANDLERS) == set(COMMAND_ROLES)


def decide(state: dict | None, actor: dict, command: str, payload, now: datetime,
           booking_id: str = "", new_id: Callable[[], str] = lambda: str(uuid.uuid4())) -> Decision:
    if not isinstance(command, str) or command not in HANDLERS:
        raise v.invalid({"command": ["command.unknown"]})
    payload = v.require_object(payload)
    if command == "accept" and lost_offer(actor, state):
        raise Conflict("booking.already_taken", {})      # first accept won; nothing else to see
    require_visible(actor, state, booking_id or (state or {}).get("id", ""))
    handler = HANDLERS[command]
    if actor["role"] not in COMMAND_ROLES[command]:
        raise Forbidden("booking.forbidden_role", {"role": actor["role"], "command": command})
    return handler(state, actor, payload, now, new_id)
