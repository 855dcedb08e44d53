"""Rebuilding notification's copies (bookings, profiles) from booking's and auth's events, telling
no one: deliveries and timers are the service's own records and stay as they are."""
from __future__ import annotations

from services.auth.contract.profiles import PROFILES
from ims_common.projection import Fetch

from .records import BOOKINGS


class RebuildUseCases:
    def rebuild(self, fetch_booking: Fetch, fetch_auth: Fetch) -> dict:
        """Drops the copies and replays both sources from zero; returns how many events each gave."""
        self._copies_only = True
        try:
            with self.docs.batch():
                for collection in (BOOKINGS, PROFILES):
                    self.docs.drop(collection)
                self.projector.reset()
                self.auth_projector.reset()
                counts = {"auth": self.auth_projector.catch_up(fetch_auth),
                          "booking": self.projector.catch_up(fetch_booking)}
        finally:
            self._copies_only = False
        return dict(counts, bookings=self.docs.count(BOOKINGS), profiles=self.docs.count(PROFILES))
