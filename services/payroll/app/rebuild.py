"""Rebuilding payroll's read models from zero: booking's, auth's and reference's events replayed
through their events_since, payroll's own decisions (closures, policy versions) applied at the
positions they were taken, and each validated remuneration priced with the places it was validated
with (its RemunerationCalculated events hold them), so the rebuilt amounts equal the live ones."""
from __future__ import annotations

from ims_common.projection import Fetch
from services.payroll.contract.events import CALCULATED, PERIOD_CLOSED, POLICY_ADDED

from .records import READ_MODELS


def _none(position: int, limit: int) -> list:
    return []


class RebuildUseCases:
    def rebuild(self, fetch_booking: Fetch, fetch_auth: Fetch, fetch_reference: Fetch = _none) -> dict:
        """Drops every read model and replays; publishes nothing (the RemunerationCalculated events
        are already in the store). Returns the totals."""
        decisions, validated_places, position = [], {}, 0
        while True:
            page = self.events.read_all(position, 1000)
            if not page:
                break
            position = page[-1].position
            for e in page:
                if e.type in (PERIOD_CLOSED, POLICY_ADDED):
                    decisions.append(e)
                elif e.type == CALCULATED and e.data.get("validated") and "places" in e.data:
                    validated_places.setdefault(e.data["key"], e.data["places"])
        emit, self.emit = self.emit, False
        try:
            # One transaction (SQLite): no disk flush per document, and a rebuild failing part way
            # leaves the read models as they were.
            with self._lock, self.docs.batch():
                for collection in READ_MODELS:
                    self.docs.drop(collection)
                self._places_index, self._validated_places = None, validated_places
                for decision in decisions:
                    self.projector.catch_up(_upto(fetch_booking, decision.data["booking_position"]))
                    self.auth_projector.catch_up(_upto(fetch_auth, decision.data["auth_position"]))
                    if "reference_position" in decision.data:
                        self.catch_up_reference(_upto(fetch_reference, decision.data["reference_position"]))
                    (self._apply_closure if decision.type == PERIOD_CLOSED else self._apply_policy)(decision)
                self.projector.catch_up(fetch_booking)
                self.auth_projector.catch_up(fetch_auth)
                self.catch_up_reference(fetch_reference)
        finally:
            self.emit, self._validated_places = emit, {}
        return self.totals()


def _upto(fetch: Fetch, bound: int) -> Fetch:
    def bounded(position: int, limit: int) -> list:
        if position >= bound:
            return []
        return [e for e in fetch(position, min(limit, bound - position)) if e["position"] <= bound]
    return bounded
