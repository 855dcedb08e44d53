"""People: auth's events kept in the ProfileCopy (language, channels, switches, role), the
eligibility documents' expiry timers that follow each profile change, and one person's deliveries
queued per channel they have and have not switched off."""
from __future__ import annotations

from typing import Callable

from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from ims_common.times import local_today
from services.auth.contract.vocabulary import COORDINATOR
from services.notification.domain import messages as m
from services.notification.domain.schedule import expiry_notices

from .records import TIMERS


class PeopleUseCases:
    def on_auth_event(self, envelope: dict, fetch: Fetch) -> None:
        self.auth_projector.on_event(envelope, fetch)

    def catch_up_auth(self, fetch: Fetch) -> int:
        return self.auth_projector.catch_up(fetch)

    def _apply_auth(self, event: StoredEvent) -> None:
        self.profiles.apply(event)
        user_id = (event.data or {}).get("user_id")
        if event.type == "ProfileUpdated" and user_id and not self._copies_only:
            profile = self.profiles.get(user_id)
            if profile and profile.get("_version") == event.stream_version:
                self._schedule_expiries(profile)

    def _schedule_expiries(self, profile: dict) -> None:
        keys = set()
        for key, due, fields in expiry_notices(profile, local_today(self.clock())):
            keys.add(key)
            self._add_timer(key, "document_expiring", due, **fields)
        for timer in self.docs.find(TIMERS, {"user_id": profile["user_id"], "status": "pending",
                                             "kind": "document_expiring"}):
            if timer["id"] not in keys:
                self.docs.put(TIMERS, timer["id"], dict(timer, status="cancelled"))

    def _coordinators(self) -> list[dict]:
        return [p for p in self.profiles.by_role(COORDINATOR) if p.get("active", True) is not False]

    def _notify_user(self, event_id: str, kind: str, user_id: str | None, booking: dict | None,
                     extra: Callable[[str, dict], dict] | None = None) -> dict | None:
        """One record per channel the person has and has not switched off; the person's profile
        (None: unknown or inactive, told nothing)."""
        profile = self.profiles.get(user_id) if user_id else None
        if not profile or profile.get("active", True) is False:
            return None
        lang = m.lang_of(profile.get("display_language"))
        params = m.booking_params(booking, lang, self.public_url) if booking else {}
        params["name"] = profile.get("first_name") or ""
        if extra:
            params.update(extra(lang, profile))
        switches = profile.get("notifications") or {}
        for channel, field in (("email", "email"), ("sms", "mobile")):
            address = profile.get(field)
            if not address or (kind not in m.SECURITY_KINDS and switches.get(f"{channel}_disabled")):
                continue
            subject, body = m.render(kind, lang, channel, params)
            self._queue(event_id, kind, (booking or {}).get("id"),
                        {"user_id": user_id, "address": address, "name": m.person_name(profile)},
                        channel, lang, subject, body)
        return profile
