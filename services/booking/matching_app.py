"""Matching and offering in the booking application (mixed into BookingApp; no nameko here).

- candidates(actor, booking_id): who may take it, scored, in tiers, and why every other one may not.
- offer with {"all_qualified": true}: a broadcast to every current candidate (first accept wins; the
  domain withdraws the others' offers in the same append). An offer naming interpreters is refused
  for one whose profile says they may not work now (inactive account, not available for offers,
  inactivity period, invalid eligibility document, blocked for the establishment); the other rules
  (language, availability, distance…) a coordinator may knowingly override.
- escalate(): what the nameko timer calls, at the app clock: widens offers nobody accepted within
  the policy's time to the next tier of candidates, and flags bookings still unfilled close to the
  start (BookingFlaggedUnfilled), acting as the system actor.
- to_assign(actor, query): the coordinators' queue of pending bookings by urgency.

Profiles come from the service's own copy of auth's profiles (ims_common.profile_copy, same
document store); optional coordinates from the "locations" collection (documents "facilities" and
"postal_codes": {name or postal code: {lat, lon}})."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

from ims_common.errors import Conflict, Forbidden, IMSError
from ims_common.profile_copy import PROFILES, ProfileCopy
from services.booking.domain import matching as m
from services.booking.domain.access import STAFF, role_of, summary
from ims_common.times import iso_z, parse_iso
from ims_common.validation import invalid
from services.booking.readmodel import BOOKINGS, state_of

SYSTEM_ACTOR = {"user_id": "system", "role": "system"}
LOCATIONS = "locations"
HARD_RULES = ("matching.account_inactive", "matching.not_available_for_offers", "matching.inactivity_period",
              "matching.document_invalid", "matching.blocked_for_establishment")
QUEUE_LIMIT = 5000
ENV = {"IMS_MATCH_TRAVEL_MARGIN_MINUTES": "travel_margin_minutes", "IMS_MATCH_TIER_SIZE": "tier_size",
       "IMS_OFFER_TIMEOUT_MINUTES": "offer_timeout_minutes", "IMS_FLAG_UNFILLED_HOURS": "flag_before_hours"}


def policy_from_env(environ=os.environ) -> m.MatchingPolicy:
    """The matching policy with the integers the environment sets (names in ENV)."""
    changes = {}
    for name, attribute in ENV.items():
        value = environ.get(name, "").strip()
        if value.isdigit():
            changes[attribute] = int(value)
    km = environ.get("IMS_MATCH_MAX_DISTANCE_KM", "").strip()
    if km.replace(".", "", 1).isdigit():
        changes["max_distance_km"] = float(km)
    return replace(m.DEFAULT_POLICY, **changes)


def _staff(actor: dict, command: str) -> None:
    if role_of(actor) not in STAFF:
        raise Forbidden("booking.forbidden_role", {"role": actor.get("role"), "command": command})


class MatchingMixin:
    matching_policy: m.MatchingPolicy | None = None

    # --- data -----------------------------------------------------------------------------------

    @property
    def policy(self) -> m.MatchingPolicy:
        if self.matching_policy is None:
            self.matching_policy = policy_from_env()
        return self.matching_policy

    def _profiles(self) -> list[dict]:
        copy = ProfileCopy(self.docs)
        seen = {p["user_id"]: p for p in copy.by_role("interpreter")}
        for p in self.docs.find(PROFILES, {"secondary_role": "interpreter"}):
            seen.setdefault(p["user_id"], p)
        return list(seen.values())

    def _locations(self) -> m.Locations:
        facilities = self.docs.get(LOCATIONS, "facilities") or {}
        postal = self.docs.get(LOCATIONS, "postal_codes") or {}
        return m.Locations(facilities, postal)

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

    # --- queries --------------------------------------------------------------------------------

    def candidates(self, actor: dict, booking_id) -> dict:
        _staff(actor, "candidates")
        self.catch_up()
        state = self._load(booking_id)
        if state is None:
            from ims_common.errors import NotFound
            raise NotFound("booking.not_found", {"id": booking_id})
        result = self._match(state)
        return {"booking_id": state["id"], "status": state["status"], **result.to_dict(),
                "policy": {"tier_size": self.policy.tier_size,
                           "travel_margin_minutes": self.policy.travel_margin_minutes,
                           "max_distance_km": self.policy.max_distance_km}}

    def to_assign(self, actor: dict, query=None) -> dict:
        """Pending bookings still to come, most urgent first (domain.matching.urgency; flagged first)."""
        _staff(actor, "queue")
        query = query or {}
        page, per_page = query.get("page", 1), query.get("per_page", 50)
        if not all(isinstance(x, int) and not isinstance(x, bool) for x in (page, per_page)) \
                or page < 1 or not 1 <= per_page <= 200:
            raise invalid({"page": ["field.out_of_range"]})
        self.catch_up()
        now = self._now()
        docs = self.docs.find(BOOKINGS, {"status": "pending", "start_at": {"gt": iso_z(now)}},
                              order_by=[("start_at", 1)], limit=QUEUE_LIMIT)
        rows = []
        for doc in docs:
            state = state_of(doc)
            item = summary(state)
            item.update(urgency=m.urgency(state, now), flagged_unfilled=bool(state.get("flagged_unfilled_at")),
                        declined_count=len(state.get("declined_by") or []),
                        open_offers=len(m.holders(state)), created_at=state.get("created_at"),
                        offer_rounds=len(state.get("offer_rounds") or []))
            rows.append(item)
        rows.sort(key=lambda r: (not r["flagged_unfilled"], r["urgency"], r["start_at"], r["id"]))
        start = (page - 1) * per_page
        return {"items": rows[start:start + per_page], "total": len(rows), "page": page, "per_page": per_page}

    # --- offering -------------------------------------------------------------------------------

    def _prepare_offer(self, actor: dict, booking_id, payload):
        """The domain's offer payload: all_qualified becomes the current candidates (a broadcast);
        named interpreters are checked against the hard rules of their profiles."""
        if not isinstance(payload, dict) or role_of(actor) not in STAFF:
            return payload                      # the domain refuses what is wrong
        state = self._load(booking_id)
        if state is None or state["status"] != "pending":
            return payload
        if payload.get("all_qualified") is True:
            if set(payload) - {"all_qualified"}:
                raise invalid({"all_qualified": ["field.exclusive"]})
            result = self._match(state, exhaustive=False)
            ids = [c["interpreter_id"] for c in result.candidates if not c["offered"]][:self.policy.max_offer]
            if not ids:
                raise Conflict("booking.no_qualified_candidates", {"id": state["id"]})
            return {"interpreter_ids": ids, "broadcast": True}
        if "all_qualified" in payload:
            raise invalid({"all_qualified": ["field.invalid"]})
        ids = payload.get("interpreter_ids")
        if isinstance(ids, list) and all(isinstance(i, str) for i in ids):
            known = {p["user_id"]: p for p in (self.docs.get(PROFILES, i.strip()) for i in ids) if p}
            if known:
                index = m.InterpreterIndex(known.values(), self._locations())
                busy = m.BusyIndex()
                for uid, interpreter in index.all.items():
                    out, _, _, _ = m.evaluate(interpreter, state, busy, self._now(), self.policy)
                    hard = [r for r in out if r["code"] in HARD_RULES]
                    if hard:
                        raise Conflict("booking.interpreter_excluded",
                                       {"interpreter_id": uid, "reason": hard[0]["code"],
                                        "reasons": hard})
        return payload

    # --- automatic escalation -------------------------------------------------------------------

    def escalate(self) -> dict:
        """One pass at the app clock: widen stale offers by a tier, flag bookings still unfilled."""
        self.catch_up()
        now, policy = self._now(), self.policy
        horizon = now + timedelta(days=366)
        pending = [state_of(d) for d in self.docs.find(
            BOOKINGS, {"status": "pending", "start_at": {"gt": iso_z(now), "lte": iso_z(horizon)}},
            order_by=[("start_at", 1)])]
        index = None
        done = {"escalated": [], "flagged": []}
        for state in pending:
            try:
                if m.flag_due(state, now, policy):
                    self.execute(SYSTEM_ACTOR, state["id"], "flag-unfilled",
                                 {"hours_before": policy.flag_before_hours})
                    done["flagged"].append(state["id"])
                if m.escalation_due(state, now, policy):
                    index = index or self.interpreter_index()
                    fresh = self._load(state["id"])
                    ids = m.next_tier(fresh, self._match(fresh, index, exhaustive=False), policy)
                    if ids:
                        tier = max([r.get("tier") or 1 for r in fresh.get("offer_rounds") or []] + [1]) + 1
                        self.execute(SYSTEM_ACTOR, state["id"], "offer", {"interpreter_ids": ids, "tier": tier})
                        done["escalated"].append({"id": state["id"], "tier": tier, "interpreter_ids": ids})
            except IMSError:
                continue        # changed meanwhile (taken, cancelled): the next pass sees it anew
        return done
