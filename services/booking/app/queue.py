"""The coordinators' queue: pending bookings still to come, most urgent first (domain.queue)."""
from __future__ import annotations

from services.booking.domain import queue
from services.booking.domain.access import require_staff
from services.booking.domain.listing import to_assign_where

from .base import AppBase
from .read_model import BOOKINGS, state_of


class Queue(AppBase):
    def to_assign(self, actor: dict, query=None) -> dict:
        require_staff(actor, "queue")
        page, per_page = queue.paging(query)
        self.catch_up()
        now = self._now()
        docs = self.docs.find(BOOKINGS, to_assign_where(now),
                              order_by=[("start_at", 1)], limit=queue.QUEUE_LIMIT)
        rows = queue.ordered([queue.row(state_of(doc), now) for doc in docs])
        start = (page - 1) * per_page
        return {"items": rows[start:start + per_page], "total": len(rows), "page": page, "per_page": per_page}
