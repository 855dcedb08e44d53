"""What a requester's new request starts with, from their profile (auth keeps a requester's facility
and cost centres, services/auth/domain/profile.py REQUESTER_FIELDS): the facility, and the cost
centre with its description when the profile names exactly one (with several, the person picks).
Only for a new request: a modified booking keeps its own values."""
from __future__ import annotations

from gateway.rpc import ServiceError
from gateway.web import rpc
from ims_common.errors import IMSError


def from_profile(actor: dict) -> dict:
    """Booking form values from the requester's profile; {} for staff, or when auth cannot say (the
    form still opens, empty as before)."""
    if actor.get("role") != "requester":
        return {}
    try:
        profile = rpc("auth", "get_profile", actor, actor["user_id"]) or {}
    except (IMSError, ServiceError):
        return {}
    values = {}
    if isinstance(profile.get("facility"), str) and profile["facility"].strip():
        values["facility"] = profile["facility"].strip()
    centres = [c for c in profile.get("cost_centers") or [] if isinstance(c, dict) and c.get("code")]
    if len(centres) == 1:
        values["cost_center"] = centres[0]["code"]
        if centres[0].get("description"):
            values["cost_center_description"] = centres[0]["description"]
    return values
