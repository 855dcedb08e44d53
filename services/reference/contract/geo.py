"""Great-circle distances between coordinates (WGS 84 degrees), for matching's distances and payroll's
mileage check. The haversine formula on a sphere of the Earth's mean radius: within about 0.5 % of
the geodesic, far below the gap between a straight line and a road (a consumer applies its own
road factor or margin, as its policy says)."""
from __future__ import annotations

from math import asin, cos, radians, sin, sqrt

EARTH_RADIUS_KM = 6371.0088   # mean radius (IUGG)


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Distance in km along the Earth's surface between two points."""
    phi1, phi2 = radians(lat1), radians(lat2)
    dphi, dlambda = phi2 - phi1, radians(lon2 - lon1)
    h = sin(dphi / 2) ** 2 + cos(phi1) * cos(phi2) * sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * asin(min(1.0, sqrt(h)))


def distance_km(a: dict | None, b: dict | None) -> float | None:
    """Distance between two items carrying latitude and longitude (a facility, a region's head
    office); None when either lacks coordinates."""
    points = []
    for item in (a, b):
        if not item or item.get("latitude") is None or item.get("longitude") is None:
            return None
        points.append((float(item["latitude"]), float(item["longitude"])))
    (lat1, lon1), (lat2, lon2) = points
    return haversine_km(lat1, lon1, lat2, lon2)
