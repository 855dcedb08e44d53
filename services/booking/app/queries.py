"""Reading bookings: one booking (as the caller may see it), its assigned interpreter's contact,
lists, and attachments."""
from __future__ import annotations

from ims_common.errors import NotFound
from services.booking.domain import access
from services.booking.domain.access import require_visible, role_of, summary, view
from services.booking.domain.listing import parse_query

from .base import AppBase


class Queries(AppBase):
    def get_booking(self, actor: dict, booking_id) -> dict:
        role_of(actor)
        state = self._load(booking_id)
        return view(actor, require_visible(actor, state, str(booking_id)))

    def assigned_contact(self, actor: dict, booking_id) -> dict | None:
        """The assigned interpreter's name and contacts (domain.access.assigned_contact) from this
        service's copy of auth's profiles; the visibility check comes first."""
        booking = self.get_booking(actor, booking_id)
        uid = booking.get("assigned_interpreter_id")
        return access.assigned_contact(actor, booking, self.auth_profiles.get(uid) if uid else None)

    def list_bookings(self, actor: dict, query) -> dict:
        where, page, per_page, direction = parse_query(actor, query, self._now())
        self.catch_up()            # cheap when up to date; covers appends made by another process
        items, total = self.read_model.find(where, page, per_page, direction) if where is not None else ([], 0)
        return {"items": [summary(s) for s in items], "total": total, "page": page, "per_page": per_page}

    def get_attachment(self, actor: dict, booking_id, attachment_id) -> tuple[dict, bytes]:
        """(metadata, content), for whom domain.access.may_read_attachment allows."""
        state = require_visible(actor, self._load(booking_id), str(booking_id))
        meta = next((a for a in state["attachments"] if a["id"] == attachment_id), None)
        blob = self.blobs.get(attachment_id) if access.may_read_attachment(actor, state, meta) else None
        if blob is None:
            raise NotFound("booking.attachment_not_found", {"id": booking_id, "attachment_id": attachment_id})
        return dict(meta), blob.data
