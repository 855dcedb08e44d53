"""The booking service's RPC surface: its nameko service name and each method, read or write. Callers
name methods through this table; a read changes nothing (the gateway may keep its answer; see
gateway/read_cache.py), a write may."""
from __future__ import annotations

SERVICE = "booking"
READ, WRITE = "read", "write"

METHODS: dict[str, str] = {
    "create_booking": WRITE,
    "get_booking": READ,
    "assigned_contact": READ,
    "list_bookings": READ,
    "execute": WRITE,
    "get_attachment": READ,
    "events_since": READ,
    "public_events_since": READ,
    "health": READ,
    "candidates": READ,
    "to_assign": READ,
    "interpreter_profiles": READ,
}
READS = frozenset(m for m, kind in METHODS.items() if kind == READ)
