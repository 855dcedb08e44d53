"""Where a mileage claim is measured from and to (domain/mileage.py): payroll's copy of the reference
data (the reference contract's ReferenceCopy, fed from `reference.events` by a checkpointed projector,
gaps filled by `events_since`) and of the interpreter's profile.

- the facility: the booking's `facility`, a facility code or a facility's name (accents and case aside);
- the interpreter's home: `home_coordinates` from the profile, else the coordinates of a facility or
  head office at the profile's `postal_code` (the only postal codes the reference data can place);
- the head office of the profile's main `region`.

A reference change that moves a facility or a head office reprices the remunerations still
provisional that claim mileage; a validated one keeps the places it was validated with ("places" in
its record, and in its RemunerationCalculated event, which is how a rebuild finds them again)."""
from __future__ import annotations

import re

from ims_common.envelope import StoredEvent
from ims_common.projection import Fetch
from services.reference.contract import vocabulary as RV
from services.reference.contract.text import fold_text

from .records import BOOKINGS, REMUNERATIONS


def _point(item: dict | None, **extra) -> dict | None:
    if not item or item.get("latitude") is None or item.get("longitude") is None:
        return None
    return {"latitude": str(item["latitude"]), "longitude": str(item["longitude"]), **extra}


def postal_code(value) -> str | None:
    """'h1t2m4', 'H1T 2M4' -> 'H1T 2M4' (how the reference data stores them)."""
    compact = re.sub(r"[\s-]", "", str(value or "")).upper()
    return f"{compact[:3]} {compact[3:]}" if re.fullmatch(r"[A-Z][0-9][A-Z][0-9][A-Z][0-9]", compact) else None


class PlacesUseCases:
    # ---- the copy of the reference data ----

    def on_reference_event(self, envelope: dict, fetch: Fetch) -> None:
        self.reference_projector.on_event(envelope, fetch)
        self._reprice_after_reference()

    def catch_up_reference(self, fetch: Fetch) -> int:
        read = self.reference_projector.catch_up(fetch)
        self._reprice_after_reference()
        return read

    def _apply_reference(self, event: StoredEvent) -> None:
        self.reference.apply(event)
        if (event.data or {}).get("kind") in (RV.FACILITY, RV.REGION):
            self._places_index = None
            self._reference_moved = True

    def _reprice_after_reference(self) -> None:
        """Once per batch of reference events: the provisional remunerations that claim mileage."""
        if not self._reference_moved:
            return
        with self._lock:
            self._reference_moved = False
            rems = self.docs.find(REMUNERATIONS, {"mileage_claimed": True, "kind": "provisional"},
                                  order_by=[("key", 1)])
            for booking_id in dict.fromkeys(r["booking_id"] for r in rems):
                booking = self.docs.get(BOOKINGS, booking_id)
                if booking:
                    self._price_booking(booking, cause=None)

    # ---- places ----

    def _index(self) -> dict:
        if self._places_index is None:
            facilities, postal = {}, {}
            for kind in (RV.FACILITY, RV.REGION):
                for item in self.reference.items(kind, active_only=False):
                    point = _point(item)
                    if kind == RV.FACILITY:
                        for name in (item.get("code"), item.get("label_fr"), item.get("label_en")):
                            if name and fold_text(name) not in facilities:
                                facilities[fold_text(name)] = _point(item, facility=item["code"])
                    code = postal_code(item.get("postal_code"))
                    if point and code and code not in postal:
                        postal[code] = point
            self._places_index = {"facilities": facilities, "postal": postal}
        return self._places_index

    def places_for(self, booking: dict, interpreter_id: str) -> dict:
        index = self._index()
        profile = self.profiles.get(interpreter_id) or {}
        home = None
        coords = profile.get("home_coordinates") or {}
        if coords.get("lat") is not None and coords.get("lon") is not None:
            home = {"latitude": str(coords["lat"]), "longitude": str(coords["lon"]), "source": "profile"}
        elif postal_code(profile.get("postal_code")) in index["postal"]:
            home = dict(index["postal"][postal_code(profile["postal_code"])], source="postal_code")
        head = self.reference.region_head_office(profile["region"]) if profile.get("region") else None
        facility = index["facilities"].get(fold_text(booking.get("facility"))) if booking.get("facility") else None
        return {"facility": facility, "home": home,
                "head_office": _point(head, region=head["region"]) if head else None}
