"""Booking events: notification's copy of the booking (domain/booking_copy.py, booking's contract
fold), then whom the matrix says to tell (domain/routing.py) and the reminder it sets or drops."""
from __future__ import annotations

import logging

from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from services.auth.contract.vocabulary import ROLES
from services.booking.contract.events import booking_id_of, upcast
from services.notification.domain import booking_copy
from services.notification.domain import messages as m
from services.notification.domain.routing import CANCEL, COORDINATORS, RESCHEDULE, SCHEDULE, route_booking_event

from .records import BOOKINGS

log = logging.getLogger(__name__)


class BookingUseCases:
    def on_booking_event(self, envelope: dict, fetch: Fetch, fetch_auth: Fetch | None = None) -> None:
        """`fetch_auth`: auth's events_since, to learn of people hired since the copy last caught up."""
        with self._asking_auth(self.projector, fetch_auth):
            self.projector.on_event(envelope, fetch)

    def catch_up(self, fetch: Fetch, fetch_auth: Fetch | None = None) -> int:
        with self._asking_auth(self.projector, fetch_auth):
            self._retry_parked_once_known(self.projector)
            return self.projector.catch_up(fetch)

    def _apply_booking(self, event: StoredEvent) -> None:
        self.received_log.record(event)
        booking_id = booking_id_of(event.stream_id)
        before = self.docs.get(BOOKINGS, booking_id)
        if booking_copy.already_applied(before, event):
            # Replayed after a crash between the copy and the deliveries: told again, and the
            # deliveries' keys make it once.
            after = before
        else:
            # An event that cannot be folded raises: retried, then parked (never skipped silently).
            after = booking_copy.evolve(before, event)
            self.docs.put(BOOKINGS, booking_id, after)
        if self._copies_only:
            return
        data = upcast(event.to_dict()).get("data") or {}
        routing = route_booking_event(event.type, data, before or {}, after)
        people = self._people_named(data, after)
        self._catch_up_for(routing.notices, people, self.projector.name)
        self._tell(event.event_id, routing.notices, after)
        if routing.reminder in (CANCEL, RESCHEDULE):
            self._cancel_timers(after["id"], keep=None)
        if routing.reminder in (SCHEDULE, RESCHEDULE):
            self._schedule_reminder(after)
        self._raise_if_unknown(routing.notices, people)

    @staticmethod
    def _people_named(data: dict, booking: dict) -> set:
        """Who the event tells that must have an account: the interpreters it names (booking offers
        or assigns only accounts auth has) and the booking's creator when a person created it (not
        an outside system's token). A copy made before the creator's role was kept: interpreters."""
        people = set(data.get("interpreter_ids") or []) | {data.get("interpreter_id")}
        if booking.get("created_by_role") in ROLES:
            people.add(booking.get("created_by"))
        return people - {None}

    def _tell(self, event_id: str, notices, booking: dict | None, extra=None) -> None:
        """Queues each notice's deliveries: people by their profile, coordinators each, a bare
        address unless a person told here already has it."""
        told: set[str] = set()
        for notice in (n for n in notices if not n.email):
            people = [c["user_id"] for c in self._coordinators()] if notice.to == COORDINATORS else [notice.to]
            for user_id in people:
                if not user_id or (notice.to == COORDINATORS and user_id == notice.about):
                    continue    # told in their own right (their document), or not a coordinator
                profile = self._notify_user(event_id, notice.kind, user_id, booking,
                                            self._params_for(notice, extra, booking))
                if profile:
                    told.add((profile.get("email") or "").lower())
        for notice in (n for n in notices if n.email):
            if notice.email.lower() in told:
                continue
            creator = self.profiles.get(booking.get("created_by")) if booking.get("created_by") else None
            lang = m.lang_of((creator or {}).get("display_language"))
            params = dict(m.booking_params(booking, lang, self.public_url), name="",
                          **self._params_for(notice, extra, booking)(lang, None))
            subject, body = m.render(notice.kind, lang, "email", params)
            self._queue(event_id, notice.kind, booking["id"], {"user_id": None, "address": notice.email},
                        "email", lang, subject, body)

    def _params_for(self, notice, extra, booking: dict | None = None):
        """What the message says beyond the booking: the page it links to when not the booking's,
        the interpreter it names, then `extra`."""
        def params(lang: str, addressee: dict | None) -> dict:
            out = {}
            if booking and notice.kind in m.REPORT_LINK_KINDS:
                out["link"] = m.report_link(self.public_url, booking.get("id"))
            if notice.about and notice.kind in ("booking_accepted", "booking_withdrawn"):
                interpreter = self.profiles.get(notice.about) or {}
                out["interpreter_name"] = m.person_name(interpreter) or notice.about
                if notice.kind == "booking_accepted":
                    out["interpreter_contact"] = ", ".join(
                        c for c in (interpreter.get("mobile"), interpreter.get("phone"), interpreter.get("email")) if c)
            if extra:
                out.update(extra(lang, addressee))
            return out
        return params
