"""The one place of the booking service that reads the environment and wires its objects: used by
service.py (nameko gives it the stores it opened), cli.py and the tests alike.

Environment: BOOKING_STORE_URL (or IMS_DATA_DIR for the SQLite default, ims_common.config) and the
matching policy: IMS_OFFER_TIMEOUT_MINUTES (120), IMS_FLAG_UNFILLED_HOURS (48), IMS_MATCH_TIER_SIZE
(5), IMS_MATCH_TRAVEL_MARGIN_MINUTES (60), IMS_MATCH_MAX_DISTANCE_KM (none)."""
from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from typing import Callable, Mapping, Optional

from ims_common import config
from ims_common.nameko_ext import Stores
from services.booking.app import BookingApp
from services.booking.domain.matching import DEFAULT_POLICY, MatchingPolicy

SERVICE = "booking"
# Its document store holds only what events give again (read model, checkpoints, number hints, the
# copy of auth's profiles): its commits may skip the fsync; the event appends keep it.
DURABLE_DOCS = False
POLICY_ENV = {"IMS_MATCH_TRAVEL_MARGIN_MINUTES": "travel_margin_minutes", "IMS_MATCH_TIER_SIZE": "tier_size",
              "IMS_OFFER_TIMEOUT_MINUTES": "offer_timeout_minutes", "IMS_FLAG_UNFILLED_HOURS": "flag_before_hours"}


def policy_from_env(environ: Mapping[str, str] = os.environ) -> MatchingPolicy:
    """The matching policy with the integers the environment sets (names in POLICY_ENV); a value
    that is not a whole number leaves the default."""
    changes: dict = {}
    for name, attribute in POLICY_ENV.items():
        value = environ.get(name, "").strip()
        if value.isdigit():
            changes[attribute] = int(value)
    km = environ.get("IMS_MATCH_MAX_DISTANCE_KM", "").strip()
    if km.replace(".", "", 1).isdigit():
        changes["max_distance_km"] = float(km)
    return replace(DEFAULT_POLICY, **changes)


def store_url() -> str:
    return config.store_url(SERVICE)


def build(stores, *, clock: Optional[Callable[[], datetime]] = None,
          policy: Optional[MatchingPolicy] = None, catch_up: bool = True) -> BookingApp:
    """The booking application over `stores` (event_store, doc_store, blob_store), its read model
    brought up to the events appended while the service was down."""
    app = BookingApp(stores.event_store, stores.doc_store, stores.blob_store, clock=clock,
                     policy=policy if policy is not None else policy_from_env())
    if catch_up:
        app.catch_up()
    return app


def open_stores(url: str | None = None) -> Stores:
    """The service's stores on its store URL, for the CLI (nameko's Runtime opens the service's own
    on the same URL, with DURABLE_DOCS)."""
    return Stores(url or store_url())
