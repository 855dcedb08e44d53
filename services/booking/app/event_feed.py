"""The booking events for other services (full, current schema versions) and for outside systems
(the public projection of docs/events/)."""
from __future__ import annotations

from ims_common.errors import ValidationFailed
from ims_common.validation import invalid
from services.booking.contract.public import public_event

from .base import AppBase

MAX_EVENTS_PAGE = 1000
BEYOND_LAST = "booking.events_after_beyond_last"


class EventFeed(AppBase):
    def events_since(self, position, limit=500) -> list[dict]:
        for name, value in (("position", position), ("limit", limit)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise invalid({name: ["field.not_an_integer"]})
        limit = max(1, min(limit, MAX_EVENTS_PAGE))
        return [e.to_dict() for e in self.events.read_all(position, limit)]

    def public_events_since(self, position, limit=500) -> dict:
        """{"items": the public projection (docs/events/) of the events after position, "next_after":
        the position to ask after next}. Types outside the contract are left out, so a page may hold
        fewer than limit items (even none) while more follow: resume after `next_after`. A position
        beyond the last one is refused: an empty page would tell that client it is up to date."""
        events = self.events_since(position, limit)
        if not events and position > 0 and position > (last := self.events.last_position()):
            raise ValidationFailed(BEYOND_LAST, {"after": position, "last": last}, {"after": [BEYOND_LAST]})
        page = [p for p in map(public_event, events) if p is not None]
        return {"items": page, "next_after": events[-1]["position"] if events else position}

    @staticmethod
    def public_event(envelope: dict) -> dict | None:
        """What the relay publishes on `booking.public` (ims_common.nameko_ext.Runtime)."""
        return public_event(envelope)
