"""Who sees which booking, and which parts of it (object-level authorization)."""
from __future__ import annotations

from ims_common.errors import Forbidden, NotFound
from services.auth.contract.vocabulary import ACTOR_ROLES as ROLES, STAFF, SYSTEM  # noqa: F401

SUMMARY_FIELDS = ("id", "number", "status", "start_at", "end_at", "date", "start_time",
                  "duration_minutes", "due_date", "mode", "source_language", "target_language",
                  "establishment", "facility", "context", "assigned_interpreter_id", "version",
                  "created_at", "assigned_at")
SYSTEM_ACTOR = {"user_id": "system", "role": "system"}   # the escalation timer acts as this
CONTACT_STATUSES = ("booked", "modified", "service_provided", "closed")
INTERNAL = ("withdrawals", "cancel_reason", "close_comment", "reported_by", "offer_rounds",
            "offers_withdrawn", "flagged_unfilled_at", "assign_override")


def role_of(actor) -> str:
    """The actor's role; an actor without a user id or with an unknown role may do nothing."""
    if not isinstance(actor, dict) or not isinstance(actor.get("user_id"), str) or not actor["user_id"]:
        raise Forbidden("booking.forbidden_role", {"role": None})
    role = actor.get("role")
    if role not in ROLES:
        raise Forbidden("booking.forbidden_role", {"role": role})
    return role


def is_staff(actor: dict) -> bool:
    return actor.get("role") in STAFF


def holds_offer(user_id: str, state: dict) -> bool:
    return user_id in state["offered_to"] and user_id not in state["declined_by"]


def can_see(actor: dict, state: dict | None) -> bool:
    if state is None:
        return False
    role = role_of(actor)
    if role in STAFF or role == SYSTEM:
        return True
    if role == "requester":
        return bool(actor.get("establishment")) and \
            str(actor["establishment"]).upper() == state["establishment"]
    # An interpreter: only while it is offered to them or assigned to them (issue 17); once another
    # took it, or they declined or withdrew, it is gone, as if it never existed (DESIGN.md section 6).
    uid = actor["user_id"]
    return state["assigned_interpreter_id"] == uid or holds_offer(uid, state)


def lost_offer(actor: dict, state: dict | None) -> bool:
    """An interpreter whose offer went to another: their late accept learns only that (409)."""
    return state is not None and actor.get("role") == "interpreter" \
        and actor.get("user_id") in state.get("offers_withdrawn", ()) \
        and state["assigned_interpreter_id"] not in (None, actor.get("user_id"))


def visible_to(state: dict) -> list[str]:
    """Interpreters who see the booking: holders of an offer and the assigned one (read model)."""
    ids = [uid for uid in state["offered_to"] if uid not in state["declined_by"]]
    assigned = state["assigned_interpreter_id"]
    return ids + [assigned] if assigned and assigned not in ids else ids


def require_visible(actor: dict, state: dict | None, booking_id: str) -> dict:
    """NotFound for an absent booking and for one the actor may not see: same answer for both,
    so nobody learns that a number exists."""
    if state is None or not can_see(actor, state):
        raise NotFound("booking.not_found", {"id": booking_id})
    return state


def _is_assigned(actor: dict, state: dict) -> bool:
    return actor.get("role") == "interpreter" and state["assigned_interpreter_id"] == actor["user_id"]


def view(actor: dict, state: dict) -> dict:
    """The booking detail as this actor may see it; hidden parts are absent, not emptied."""
    staff = is_staff(actor)
    assigned = _is_assigned(actor, state)
    detail = {k: val for k, val in state.items() if k not in INTERNAL}
    detail["offered_to"] = list(state["offered_to"])
    detail["attachments"] = list(state["attachments"])
    if staff:
        detail["declined_by"] = list(state["declined_by"])
        detail["withdrawals"] = list(state["withdrawals"])
        detail["cancel_reason"] = state["cancel_reason"]
        detail["close_comment"] = state["close_comment"]
        for name in ("offer_rounds", "offers_withdrawn", "flagged_unfilled_at", "assign_override"):
            detail[name] = state.get(name)
    else:
        del detail["declined_by"]
    if actor.get("role") == "interpreter":
        # Interpreters do not learn who else was asked.
        detail["offered_to"] = [uid for uid in state["offered_to"] if uid == actor["user_id"]]
    if not (staff or assigned or actor.get("role") == "requester"):
        del detail["video_secret"]   # requesters only reach their own establishment's bookings
    if not (staff or assigned):
        # Reports and receipts are pay matters between the interpreter and the bank.
        del detail["report"], detail["attachments"]
        detail.pop("report_returned", None)   # the bank's comment on that report, likewise
    return detail


def summary(state: dict) -> dict:
    return {k: state.get(k) for k in SUMMARY_FIELDS}


def may_read_attachment(actor: dict, state: dict, meta: dict | None) -> bool:
    """Receipts are between the interpreter and the bank: staff, the assigned interpreter and whoever
    added the file may read it."""
    return meta is not None and (is_staff(actor) or meta.get("added_by") == actor["user_id"]
                                 or _is_assigned(actor, state))


def assigned_contact(actor: dict, booking: dict, person: dict | None) -> dict | None:
    """Who was assigned, by name, and how to reach them (what the acceptance notification tells the
    requester), for a requester or staff member who may see the booking; interpreters get none (it
    is them, or not theirs). `person` is the assigned interpreter's profile, if known."""
    uid = booking.get("assigned_interpreter_id")
    if not uid or not (is_staff(actor) or role_of(actor) == "requester") \
            or booking.get("status") not in CONTACT_STATUSES:
        return None
    person = person or {}
    name = f"{person.get('first_name') or ''} {person.get('last_name') or ''}".strip()
    return {"user_id": uid, "name": name or uid, "mobile": person.get("mobile") or None,
            "phone": person.get("phone") or None, "email": person.get("email") or None}


def require_staff(actor: dict, command: str) -> None:
    """Coordinators and admins only (candidates, the queue)."""
    if role_of(actor) not in STAFF:
        raise Forbidden("booking.forbidden_role", {"role": actor.get("role"), "command": command})
