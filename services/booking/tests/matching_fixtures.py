"""Profiles as auth publishes them (docs/contracts.md "Profiles"), for the matching tests."""
from __future__ import annotations

import itertools

_numbers = itertools.count(100)


def profile(user_id: str | None = None, **changes) -> dict:
    """An interpreter who fits the scenario's booking (Français–Hongrois in person, Tuesday
    2024-09-03 09:30–11:30 in Montreal, establishment HC) unless changed."""
    base = {
        "user_id": user_id or f"UBIPN{next(_numbers):04d}", "role": "interpreter", "secondary_role": None,
        "active": True, "available_for_offers": True, "first_name": "Ilona", "last_name": "Kovacs",
        "region": "06-Montréal", "address": "1 rue X, Montréal", "postal_code": "H1T 2M4",
        "work_region_postal_code": "H2X 1Y4", "home_coordinates": {"lat": 45.57, "lon": -73.55},
        "request_types": ["in_person", "phone", "video"],
        "language_pairs": [{"source": "Français", "target": "Hongrois", "country": "HU"}],
        "contexts": ["Santé mentale"],
        "availability": {"always": True, "slots": []},
        "eligibility_documents": [],
        "inactivity_periods": [], "establishment_blocks": [],
    }
    base.update(changes)
    return base
