"""People: auth's events kept in the ProfileCopy (language, channels, switches, role), the
eligibility documents' expiry timers that follow each profile change, and one person's deliveries
queued per channel they have and have not switched off."""
from __future__ import annotations

import contextlib
import logging
import re
from typing import Callable, Iterator

from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from ims_common.times import local_today
from services.auth.contract.events import MFA_ENABLED
from services.auth.contract.profiles import changed_contacts
from services.auth.contract.vocabulary import COORDINATOR
from services.notification.domain import messages as m
from services.notification.domain.schedule import expiry_notices

from .records import TIMERS

log = logging.getLogger(__name__)


class UnknownRecipient(LookupError):
    """Interpreters a booking event names whom the copy of auth's accounts does not hold even after
    catching up auth: the event is retried, then parked, and applied once they are known."""

    _NAMED = re.compile(r"\AUnknownRecipient: not in the copy of auth's accounts yet: (\S+(?: \S+)*)\Z")

    def __init__(self, user_ids: list[str]):
        super().__init__("not in the copy of auth's accounts yet: " + " ".join(user_ids))

    @classmethod
    def named_in(cls, error: str | None) -> list[str]:
        """The user ids a parked event's error names when it is an UnknownRecipient, else []."""
        found = cls._NAMED.match(error or "")
        return found.group(1).split(" ") if found else []


class PeopleUseCases:
    def on_auth_event(self, envelope: dict, fetch: Fetch) -> None:
        self.auth_projector.on_event(envelope, fetch)

    def catch_up_auth(self, fetch: Fetch) -> int:
        return self.auth_projector.catch_up(fetch)

    @contextlib.contextmanager
    def _asking_auth(self, projector, fetch_auth: Fetch | None) -> Iterator[None]:
        """`projector` (booking's or payroll's) held, with `fetch_auth` (auth's events_since) for its
        events to catch up the copy of auth's accounts when they name someone it does not know yet."""
        with projector.lock:
            before = self._fetch_auth.get(projector.name)
            self._fetch_auth[projector.name] = fetch_auth
            try:
                yield
            finally:
                self._fetch_auth[projector.name] = before

    def _unknown_recipients(self, notices, people: set) -> list[str]:
        """The `people` (ids that are accounts: offered or assigned interpreters, a creator who is a
        person, a remuneration's interpreter) whom a notice tells and the copy does not hold. Other
        ids (a system actor) are told when known, as before."""
        return sorted({n.to for n in notices if not n.email and n.to in people and self.profiles.get(n.to) is None})

    def _catch_up_for(self, notices, people: set, source: str) -> None:
        """Catches up auth's events when a notice tells someone the copy does not know (hired a
        second ago), with the `fetch_auth` of `source`'s projector; a failure (auth out of reach)
        leaves them unknown."""
        fetch_auth = self._fetch_auth.get(source)
        if fetch_auth is None or not self._unknown_recipients(notices, people):
            return
        try:
            self.auth_projector.catch_up(fetch_auth)
        except Exception:
            log.warning("notification: catching up auth's accounts failed", exc_info=True)

    def _raise_if_unknown(self, notices, people: set) -> None:
        """Called once the others are told (their deliveries are keyed by event, so a retry tells
        them nothing twice): raises UnknownRecipient for whoever is still unknown, so the projector
        retries the event, then parks it (health, the CLI's `parked`) until their account arrives."""
        missing = self._unknown_recipients(notices, people)
        if missing:
            raise UnknownRecipient(missing)

    def _retry_parked_once_known(self, projector) -> None:
        """Marks for retry `projector`'s events parked for people the copy knows now (their account
        arrived): the catch-up that follows applies them."""
        for doc in projector.parked():
            named = UnknownRecipient.named_in(doc.get("error"))
            if named and not doc.get("retry") and all(self.profiles.get(uid) for uid in named):
                projector.request_retry(doc["position"])

    def _apply_auth(self, event: StoredEvent) -> None:
        user_id = (event.data or {}).get("user_id")
        before = self.profiles.get(user_id) if user_id else None
        self.profiles.apply(event)
        if event.type == "ProfileUpdated" and before and not self._copies_only \
                and before.get("_version", 0) < event.stream_version:
            self._tell_old_contact(event.event_id, before, event.data or {})
        if event.type == MFA_ENABLED and user_id and not self._copies_only:
            self._tell_mfa_change(event.event_id, user_id, (event.data or {}).get("method"))
        if event.type == "ProfileUpdated" and user_id and not self._copies_only:
            profile = self.profiles.get(user_id)
            if profile and profile.get("_version") == event.stream_version:
                self._schedule_expiries(profile)

    def _tell_old_contact(self, event_id: str, before: dict, after: dict) -> None:
        """An email to the address the person had (issue 17): a changed email, mobile or phone is
        told where whoever took the session over cannot silence it. A first number is no change."""
        changed = [k for k in changed_contacts(before, after) if before.get(k)]
        address = before.get("email")
        if not changed or not address:
            return
        lang = m.lang_of(after.get("display_language"))
        subject, body = m.render("contact_changed", lang, "email", {
            "name": after.get("first_name") or "", "what": m.contact_names(changed, lang)})
        self._queue(event_id, "contact_changed", None, {"user_id": after.get("user_id"), "address": address,
                                                        "name": m.person_name(after)}, "email", lang, subject, body)

    def _tell_mfa_change(self, event_id: str, user_id: str, method) -> None:
        """A second factor turned on or replaced (a new phone, an authenticator app) is told to the
        person's email address, as a contact change is (issue 17)."""
        profile = self.profiles.get(user_id)
        if not profile or not profile.get("email"):
            return
        lang = m.lang_of(profile.get("display_language"))
        subject, body = m.render("mfa_changed", lang, "email", {
            "name": profile.get("first_name") or "", "method": m.mfa_method_name(method, lang)})
        self._queue(event_id, "mfa_changed", None, {"user_id": user_id, "address": profile["email"],
                                                    "name": m.person_name(profile)}, "email", lang, subject, body)

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
