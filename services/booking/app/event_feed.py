"""The booking events for other services (full, current schema versions) and for outside systems
(the public projection of docs/events/)."""
from __future__ import annotations

from ims_common.errors import ValidationFailed
from ims_common.validation import invalid
from services.booking.contract.public import FEEDS, public_event

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

    def public_events_since(self, position, limit=500, context=False) -> dict:
        """{"items": the public projection (docs/events/) of the events after position, "next_after":
        the position to ask after next}. Types outside the contract are left out, so a page may hold
        fewer than limit items (even none) while more follow: resume after `next_after`. A position
        beyond the last one is refused: an empty page would tell that client it is up to date.
        `context`: with the booking's context category (the caller checked the subscriber's grant)."""
        events = self.events_since(position, limit)
        if not events and position > 0 and position > (last := self.events.last_position()):
            raise ValidationFailed(BEYOND_LAST, {"after": position, "last": last}, {"after": [BEYOND_LAST]})
        page = [p for p in (public_event(e, context=context is True) for e in events) if p is not None]
        return {"items": page, "next_after": events[-1]["position"] if events else position}

    @staticmethod
    def public_feeds() -> dict:
        """What the relay publishes beside booking.events (ims_common.nameko_ext.Runtime): exchange ->
        projection; `booking.public` without the context category, `booking.public.context` with it."""
        return dict(FEEDS)
