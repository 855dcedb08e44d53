"""The fold of booking events into the booking's state: the one definition of what a booking looks
like after its events. Booking decides commands and keeps its read model with it; payroll and
notification keep their copies with it. Every event is upcast to its current schema version first
(contract/events.py), so no reader ever sees an older payload."""
from __future__ import annotations

import copy
from typing import Any, Iterable

from .events import (
    ACCEPTED, ASSIGNED, ATTACHMENT_ADDED, CANCELLED, CLOSED, CREATED, DECLINED, FLAGGED_UNFILLED, MODIFIED,
    OFFERED, OFFERS_WITHDRAWN, REPORT_CORRECTED, REPORT_RETURNED, SERVICE_PROVIDED, WITHDRAWN, upcast,
)
from .vocabulary import BOOKING_FIELDS as FIELDS


def _add(items: list, value) -> list:
    return items if value in items else items + [value]


def _without(items: list, values) -> list:
    return [item for item in items if item not in values]


def evolve(state: dict | None, type: str, data: dict, *, actor: dict, occurred_at: str,
           version: int) -> dict:
    """The state after one event. Pure: returns a new dict, never changes its input."""
    return evolve_in_place(copy.deepcopy(state) if type != CREATED else None, type, data, actor=actor,
                           occurred_at=occurred_at, version=version)


def evolve_in_place(state: dict | None, type: str, data: dict, *, actor: dict, occurred_at: str,
                    version: int) -> dict:
    """As evolve, but changes and returns `state` itself: for a caller owning the state that folds
    many events (fold, a read-model rebuild), where a copy per event would cost more than the rule.
    The state may then share values with the events' data; no rule changes a nested value in place
    (they rebind lists and dicts), so neither side sees the other change."""
    if type == CREATED:
        state = {name: data.get(name) for name in FIELDS}
        state.update(
            id=data["number"], number=data["number"], status="pending",
            start_at=data["start_at"], end_at=data["end_at"],
            created_at=occurred_at, created_by=(actor or {}).get("user_id"),
            assigned_interpreter_id=None, assigned_at=None, offered_to=[], declined_by=[], withdrawals=[],
            report=None, reported_by=None, attachments=[],
            cancelled_at=None, cancel_reason=None, previous_status=None,
            closed_at=None, close_comment=None,
            offer_rounds=[], offers_withdrawn=[], flagged_unfilled_at=None, assign_override=None,
            unconfirmed_changes={}, report_returned=None)
    else:
        if state is None:
            raise ValueError(f"{type} before {CREATED}")
        _APPLY.get(type, lambda s, d, a, t: None)(state, data, actor or {}, occurred_at)
    state["version"] = version
    return state


def _offered(s, d, a, t):
    for uid in d["interpreter_ids"]:
        s["offered_to"] = _add(s["offered_to"], uid)
    s["declined_by"] = _without(s["declined_by"], d["interpreter_ids"])   # an offer again is a new chance


def _offer_round(s, d, a, t):
    s["offer_rounds"] = s.get("offer_rounds", []) + [{
        "at": t, "by": a.get("user_id"), "interpreter_ids": list(d["interpreter_ids"]),
        "broadcast": bool(d.get("broadcast")), "tier": d.get("tier")}]
    s["offers_withdrawn"] = _without(s.get("offers_withdrawn", []), d["interpreter_ids"])


def _offers_withdrawn(s, d, a, t):
    # Their offer is gone: the booking leaves their lists (they may still open it and learn it is taken).
    s["offered_to"] = _without(s["offered_to"], d["interpreter_ids"])
    for uid in d["interpreter_ids"]:
        s["offers_withdrawn"] = _add(s.get("offers_withdrawn", []), uid)


def _flagged(s, d, a, t):
    s["flagged_unfilled_at"] = t


def _declined(s, d, a, t):
    s["declined_by"] = _add(s["declined_by"], d["interpreter_id"])


def _taken(s, d, a, t):
    s.update(status="booked", assigned_interpreter_id=d["interpreter_id"], assigned_at=t, unconfirmed_changes={})
    s["declined_by"] = _without(s["declined_by"], [d["interpreter_id"]])


def _assigned(s, d, a, t):
    _taken(s, d, a, t)
    override = d.get("override")
    # Who overrode matching's exclusions, when and why (coordinators see it on the booking).
    s["assign_override"] = dict(override, by=a.get("user_id"), at=t) if override else None


def _modified(s, d, a, t):
    if d["status"] == "modified":
        # What the assigned interpreter has not confirmed yet, field -> {old, new}: the value they
        # accepted stays "old" over several modifications; a field changed back drops out.
        pending = {k: dict(v) for k, v in (s.get("unconfirmed_changes") or {}).items()}
        for name, new in d["changes"].items():
            old = pending[name]["old"] if name in pending else s.get(name)
            if old == new:
                pending.pop(name, None)
            else:
                pending[name] = {"old": old, "new": new}
        s["unconfirmed_changes"] = pending
    s.update(d["changes"])
    s["status"] = d["status"]


def _withdrawn(s, d, a, t):
    # The booking leaves the interpreter's list (FAQ: "ne sera plus visible pour vous").
    s.update(status="pending", assigned_interpreter_id=None, assigned_at=None, flagged_unfilled_at=None,
             assign_override=None, unconfirmed_changes={})
    s["declined_by"] = _add(s["declined_by"], d["interpreter_id"])
    s["withdrawals"] = s["withdrawals"] + [{
        "interpreter_id": d["interpreter_id"], "reason": d.get("reason"),
        "communications": d.get("communications", []), "at": t, "by": a.get("user_id")}]


def _cancelled(s, d, a, t):
    s.update(status="cancelled", cancelled_at=d["cancelled_at"], cancel_reason=d.get("reason"),
             previous_status=d.get("previous_status"))


def _provided(s, d, a, t):
    s.update(report=d["report"], reported_by=d["interpreter_id"], report_returned=None)
    if s["status"] in ("booked", "modified"):
        s["status"] = "service_provided"      # on a cancelled booking the status stays cancelled


def _corrected(s, d, a, t):
    # A report sent back is answered by the corrected one: it is the bank's to validate again.
    s.update(report=d["report"], report_returned=None)


def _returned(s, d, a, t):
    s["report_returned"] = {"comment": d["comment"], "by": a.get("user_id"), "at": t}


def _attachment(s, d, a, t):
    s["attachments"] = s["attachments"] + [dict(d["attachment"], added_by=a.get("user_id"), added_at=t)]


def _closed(s, d, a, t):
    # A validated cancellation stays cancelled (the requester cancelled it); closed_at says it is final.
    s.update(closed_at=t, close_comment=d.get("comment"), report_returned=None)
    if s["status"] != "cancelled":
        s["status"] = "closed"


_APPLY = {OFFERED: lambda s, d, a, t: (_offered(s, d, a, t), _offer_round(s, d, a, t)),
          OFFERS_WITHDRAWN: _offers_withdrawn, FLAGGED_UNFILLED: _flagged, DECLINED: _declined,
          ACCEPTED: _taken, ASSIGNED: _assigned,
          MODIFIED: _modified, WITHDRAWN: _withdrawn, CANCELLED: _cancelled,
          SERVICE_PROVIDED: _provided, REPORT_CORRECTED: _corrected,
          ATTACHMENT_ADDED: _attachment, CLOSED: _closed, REPORT_RETURNED: _returned}


def validated(state: dict) -> bool:
    """The bank validated what the booking pays (BookingClosed): final; after it only a
    coordinator's correction changes anything."""
    return bool(state.get("closed_at"))


def payable_when_cancelled(state: dict) -> bool:
    """A cancelled booking pays someone, so it needs the bank's validation: it carries a report
    (late cancellation, communications), an interpreter held it when it was cancelled (a late
    cancellation is paid as planned), or a withdrawn interpreter recorded communications."""
    return (state.get("report") is not None or state.get("previous_status") in ("booked", "modified")
            or any(w.get("communications") for w in state.get("withdrawals") or ()))


def awaiting_validation(state: dict) -> bool:
    """Reported or payable, and not yet validated: what the coordinators' validation queue holds. A
    report sent back to its interpreter waits for them, not for the bank, until it is corrected."""
    if validated(state) or state.get("report_returned"):
        return False
    return state.get("status") == "service_provided" or (
        state.get("status") == "cancelled" and payable_when_cancelled(state))


_ENVELOPE = ("type", "schema_version", "data", "actor", "occurred_at", "stream_version")


def _current(event: Any) -> dict:
    """The event (an envelope dict, a StoredEvent or anything with the envelope's attributes) as an
    envelope dict at its type's current schema version."""
    envelope = event if isinstance(event, dict) else {name: getattr(event, name, None) for name in _ENVELOPE}
    return upcast(envelope)


def apply_in_place(state: dict | None, event: Any) -> dict:
    """As evolve_in_place, for one stored event or envelope, upcast first."""
    e = _current(event)
    return evolve_in_place(state, e["type"], e.get("data") or {}, actor=e.get("actor") or {},
                           occurred_at=e["occurred_at"], version=e["stream_version"])


def apply(state: dict | None, event: Any) -> dict:
    """The state after one stored event or envelope (upcast first). Pure: `state` is not changed."""
    return apply_in_place(copy.deepcopy(state), event)


def fold(events: Iterable, state: dict | None = None) -> dict | None:
    """State from stored events or envelope dicts of one stream, in order, each upcast first. The
    given state is not changed: it is copied once, then the events apply to the copy."""
    state = copy.deepcopy(state)
    for e in events:
        state = apply_in_place(state, e)
    return state
