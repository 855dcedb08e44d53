"""Timed messages: records with a due time and a deterministic key (domain/schedule.py), run once
each by `process_timers`; a reminder that the booking has moved past is dropped, not sent."""
from __future__ import annotations

import logging
from datetime import datetime

from ims_common.docstore.port import DuplicateKeyError
from ims_common.times import iso_z, local_today
from services.notification.domain import messages as m
from services.notification.domain.routing import route_timer
from services.notification.domain.schedule import UNFILLED_WINDOW, digest, reminder, reminder_still_stands

from .records import BOOKINGS, TIMERS

log = logging.getLogger(__name__)


class TimerUseCases:
    def _schedule_reminder(self, booking: dict) -> None:
        planned = reminder(booking)
        if planned is None:
            return
        key, due, fields = planned
        self._cancel_timers(booking["id"], keep=key)
        self._add_timer(key, "booking_reminder", due, **fields)

    def _add_timer(self, key: str, kind: str, due: datetime, **fields) -> None:
        existing = self.docs.get(TIMERS, key)
        if existing is None:
            try:
                self.docs.insert(TIMERS, key, {"id": key, "kind": kind, "due_at": iso_z(due), "status": "pending",
                                               "created_at": iso_z(self.clock()), "done_at": None, **fields})
            except DuplicateKeyError:
                pass
        elif existing["status"] == "cancelled":      # moved back to a time cancelled before
            self.docs.put(TIMERS, key, dict(existing, status="pending"))

    def _cancel_timers(self, booking_id: str, keep: str | None) -> None:
        for timer in self.docs.find(TIMERS, {"booking_id": booking_id, "status": "pending"}):
            if timer["id"] != keep:
                self.docs.put(TIMERS, timer["id"], dict(timer, status="cancelled"))

    def _ensure_digest(self, now: datetime) -> None:
        key, due = digest(local_today(now), self.digest_at)
        if self.docs.get(TIMERS, key) is None:
            self._add_timer(key, "unfilled_digest", due)

    def process_timers(self) -> int:
        """Runs every due timer once; returns how many ran."""
        with self._timer_lock:     # every notification process's: a timer fires in one of them
            now = self.clock()
            self._ensure_digest(now)
            ran = 0
            for timer in self.docs.find(TIMERS, {"status": "pending", "due_at": {"lte": iso_z(now)}},
                                        order_by=[("due_at", 1)], limit=200):
                try:
                    getattr(self, "_fire_" + timer["kind"])(timer, now)
                except Exception:
                    log.exception("timer %s failed; will retry", timer["id"])
                    continue
                self.docs.put(TIMERS, timer["id"], dict(timer, status="done", done_at=iso_z(now)))
                ran += 1
                self._pause()
                self._timer_lock.keep()
            return ran

    def _fire_booking_reminder(self, timer: dict, now: datetime) -> None:
        booking = self.docs.get(BOOKINGS, timer["booking_id"])
        if reminder_still_stands(booking, timer, now):
            self._tell(timer["id"], route_timer("booking_reminder", timer["user_id"]), booking)

    def _fire_document_expiring(self, timer: dict, now: datetime) -> None:
        owner = self.profiles.get(timer["user_id"]) or {}
        person = m.person_name(owner) or timer["user_id"]

        def params(lang, addressee):
            return {"document": timer.get("document", ""), "expires_on": timer["expires_on"], "person": person,
                    "link": m.document_link(self.public_url, (addressee or {}).get("role"), timer["user_id"])}

        self._tell(timer["id"], route_timer("document_expiring", timer["user_id"]), None, params)

    def _fire_unfilled_digest(self, timer: dict, now: datetime) -> None:
        unfilled = self.docs.find(BOOKINGS, {"status": "pending", "start_at": {"gte": iso_z(now),
                                                                               "lte": iso_z(now + UNFILLED_WINDOW)}},
                                  order_by=[("start_at", 1)])
        if not unfilled:
            return

        def params(lang, addressee):
            lines = []
            for b in unfilled:
                p = m.booking_params(b, lang, self.public_url)
                lines.append(f"- {p['number']} {p['date']} {p['time']} ({p['languages']}, {p['mode']}) {p['link']}")
            return {"count": len(unfilled), "lines": "\n".join(lines), "link": m.digest_link(self.public_url)}

        self._tell(timer["id"], route_timer("unfilled_digest"), None, params)
