"""Matching and offering: who may take a booking (scored, in tiers, and why every other one may
not), and an offer's payload made ready for the domain.

An offer with {"all_qualified": true} is a broadcast to every current candidate (first accept wins;
the domain withdraws the others' offers in the same append). An offer naming interpreters is refused
for one whose profile says they may not work now (domain.matching.HARD_RULES); the other rules a
coordinator may knowingly override.

Profiles come from the service's own copy of auth's profiles (services.auth.contract.profiles, same
document store); coordinates of facilities and regions' head offices, language names and contexts
from its copy of the reference data (app/reference.py); optional further coordinates from the
"locations" collection (documents "facilities" and "postal_codes": {name or postal code: {lat, lon}})."""
from __future__ import annotations

from datetime import timedelta

from ims_common.errors import Conflict, NotFound
from ims_common.validation import invalid
from services.booking.contract.reasons import reasons_text
from services.auth.contract.profiles import PROFILES
from ims_common.times import iso_z, parse_iso
from services.booking.domain import matching as m
from services.booking.domain.access import STAFF, require_staff, role_of

from .base import AppBase
from .read_model import BOOKINGS, state_of
from .reference import matching_catalogue

LOCATIONS = "locations"


class Matching(AppBase):
    def _profiles(self) -> list[dict]:
        seen = {p["user_id"]: p for p in self.auth_profiles.interpreters()}
        for p in self.docs.find(PROFILES, {"secondary_role": "interpreter"}):
            seen.setdefault(p["user_id"], p)
        return list(seen.values())

    def _locations(self) -> m.Locations:
        facilities = self.docs.get(LOCATIONS, "facilities") or {}
        postal = self.docs.get(LOCATIONS, "postal_codes") or {}
        return m.Locations(facilities, postal, matching_catalogue(self.reference))

    def interpreter_index(self) -> m.InterpreterIndex:
        return m.InterpreterIndex(self._profiles(), self._locations())

    def _busy_around(self, state: dict) -> m.BusyIndex:
        span = timedelta(days=4)        # overlaps need +-1 day, the workload score +-3.5 days
        lo, hi = parse_iso(state["start_at"]) - span, parse_iso(state["end_at"]) + span
        docs = self.docs.find(BOOKINGS, {"status": {"in": list(m.BUSY_STATUSES)},
                                         "start_at": {"gte": iso_z(lo), "lte": iso_z(hi)}})
        return m.BusyIndex(state_of(d) for d in docs)

    def _match(self, state: dict, index: m.InterpreterIndex | None = None, exhaustive=True) -> m.MatchResult:
        return m.match(state, index or self.interpreter_index(), self._busy_around(state), self._now(),
                       self.policy, exhaustive=exhaustive)

    def candidates(self, actor: dict, booking_id) -> dict:
        require_staff(actor, "candidates")
        self.catch_up()
        state = self._load(booking_id)
        if state is None:
            raise NotFound("booking.not_found", {"id": booking_id})
        result = self._match(state)
        return {"booking_id": state["id"], "status": state["status"], **result.to_dict(),
                "policy": {"tier_size": self.policy.tier_size,
                           "travel_margin_minutes": self.policy.travel_margin_minutes,
                           "max_distance_km": self.policy.max_distance_km}}

    def _prepare_offer(self, actor: dict, booking_id, payload, refresh=None):
        """The domain's offer payload: all_qualified becomes the current candidates (a broadcast);
        named interpreters are checked against the hard rules of their profiles."""
        if not isinstance(payload, dict) or role_of(actor) not in STAFF:
            return payload                      # the domain refuses what is wrong
        state = self._load(booking_id)
        if state is None or state["status"] != "pending":
            return payload
        if m.wants_broadcast(payload):
            result = self._match(state, exhaustive=False)
            ids = [c["interpreter_id"] for c in result.candidates if not c["offered"]][:self.policy.max_offer]
            if not ids:
                raise Conflict("booking.no_qualified_candidates", {"id": state["id"]})
            return {"interpreter_ids": ids, "broadcast": True}
        ids = payload.get("interpreter_ids")
        if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
            known = {uid: self._interpreter_profile(uid, refresh) for uid in dict.fromkeys(i.strip() for i in ids)}
            index = m.InterpreterIndex(known.values(), self._locations())
            for uid, interpreter in index.all.items():
                hard = m.hard_exclusions(interpreter, state, self._now(), self.policy)
                if hard:
                    raise Conflict("booking.interpreter_excluded", {
                        "interpreter_id": uid, "name": _name(known[uid]), "reason": hard[0]["code"], "reasons": hard,
                        "why": {"fr": reasons_text(hard, "fr"), "en": reasons_text(hard, "en")}})
        return payload

    def _interpreter_profile(self, uid: str, refresh=None) -> dict:
        """The profile of an active interpreter, else Conflict naming why (unknown id, another
        role's account, a deactivated account): nobody is offered or assigned a booking who cannot
        take it. `refresh` (the service's catch-up from auth) runs once when the id is not in the
        copy yet: an interpreter created a second ago is found."""
        if not 0 < len(uid) <= 64:
            raise Conflict("booking.interpreter_unknown", {"interpreter_id": uid[:64]})
        profile = self.docs.get(PROFILES, uid)
        if profile is None and refresh is not None:
            refresh()
            profile = self.docs.get(PROFILES, uid)
        if profile is None:
            raise Conflict("booking.interpreter_unknown", {"interpreter_id": uid})
        if not m.is_interpreter(profile):
            raise Conflict("booking.not_an_interpreter", {"interpreter_id": uid})
        if profile.get("active") is False:
            raise Conflict("booking.interpreter_deactivated", {"interpreter_id": uid, "name": _name(profile)})
        return profile

    def _prepare_assign(self, actor: dict, booking_id, payload, refresh=None):
        """The domain's assign payload: the interpreter must be an active interpreter; what stops a
        direct assignment (domain.matching.ASSIGN_RULES: blocked, document expired, inactivity, not
        available for offers, busy then) goes with it as `exclusions`, which the domain accepts only
        with the coordinator's `override_reason`."""
        if not isinstance(payload, dict) or role_of(actor) not in STAFF:
            return payload
        if "exclusions" in payload:
            raise invalid({"exclusions": ["field.unknown"]})
        uid = payload.get("interpreter_id")
        state = self._load(booking_id)
        if state is None or state["status"] != "pending" or not isinstance(uid, str) or not uid.strip():
            return payload
        uid = uid.strip()
        profile = self._interpreter_profile(uid, refresh)
        index = m.InterpreterIndex([profile], self._locations())
        out = m.assign_exclusions(index.all[uid], state, self._busy_around(state), self._now(), self.policy,
                                  index.locations)
        if not out:
            return {k: v for k, v in payload.items() if k != "override_reason"}
        reason = payload.get("override_reason")
        if not isinstance(reason, str) or not reason.strip():
            raise Conflict("booking.assign_excluded", {
                "interpreter_id": uid, "name": _name(profile), "reasons": out,
                "why": {"fr": reasons_text(out, "fr"), "en": reasons_text(out, "en")}})
        return dict(payload, interpreter_id=uid, exclusions=out)


def _name(profile: dict) -> str:
    name = " ".join(p for p in (profile.get("first_name"), profile.get("last_name")) if isinstance(p, str) and p)
    return name or profile.get("user_id") or ""
