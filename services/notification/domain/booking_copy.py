"""Notification's copy of a booking: booking's own contract fold (every event upcast first), cut
down to what a message may say or a rule needs. Nothing about the person served or their health
is kept: no context, details, notes, messages, comments, facility, address, location or video
data (they are dropped after each event, so they never reach the store)."""
from __future__ import annotations

from services.booking.contract.fold import apply_in_place
from services.booking.contract.events import CREATED, booking_id_of
from ims_common.times import iso_z, parse_iso

KEPT = ("id", "number", "status", "start_at", "end_at", "mode", "source_language", "target_language",
        "establishment", "requester_email", "duration_minutes", "due_date", "created_by",
        "assigned_interpreter_id", "reported_by", "version", "created_by_role")

# What the fold keeps beside the booking's fields, which the copy does not: given back empty
# before each event so booking's fold finds the lists it extends.
_SKELETON: dict = {"offered_to": [], "declined_by": [], "withdrawals": [], "attachments": [], "report": None,
             "offer_rounds": [], "offers_withdrawn": []}


def already_applied(copy: dict | None, event) -> bool:
    if not copy:
        return False
    return copy.get("version", 0) >= event.stream_version


def evolve(copy: dict | None, event) -> dict:
    """The copy after one stored event of its booking's stream (raises ValueError for an event
    before the booking's creation)."""
    state = apply_in_place(None if copy is None else dict(_SKELETON, **copy), event)
    kept: dict = {name: state.get(name) for name in KEPT}
    if event.type == CREATED:
        # Whether the creator is a person (told by their account) or an outside system (no account).
        kept["created_by_role"] = (event.actor or {}).get("role")
    if kept.get("start_at"):
        kept["start_at"] = iso_z(parse_iso(kept["start_at"]))  # one form, so copies sort and compare
    kept["id"] = kept.get("id") or booking_id_of(event.stream_id)
    return kept
