"""The mileage claim, checked against the distance the system computes (FAQ: "le parcours (juste
l'aller) ... de plus de 16 km", from "la distance la plus courte entre votre domicile et le lieu du
service ou du siège social de l'établissement de votre région principale de travail").

`places` (the app finds them in its copies of the reference data and of the profile):
{"facility": {latitude, longitude}, "home": {latitude, longitude, source}, "head_office": {...}},
each None when unknown. The computed distance is the great circle from the closer origin to the
facility times the policy's road factor (a road is longer than a straight line), to 0,1 km. The
16 km threshold applies to it. A claim within the policy's margin above it is paid as claimed; a
claim beyond is paid at the computed figure or paid as claimed and flagged, as the policy's
`mileage_excess_action` says; either way the coordinator sees both figures. Without coordinates for
the facility or for both origins nothing can be computed: the claim is flagged, never silently paid.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from services.reference.contract.geo import distance_km

from .policy import MILEAGE_ALL_KM, MILEAGE_PAY_COMPUTED

TENTH = Decimal("0.1")
ORIGINS = ("home", "head_office")       # order breaks a tie: home first


def computed_distances(places: dict | None, road_factor: Decimal) -> dict[str, Decimal]:
    """Origin -> computed km to the facility, for the origins with coordinates."""
    places = places or {}
    out = {}
    for origin in ORIGINS:
        km = distance_km(places.get(origin), places.get("facility"))
        if km is not None:
            out[origin] = (Decimal(str(km)) * road_factor).quantize(TENTH, ROUND_HALF_UP)
    return out


def check(p, claimed: Decimal, places: dict | None) -> Decimal:
    """The km paid for a one-way `claimed` route (threshold, paid-km rule and round trip applied).
    Records on the pricer `p` the inputs, flags and the distance line's reason and notes."""
    policy = p.policy
    threshold = policy.mileage_threshold_km
    distances = computed_distances(places, policy.mileage_road_factor)
    p.inputs.update(claimed_km=str(claimed), road_factor=str(policy.mileage_road_factor),
                    **{f"{origin}_km": str(km) for origin, km in distances.items()})
    route = claimed
    if not distances:
        p.flags.add("mileage_unverified")
        p.inputs.update(computed_km=None, computed_from=None)
        p.note("distance", "note.km_unverified")
        eligible = claimed > threshold
    else:
        origin = min(distances, key=lambda o: (distances[o], ORIGINS.index(o)))
        computed = distances[origin]
        allowed = (computed * (1 + policy.mileage_margin_percent / 100)).quantize(TENTH, ROUND_HALF_UP)
        p.inputs.update(computed_km=str(computed), computed_from=origin, allowed_km=str(allowed))
        p.note("distance", f"note.km_from_{origin}", computed_km=computed)
        if claimed > allowed:
            if policy.mileage_excess_action == MILEAGE_PAY_COMPUTED:
                p.flags.add("mileage_reduced")
                route = computed
                p.note("distance", "note.km_reduced", claimed_km=claimed, margin=policy.mileage_margin_percent)
            else:
                p.flags.add("mileage_excess")
                p.note("distance", "note.km_excess", claimed_km=claimed, margin=policy.mileage_margin_percent)
        eligible = computed > threshold
        if not eligible:
            if claimed > threshold:
                p.flags.add("mileage_below_threshold")
            p.why("distance", "km.under_threshold_computed", computed_km=computed, threshold_km=threshold,
                  claimed_km=claimed)
            return Decimal(0)
    p.inputs["route_km"] = str(route)
    if not eligible:
        p.why("distance", "km.under_threshold", route_km=route, threshold_km=threshold)
        return Decimal(0)
    paid = route if policy.mileage_paid_km == MILEAGE_ALL_KM else max(route - threshold, Decimal(0))
    if policy.mileage_round_trip:
        paid *= 2
        p.why("distance", "km.paid_round_trip", paid_km=paid, rate_money=policy.mileage_rate_per_km, route_km=route)
    else:
        p.why("distance", "km.paid", paid_km=paid, rate_money=policy.mileage_rate_per_km, route_km=route)
    return paid
