"""Automatic escalation, what the nameko timer calls at the app clock: widens offers nobody accepted
within the policy's time to the next tier of candidates, and flags bookings still unfilled close to
the start (BookingFlaggedUnfilled), acting as the system actor."""
from __future__ import annotations

from datetime import timedelta

from ims_common.errors import IMSError
from ims_common.times import iso_z
from services.booking.domain import matching as m
from services.booking.domain.access import SYSTEM_ACTOR

from .base import AppBase
from .read_model import BOOKINGS, state_of

HORIZON = timedelta(days=366)


class Escalation(AppBase):
    """Uses execute (Commands) and _match / interpreter_index (Matching), beside it in BookingApp."""

    def escalate(self) -> dict:
        """One pass at the app clock: widen stale offers by a tier, flag bookings still unfilled.
        One booking process at a time (a store lock every process shares): two passes at once would
        each decide the same next tier, and the one that lost the append would offer it again. A
        pass that finds the other process at it does nothing: that one does the work."""
        with self.docs.lock("booking.escalation").attempt() as ours:
            if not ours:
                return {"escalated": [], "flagged": []}
            return self._escalate()

    def _escalate(self) -> dict:
        self.catch_up()
        now, policy = self._now(), self.policy
        pending = [state_of(d) for d in self.docs.find(
            BOOKINGS, {"status": "pending", "start_at": {"gt": iso_z(now), "lte": iso_z(now + HORIZON)}},
            order_by=[("start_at", 1)])]
        index = None
        done: dict = {"escalated": [], "flagged": []}
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
                        tier = m.next_tier_number(fresh)
                        self.execute(SYSTEM_ACTOR, state["id"], "offer", {"interpreter_ids": ids, "tier": tier})
                        done["escalated"].append({"id": state["id"], "tier": tier, "interpreter_ids": ids})
            except IMSError:
                continue        # changed meanwhile (taken, cancelled): the next pass sees it anew
        return done
